//! The `cmgems._cmgems` extension module: Python bindings of cmgems-core.
//!
//! Shaped like HuggingFace tokenizers' `bindings/python`: one module here per module of
//! core (tokenizer, table/npmi, mask, curriculum, rng), each only translating Python values to
//! core's and core's errors to Python exceptions. Every rule lives in cmgems-core; counting
//! FASTA files lives in cmgems-native's library. The Python half of the package
//! (`python/cmgems/`: the collator and the Trainer callback) is built on these classes.

mod arrays;
mod curriculum;
mod error;
mod mask;
mod rng;
mod table;
mod tokenizer;

use pyo3::prelude::*;

#[pymodule]
fn _cmgems(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<tokenizer::PyTokenizer>()?;
    m.add_class::<table::PyNpmiTable>()?;
    m.add_class::<mask::PyMasker>()?;
    m.add_class::<curriculum::PyCurriculum>()?;
    m.add_function(wrap_pyfunction!(rng::derive_seed, m)?)?;
    Ok(())
}
