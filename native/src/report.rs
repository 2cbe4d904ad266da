//! Plain-text views for the terminal.

use cmgems_core::npmi::NpmiTable;
use std::fmt::Write;

/// The top `n` k-mers of a table as an aligned text table.
pub fn top_table(table: &NpmiTable, n: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:>5}  {:<8} {:>10} {:>12}",
        "rank", "k-mer", "NPMI", "count"
    );
    for row in table.rows_by_rank().take(n) {
        let npmi = row
            .score
            .npmi
            .map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
        let count = row
            .score
            .count
            .map_or_else(|| "-".to_string(), |v| v.to_string());
        let (rank, kmer) = (row.rank, row.kmer.to_string());
        let _ = writeln!(s, "{rank:>5}  {kmer:<8} {npmi:>10} {count:>12}");
    }
    s
}

/// One lane of `width` characters: `#` on masked positions 1..=width, `.` elsewhere.
pub fn mask_lane(labels: &[i32], width: usize) -> String {
    labels
        .iter()
        .skip(1)
        .take(width)
        .map(|&l| {
            if l == cmgems_core::mask::IGNORE_LABEL {
                '.'
            } else {
                '#'
            }
        })
        .collect()
}
