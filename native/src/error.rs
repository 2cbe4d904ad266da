//! Typed errors of the native library; every one names the file (and line where one exists).

use std::path::PathBuf;

/// What can go wrong reading inputs or writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Fasta { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Core {
        path: PathBuf,
        #[source]
        source: cmgems_core::CoreError,
    },
    #[error("{path}, line {line}: {source}")]
    CoreAtLine {
        path: PathBuf,
        line: usize,
        #[source]
        source: cmgems_core::CoreError,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// A `.2bit` genome store that is not one, or is damaged: the byte offset and record.
    #[error("{path}: {source}")]
    TwoBit {
        path: PathBuf,
        #[source]
        source: cmgems_core::input::twobit::TwoBitError,
    },
}

impl NativeError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        NativeError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn core(path: impl Into<PathBuf>, source: cmgems_core::CoreError) -> Self {
        NativeError::Core {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        NativeError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Result alias of the native library.
pub type Result<T, E = NativeError> = std::result::Result<T, E>;
