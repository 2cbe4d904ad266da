//! Hostile and odd inputs through the `train` binary. Each test is one row (or a few) of
//! docs/bad-inputs.md: what is accepted is checked to do what that table says, and what is
//! refused must fail with exit code 1 (a clean error, not a panic's 101) and a message that
//! names the file and, where one exists, the line or field.

use crate::common::{fails_with, gzip, ok, p, write};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const TRAIN: &str = env!("CARGO_BIN_EXE_train");

/// A k = 6 table counted from a small synthetic corpus (and the corpus).
fn table(dir: &Path, k: usize) -> PathBuf {
    let fa = dir.join("corpus.fa");
    if !fa.exists() {
        ok(&[
            "synth",
            "--out",
            p(&fa),
            "--records",
            "10",
            "--record-len",
            "3000",
        ]);
    }
    let table = dir.join(format!("table-k{k}.json"));
    let k = k.to_string();
    ok(&[
        "npmi",
        "--fasta",
        p(&fa),
        "--k",
        &k,
        "--min-count",
        "2",
        "--out",
        p(&table),
    ]);
    table
}

/// The arguments of `train mask` (random span) of `input` with `table`.
fn mask_args<'a>(table: &'a Path, input: &'a Path) -> [&'a str; 6] {
    [
        "mask",
        "--table",
        p(table),
        "--strategy",
        "random",
        p(input),
    ]
}

/// `train mask` of a file, which must fail with every needle in the message.
fn mask_fails(table: &Path, input: &Path, needles: &[&str]) {
    fails_with(&mask_args(table, input), needles);
}

/// A temporary folder holding a k = 6 table.
fn with_table() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let t = table(dir.path(), 6);
    (dir, t)
}

/// `train mask` of a file: the JSON line of every sequence.
fn masks(table: &Path, input: &Path) -> Vec<Value> {
    ok(&mask_args(table, input))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids(v: &Value) -> Vec<u64> {
    v["input_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_u64().unwrap())
        .collect()
}

/// The (k-mer, count, rank) rows of a cmgems JSON table, without its `source`.
fn rows(table: &Path) -> Value {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(table).unwrap()).unwrap();
    v["kmers"].clone()
}

/// `train npmi` of one FASTA, every k-mer scored (min count 1).
fn count(fasta: &Path, out: &Path) {
    ok(&[
        "npmi",
        "--fasta",
        p(fasta),
        "--min-count",
        "1",
        "--out",
        p(out),
    ]);
}

const UNK: u64 = 1;

#[test]
fn n_runs_turn_their_kmers_into_unk_and_split_the_counts() {
    let (dir, t) = with_table();
    let fa = write(dir.path(), "n.fa", b">r\nACGTACGTNNNNACGTACGT\n");
    let got = ids(&masks(&t, &fa)[0]);
    // 20 nt give 15 tokens; token j (input position j + 1) covers nucleotides j..j+5, so
    // tokens 3..=11, the ones touching the Ns at 8..=11, are [UNK].
    assert_eq!(got.len(), 15 + 2);
    let unk: Vec<usize> = (1..=15).filter(|&i| got[i] == UNK).collect();
    assert_eq!(unk, (4..=12).collect::<Vec<_>>(), "{got:?}");
    // Counting: an N run is a break, exactly like a record boundary.
    let with_n = dir.path().join("with_n.json");
    let split = dir.path().join("split.json");
    let body = b">r\nACGTACGGTTACNNNNNNNNGGATCCAGTAC\n";
    let cut = b">r\nACGTACGGTTAC\n>s\nGGATCCAGTAC\n";
    for (bytes, out) in [(&body[..], &with_n), (&cut[..], &split)] {
        count(&write(dir.path(), "count.fa", bytes), out);
    }
    assert_eq!(rows(&with_n), rows(&split));
}

#[test]
fn iupac_codes_are_read_like_n() {
    let (dir, t) = with_table();
    let iupac = write(dir.path(), "iupac.fa", b">r\nACGTACGTRYKMACGTACGT\n");
    let n = write(dir.path(), "n.fa", b">r\nACGTACGTNNNNACGTACGT\n");
    assert_eq!(ids(&masks(&t, &iupac)[0]), ids(&masks(&t, &n)[0]));
}

#[test]
fn lower_case_reads_as_upper_case() {
    let (dir, t) = with_table();
    let lower = write(dir.path(), "lower.fa", b">r\nacgtacgTTAGGcatcg\n");
    let upper = write(dir.path(), "upper.fa", b">r\nACGTACGTTAGGCATCG\n");
    let got = ids(&masks(&t, &lower)[0]);
    assert!(!got.contains(&UNK), "{got:?}");
    assert_eq!(got, ids(&masks(&t, &upper)[0]));
}

#[test]
fn crlf_line_ends_read_like_lf() {
    let (dir, t) = with_table();
    for (crlf, lf) in [
        (
            &b">r\r\nACGTAC\r\nGTTAGG\r\n"[..],
            &b">r\nACGTAC\nGTTAGG\n"[..],
        ),
        (
            b"sequence\tlabel\r\nACGTACGTTAGG\t1\r\n",
            b"sequence\tlabel\nACGTACGTTAGG\t1\n",
        ),
        (b"ACGTACGTTAGG\r\n", b"ACGTACGTTAGG\n"),
    ] {
        let a = masks(&t, &write(dir.path(), "crlf.txt", crlf));
        let b = masks(&t, &write(dir.path(), "lf.txt", lf));
        assert_eq!(a, b);
    }
}

#[test]
fn empty_record_is_refused_by_mask_and_skipped_by_counting() {
    let (dir, t) = with_table();
    let fa = write(
        dir.path(),
        "empty_rec.fa",
        b">a\nACGTACGTAC\n>empty\n>b\nGGATCCAGTAC\n",
    );
    mask_fails(&t, &fa, &["empty_rec.fa", "line 3", "\"empty\""]);
    let with_empty = dir.path().join("with_empty.json");
    let without = dir.path().join("without.json");
    let plain = write(dir.path(), "plain.fa", b">a\nACGTACGTAC\n>b\nGGATCCAGTAC\n");
    for (fa, out) in [(&fa, &with_empty), (&plain, &without)] {
        count(fa, out);
    }
    assert_eq!(rows(&with_empty), rows(&without));
}

#[test]
fn record_without_acgt_is_all_unk_for_mask_and_refused_as_a_corpus() {
    let (dir, t) = with_table();
    let fa = write(dir.path(), "only_n.fa", b">n\nNNNNNNNNNNRYNN\n");
    let got = ids(&masks(&t, &fa)[0]);
    assert!(got[1..got.len() - 1].iter().all(|&i| i == UNK), "{got:?}");
    let out = dir.path().join("x.json");
    fails_with(
        &["npmi", "--fasta", p(&fa), "--out", p(&out)],
        &["only_n.fa", "no A/C/G/T"],
    );
    let mut run = tiny_run(&dir.path().join("run"));
    run.extend(["--corpus".into(), p(&fa).into()]);
    fails_with(&owned(&run), &["only_n.fa", "no A/C/G/T"]);
}

#[test]
fn zero_byte_file_is_refused_everywhere_by_name() {
    let (dir, t) = with_table();
    let good = write(dir.path(), "good.fa", b">r\nACGTACGTAC\n");
    let out = dir.path().join("x.json");
    for name in ["zero.fa", "zero.json", "zero.csv", "zero.fa.gz"] {
        let zero = write(dir.path(), name, b"");
        fails_with(
            &["npmi", "--fasta", p(&zero), "--out", p(&out)],
            &[name, "empty"],
        );
        mask_fails(&t, &zero, &[name, "empty"]);
        fails_with(
            &[
                "mask",
                "--table",
                p(&zero),
                "--strategy",
                "random",
                p(&good),
            ],
            &[name],
        );
        let err = fails_with(&["npmi", "--show", p(&zero)], &[name]);
        // The library's error already carries its cause: main must not print it twice.
        let line = err.lines().last().unwrap();
        let cause = line.rsplit(": ").next().unwrap();
        assert_eq!(line.matches(cause).count(), 1, "{line}");
    }
    assert!(!out.exists());
}

#[test]
fn truncated_gzip_is_refused_by_name() {
    let (dir, t) = with_table();
    let fasta: Vec<u8> = b">r\n"
        .iter()
        .chain(b"ACGTTGCA".repeat(2000).iter())
        .copied()
        .collect();
    let whole = gzip(&fasta);
    let cut = write(dir.path(), "cut.fa.gz", &whole[..whole.len() / 2]);
    let out = dir.path().join("x.json");
    fails_with(
        &["npmi", "--fasta", p(&cut), "--out", p(&out)],
        &["cut.fa.gz", "truncated or corrupt"],
    );
    mask_fails(&t, &cut, &["cut.fa.gz", "truncated or corrupt"]);
    let tsv = gzip(&b"sequence\tlabel\nACGTACGTAC\t1\n".repeat(500));
    let cut = write(dir.path(), "cut.tsv.gz", &tsv[..tsv.len() - 9]);
    mask_fails(&t, &cut, &["cut.tsv.gz", "truncated or corrupt"]);
    assert!(!out.exists());
}

#[test]
fn quoted_and_unquoted_tsv_give_the_same_masks() {
    let (dir, t) = with_table();
    let kmers = "ACGTAC CGTACG GTACGT TACGTT ACGTTA";
    let quoted = write(
        dir.path(),
        "q.tsv",
        format!("\"sequence\"\t\"label\"\n\"{kmers}\"\t\"1\"\n\"ACGTACGTTA\"\t\"0\"\n").as_bytes(),
    );
    let plain = write(
        dir.path(),
        "u.tsv",
        format!("sequence\tlabel\n{kmers}\t1\nACGTACGTTA\t0\n").as_bytes(),
    );
    let (a, b) = (masks(&t, &quoted), masks(&t, &plain));
    assert_eq!(a, b);
    assert_eq!(a[0]["label"], 1);
    // The k-mer text and the raw sequence it spells give the same ids.
    let raw = write(dir.path(), "raw.txt", b"ACGTACGTTA\n");
    assert_eq!(ids(&a[0]), ids(&masks(&t, &raw)[0]));
    // A broken row names its line and field.
    let bad = write(
        dir.path(),
        "bad.tsv",
        b"\"sequence\"\t\"label\"\n\"ACGTACGTTA\"\t\"1\"\n\"ACGTACGTTA\"\t\"one\"\n",
    );
    mask_fails(&t, &bad, &["bad.tsv", "line 3", "label"]);
}

#[test]
fn table_for_another_k_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let t3 = table(dir.path(), 3);
    let fa = write(dir.path(), "a.fa", b">r\nACGTACGTAC\n");
    let msg = ["table-k3.json", "k = 3", "k = 6"];
    fails_with(
        &["mask", "--table", p(&t3), "--strategy", "genemask", p(&fa)],
        &msg,
    );
    let mut run = tiny_run(&dir.path().join("run"));
    run.extend(["--table".into(), p(&t3).into()]);
    fails_with(&owned(&run), &msg);
}

/// Flags of a 4-step tiny run on the CPU with checkpoints at steps 2 and 4.
fn tiny_run(out: &Path) -> Vec<String> {
    [
        "pretrain",
        "--out",
        p(out),
        "--preset",
        "tiny",
        "--backend",
        "cpu",
        "--synthetic-records",
        "10",
        "--seq-len",
        "64",
        "--batch-size",
        "4",
        "--accumulation",
        "1",
        "--eval-every",
        "2",
        "--eval-batches",
        "1",
        "--min-count",
        "5",
        "--steps",
        "4",
        "--checkpoint-every",
        "2",
    ]
    .map(String::from)
    .to_vec()
}

fn owned(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn latest(run: &Path) -> PathBuf {
    let name = std::fs::read_to_string(run.join("checkpoints/latest")).unwrap();
    run.join("checkpoints").join(name.trim())
}

fn resume(run: &Path, steps: &str) -> Vec<String> {
    ["pretrain", "--resume", p(run), "--steps", steps]
        .map(String::from)
        .to_vec()
}

#[test]
fn checkpoint_from_another_preset_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    ok(&owned(&tiny_run(&run)));
    // An edited config.toml: the run asks for LOGO, the checkpoint holds the tiny model.
    let config = run.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("preset = \"tiny\""), "{text}");
    std::fs::write(&config, text.replace("\"tiny\"", "\"logo\"")).unwrap();
    fails_with(
        &owned(&resume(&run, "6")),
        &[
            "step-00000004",
            "config.toml",
            "logo",
            "hidden 64",
            "hidden 256",
        ],
    );
    // A checkpoint whose config.json says LOGO's shape (and so does the run, through
    // --model-config) but whose weights are the tiny model's.
    let hf = latest(&run).join("config.json");
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&hf).unwrap()).unwrap();
    for (key, value) in [
        ("hidden_size", 256),
        ("num_attention_heads", 8),
        ("intermediate_size", 3072),
        ("max_position_embeddings", 512),
    ] {
        json[key] = value.into();
    }
    std::fs::write(&hf, json.to_string()).unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(&other, json.to_string()).unwrap();
    let with_model = format!("model_config = {:?}\n{text}", p(&other));
    std::fs::write(&config, with_model).unwrap();
    let err = fails_with(
        &owned(&resume(&run, "6")),
        &["model.bpk", "shape mismatch", "cannot be loaded"],
    );
    // burn lists every mismatched tensor (about 5 kB for this model); the first few do.
    assert!(err.len() < 2000, "{} bytes:\n{err}", err.len());
}

#[test]
fn truncated_checkpoint_is_refused_by_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    ok(&owned(&tiny_run(&run)));
    let ckpt = latest(&run);
    for (file, keep) in [
        ("model.bpk", 1000),
        ("optim.bpk", 1000),
        ("state.json", 10),
        ("config.json", 0),
    ] {
        let path = ckpt.join(file);
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..keep]).unwrap();
        fails_with(&owned(&resume(&run, "6")), &[file, "step-00000004"]);
        std::fs::write(&path, whole).unwrap();
    }
    // Whole again: it resumes.
    ok(&owned(&resume(&run, "6")));
}

/// A full disk while a checkpoint is written: the run is limited to files of 1 MB (the tiny
/// model's weights are 1.4 MB) with SIGXFSZ ignored, so writes fail with EFBIG as on a full
/// disk. The run must stop with a clear error, leave no half checkpoint, and the previous
/// checkpoint must still resume.
#[test]
fn full_disk_while_checkpointing_keeps_the_previous_checkpoint() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        cmgems_tests::skip("prlimit (util-linux) is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    ok(&owned(&tiny_run(&run)));
    let before = latest(&run);
    let files = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let saved = files(&before);
    let limited = Command::new("bash")
        .arg("-c")
        .arg(r#"trap "" XFSZ; exec prlimit --fsize=1000000 "$@""#)
        .arg("bash")
        .arg(TRAIN)
        .args(resume(&run, "8"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&limited.stderr);
    assert_eq!(limited.status.code(), Some(1), "{err}");
    for needle in ["step-00000006", "full disk", "step-00000004", "--resume"] {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
    assert_eq!(latest(&run), before);
    assert_eq!(files(&before), saved, "the previous checkpoint changed");
    let left: Vec<String> = std::fs::read_dir(run.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.iter().all(|n| !n.starts_with('.')),
        "a half checkpoint is left: {left:?}"
    );
    ok(&owned(&resume(&run, "8")));
    assert!(latest(&run).ends_with("step-00000008"));
}
