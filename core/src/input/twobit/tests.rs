use super::error::TwoBitErrorKind as Kind;
use super::format::{self, EncodeError, EncodedRecord};
use super::*;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

/// A whole store in memory: each record pushed in chunks of `chunk` letters.
pub(crate) fn store(records: &[(&str, &[u8])], chunk: usize) -> Vec<u8> {
    let mut encoded: Vec<(EncodedRecord, Vec<u8>)> = Vec::new();
    for (_, letters) in records {
        let mut enc = RecordEncoder::default();
        let mut packed = Vec::new();
        for c in letters.chunks(chunk.max(1)) {
            enc.push(c, &mut packed).unwrap();
        }
        let rec = enc.finish(&mut packed);
        encoded.push((rec, packed));
    }
    let named: Vec<(&str, &EncodedRecord)> = records
        .iter()
        .zip(&encoded)
        .map(|((n, _), (r, _))| (*n, r))
        .collect();
    let (version, offsets) = format::layout(&named);
    let mut out = format::header(version, records.len() as u32).to_vec();
    for ((name, _), off) in named.iter().zip(&offsets) {
        format::index_entry(name, *off, version, &mut out);
    }
    for ((rec, packed), off) in encoded.iter().zip(&offsets) {
        assert_eq!(out.len() as u64, *off);
        rec.write_header(&mut out);
        out.extend_from_slice(packed);
    }
    out
}

/// What decoding gives: upper case, IUPAC codes as N.
fn expected_upper(letters: &[u8]) -> Vec<u8> {
    letters
        .iter()
        .map(|&b| match Letter::of(b) {
            Letter::Base(c) => format::PACKED_LETTERS[c as usize],
            _ => b'N',
        })
        .collect()
}

fn decode_all(bytes: &[u8], index: &TwoBitIndex, i: usize, masked: bool) -> Vec<u8> {
    let view = index.view(bytes, i).unwrap();
    let mut out = Vec::new();
    view.decode(0..view.len(), &mut out).unwrap();
    if masked {
        view.apply_soft_mask(0..view.len(), &mut out).unwrap();
    }
    out
}

#[test]
fn known_bytes_of_a_tiny_store() {
    // ACGT packs to A=10 C=01 G=11 T=00 = 0x9C; "Ac" to 10 01 00 00 = 0x90.
    let bytes = store(&[("x", b"ACGTAc")], 2);
    let mut want = vec![0x43, 0x27, 0x41, 0x1A, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
    want.extend_from_slice(&[1, b'x', 22, 0, 0, 0]);
    // dna 6, no N block, one mask block at 5 of 1, reserved, packed.
    want.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0]);
    want.extend_from_slice(&[0, 0, 0, 0, 0x9C, 0x90]);
    assert_eq!(bytes, want);
}

#[test]
fn round_trip_keeps_letters_n_runs_and_case() {
    let a: &[u8] = b"NNacgtACGTnnNRyACGTTTTgggN";
    let b: &[u8] = b"";
    let c: &[u8] = b"NNNN";
    let bytes = store(&[("chr1", a), ("empty", b), ("allN", c)], 3);
    let index = TwoBitIndex::parse(&bytes).unwrap();
    assert_eq!(index.version(), 0);
    assert_eq!(index.records().len(), 3);
    assert_eq!(index.find("allN"), Some(2));
    assert_eq!(decode_all(&bytes, &index, 0, false), expected_upper(a));
    assert_eq!(
        decode_all(&bytes, &index, 0, true),
        b"NNacgtACGTnnNNnACGTTTTgggN"
    );
    assert!(decode_all(&bytes, &index, 1, false).is_empty());
    assert_eq!(decode_all(&bytes, &index, 2, false), b"NNNN");
    let view = index.view(&bytes, 0).unwrap();
    assert_eq!(view.n_runs().unwrap(), vec![0..2, 10..15, 25..26]);
    let masks: Vec<_> = view.mask_blocks().map(Result::unwrap).collect();
    assert_eq!(masks, vec![2..6, 10..12, 14..15, 22..25]);
}

#[test]
fn version_1_and_big_endian_files_read_the_same() {
    let letters: &[u8] = b"ACGTNNacg";
    let mut rec_bytes = Vec::new();
    let mut enc = RecordEncoder::default();
    let mut packed = Vec::new();
    enc.push(letters, &mut packed).unwrap();
    let rec = enc.finish(&mut packed);
    rec.write_header(&mut rec_bytes);
    rec_bytes.extend_from_slice(&packed);
    // Version 1: 64-bit offsets.
    let mut v1 = format::header(1, 1).to_vec();
    format::index_entry("r", 16 + 1 + 1 + 8, 1, &mut v1);
    v1.extend_from_slice(&rec_bytes);
    let i1 = TwoBitIndex::parse(&v1).unwrap();
    assert_eq!(i1.version(), 1);
    assert_eq!(decode_all(&v1, &i1, 0, true), b"ACGTNNacg");
    // Big-endian version 0: every 32-bit word swapped (the packed bytes are bytes).
    let mut be = Vec::new();
    for w in [format::SIGNATURE, 0, 1, 0] {
        be.extend_from_slice(&w.to_be_bytes());
    }
    be.extend_from_slice(&[1, b'r']);
    be.extend_from_slice(&(16u32 + 6).to_be_bytes());
    for w in [9u32, 1, 4, 2, 1, 6, 3, 0] {
        be.extend_from_slice(&w.to_be_bytes());
    }
    be.extend_from_slice(&packed);
    let ib = TwoBitIndex::parse(&be).unwrap();
    assert_eq!(decode_all(&be, &ib, 0, true), b"ACGTNNacg");
}

#[test]
fn invalid_letters_and_overlong_records_are_refused() {
    let mut enc = RecordEncoder::default();
    let mut packed = Vec::new();
    enc.push(b"ACGT", &mut packed).unwrap();
    assert_eq!(
        enc.push(b"AC-T", &mut packed),
        Err(EncodeError::Invalid {
            position: 6,
            byte: b'-'
        })
    );
    assert_eq!(Letter::of(b'r'), Letter::Ambiguous);
    assert_eq!(Letter::of(b'*'), Letter::Invalid);
}

fn error_of(bytes: &[u8]) -> TwoBitError {
    TwoBitIndex::parse(bytes).unwrap_err()
}

#[test]
fn files_that_are_not_2bit_are_refused_with_the_offset_and_record() {
    let good = store(&[("a", b"ACGTNNACGT"), ("b", b"GGGG")], 4);
    // Bad magic: a FASTA file.
    let e = error_of(b">chr1\nACGT\n");
    assert!(
        matches!(e.kind, Kind::BadMagic { .. }) && e.offset == 0,
        "{e}"
    );
    assert!(alloc::format!("{e}").contains("not a .2bit file"));
    // Unknown version.
    let mut v = good.clone();
    v[4] = 7;
    assert_eq!(error_of(&v).kind, Kind::Version(7));
    // Truncated inside the index, then inside record b's packed bytes.
    let e = error_of(&good[..20]);
    assert!(
        matches!(e.kind, Kind::Truncated { .. }) && e.offset >= 16,
        "{e}"
    );
    let e = error_of(&good[..good.len() - 1]);
    assert_eq!(e.record.as_deref(), Some("b"), "{e}");
    assert!(matches!(e.kind, Kind::Truncated { .. }));
    // An offset past the end (record a's pointer at byte 18).
    let mut v = good.clone();
    v[18..22].copy_from_slice(&10_000u32.to_le_bytes());
    let e = error_of(&v);
    assert_eq!((e.offset, e.record.as_deref()), (18, Some("a")));
    assert!(matches!(e.kind, Kind::OffsetPastEnd { target: 10_000, .. }));
    // Duplicate names.
    let e = error_of(&store(&[("a", b"AC"), ("a", b"GT")], 1));
    assert_eq!(
        (e.kind, e.record.as_deref()),
        (Kind::DuplicateName, Some("a"))
    );
    // An N block past the record's end (a's N block size, after its start).
    let a_at = u32::from_le_bytes(good[18..22].try_into().unwrap()) as usize;
    let mut v = good.clone();
    v[a_at + 12..a_at + 16].copy_from_slice(&100u32.to_le_bytes());
    let e = error_of(&v);
    assert!(
        matches!(e.kind, Kind::BadBlock(_)) && e.record.as_deref() == Some("a"),
        "{e}"
    );
}

#[test]
fn ranges_outside_the_record_are_errors() {
    let bytes = store(&[("a", b"ACGT")], 4);
    let index = TwoBitIndex::parse(&bytes).unwrap();
    let view = index.view(&bytes, 0).unwrap();
    let mut out = Vec::new();
    assert!(matches!(
        view.decode(2..5, &mut out).unwrap_err().kind,
        Kind::Range { .. }
    ));
    assert!(index.view(&bytes[..10], 0).is_err());
    assert!(index.view(&bytes, 1).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_range_decodes_to_the_letters_written(
        recs in proptest::collection::vec(
            proptest::collection::vec(prop::sample::select(b"ACGTacgtNnRy".to_vec()), 0..200), 1..4),
        chunk in 1usize..50,
        cuts in proptest::collection::vec((0usize..200, 0usize..200), 8),
    ) {
        let names: Vec<String> = (0..recs.len()).map(|i| alloc::format!("r{i}")).collect();
        let input: Vec<(&str, &[u8])> = names.iter().map(String::as_str).zip(recs.iter().map(Vec::as_slice)).collect();
        let bytes = store(&input, chunk);
        let index = TwoBitIndex::parse(&bytes).unwrap();
        for (i, letters) in recs.iter().enumerate() {
            let want = expected_upper(letters);
            let view = index.view(&bytes, i).unwrap();
            for &(a, b) in &cuts {
                let (s, e) = (a.min(b).min(want.len()), a.max(b).min(want.len()));
                let mut out = vec![b'x'];
                view.decode(s as u64..e as u64, &mut out).unwrap();
                prop_assert_eq!(&out[1..], &want[s..e]);
                view.apply_soft_mask(s as u64..e as u64, &mut out[1..]).unwrap();
                let cased: Vec<u8> = letters[s..e].iter().zip(&want[s..e])
                    .map(|(o, w)| if o.is_ascii_lowercase() { w.to_ascii_lowercase() } else { *w })
                    .collect();
                prop_assert_eq!(&out[1..], &cased[..]);
            }
        }
    }
}

#[test]
fn layouts_hold_names_lengths_and_n_runs() {
    let bytes = store(&[("a", b"NNACGTNA"), ("b", b"acgt")], 3);
    let index = TwoBitIndex::parse(&bytes).unwrap();
    let l = index.layouts(&bytes).unwrap();
    assert_eq!(
        (l[0].name.as_str(), l[0].len, l[0].n_runs.clone()),
        ("a", 8, vec![0..2, 6..7])
    );
    assert_eq!(
        (l[1].name.as_str(), l[1].len, l[1].n_runs.len()),
        ("b", 4, 0)
    );
    assert_eq!(index.total_len(), 12);
}
