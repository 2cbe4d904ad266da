//! A strict, small JSON reader that keeps numbers as their text.
//!
//! Why not serde_json: without its `float_roundtrip` feature (off in this workspace) it
//! parses about one float in ten a unit in the last place off, so an exported table would
//! not read back bit for bit. `str::parse::<f64>` rounds correctly. The reader also keeps
//! the line of every value, so errors can point at a row.

use crate::error::{CoreError, Result};
use alloc::string::String;
use alloc::vec::Vec;

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 32;

/// A value and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node<'a> {
    pub line: usize,
    pub value: Value<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value<'a> {
    Null,
    Bool(bool),
    /// The number's text, already checked against JSON's number grammar.
    Number(&'a str),
    String(String),
    Array(Vec<Node<'a>>),
    /// Members in document order; names are unique.
    Object(Vec<(String, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// A member of an object (`None` for a missing member or a non-object).
    pub fn member(&self, name: &str) -> Option<&Node<'a>> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Parses one JSON document (RFC 8259), nothing but whitespace around it.
pub(super) fn parse(text: &str) -> Result<Node<'_>> {
    let mut p = Parser {
        text,
        pos: 0,
        line: 1,
    };
    let node = p.value(0)?;
    p.skip_ws();
    if p.pos != text.len() {
        return Err(p.err("unexpected text after the JSON document"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, message: impl Into<String>) -> CoreError {
        CoreError::parse(self.line, message)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                }
                _ => break,
            }
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(alloc::format!("expected {what}")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>> {
        if depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        self.skip_ws();
        let line = self.line;
        let value = match self.peek() {
            None => return Err(self.err("unexpected end of JSON")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            Some(_) => {
                let c = self.text[self.pos..].chars().next().unwrap_or('?');
                return Err(self.err(alloc::format!("unexpected character {c:?}")));
            }
        };
        Ok(Node { line, value })
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.err("expected true, false or null"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>> {
        self.pos += 1; // '{'
        let mut members: Vec<(String, Node<'a>)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a member name in double quotes"));
            }
            let name = self.string()?;
            self.expect(b':', "`:` after a member name")?;
            let value = self.value(depth + 1)?;
            if members.iter().any(|(n, _)| *n == name) {
                return Err(CoreError::parse_field(
                    value.line,
                    name,
                    "member appears twice",
                ));
            }
            members.push((name, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.err("expected `,` or `}` in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.err("expected `,` or `]` in an array")),
            }
        }
    }

    fn string(&mut self) -> Result<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        let mut run_start = self.pos;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            match b {
                b'"' => {
                    out.push_str(&self.text[run_start..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run_start..self.pos]);
                    self.pos += 1;
                    out.push(self.escape()?);
                    run_start = self.pos;
                }
                0..=0x1f => return Err(self.err("control character inside a string")),
                _ => self.pos += 1,
            }
        }
    }

    fn escape(&mut self) -> Result<char> {
        let b = self.peek().ok_or_else(|| self.err("unterminated string"))?;
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if !self.text[self.pos..].starts_with("\\u") {
                        return Err(self.err("unpaired surrogate in \\u escape"));
                    }
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err("unpaired surrogate in \\u escape"));
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                char::from_u32(code).ok_or_else(|| self.err("unpaired surrogate in \\u escape"))?
            }
            _ => return Err(self.err("unknown escape in a string")),
        })
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.err("\\u needs four hex digits"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.err("\\u needs four hex digits"))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<&'a str> {
        let start = self.pos;
        let bad = |p: &Self| p.err("malformed number");
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(bad(self)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(bad(self));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(bad(self));
            }
        }
        Ok(&self.text[start..self.pos])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value<'static> {
        Value::String(String::from(text))
    }

    #[test]
    fn parses_every_kind_and_records_lines() {
        let doc =
            "{\n \"a\": [1, -2.5e-3, true, false, null],\n \"b\": \"x\\u00e9\\ud83d\\ude00\\n\"\n}";
        let root = parse(doc).unwrap();
        assert_eq!(root.line, 1);
        let a = root.member("a").unwrap();
        assert_eq!(a.line, 2);
        let Value::Array(items) = &a.value else {
            panic!("not an array")
        };
        assert_eq!(items[0].value, Value::Number("1"));
        assert_eq!(items[1].value, Value::Number("-2.5e-3"));
        assert_eq!(items[2].value, Value::Bool(true));
        assert_eq!(items[4].value, Value::Null);
        let b = root.member("b").unwrap();
        assert_eq!((b.line, &b.value), (3, &s("xé😀\n")));
    }

    #[test]
    fn rejects_malformed_documents_with_their_line() {
        for (doc, line) in [
            ("{\"a\": 01}", 1),
            ("[1,\n2,]", 2),
            ("{\"a\": 1, \"a\": 2}", 1),
            ("[1.]", 1),
            ("[-]", 1),
            ("[1e]", 1),
            ("\"tab\there\"", 1),
            ("\"\\ud800\"", 1),
            ("\"\\x\"", 1),
            ("[1] [2]", 1),
            ("{\"a\" 1}", 1),
            ("\n\n[tru]", 3),
            ("", 1),
            ("[\"open", 1),
        ] {
            match parse(doc) {
                Err(CoreError::Parse { line: l, .. }) => assert_eq!(l, line, "{doc:?}"),
                other => panic!("{doc:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let doc = "[".repeat(10_000);
        assert!(parse(&doc).is_err());
    }
}
