//! `cmgems.derive_seed`: core's rule for the seed of one stream of a seed.

use pyo3::prelude::*;

/// The seed of stream `stream` of `seed` (both 64-bit unsigned), as core derives every
/// row's and worker's random stream: a new, independent seed from the pair.
#[pyfunction]
pub fn derive_seed(seed: u64, stream: u64) -> u64 {
    cmgems_core::rng::derive_seed(seed, stream)
}
