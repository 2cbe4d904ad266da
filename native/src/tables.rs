//! Loading NPMI tables from disk in either accepted format.

use crate::error::{NativeError, Result};
use crate::files::{read_text, write_atomic};
use cmgems_core::npmi::NpmiTable;
use cmgems_core::{npmi::table_io, K};
use std::path::Path;

/// Reads a table: the authors' ranking CSV (by extension `.csv`) or cmgems JSON.
/// `want_k`, when given, must match the table's k.
pub fn load_table(path: &Path, want_k: Option<K>) -> Result<NpmiTable> {
    let text = read_text(path)?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let table = if is_csv {
        table_io::from_genemask_csv(&text)
    } else {
        table_io::from_json(&text)
    }
    .map_err(|e| NativeError::core(path, e))?;
    if let Some(k) = want_k {
        if table.k() != k {
            return Err(NativeError::invalid(
                path,
                format!(
                    "this table is for k = {}, but k = {k} was asked for",
                    table.k()
                ),
            ));
        }
    }
    Ok(table)
}

/// Writes a table as cmgems JSON, atomically.
pub fn save_table(table: &NpmiTable, path: &Path) -> Result<()> {
    let json = table_io::to_json(table);
    write_atomic(path, |w| w.write_all(json.as_bytes()))
}
