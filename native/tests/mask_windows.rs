//! `train mask` tiles long records into the browser's windows and masks each as the
//! browser's lanes do (`Masker::select` with `SeededRng::derive(seed, window)`).

use crate::common::{self, ok, p};
use cmgems_core::input::{WindowSpec, Windows};
use cmgems_core::mask::{MaskConfig, Masker, Strategy};
use cmgems_core::{SeededRng, K};

#[test]
fn long_records_are_windowed_and_masked_as_the_browser_masks_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let corpus = d.join("corpus.fa");
    let table = d.join("table.json");
    ok(&[
        "synth",
        "--out",
        p(&corpus),
        "--records",
        "10",
        "--record-len",
        "3000",
    ]);
    ok(&[
        "npmi",
        "--fasta",
        p(&corpus),
        "--min-count",
        "3",
        "--out",
        p(&table),
    ]);
    // One record of 1,300 nt: 1,295 tokens = 510 + 510 + 275.
    let seq: String = cmgems_core::input::synthetic::example_sequence()
        .iter()
        .cycle()
        .take(1300)
        .map(|&b| b as char)
        .collect();
    let fa = d.join("long.fa");
    std::fs::write(&fa, format!(">long one\n{seq}\n")).unwrap();
    let out = ok(&[
        "mask",
        "--table",
        p(&table),
        "--strategy",
        "genemask",
        "--seed",
        "7",
        p(&fa),
    ]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{out}");

    let text = std::fs::read_to_string(&table).unwrap();
    let rank_table = cmgems_core::npmi::table_io::from_json(&text)
        .unwrap()
        .rank_table()
        .clone();
    let mut masker = Masker::new(rank_table, MaskConfig::for_k(K::SIX)).unwrap();
    let windows = Windows::new(seq.as_bytes(), K::SIX, WindowSpec::default()).unwrap();
    for (w, line) in lines.iter().enumerate() {
        assert_eq!(
            (line["record"].as_u64(), line["window"].as_u64()),
            (Some(0), Some(w as u64))
        );
        assert_eq!(line["windows"], 3);
        assert_eq!(line["window_start"].as_u64(), Some(510 * w as u64));
        let ids: Vec<u32> = serde_json::from_value(line["input_ids"].clone()).unwrap();
        assert_eq!(ids, windows.input(w));
        let mut rng = SeededRng::derive(7, w as u64);
        let sel = masker.select(Strategy::GeneMask, &ids, &mut rng);
        let want: Vec<usize> = sel.masked_positions().collect();
        let got: Vec<usize> = serde_json::from_value(line["masked_positions"].clone()).unwrap();
        assert_eq!(got, want, "window {w}");
    }

    // Overlapping windows: --window 400 --stride 300 starts windows at 0, 300, 600, 900.
    let out = ok(&[
        "mask",
        "--table",
        p(&table),
        "--strategy",
        "random",
        "--window",
        "400",
        "--stride",
        "300",
        p(&fa),
    ]);
    let starts: Vec<u64> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["window_start"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(starts, [0, 300, 600, 900]);
    common::fails_with(
        &[
            "mask",
            "--table",
            p(&table),
            "--strategy",
            "random",
            "--stride",
            "600",
            p(&fa),
        ],
        &["--stride", "600"],
    );
}
