//! The GeneMask authors' released ranking (`Data-A_norm-pmi-score-ranking.csv`).
//!
//! Header plus one row per k-mer (4096 for k = 6); columns are found by name, since only
//! some matter: `ngram`, `norm_pmi_rank_rel` (rank 1..4^k), and where present
//! `norm_dp_true_pmi` (their NPMI) and `dp.true.pmi` (the PMI it normalises: the ratio of
//! the two gives integer counts under our NPMI formula with c = 101, see the tests).
//! The file has no counts, so imported rows have `count: None`.

use crate::error::{CoreError, Result};
use crate::npmi::rank::{Rank, RankTable};
use crate::npmi::{NpmiScore, NpmiTable, DEFAULT_MIN_COUNT};
use crate::tokenize::kmer::{Kmer, K};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The k-mer column.
pub const GENEMASK_NGRAM_COLUMN: &str = "ngram";
/// The rank column, 1 = highest NPMI.
pub const GENEMASK_RANK_COLUMN: &str = "norm_pmi_rank_rel";
/// The NPMI column (optional).
pub const GENEMASK_NPMI_COLUMN: &str = "norm_dp_true_pmi";
/// The PMI column (optional).
pub const GENEMASK_PMI_COLUMN: &str = "dp.true.pmi";

/// One CSV field without surrounding whitespace and double quotes (the file has no
/// quoted commas, so no full RFC 4180 parser is needed).
fn clean(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(f)
}

/// Reads the authors' CSV. k is the length of the first row's `ngram` (6 for their file);
/// min_count is their 101.
pub fn from_genemask_csv(text: &str) -> Result<NpmiTable> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty())
        .peekable();
    let (header_line, header) = lines
        .next()
        .ok_or_else(|| CoreError::Empty(String::from("the GeneMask CSV has no header")))?;
    let columns = Columns::from_header(header_line, header)?;
    let Some(&(first_line, first_row)) = lines.peek() else {
        return Err(CoreError::Empty(String::from(
            "the GeneMask CSV has a header but no rows",
        )));
    };
    let ngram = columns.split(first_line, first_row)?[columns.ngram];
    let k = K::new(ngram.len())
        .map_err(|e| CoreError::parse_field(first_line, GENEMASK_NGRAM_COLUMN, e.to_string()))?;
    let mut ranking = Ranking::new(k);
    for (line, row) in lines {
        ranking.push(line, &columns, &columns.split(line, row)?)?;
    }
    ranking.finish()
}

/// The header's column names and where the ones that matter sit.
struct Columns<'a> {
    names: Vec<&'a str>,
    ngram: usize,
    rank: usize,
    npmi: Option<usize>,
    pmi: Option<usize>,
}

impl<'a> Columns<'a> {
    fn from_header(line: usize, header: &'a str) -> Result<Self> {
        let names: Vec<&str> = header.split(',').map(clean).collect();
        let find = |name: &str| names.iter().position(|c| *c == name);
        let required = |name: &str| {
            find(name)
                .ok_or_else(|| CoreError::parse_field(line, name, "column missing from the header"))
        };
        Ok(Columns {
            ngram: required(GENEMASK_NGRAM_COLUMN)?,
            rank: required(GENEMASK_RANK_COLUMN)?,
            npmi: find(GENEMASK_NPMI_COLUMN),
            pmi: find(GENEMASK_PMI_COLUMN),
            names,
        })
    }

    /// The row's fields; a row with fewer fields than the header names the first missing one.
    fn split(&self, line: usize, row: &'a str) -> Result<Vec<&'a str>> {
        let fields: Vec<&str> = row.split(',').map(clean).collect();
        if fields.len() == self.names.len() {
            return Ok(fields);
        }
        let message = alloc::format!(
            "{} fields, the header has {}",
            fields.len(),
            self.names.len()
        );
        Err(match self.names.get(fields.len()) {
            Some(first_missing) => CoreError::parse_field(line, *first_missing, message),
            None => CoreError::parse(line, message),
        })
    }
}

/// The rows read so far, with the line each k-mer and each rank came from (0 = not yet), so
/// that a repeat names the line it repeats.
struct Ranking {
    k: K,
    scores: Vec<NpmiScore>,
    ranks: Vec<Rank>,
    code_line: Vec<usize>,
    rank_line: Vec<usize>,
    rows: usize,
    last_line: usize,
}

impl Ranking {
    fn new(k: K) -> Self {
        let n = k.kmer_count();
        Ranking {
            k,
            scores: alloc::vec![NpmiScore::default(); n],
            ranks: alloc::vec![0; n],
            code_line: alloc::vec![0; n],
            rank_line: alloc::vec![0; n + 1],
            rows: 0,
            last_line: 0,
        }
    }

    fn push(&mut self, line: usize, columns: &Columns, fields: &[&str]) -> Result<()> {
        let field_error = |name: &str, message: String| CoreError::parse_field(line, name, message);
        let kmer = Kmer::parse(self.k, fields[columns.ngram])
            .map_err(|e| field_error(GENEMASK_NGRAM_COLUMN, e.to_string()))?;
        let code = kmer.code();
        if self.code_line[code] != 0 {
            let earlier = self.code_line[code];
            let message = alloc::format!("{kmer} already appeared on line {earlier}");
            return Err(field_error(GENEMASK_NGRAM_COLUMN, message));
        }
        let rank = parse_rank(line, fields[columns.rank], self.k.kmer_count())?;
        if self.rank_line[rank] != 0 {
            let earlier = self.rank_line[rank];
            let message = alloc::format!("rank {rank} already given on line {earlier}");
            return Err(field_error(GENEMASK_RANK_COLUMN, message));
        }
        let score =
            |col: Option<usize>, name| col.map_or(Ok(None), |c| parse_score(line, fields[c], name));
        self.scores[code] = NpmiScore {
            count: None,
            pmi: score(columns.pmi, GENEMASK_PMI_COLUMN)?,
            npmi: score(columns.npmi, GENEMASK_NPMI_COLUMN)?,
        };
        self.code_line[code] = line;
        self.rank_line[rank] = line;
        self.ranks[code] = rank as Rank;
        self.rows += 1;
        self.last_line = line;
        Ok(())
    }

    /// The table, once every k-mer has its row.
    fn finish(self) -> Result<NpmiTable> {
        let n = self.k.kmer_count();
        let unseen = self.code_line.iter().position(|&l| l == 0);
        if let Some(absent) = unseen.and_then(|code| Kmer::from_code(self.k, code)) {
            return Err(CoreError::parse_field(
                self.last_line + 1,
                GENEMASK_NGRAM_COLUMN,
                alloc::format!(
                    "missing rows: {} of {n} k-mers, {absent} (and maybe others) absent",
                    self.rows
                ),
            ));
        }
        let ranks = RankTable::from_ranks(self.k, self.ranks)?;
        Ok(
            NpmiTable::from_parts(self.k, DEFAULT_MIN_COUNT, None, self.scores, ranks)?
                .with_source("GeneMask authors' ranking CSV (norm_pmi_rank_rel)"),
        )
    }
}

/// A rank in 1..=n.
fn parse_rank(line: usize, text: &str, n: usize) -> Result<usize> {
    text.parse::<usize>()
        .ok()
        .filter(|r| (1..=n).contains(r))
        .ok_or_else(|| {
            CoreError::parse_field(
                line,
                GENEMASK_RANK_COLUMN,
                alloc::format!("{text:?} is not a rank in 1..={n}"),
            )
        })
}

/// A finite number, or none where the authors' file leaves it out (`NA`, `NaN`, empty).
fn parse_score(line: usize, text: &str, name: &str) -> Result<Option<f64>> {
    match text {
        "" | "NA" | "NaN" | "nan" => Ok(None),
        text => match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(CoreError::parse_field(
                line,
                name,
                alloc::format!("{text:?} is not a finite number"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    fn k3() -> K {
        K::new(3).unwrap()
    }

    /// A k = 3 file in the authors' layout, columns shuffled and with extra ones: rank r
    /// goes to code r - 1, NPMI = 1 - r/100, PMI = 2 NPMI.
    fn toy_csv() -> String {
        let mut s = String::from("x,norm_pmi_rank_rel,dp.true.pmi,ngram,norm_dp_true_pmi\n");
        for code in 0..64 {
            let kmer = Kmer::from_code(k3(), code).unwrap();
            let npmi = 1.0 - (code + 1) as f64 / 100.0;
            writeln!(s, "7,{},{},{},{}", code + 1, 2.0 * npmi, kmer, npmi).unwrap();
        }
        s
    }

    fn err_at(text: &str) -> (usize, Option<String>) {
        match from_genemask_csv(text) {
            Err(CoreError::Parse { line, field, .. }) => (line, field),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn columns_are_found_by_name() {
        let t = from_genemask_csv(&toy_csv()).unwrap();
        assert_eq!(t.k(), k3());
        let row = t.row(Kmer::parse(k3(), "AAC").unwrap()); // code 2
        assert_eq!(row.rank, 3);
        assert_eq!(row.score.npmi, Some(0.97));
        assert_eq!(row.score.pmi, Some(1.94));
        assert_eq!(row.score.count, None);
        assert_eq!(t.min_count(), 101);
        // CRLF line ends and quoted fields read the same.
        let crlf = toy_csv().replace('\n', "\r\n").replace("AAC", "\"AAC\"");
        assert_eq!(from_genemask_csv(&crlf).unwrap(), t);
    }

    #[test]
    fn malformed_rows_name_line_and_field() {
        let good = toy_csv();
        let lines: Vec<&str> = good.lines().collect();
        let with_row = |i: usize, row: &str| {
            let mut l = lines.clone();
            l[i] = row;
            l.join("\n")
        };
        // Line 5 is code 3 (AAG), rank 4.
        assert_eq!(
            err_at(&with_row(4, "7,4,1.9,AAG")),
            (5, Some("norm_dp_true_pmi".into()))
        );
        assert_eq!(err_at(&with_row(4, "7,4,1.9,AAG,0.9,extra")), (5, None));
        assert_eq!(
            err_at(&with_row(4, "7,four,1.9,AAG,0.9")),
            (5, Some("norm_pmi_rank_rel".into()))
        );
        assert_eq!(
            err_at(&with_row(4, "7,0,1.9,AAG,0.9")),
            (5, Some("norm_pmi_rank_rel".into()))
        );
        assert_eq!(
            err_at(&with_row(4, "7,4,1.9,ANG,0.9")),
            (5, Some("ngram".into()))
        );
        assert_eq!(
            err_at(&with_row(4, "7,4,1.9,AAGA,0.9")),
            (5, Some("ngram".into()))
        );
        assert_eq!(
            err_at(&with_row(4, "7,4,1.9,AAA,0.9")),
            (5, Some("ngram".into()))
        );
        assert_eq!(
            err_at(&with_row(4, "7,1,1.9,AAG,0.9")),
            (5, Some("norm_pmi_rank_rel".into()))
        );
        assert_eq!(
            err_at(&with_row(4, "7,4,x,AAG,0.9")),
            (5, Some("dp.true.pmi".into()))
        );
        // The last row dropped: reported after the last line.
        let short = lines[..64].join("\n");
        assert_eq!(err_at(&short), (65, Some("ngram".into())));
        // A header without the rank column.
        let no_rank = good.replacen("norm_pmi_rank_rel", "rank", 1);
        assert_eq!(err_at(&no_rank), (1, Some("norm_pmi_rank_rel".into())));
    }

    #[test]
    fn unscored_cells_read_as_none() {
        let text = toy_csv().replacen(",AAC,0.97", ",AAC,NA", 1);
        let t = from_genemask_csv(&text).unwrap();
        assert_eq!(t.row(Kmer::parse(k3(), "AAC").unwrap()).score.npmi, None);
    }
}
