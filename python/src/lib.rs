//! The `cmgems._cmgems` extension module: Python bindings of cmgems-core.
//!
//! Shaped like HuggingFace tokenizers' `bindings/python`: one module here per stage of core
//! it binds, named as core's: `tokenize` (the tokenizer), `npmi` (tables: counting, reading,
//! writing), `mask` (the maskers), `schedule` (the curricula), `input` (the genome store's
//! pieces), plus `rng` (`derive_seed`)
//! and the helpers `error` (core's errors as exceptions) and `arrays` (numpy in and out).
//! Each only translates Python values to core's and core's errors to Python exceptions.
//! Every rule lives in cmgems-core; counting FASTA files lives in cmgems-native's library.
//! The Python half of the package (`python/cmgems/`: the collator and the Trainer callback)
//! is built on these classes; `cmgems/_cmgems.pyi` types them, and
//! `tests/test_stubs.py` checks it against the built module.

mod arrays;
mod error;
mod input;
mod mask;
mod npmi;
mod rng;
mod schedule;
mod tokenize;

use pyo3::prelude::*;

#[pymodule]
fn _cmgems(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<tokenize::PyTokenizer>()?;
    m.add_class::<npmi::PyNpmiTable>()?;
    m.add_class::<mask::PyMasker>()?;
    m.add_class::<schedule::PyCurriculum>()?;
    m.add_class::<input::PyGenomePieces>()?;
    m.add_function(wrap_pyfunction!(input::build_genome, m)?)?;
    m.add_function(wrap_pyfunction!(rng::derive_seed, m)?)?;
    m.add_function(wrap_pyfunction!(mask::piece_seed, m)?)?;
    Ok(())
}
