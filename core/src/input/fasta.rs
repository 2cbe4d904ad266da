//! FASTA framing over bytes that may arrive in pieces.
//!
//! A browser reads a dropped file chunk by chunk and `train mask` reads text it already
//! holds; both need the same framing: `>` at the start of a line opens a record (its
//! header may straddle two chunks), `;` at the start of a line is a comment, and the
//! letters of a record come in line segments with their line and column, so a reader can
//! name where a bad letter is. What the letters mean is the caller's business.

use alloc::string::String;
use alloc::vec::Vec;

/// Longest header kept; the rest of a longer one is dropped (names are for display).
const MAX_HEADER: usize = 4096;

/// What the framer found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastaEvent<'a> {
    /// A `>` header line ended: a new record starts (its name trimmed, maybe empty).
    Record { name: &'a str },
    /// Bytes of one sequence line (no `\n`; `\r` and spaces are left to the caller),
    /// starting at 1-based `line` and `column`. A line split across pieces comes as
    /// several segments. Letters before any header come too (text without a header).
    Letters {
        line: usize,
        column: usize,
        bytes: &'a [u8],
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    LineStart,
    Header,
    Comment,
    Sequence,
}

/// A push parser: feed pieces with [`FastaFramer::push`], then call
/// [`FastaFramer::finish`] for a header without a final line break.
#[derive(Debug, Clone)]
pub struct FastaFramer {
    state: State,
    header: Vec<u8>,
    line: usize,
    column: usize,
}

impl Default for FastaFramer {
    fn default() -> Self {
        FastaFramer::new()
    }
}

impl FastaFramer {
    pub fn new() -> FastaFramer {
        FastaFramer {
            state: State::LineStart,
            header: Vec::new(),
            line: 1,
            column: 1,
        }
    }

    /// Feeds the next piece; `on` receives the events it completes, in order.
    pub fn push(&mut self, bytes: &[u8], mut on: impl FnMut(FastaEvent<'_>)) {
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            let newline = rest.iter().position(|&b| b == b'\n');
            let line_end = newline.unwrap_or(rest.len());
            match self.state {
                State::LineStart => {
                    self.column = 1;
                    match rest[0] {
                        b'>' => {
                            self.state = State::Header;
                            self.header.clear();
                            i += 1;
                        }
                        b';' => self.state = State::Comment,
                        _ => self.state = State::Sequence,
                    }
                    continue;
                }
                State::Header => {
                    let room = MAX_HEADER.saturating_sub(self.header.len());
                    self.header.extend_from_slice(&rest[..line_end.min(room)]);
                    if newline.is_some() {
                        self.emit_header(&mut on);
                    }
                }
                State::Comment => {}
                State::Sequence => {
                    if line_end > 0 {
                        on(FastaEvent::Letters {
                            line: self.line,
                            column: self.column,
                            bytes: &rest[..line_end],
                        });
                        self.column += line_end;
                    }
                }
            }
            i += line_end;
            if newline.is_some() {
                i += 1;
                self.line += 1;
                self.state = State::LineStart;
            }
        }
    }

    /// Ends the input: a header line without a final line break still opens its record.
    pub fn finish(&mut self, mut on: impl FnMut(FastaEvent<'_>)) {
        if self.state == State::Header {
            self.emit_header(&mut on);
        }
        self.state = State::LineStart;
    }

    fn emit_header(&mut self, on: &mut impl FnMut(FastaEvent<'_>)) {
        let name = String::from_utf8_lossy(&self.header);
        on(FastaEvent::Record { name: name.trim() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    /// Events as text, for comparing whole streams.
    fn frame(pieces: &[&[u8]]) -> Vec<String> {
        let mut f = FastaFramer::new();
        let mut out: Vec<String> = Vec::new();
        let mut on = |e: FastaEvent<'_>| match e {
            FastaEvent::Record { name } => out.push(format!(">{name}")),
            FastaEvent::Letters {
                line,
                column,
                bytes,
            } => {
                // Join segments of one line so piece boundaries do not show.
                let text = String::from_utf8_lossy(bytes).to_string();
                match out.last_mut() {
                    Some(last) if last.starts_with(&format!("{line}:")) => last.push_str(&text),
                    _ => out.push(format!("{line}:{column}:{text}")),
                }
            }
        };
        for p in pieces {
            f.push(p, &mut on);
        }
        f.finish(&mut on);
        out
    }

    #[test]
    fn records_comments_and_lines_with_positions() {
        let text = b"ACG\n>one two \r\nAC\nGT\n;note\n>\nTT\r\n>last";
        assert_eq!(
            frame(&[text]),
            ["1:1:ACG", ">one two", "3:1:AC", "4:1:GT", ">", "7:1:TT\r", ">last"]
        );
    }

    #[test]
    fn pieces_of_any_size_give_the_same_events() {
        let text: &[u8] = b">chr1 a > b\nACGTNNacgt\n\n;x\nGG\n>chr2\r\nTTTT\n";
        let whole = frame(&[text]);
        for size in 1..text.len() {
            let pieces: Vec<&[u8]> = text.chunks(size).collect();
            assert_eq!(frame(&pieces), whole, "pieces of {size}");
        }
    }

    #[test]
    fn a_long_header_is_cut_not_kept_whole() {
        let mut text = b">".to_vec();
        text.extend(core::iter::repeat_n(b'x', MAX_HEADER * 3));
        text.extend_from_slice(b"\nACGT\n");
        let events = frame(&[&text]);
        assert_eq!(events[0].len(), 1 + MAX_HEADER);
        assert_eq!(events[1], "2:1:ACGT");
    }
}
