//! The genome store (`train genome`, `.2bit`) and the corpora read from it: the store read
//! back against its FASTA (here and by py2bit, an independent reader), the same NPMI table
//! as the FASTA, pretraining over it, and each bad input of docs/bad-inputs.md's store rows.

use crate::common::{fails_with, gzip, ok, p, train, write};
use cmgems_native::genome::Genome;
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// A FASTA with N runs, lower case, an IUPAC code, a comment, CRLF, a record of only N and
/// no final newline.
const FASTA: &[u8] =
    b">chr1 first record\nNNNNACGTACGTacgtacgtNN\r\nNNRYACGTTTGCAacgt\n;comment\nACGTACGTAC\n\
>chr2\nnnnnACGTACGTTTGA\n>chrN\nNNNNNNNN\n>chr3\nACGTTGCAAGCTTGACCATGGATCCGATCGGATCCAAGCTTACG";

fn build(fasta: &[&Path], out: &Path) -> String {
    let mut args = vec!["genome", "--fasta"];
    args.extend(fasta.iter().map(|f| p(f)));
    args.extend(["--out", p(out)]);
    let o = train(&args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "train genome failed: {err}");
    err
}

/// The records of FASTA as (name, letters): names are first words, comments and
/// whitespace dropped.
fn records(fasta: &[u8]) -> Vec<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(fasta);
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix('>') {
            out.push((h.split_whitespace().next().unwrap().into(), Vec::new()));
        } else if !line.starts_with(';') {
            let letters = line.bytes().filter(|b| !b.is_ascii_whitespace());
            out.last_mut().unwrap().1.extend(letters);
        }
    }
    out
}

/// The directory holds exactly `names` (nothing half-written beside them).
fn holds_only(dir: &Path, names: &[&str]) {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(found, want);
}

#[test]
fn store_reads_back_as_its_fasta_with_case_n_runs_and_iupac_as_n() {
    let dir = tempfile::tempdir().unwrap();
    let fa = write(dir.path(), "g.fa", FASTA);
    let gz = write(dir.path(), "g.fa.gz", &gzip(FASTA));
    let (store, from_gz) = (dir.path().join("g.2bit"), dir.path().join("gz.2bit"));
    let err = build(&[&fa], &store);
    assert!(
        err.contains("`chr1`: 2 IUPAC") && err.contains("`chrN` holds only N"),
        "{err}"
    );
    build(&[&gz], &from_gz);
    assert_eq!(
        std::fs::read(&store).unwrap(),
        std::fs::read(&from_gz).unwrap()
    );
    let genome = Genome::open(&store).unwrap();
    let want = records(FASTA);
    assert_eq!(genome.layouts().len(), want.len());
    for (i, (name, letters)) in want.iter().enumerate() {
        let view = genome.record(i).unwrap();
        assert_eq!(view.name(), name);
        let mut got = Vec::new();
        view.decode(0..view.len(), &mut got).unwrap();
        view.apply_soft_mask(0..view.len(), &mut got).unwrap();
        let iupac_as_n: Vec<u8> = letters
            .iter()
            .map(|&b| match b {
                b'R' | b'Y' => b'N',
                b => b,
            })
            .collect();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&iupac_as_n)
        );
    }
}

#[test]
fn py2bit_reads_the_store_as_the_fasta() {
    let python = std::env::var("CMGEMS_PYTHON").unwrap_or_else(|_| "python3".into());
    let has = Command::new(&python).args(["-c", "import py2bit"]).output();
    if !has.is_ok_and(|o| o.status.success()) {
        let why = format!("{python} cannot import py2bit (pip install py2bit)");
        let required = std::env::var("CMGEMS_REQUIRE_PYTHON").is_ok_and(|v| v == "1");
        assert!(
            !(required || cmgems_tests::in_ci()),
            "{why}; CI requires it"
        );
        cmgems_tests::skip(&why);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // py2bit compares the plain FASTA (no IUPAC in it: those are documented as N).
    let text = String::from_utf8_lossy(FASTA).replace(['R', 'Y'], "N");
    let fa = write(dir.path(), "g.fa", text.as_bytes());
    let store = dir.path().join("g.2bit");
    build(&[&fa], &store);
    let script = crate::common::python::script("twobit_readback.py");
    crate::common::python::run_script(&python, &script, &[p(&fa), p(&store)]);
}

#[test]
fn npmi_of_a_store_equals_npmi_of_its_fasta() {
    let dir = tempfile::tempdir().unwrap();
    let fa = dir.path().join("s.fa");
    ok(&[
        "synth",
        "--out",
        p(&fa),
        "--records",
        "6",
        "--record-len",
        "30000",
    ]);
    let store = dir.path().join("s.2bit");
    build(&[&fa], &store);
    let table = |input: &Path, out: &str| {
        let out = dir.path().join(out);
        ok(&[
            "npmi",
            "--fasta",
            p(input),
            "--min-count",
            "2",
            "--out",
            p(&out),
        ]);
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("source");
        v
    };
    assert_eq!(table(&fa, "fa.json"), table(&store, "store.json"));
}

#[test]
fn pretraining_reads_pieces_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let fa = dir.path().join("s.fa");
    ok(&[
        "synth",
        "--out",
        p(&fa),
        "--records",
        "8",
        "--record-len",
        "20000",
    ]);
    let store = dir.path().join("s.2bit");
    build(&[&fa], &store);
    let run = |name: &str| {
        let out = dir.path().join(name);
        let args = [
            "pretrain",
            "--corpus",
            p(&store),
            "--preset",
            "tiny",
            "--backend",
            "cpu",
            "--steps",
            "2",
            "--batch-size",
            "4",
            "--accumulation",
            "1",
            "--eval-every",
            "2",
            "--eval-batches",
            "1",
            "--min-count",
            "1",
            "--out",
            p(&out),
        ];
        let o = train(&args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{err}");
        assert!(err.contains("corpus: s.2bit (160000 nt)"), "{err}");
        // Losses and perplexities, without the timing fields.
        let text = std::fs::read_to_string(out.join("metrics.jsonl")).unwrap();
        text.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                let m = v.as_object_mut().unwrap();
                m.remove("loader_share");
                m.remove("tokens_per_s");
                v
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run("a"), run("b"));
}

#[test]
fn a_truncated_gzip_is_refused_naming_the_record_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = b">chr1\n".to_vec();
    for i in 0..40_000u32 {
        big.extend_from_slice(&[
            b"ACGT"[(i * 7 % 4) as usize],
            b"TGCA"[(i * 13 % 4) as usize],
        ]);
        if i % 30 == 29 {
            big.push(b'\n');
        }
    }
    let gz = gzip(&big);
    let cut = write(dir.path(), "cut.fa.gz", &gz[..gz.len() / 2]);
    let out = dir.path().join("g.2bit");
    fails_with(
        &["genome", "--fasta", p(&cut), "--out", p(&out)],
        &[
            "cut.fa.gz",
            "gzip stream is truncated or corrupt",
            "record `chr1`",
            "nothing was written",
        ],
    );
    holds_only(dir.path(), &["cut.fa.gz"]);
}

#[test]
fn duplicate_names_and_non_nucleotide_letters_are_refused_by_record_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.fa", b">chr1\nACGT\n>chr2\nACGT\n");
    let b = write(dir.path(), "b.fa", b">chr2 again\nACGT\n");
    let out = dir.path().join("g.2bit");
    fails_with(
        &["genome", "--fasta", p(&a), p(&b), "--out", p(&out)],
        &["b.fa", "record `chr2` appears twice", "a.fa"],
    );
    let bad = write(dir.path(), "bad.fa", b">chr1\nACGT\nAC-T\n");
    fails_with(
        &["genome", "--fasta", p(&bad), "--out", p(&out)],
        &[
            "bad.fa",
            "line 3, column 3",
            "record `chr1`",
            "'-'",
            "nucleotide 6",
        ],
    );
    holds_only(dir.path(), &["a.fa", "b.fa", "bad.fa"]);
}

#[test]
fn a_record_of_250_mb_streams_through_a_pipe() {
    // 250 Mb written into a FIFO by a thread: the FASTA never exists as a file or in memory.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("big.fa");
    let c = std::ffi::CString::new(p(&fifo)).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    const LEN: usize = 250_000_000;
    let letter = |i: usize| match (i / 1_000_003) % 50 {
        7 => b'N',
        9 => b"acgt"[(i * 2_654_435_761) >> 7 & 3],
        _ => b"ACGT"[(i * 2_654_435_761) >> 7 & 3],
    };
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut w = std::io::BufWriter::new(std::fs::File::create(&fifo).unwrap());
            w.write_all(b">big\n").unwrap();
            let mut line = Vec::with_capacity(61);
            for start in (0..LEN).step_by(60) {
                line.clear();
                line.extend((start..(start + 60).min(LEN)).map(letter));
                line.push(b'\n');
                w.write_all(&line).unwrap();
            }
        })
    };
    let store = dir.path().join("big.2bit");
    let err = build(&[&fifo], &store);
    writer.join().unwrap();
    assert!(err.contains("1 records, 250000000 nucleotides"), "{err}");
    let genome = Genome::open(&store).unwrap();
    for at in [0usize, 7_000_021, 9_000_027, 123_456_789, LEN - 10] {
        let mut got = Vec::new();
        genome
            .decode(0, at as u64..at as u64 + 10, &mut got)
            .unwrap();
        let want: Vec<u8> = (at..at + 10)
            .map(|i| letter(i).to_ascii_uppercase())
            .collect();
        assert_eq!(got, want, "at {at}");
    }
}

#[test]
fn files_that_are_not_a_store_are_refused_with_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let fa = write(dir.path(), "g.fa", b">a\nACGTACGTACGTACGT\n>b\nGGGGCCCC\n");
    let store = dir.path().join("g.2bit");
    build(&[&fa], &store);
    let bytes = std::fs::read(&store).unwrap();
    let npmi = |path: &Path, needles: &[&str]| {
        let out = dir.path().join("t.json");
        fails_with(&["npmi", "--fasta", p(path), "--out", p(&out)], needles);
    };
    // A store cut inside its index, one cut inside record b, one whose index points past the end.
    let cut = write(dir.path(), "cut.2bit", &bytes[..20]);
    npmi(&cut, &["cut.2bit", "the file ends (20 bytes) before"]);
    let short = write(dir.path(), "short.2bit", &bytes[..bytes.len() - 1]);
    npmi(&short, &["short.2bit", "record `b`", "truncated"]);
    let mut far = bytes.clone();
    far[18..22].copy_from_slice(&1_000_000u32.to_le_bytes());
    let far = write(dir.path(), "far.2bit", &far);
    npmi(
        &far,
        &[
            "far.2bit",
            "byte 18, record `a`",
            "past the end of the file",
        ],
    );
    // A FASTA named .2bit is read as the FASTA it is (content decides, not the name); a
    // zip renamed .2bit is not a store, nor FASTA.
    let named = write(dir.path(), "fasta.2bit", b">a\nACGTACGTAC\n");
    ok(&[
        "npmi",
        "--fasta",
        p(&named),
        "--min-count",
        "1",
        "--out",
        p(&dir.path().join("n.json")),
    ]);
    let mut magic = bytes.clone();
    magic[..4].copy_from_slice(b"PK\x03\x04");
    let magic = write(dir.path(), "zip.2bit", &magic);
    let out = dir.path().join("run");
    fails_with(
        &["pretrain", "--corpus", p(&magic), "--out", p(&out)],
        &["zip.2bit"],
    );
}

#[test]
fn a_store_older_than_its_fasta_is_refused_and_short_runs_say_the_longest() {
    let dir = tempfile::tempdir().unwrap();
    let fa = write(dir.path(), "g.fa", b">a\nACGTACGTNNNNACGTACG\n");
    let store = dir.path().join("g.2bit");
    build(&[&fa], &store);
    let out = dir.path().join("run");
    let pretrain = |out: &Path| {
        vec![
            "pretrain",
            "--corpus",
            p(&store),
            "--preset",
            "tiny",
            "--backend",
            "cpu",
            "--min-count",
            "1",
            "--out",
            p(out),
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let args = pretrain(&out);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    fails_with(
        &args,
        &[
            "g.2bit",
            "no training piece fits",
            "longest N-free stretch is 8",
        ],
    );
    // The FASTA changes after the build: the store is refused until rebuilt.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(dir.path(), "g.fa", b">a\nACGTACGTACGTACGTACGTACGTA\n");
    let table = dir.path().join("t.json");
    fails_with(
        &["npmi", "--fasta", p(&store), "--out", p(&table)],
        &["g.2bit", "older than its FASTA", "g.fa", "train genome"],
    );
    build(&[&fa], &store);
    ok(&[
        "npmi",
        "--fasta",
        p(&store),
        "--min-count",
        "1",
        "--out",
        p(&table),
    ]);
}
