//! numpy arrays in and out: any integer dtype of shape (batch, length) in, `int64` out
//! (what torch's `LongTensor` wants). Wrong dtypes are `TypeError`, wrong shapes and values
//! `ValueError`, never a panic.

use crate::error::value;
use numpy::ndarray::Array2;
use numpy::{PyArray2, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// A (rows, cols) matrix of integers, row-major.
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<i64>,
    /// The first value of a uint64 array above `i64::MAX` (its index and value): `values`
    /// holds `i64::MAX` there, and an error about it must name the value given.
    pub first_over: Option<(usize, u64)>,
}

/// Reads a 2-D integer numpy array. `name` is the argument's name, for messages.
pub fn int_matrix(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Matrix> {
    let Ok(array) = obj.cast::<PyUntypedArray>() else {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a numpy array of integers, not {}",
            obj.get_type().name()?
        )));
    };
    if array.ndim() != 2 {
        return Err(value(format!(
            "{name} must have shape (batch, length), not {:?}",
            array.shape()
        )));
    }
    macro_rules! try_dtype {
        ($($t:ty),*) => {$(
            if let Ok(a) = array.cast::<PyArray2<$t>>() {
                let view = a.readonly();
                let view = view.as_array();
                let (rows, cols) = view.dim();
                let values = view.iter().map(|&x| x as i64).collect();
                return Ok(Matrix { rows, cols, values, first_over: None });
            }
        )*};
    }
    try_dtype!(i64, i32, i16, i8, u32, u16, u8);
    if let Ok(a) = array.cast::<PyArray2<u64>>() {
        let view = a.readonly();
        let view = view.as_array();
        let (rows, cols) = view.dim();
        let first_over = view.iter().enumerate().find(|(_, &x)| x > i64::MAX as u64);
        let first_over = first_over.map(|(i, &x)| (i, x));
        let values = view
            .iter()
            .map(|&x| i64::try_from(x).unwrap_or(i64::MAX))
            .collect();
        return Ok(Matrix {
            rows,
            cols,
            values,
            first_over,
        });
    }
    Err(PyTypeError::new_err(format!(
        "{name} must hold integers, not {}",
        array.dtype()
    )))
}

/// Token ids as u32; a negative or huge id is a `ValueError` naming its place.
pub fn ids(m: &Matrix, name: &str) -> PyResult<Vec<u32>> {
    m.values
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            u32::try_from(x).map_err(|_| {
                let given = match m.first_over {
                    Some((j, over)) if j == i => over.to_string(),
                    _ => x.to_string(),
                };
                value(format!(
                    "{name}: id {given} at row {}, position {} is not a token id",
                    i / m.cols.max(1),
                    i % m.cols.max(1)
                ))
            })
        })
        .collect()
}

/// Attention flags: 1 (or any non-zero) attends, 0 is padding.
pub fn flags(m: &Matrix) -> Vec<bool> {
    m.values.iter().map(|&x| x != 0).collect()
}

/// A row-major buffer as a (rows, cols) int64 array.
pub fn to_numpy<'py, T: Copy + Into<i64>>(
    py: Python<'py>,
    rows: usize,
    cols: usize,
    values: &[T],
) -> Bound<'py, PyArray2<i64>> {
    let data = values.iter().map(|&x| x.into()).collect();
    let array = Array2::from_shape_vec((rows, cols), data).expect("rows * cols values");
    PyArray2::from_owned_array(py, array)
}
