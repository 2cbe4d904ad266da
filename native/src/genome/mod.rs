//! The genome store: UCSC `.2bit` files read through a shared memory mapping and built from
//! FASTA by a streaming writer (docs/algorithms.md §5.1).
//!
//! The format itself (parsing, decoding, packing) lives in `cmgems_core::input::twobit`, so
//! this module only does the file work: [`Genome`] maps a store and checks it is not older
//! than the FASTA it was built from ([`sources`]); [`build`] writes one (`train genome`).
//! Built without the `train` feature, so the Python bindings wrap [`Genome`] as well.

pub mod build;
pub mod sources;
pub mod store;

pub use build::{build_store, BuildSummary};
pub use store::{is_twobit, Genome};
