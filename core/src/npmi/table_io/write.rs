//! The `cmgems-npmi` JSON writer: rows in rank order, one per line, floats in their
//! shortest round-trip form (the format is described in the module doc of `table_io`).

use super::{JSON_FORMAT, JSON_VERSION};
use crate::npmi::NpmiTable;
use alloc::string::String;
use core::fmt::{self, Write};

/// The table as `cmgems-npmi` JSON (see the module doc).
pub fn to_json(table: &NpmiTable) -> String {
    let mut out = String::with_capacity(80 * table.k().kmer_count() + 256);
    // Writing into a String cannot fail.
    let _ = write_json(table, &mut out);
    out
}

fn write_json(t: &NpmiTable, out: &mut String) -> core::fmt::Result {
    writeln!(out, "{{")?;
    writeln!(out, "\"format\": \"{JSON_FORMAT}\",")?;
    writeln!(out, "\"version\": {JSON_VERSION},")?;
    writeln!(out, "\"k\": {},", t.k())?;
    writeln!(out, "\"min_count\": {},", t.min_count())?;
    out.push_str("\"source\": ");
    match t.source() {
        // serde_json escapes; serialising a str cannot fail.
        Some(s) => out.push_str(&serde_json::to_string(s).map_err(|_| fmt::Error)?),
        None => out.push_str("null"),
    }
    out.push_str(",\n\"totals\": ");
    match t.totals() {
        Some(totals) => {
            out.push('[');
            for (i, n) in totals.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write!(out, "{n}")?;
            }
            out.push(']');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\n\"kmers\": [\n");
    for (i, row) in t.rows_by_rank().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        write!(
            out,
            "{{\"kmer\": \"{}\", \"rank\": {}, \"count\": ",
            row.kmer, row.rank
        )?;
        match row.score.count {
            Some(c) => write!(out, "{c}")?,
            None => out.push_str("null"),
        }
        out.push_str(", \"pmi\": ");
        write_float(row.score.pmi, out)?;
        out.push_str(", \"npmi\": ");
        write_float(row.score.npmi, out)?;
        out.push('}');
    }
    out.push_str("\n]\n}\n");
    Ok(())
}

/// Shortest text that reads back to the same f64; Debug form is valid JSON for finite
/// values (`1.0`, `-0.0`, `1e-7`), and tables hold only finite ones.
fn write_float(x: Option<f64>, out: &mut String) -> core::fmt::Result {
    match x {
        Some(x) => write!(out, "{x:?}"),
        None => {
            out.push_str("null");
            Ok(())
        }
    }
}
