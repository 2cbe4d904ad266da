//! core's and native's errors as Python exceptions: bad values are `ValueError`, files
//! that cannot be read `OSError`. The message is core's, which names the line/field/row.

use cmgems_core::CoreError;
use cmgems_native::NativeError;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::PyErr;

/// A core error as a `ValueError`.
pub fn core(e: CoreError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A native error: `OSError` for I/O, `ValueError` for bad content.
pub fn native(e: NativeError) -> PyErr {
    match e {
        NativeError::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// A `ValueError` with our own message (argument checks the binding does itself).
pub fn value(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}
