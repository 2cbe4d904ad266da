//! One error type for the whole core, so bindings translate a single enum.
//!
//! Parsers in core take text, not files: they report the 1-based `line` (and `field`
//! where one exists); callers that know the file name wrap it (see `native`).

use alloc::string::String;

/// Everything that can go wrong inside the core.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoreError {
    /// k outside the supported 3..=6.
    #[error("k = {0} is not supported (DNABERT vocabularies exist for k = 3..6)")]
    UnsupportedK(usize),
    /// A k-mer string of the wrong length or with a letter other than ACGT.
    #[error("{text:?} is not a {k}-mer of A, C, G, T")]
    BadKmer { text: String, k: usize },
    /// Malformed input text (CSV/TSV/JSON/k-mer text) at a line, optionally a field.
    #[error("line {line}{}: {message}", field.as_ref().map(|f| alloc::format!(", field `{f}`")).unwrap_or_default())]
    Parse {
        line: usize,
        field: Option<String>,
        message: String,
    },
    /// A table, mask request or curriculum built for another k, length or shape.
    #[error("mismatch: {0}")]
    Mismatch(String),
    /// A parameter outside its valid range (probability, step count, ...).
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter { name: &'static str, message: String },
    /// The input holds nothing the operation can use (no ACGT, no records, no scored k-mer).
    #[error("empty input: {0}")]
    Empty(String),
    /// A person's text that is not DNA (a protein, prose, an empty record): the message is
    /// a whole sentence saying why and where (line, column).
    #[error("{0}")]
    Input(String),
}

impl CoreError {
    /// Shorthand for a parse error without a field.
    pub fn parse(line: usize, message: impl Into<String>) -> Self {
        CoreError::Parse {
            line,
            field: None,
            message: message.into(),
        }
    }

    /// Shorthand for a parse error naming a field.
    pub fn parse_field(line: usize, field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Parse {
            line,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Shorthand for an invalid parameter.
    pub fn invalid(name: &'static str, message: impl Into<String>) -> Self {
        CoreError::InvalidParameter {
            name,
            message: message.into(),
        }
    }
}

/// Result alias used across the core.
pub type Result<T, E = CoreError> = core::result::Result<T, E>;
