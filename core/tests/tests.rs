//! core's integration tests: one test binary (as ripgrep's tests/tests.rs), one module per
//! subject.

mod genemask_authors;
mod metrics_vs_sklearn;
mod probe_vs_sklearn;
