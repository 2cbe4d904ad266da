//! What to tell a person whose input scored no k-mer: the one message of the NPMI stage that
//! suggests a setting, and the number formatting it needs. Kept apart from the scoring so
//! score.rs holds only the formula; `group_thousands` lives here, next to its only user.

use crate::error::CoreError;
use crate::npmi::counts::NgramCounts;
use crate::tokenize::kmer::K;

/// Why no k-mer could be scored: usually a small genome (phage lambda, 48.5 kb) counted at
/// the papers' c = 101, which suits a genome of many megabases. The input is not empty, so
/// the message says what happened and suggests the c that 90% of the k-mers reach here;
/// the CLI, the browser and Python all show it.
pub(super) fn too_few_counts(counts: &NgramCounts, k: K, min_count: u64) -> CoreError {
    let mut level = counts.level(k.get()).to_vec();
    level.sort_unstable_by(|a, b| b.cmp(a));
    let most = level.first().copied().unwrap_or(0);
    if most == 0 {
        return CoreError::Empty(alloc::format!(
            "no {k}-mer occurs in the input (it holds no run of {k} A/C/G/T letters)"
        ));
    }
    let suggest = level[level.len() * 9 / 10].clamp(1, most);
    let reach = level.iter().filter(|&&f| f >= suggest).count();
    CoreError::Input(alloc::format!(
        "no {k}-mer occurs {min_count} times in these {letters} letters (the most frequent \
         occurs {most} times). The input is not empty: min count c = {min_count} suits a \
         genome of many megabases. For a genome this small, try min count c = {suggest}, \
         which scores up to {reach} of the {all} {k}-mers.",
        letters = group_thousands(counts.total(1)),
        reach = group_thousands(reach as u64),
        all = group_thousands(level.len() as u64),
    ))
}

/// 48502 -> "48,502", as people write counts.
fn group_thousands(n: u64) -> alloc::string::String {
    let digits = alloc::string::ToString::to_string(&n);
    let mut out = alloc::string::String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(48_502), "48,502");
        assert_eq!(group_thousands(5_242_880), "5,242,880");
    }
}
