//! Nothing but the criterion benches in `benches/` (see Cargo.toml).
