//! End-to-end tests of the `train` binary: real files in, files and messages out.

use crate::common::{fails_with, flags, ok, p};
use std::path::{Path, PathBuf};

/// A small synthetic corpus and its table, shared by several tests.
fn corpus_and_table(dir: &Path) -> (PathBuf, PathBuf) {
    let fa = dir.join("corpus.fa");
    let table = dir.join("table.json");
    ok(&[
        "synth",
        "--out",
        p(&fa),
        "--records",
        "20",
        "--record-len",
        "5000",
    ]);
    ok(&[
        "npmi",
        "--fasta",
        p(&fa),
        "--min-count",
        "5",
        "--out",
        p(&table),
    ]);
    (fa, table)
}

#[test]
fn vocab_prints_4101_lines_in_dnabert_order() {
    let out = ok(&["vocab", "--k", "6"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4101);
    assert_eq!(&lines[4..7], &["[MASK]", "AAAAAA", "AAAAAT"]);
}

#[test]
fn npmi_table_from_fasta_shows_and_masks_every_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let (fa, table) = corpus_and_table(dir.path());
    let shown = ok(&["npmi", "--show", p(&table), "--top", "5"]);
    assert_eq!(shown.lines().count(), 6, "{shown}");
    let tsv = dir.path().join("seqs.tsv");
    std::fs::write(
        &tsv,
        "\"sequence\"\t\"label\"\n\"AAAAAC AAAACG AAACGT AACGTT ACGTTG CGTTGA GTTGAC TTGACA\"\t\"1\"\n",
    )
    .unwrap();
    for strategy in ["random", "genemask", "global", "cm-step", "cm-gems"] {
        for input in [&fa, &tsv] {
            let out = ok(&[
                "mask",
                "--table",
                p(&table),
                "--strategy",
                strategy,
                "--seed",
                "3",
                p(input),
            ]);
            let first: serde_json::Value =
                serde_json::from_str(out.lines().next().unwrap()).unwrap();
            for field in [
                "input_ids",
                "masked_input_ids",
                "labels",
                "masked_positions",
                "ranks",
            ] {
                assert!(first[field].is_array(), "{strategy}: {field} missing");
            }
            assert!(first["strategy"].is_string());
            // Same seed, same output.
            let again = ok(&[
                "mask",
                "--table",
                p(&table),
                "--strategy",
                strategy,
                "--seed",
                "3",
                p(input),
            ]);
            assert_eq!(out, again);
        }
    }
}

#[test]
fn position_lookup_masks_do_not_depend_on_the_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let (_, table) = corpus_and_table(dir.path());
    // Same length, different letters; each line is masked with its own seeded stream, so
    // compare two files holding one line each.
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(
        &a,
        "ACGTTGCAACGTAGCTAGCTAGGATCGATCGTAGCTAGCTAGCATCGATCGATCGATGCATGCA\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "TTTTGGGGCCCCAAAATTTTGGGGCCCCAAAATTTTGGGGCCCCAAAATTTTGGGGCCCCAAAA\n",
    )
    .unwrap();
    let positions = |f: &Path| {
        let out = ok(&[
            "mask",
            "--table",
            p(&table),
            "--strategy",
            "global",
            "--global-m",
            "2",
            "--rank-lookup",
            "position",
            p(f),
        ]);
        let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
        v["masked_positions"].clone()
    };
    assert_eq!(positions(&a), positions(&b));
}

#[test]
fn bad_inputs_get_errors_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, table) = corpus_and_table(d);
    let write = |name: &str, body: &[u8]| {
        let path = d.join(name);
        std::fs::write(&path, body).unwrap();
        path
    };
    let no_acgt = write("nnn.fa", b">r\nNNNNNNNN\n");
    fails_with(
        &[
            "npmi",
            "--fasta",
            p(&no_acgt),
            "--out",
            p(&d.join("t.json")),
        ],
        &["nnn.fa", "no A/C/G/T"],
    );
    let empty = write("empty.fa", b"");
    fails_with(
        &["npmi", "--fasta", p(&empty), "--out", p(&d.join("t.json"))],
        &["empty.fa", "empty"],
    );
    let bad_label = write(
        "bad.tsv",
        b"sequence\tlabel\nACGTACGTAC\t0\nACGTACGTAC\tx\n",
    );
    fails_with(
        &[
            "mask",
            "--table",
            p(&table),
            "--strategy",
            "random",
            p(&bad_label),
        ],
        &["bad.tsv", "line 3", "label"],
    );
    let csv = write(
        "bad.csv",
        b"ngram,norm_dp_true_pmi,norm_pmi_rank_rel\nAAAAAA,1.0,1\nAAAAAT,oops,zz\n",
    );
    fails_with(
        &[
            "npmi",
            "--import-genemask",
            p(&csv),
            "--out",
            p(&d.join("t.json")),
        ],
        &["bad.csv", "line 3"],
    );
    let seqs = write("s.txt", b"ACGTACGTACGT\n");
    fails_with(
        &[
            "mask",
            "--table",
            p(&table),
            "--strategy",
            "global",
            "--k",
            "5",
            p(&seqs),
        ],
        &["table.json", "k = 6", "k = 5"],
    );
    let missing = d.join("missing.fa");
    fails_with(
        &[
            "npmi",
            "--fasta",
            p(&missing),
            "--out",
            p(&d.join("t.json")),
        ],
        &["missing.fa"],
    );
}

#[test]
fn failed_mask_run_keeps_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, table) = corpus_and_table(d);
    let out = d.join("masks.jsonl");
    std::fs::write(&out, "previous\n").unwrap();
    let bad = d.join("bad.tsv");
    std::fs::write(&bad, "sequence\tlabel\nACGTACGTAC\t0\nACGTACGTAC\tx\n").unwrap();
    fails_with(
        &[
            "mask",
            "--table",
            p(&table),
            "--strategy",
            "random",
            "--out",
            p(&out),
            p(&bad),
        ],
        &["bad.tsv"],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous\n");
}

#[test]
fn authors_csv_imports_and_shows_their_top_kmers() {
    let Some(csv) = cmgems_tests::shared_file("GeneMask/Data-A_norm-pmi-score-ranking.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("authors.json");
    ok(&["npmi", "--import-genemask", p(&csv), "--out", p(&json)]);
    let shown = ok(&[
        "npmi",
        "--show",
        p(&json),
        "--top",
        "3",
        "--compare",
        p(&csv),
    ]);
    assert!(
        shown.contains("CCTCCC") && shown.contains("GGGAGG"),
        "{shown}"
    );
    assert!(
        shown.contains("Spearman rank correlation") && shown.contains("1.0000"),
        "{shown}"
    );
}

/// Minor page faults of one `train` run with `env` set (Linux: the child's own rusage).
#[cfg(target_os = "linux")]
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also gives its rusage
fn minor_faults(args: &[&str], env: &[(&str, &str)]) -> i64 {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_train"))
        .args(args)
        .envs(env.iter().copied())
        .env("RAYON_NUM_THREADS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: plain syscall on our own child's pid with valid out-pointers; the `Child` is
    // not waited on again (it is dropped without `wait`).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    usage.ru_minflt
}

/// Guards `keep_freed_memory` in src/bin/train/main.rs: with mimalloc purging (pages handed back to the
/// kernel after a free) every LOGO step faults its tensors in again. Counts, not times: the
/// faults that 4 more steps add, so the one-time first touch (4 KiB or 2 MiB pages, as the
/// kernel's transparent huge pages decide) cancels out.
#[cfg(target_os = "linux")]
#[test]
fn training_steps_reuse_freed_memory_instead_of_faulting_it_in_again() {
    let faults = |steps: &str, env: &[(&str, &str)]| {
        let args = [
            "bench",
            "--preset",
            "logo",
            "--backend",
            "cpu",
            "--batch-size",
            "4",
            "--steps",
            steps,
            "--warmup",
            "0",
        ];
        minor_faults(&args, env)
    };
    let purge = [("MIMALLOC_PURGE_DELAY", "0")];
    let kept = faults("5", &[]) - faults("1", &[]);
    let purged = faults("5", &purge) - faults("1", &purge);
    // Measured: 93 against 380,952.
    assert!(
        kept * 10 < purged,
        "page faults of 4 more steps: {kept} keeping freed memory, {purged} purging it"
    );
}

/// `train pretrain --help` says what every flag does, its unit and its default (clap's, from
/// the library's `PretrainConfig::default`, or words where the default is not a value).
#[test]
fn pretrain_help_gives_every_flag_its_default() {
    let help = ok(&["pretrain", "--help"]);
    // The help of one flag: from its line to the next flag's.
    let entry = |flag: &str| -> String {
        let start = help
            .find(&format!("      {flag} "))
            .unwrap_or_else(|| panic!("{flag} not in:\n{help}"));
        let rest = &help[start + flag.len() + 6..];
        rest[..rest.find("\n      --").unwrap_or(rest.len())]
            .trim_start()
            .to_string()
    };
    for (flag, value, default) in [
        (
            "--seq-len",
            "<TOKENS>",
            "the model's positions, at most 512",
        ),
        ("--lr", "<LR>", "0.0008"),
        ("--batch-size", "<ROWS>", "10"),
        ("--accumulation", "<N>", "25"),
        ("--steps", "<N>", "10000"),
        ("--warmup-steps", "<N>", "500"),
        ("--cm-gems-threshold", "<PPL|PCT%>", "1"),
        ("--eval-every", "<STEPS>", "500"),
        ("--preset", "<PRESET>", "logo"),
        ("--masking", "<MASKING>", "cm-gems"),
        ("--rank-lookup", "<kmer|position>", "kmer"),
    ] {
        let text = entry(flag);
        assert!(text.starts_with(value), "{flag}: {text}");
        assert!(
            text.contains(&format!("[default: {default}]")),
            "{flag}: {text}"
        );
    }
}

/// Flags of a one-step tiny run on the CPU; `extra` flags replace those of the same name.
fn one_step(out: &Path, extra: &[&str]) -> Vec<String> {
    let base = [
        ("--preset", "tiny"),
        ("--backend", "cpu"),
        ("--synthetic-records", "10"),
        ("--batch-size", "2"),
        ("--accumulation", "1"),
        ("--steps", "1"),
        ("--eval-batches", "1"),
        ("--min-count", "5"),
    ];
    flags::pretrain_args(out, &base, extra)
}

#[test]
fn a_preset_brings_a_sequence_length_its_model_takes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let args = one_step(&out, &[]);
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let config = std::fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(config.contains("seq_len = 128"), "{config}");
}

/// A saved run whose config.toml has the flat layout still resumes: the file is read into
/// the sections, the run continues to its steps, and config.toml is written back nested.
#[test]
fn a_run_saved_with_a_flat_config_toml_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let args = one_step(&out, &[]);
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // As runs wrote it before it had sections: every key at the top level (a one-step run
    // of `one_step`'s flags), its steps raised to 2.
    let flat = include_str!("fixtures/flat-config.toml");
    assert!(flat.contains("\nsteps = 1\n"), "{flat}");
    let flat = flat.replace("\nsteps = 1\n", "\nsteps = 2\n");
    std::fs::write(out.join("config.toml"), flat).unwrap();
    let said = ok(&["pretrain", "--resume", p(&out)]);
    assert!(said.contains("pretrained 2 steps"), "{said}");
    let metrics = std::fs::read_to_string(out.join("metrics.jsonl")).unwrap();
    assert!(metrics.contains("\"step\":2"), "{metrics}");
    let config = std::fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(config.contains("[schedule]\nsteps = 2\n"), "{config}");
    assert!(config.contains("[model]\npreset = \"tiny\""), "{config}");
    assert!(!config.contains("cm_gems_threshold"), "{config}");
}

#[test]
fn pretrain_errors_name_the_flag_that_fixes_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], needles: &[&str]| {
        let args = one_step(&dir.path().join("run"), extra);
        fails_with(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            needles,
        );
    };
    // The library names the config key; the binary leads with the flag that sets it.
    run(
        &["--seq-len", "512"],
        &["--seq-len: ", "data.seq_len 512 exceeds the model's max_position_embeddings 128 (model.preset = \"tiny\"); use data.seq_len 128 or less"],
    );
    run(
        &["--preset", "huge"],
        &[
            "--preset: ",
            "model.preset \"huge\"",
            "tiny, logo or dnabert6",
        ],
    );
    run(
        &["--backend", "gpu"],
        &["--backend: backend \"gpu\"", "auto, wgpu, cuda or cpu"],
    );
    run(
        &["--batch-size", "0"],
        &["--batch-size: ", "schedule.batch_size must be at least 1"],
    );
    run(
        &["--lr", "0"],
        &["--lr: ", "optimizer.lr 0 must be a positive number"],
    );
}
