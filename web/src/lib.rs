//! Browser bindings over `cmgems-core` (filled in by the inspector issue).
