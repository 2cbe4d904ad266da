//! The GeneMask authors' ranking CSV (../shared/data/GeneMask/Data-A_norm-pmi-score-ranking.csv)
//! read by core: its top and last k-mers, a JSON round trip, its ranks following its NPMI, and
//! our NPMI formula explaining its numbers. An integration test, so that it uses core's public
//! API as a user would (Spearman is in `eval`, which the npmi stage does not import).

use cmgems_core::npmi::table_io::{from_genemask_csv, from_json, to_json};

use cmgems_core::{spearman, Kmer, Rank, RankTable, K};

/// Pearson's correlation of two rank vectors, by means and variances (what Spearman's ρ is,
/// without `spearman`'s shortcut formula).
fn pearson_of_ranks(a: &RankTable, b: &RankTable) -> f64 {
    let (x, y) = (a.ranks_by_code(), b.ranks_by_code());
    let n = x.len() as f64;
    let mean = |v: &[Rank]| v.iter().map(|&r| r as f64).sum::<f64>() / n;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&p, &q) in x.iter().zip(y) {
        let (dx, dy) = (p as f64 - mx, q as f64 - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    sxy / (sxx * syy).sqrt()
}

#[test]
fn authors_csv_imports_and_round_trips() {
    let Some(path) = cmgems_tests::shared_file("GeneMask/Data-A_norm-pmi-score-ranking.csv") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let t = from_genemask_csv(&text).unwrap();
    assert_eq!(t.k(), K::SIX);
    let top: Vec<String> = t.top(7).map(|(k, _, _)| format!("{k}")).collect();
    assert_eq!(
        top,
        ["CCTCCC", "GGGAGG", "GTGTGT", "CCCAGC", "GCTGGG", "ACACAC", "AAAAAA"]
    );
    let last = t.rows_by_rank().last().unwrap();
    assert_eq!((last.kmer.to_string(), last.rank), ("TCGCGA".into(), 4096));

    let json = to_json(&t);
    assert_eq!(from_json(&json).unwrap(), t);

    // Their ranks follow their NPMI, descending: our ranking rule reproduces them.
    let rows: Vec<_> = t.rows_by_rank().collect();
    assert!(rows
        .windows(2)
        .all(|w| w[0].score.npmi.unwrap() > w[1].score.npmi.unwrap()));

    // Spearman between their NPMI ranks and the order of their PMI column (close to it,
    // but not the same order) equals the Pearson correlation of the two rank vectors,
    // computed here another way.
    let mut by_pmi: Vec<_> = rows
        .iter()
        .map(|r| (r.score.pmi.unwrap(), r.kmer))
        .collect();
    by_pmi.sort_by(|a, b| b.0.total_cmp(&a.0));
    let by_pmi: Vec<Kmer> = by_pmi.into_iter().map(|(_, kmer)| kmer).collect();
    let pmi_ranks = RankTable::from_order(K::SIX, &by_pmi).unwrap();
    let rho = spearman(t.rank_table(), &pmi_ranks).unwrap();
    let pearson = pearson_of_ranks(t.rank_table(), &pmi_ranks);
    assert!(
        (rho - pearson).abs() < 1e-9,
        "Spearman {rho}, Pearson {pearson}"
    );
    assert!(rho > 0.9 && rho < 1.0, "Spearman {rho}");

    // Our NPMI formula with c = 101 explains their numbers: r = NPMI / PMI =
    // ln f / (ln 101 + ln f) gives ln f = r ln 101 / (1 - r), an integer f ≥ 101 for
    // every k-mer, and the f sum to N_6 ≈ 0.67 G (docs/algorithms.md §2: "about 0.67 G nt").
    let ln_c = 101f64.ln();
    let mut sum = 0.0;
    for row in &rows {
        let r = row.score.npmi.unwrap() / row.score.pmi.unwrap();
        let f = f64::exp(r * ln_c / (1.0 - r));
        assert!(
            f >= 101.0 && (f - f.round()).abs() < 1e-3,
            "{} f = {f}",
            row.kmer
        );
        sum += f.round();
    }
    assert_eq!(sum, 669_128_271.0);
}
