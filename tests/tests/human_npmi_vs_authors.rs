//! Guards the NPMI pipeline end to end on real human DNA: a table counted from the human
//! sequences available here must rank 6-mers like the GeneMask authors' table (counted on
//! ~0.67 G nt of GRCh38). No human chromosome is available on these machines, so the corpus
//! is the pooled GUE promoter and TF training sets (~21 M nt). Measured Spearman: 0.771.

use cmgems_core::{npmi::table_io, spearman, NgramCounts, NpmiTable, K};
use std::io::Read;

#[test]
fn table_from_pooled_human_sets_correlates_with_the_authors() {
    let Some(csv) = cmgems_tests::shared_file("GeneMask/Data-A_norm-pmi-score-ranking.csv") else {
        return;
    };
    let Some(gue) = cmgems_tests::shared_file("GUE") else {
        return;
    };
    let mut files: Vec<_> = ["prom", "tf"]
        .iter()
        .flat_map(|group| std::fs::read_dir(gue.join(group)).unwrap())
        .map(|task| task.unwrap().path().join("train.csv.gz"))
        .filter(|p| p.exists())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "expected the GUE prom and tf training sets"
    );
    let mut counts = NgramCounts::new(K::SIX);
    for file in &files {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(file).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        for line in text.lines().skip(1) {
            let seq = line.split(',').next().unwrap();
            counts.count_record(seq.as_bytes());
        }
    }
    assert!(counts.total(1) > 20_000_000, "{}", counts.total(1));
    let ours = NpmiTable::from_counts(&counts, 101).unwrap();
    let authors = table_io::from_genemask_csv(&std::fs::read_to_string(csv).unwrap()).unwrap();
    let rho = spearman(ours.rank_table(), authors.rank_table()).unwrap();
    eprintln!(
        "Spearman(ours, authors) = {rho:.4} over {} nt",
        counts.total(1)
    );
    assert!(rho > 0.7, "Spearman {rho}");
}
