//! The bindings as JavaScript sees them, run in headless Chromium by
//! wasm-bindgen-test-runner (scripts/test-browser.sh).
#![cfg(target_arch = "wasm32")]

use cmgems_web::*;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("object")
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn message(e: JsValue) -> String {
    js_sys::Error::from(e).message().into()
}

fn strategies(names: &[&str]) -> JsValue {
    names
        .iter()
        .map(|n| JsValue::from_str(n))
        .collect::<Array>()
        .into()
}

/// A table whose rank is code + 1 (AAAAAA best), via the JSON the page uploads.
fn toy_table_json(k: usize) -> String {
    let mut rows = Vec::new();
    for code in 0..(1usize << (2 * k)) {
        let kmer: String = (0..k)
            .map(|i| ['A', 'T', 'C', 'G'][(code >> (2 * (k - 1 - i))) & 3])
            .collect();
        rows.push(format!(
            "{{\"kmer\": \"{kmer}\", \"rank\": {}, \"count\": null, \"pmi\": null, \"npmi\": {}}}",
            code + 1,
            -(code as f64) / 10.0
        ));
    }
    format!(
        "{{\"format\": \"cmgems-npmi\", \"version\": 1, \"k\": {k}, \"min_count\": 101, \
         \"source\": \"toy\", \"kmers\": [{}]}}",
        rows.join(",\n")
    )
}

#[wasm_bindgen_test]
fn pasted_fasta_is_tokenized_into_model_inputs() {
    let seqs = Sequences::new(">a first\nACGTACGTAC\n>b\nGGGGNNGGGGAA\n", 6).unwrap();
    assert_eq!(seqs.length(), 2);
    let summaries = Array::from(&seqs.summaries().unwrap());
    assert_eq!(
        get(&summaries.get(0), "name").as_string().unwrap(),
        "a first"
    );
    assert_eq!(num(&summaries.get(1), "other_letters"), 2.0);
    let b = seqs.tokenize(1).unwrap();
    // 12 nt, k = 6: 7 tokens; an N in 5 of them (positions 4,5 hit tokens 0..=5).
    assert_eq!((b.tokens(), b.inputs(), b.unknown()), (7, 1, 6));
    let ids = b.kmer_ids();
    assert_eq!(ids.len(), 7);
    assert_eq!(&ids[..6], &[1, 1, 1, 1, 1, 1]);
    // GGGGAA = G G G G A A = 3333 00 in base 4 = 4080, id 4085.
    assert_eq!(ids[6], 5 + 0b11_11_11_11_00_00);
    assert_eq!(b.nucleotides(), b"GGGGNNGGGGAA".to_vec());
    assert!(seqs.tokenize(2).is_err());
}

#[wasm_bindgen_test]
fn protein_input_gets_a_message_in_words() {
    let err = Sequences::new("MKTAYIAKQRQISFVKSHFSRQ", 6)
        .map(|_| ())
        .unwrap_err();
    let msg = message(err.into());
    assert!(msg.contains("not DNA"), "{msg}");
    assert!(Sequences::new("ACGT", 9).is_err(), "k = 9 is refused");
}

#[wasm_bindgen_test]
fn uploaded_json_table_round_trips_and_ranks_tokens() {
    let t = WebNpmiTable::from_json(&toy_table_json(3)).unwrap();
    assert_eq!((t.k(), t.scored()), (3, 64));
    assert_eq!(t.source().as_deref(), Some("toy"));
    assert_eq!(t.rank_of("AAA").unwrap(), 1);
    assert_eq!(t.rank_of("GGG").unwrap(), 64);
    let top = Array::from(&t.top(2).unwrap());
    assert_eq!(get(&top.get(1), "kmer").as_string().unwrap(), "AAT");
    // Written back and read again: same ranks.
    let again = WebNpmiTable::from_json(&t.to_json()).unwrap();
    assert_eq!(again.ranks_by_code(), t.ranks_by_code());
    assert_eq!(t.spearman(&again).unwrap(), 1.0);
    // Token ranks: AAAT -> AAA (1), AAT (2).
    let s = Sequences::new("AAAT", 3).unwrap().tokenize(0).unwrap();
    assert_eq!(s.ranks(&t).unwrap(), vec![1, 2]);
    // A table for another k is refused with a message.
    let s6 = Sequences::new("AAAAAAT", 6).unwrap().tokenize(0).unwrap();
    assert!(message(s6.ranks(&t).unwrap_err().into()).contains("k = 3"));
    assert!(WebNpmiTable::from_json("{\"format\": \"other\"}").is_err());
}

#[wasm_bindgen_test]
fn genemask_csv_is_read() {
    // Header + one row per 3-mer, rank = code + 1.
    let mut csv = String::from("ngram,norm_pmi_rank_rel\n");
    for code in 0..64usize {
        let kmer: String = (0..3)
            .map(|i| ['A', 'T', 'C', 'G'][(code >> (2 * (2 - i))) & 3])
            .collect();
        csv.push_str(&format!("{kmer},{}\n", code + 1));
    }
    let t = WebNpmiTable::from_genemask_csv(&csv).unwrap();
    assert_eq!(t.k(), 3);
    assert_eq!(t.rank_of("ATG").unwrap(), 0b00_01_11 + 1);
}

#[wasm_bindgen_test]
fn synthetic_default_table_finds_the_planted_repeats() {
    let t = WebNpmiTable::synthetic(6).unwrap();
    assert!(t.source().unwrap().contains("SYNTHETIC"));
    assert!(t.scored() > 1000, "scored {}", t.scored());
    let top = Array::from(&t.top(50).unwrap());
    let kmers: Vec<String> = top
        .iter()
        .map(|r| get(&r, "kmer").as_string().unwrap())
        .collect();
    // The (CA)n microsatellite and the planted motifs are collocations the generator put
    // there; some of their 6-mers must rank in the top 50.
    let planted = [
        "CACACA", "ACACAC", "GGAAGG", "AAAAAA", "TATAAA", "GGGCGG", "CCAATC",
    ];
    assert!(
        kmers.iter().any(|k| planted.contains(&k.as_str())),
        "top 50: {kmers:?}"
    );
}

#[wasm_bindgen_test]
fn lanes_differ_by_strategy_seed_and_lookup() {
    let t = WebNpmiTable::synthetic(6).unwrap();
    let text = String::from_utf8(cmgems_core::input::synthetic::example_sequence()).unwrap();
    let s = Sequences::new(&text.repeat(4), 6)
        .unwrap()
        .tokenize(0)
        .unwrap();
    assert_eq!((s.tokens(), s.inputs()), (2055, 5));
    let lanes = mask_lanes(
        &s,
        &t,
        strategies(&["random", "genemask", "global", "global"]),
        7.0,
        "kmer",
        None,
    )
    .unwrap();
    assert_eq!(lanes.length(), 4);
    let stats = Array::from(&lanes.stats().unwrap());
    for i in 0..4 {
        let st = stats.get(i);
        let share = num(&st, "masked_share");
        assert!(share > 0.02 && share < 0.4, "lane {i} share {share}");
        assert_eq!(num(&st, "maskable"), 2055.0);
        let flags = lanes.flags(i as usize).unwrap();
        assert_eq!(flags.len(), 2055);
        let masked = flags.iter().filter(|&&f| f & 1 != 0).count();
        assert_eq!(masked as f64, num(&st, "masked"));
    }
    assert_eq!(lanes.flags(2).unwrap(), lanes.flags(3).unwrap());
    // GLOBAL picks k-mers of far better (lower) NPMI rank than the sequence average, and
    // better than GeneMask's local picks.
    let g = stats.get(2);
    assert!(num(&g, "mean_rank_whole_kmers") < 0.2 * num(&g, "mean_rank_all"));
    assert!(num(&g, "mean_rank_whole_kmers") < num(&stats.get(1), "mean_rank_whole_kmers"));
    assert!(get(&stats.get(0), "mean_rank_whole_kmers").is_null());
    assert_eq!(num(&stats.get(0), "whole_kmers"), 0.0);
    // Another seed moves the random spans; the as-coded lookup moves GLOBAL's.
    let other_seed = mask_lanes(&s, &t, strategies(&["random"]), 8.0, "kmer", None).unwrap();
    assert_ne!(other_seed.flags(0).unwrap(), lanes.flags(0).unwrap());
    let as_coded = mask_lanes(&s, &t, strategies(&["global"]), 7.0, "position", None).unwrap();
    assert_ne!(as_coded.flags(0).unwrap(), lanes.flags(2).unwrap());
    assert!(mask_lanes(&s, &t, strategies(&["pmi"]), 7.0, "kmer", None).is_err());
    assert!(mask_lanes(&s, &t, strategies(&["random"]), -1.0, "kmer", None).is_err());
    // RandomMask: random span's lane at widening 0 (undefined), a superset widened later.
    let rm = |w| {
        mask_lanes(
            &s,
            &t,
            strategies(&["random", "randommask"]),
            7.0,
            "kmer",
            w,
        )
    };
    let start = rm(None).unwrap();
    assert_eq!(start.flags(0).unwrap(), start.flags(1).unwrap());
    let late = rm(Some(randommask_widening(1000.0, 900.0).unwrap())).unwrap();
    let (random, wide) = (late.flags(0).unwrap(), late.flags(1).unwrap());
    assert!(random
        .iter()
        .zip(&wide)
        .all(|(r, w)| r & 1 == 0 || w & 1 != 0));
    assert!(
        wide.iter().filter(|&&f| f & 1 != 0).count()
            > random.iter().filter(|&&f| f & 1 != 0).count()
    );
    assert_eq!(randommask_widening(1000.0, 249.0).unwrap(), 0);
    assert_eq!(randommask_widening(1000.0, 500.0).unwrap(), 2);
    assert!(randommask_widening(0.0, 1.0).is_err());
}

#[wasm_bindgen_test]
fn masker_corrupts_like_a_trainer() {
    let t = WebNpmiTable::synthetic(6).unwrap();
    let s = Sequences::new(
        &String::from_utf8(cmgems_core::input::synthetic::example_sequence()).unwrap(),
        6,
    )
    .unwrap()
    .tokenize(0)
    .unwrap();
    let ids = s.input_ids(0).unwrap();
    assert_eq!(ids.len(), 512);
    let mut m = WebMasker::new(&t, JsValue::UNDEFINED).unwrap();
    let out = m.mask("genemask", &ids, 3.0).unwrap();
    let labels = out.labels();
    let chosen = m.select("genemask", &ids, 3.0).unwrap();
    for (i, &l) in labels.iter().enumerate() {
        // Selection and corruption draw the same positions with the same seed.
        assert_eq!(l != -100, chosen[i] == 1, "position {i}");
        if l != -100 {
            assert_eq!(l as u32, ids[i]);
        }
    }
    let st = out.stats().unwrap();
    assert_eq!(
        num(&st, "masked"),
        chosen.iter().filter(|&&c| c == 1).count() as f64
    );
    let fixed = js_sys::JSON::parse(r#"{"global_count": {"fixed": 3}}"#).unwrap();
    let mut m3 = WebMasker::new(&t, fixed).unwrap();
    let st3 = m3.mask("global", &ids, 1.0).unwrap().stats().unwrap();
    assert_eq!(num(&st3, "expanded"), 3.0);
}

#[wasm_bindgen_test]
fn curricula_replay_in_the_browser() {
    // max_steps 1000: block 10, p_global at step 505 = floor(50.5)/100 = 0.5.
    let d = cm_step_draw(1000.0, 505.0, 1.0).unwrap();
    assert_eq!(num(&d, "p_global"), 0.5);
    // Before step 10, p = 0: every draw is random span.
    let early = cm_step_draw(1000.0, 9.0, 1.0).unwrap();
    assert_eq!(get(&early, "strategy").as_string().unwrap(), "random");
    assert_eq!(num(&early, "global_draws"), 0.0);
    let late = cm_step_draw(1000.0, 1000.0, 1.0).unwrap();
    assert_eq!(get(&late, "strategy").as_string().unwrap(), "global");
    // About half of the draws are GLOBAL overall (mean p over 0..1000 ≈ 0.495).
    let g = num(&late, "global_draws");
    assert!((400.0..600.0).contains(&g), "{g}");
    assert_eq!(
        cm_step_p_global(1000.0, &[0.0, 10.0, 999.0]).unwrap(),
        vec![0.0, 0.01, 0.99]
    );
    // CM-GEMS: drops 30, 10, 0.5 -> switches at the evaluation of step 1500.
    let sw = cm_gems_switch(
        &[0.0, 500.0, 1000.0, 1500.0],
        &[100.0, 70.0, 60.0, 59.5],
        "1.0",
        1,
    )
    .unwrap();
    assert_eq!(num(&sw, "step"), 1500.0);
    let none = cm_gems_switch(&[0.0, 500.0], &[100.0, 70.0], "1.0", 1).unwrap();
    assert!(none.is_null());
    // The relative rule: 59.5 -> 59.0 is 0.85% of 59.0, flat under "1%", not under "0.5%".
    let steps = [0.0, 500.0, 1000.0];
    let ppl = [100.0, 59.5, 59.0];
    assert_eq!(
        num(&cm_gems_switch(&steps, &ppl, "1%", 1).unwrap(), "step"),
        1000.0
    );
    assert!(cm_gems_switch(&steps, &ppl, "0.5%", 1).unwrap().is_null());
    assert!(cm_gems_switch(&steps, &ppl, "one", 1).is_err());
}

#[wasm_bindgen_test]
fn table_is_counted_from_chunks_of_a_fasta() {
    let recs =
        cmgems_core::input::synthetic::generate(&cmgems_core::input::synthetic::SyntheticConfig {
            records: 4,
            record_len: 20_000,
            seed: 11,
            ..Default::default()
        });
    let mut text = Vec::new();
    for (i, r) in recs.iter().enumerate() {
        text.extend_from_slice(format!(">r{i}\n").as_bytes());
        for line in r.chunks(70) {
            text.extend_from_slice(line);
            text.push(b'\n');
        }
    }
    let mut b = TableBuilder::new(4).unwrap();
    for piece in text.chunks(9_999) {
        b.push(piece).unwrap();
    }
    assert_eq!(b.records().unwrap(), 4);
    assert_eq!(b.letters().unwrap(), 80_000.0);
    let t = b.finish(10.0, "dropped.fa").unwrap();
    assert_eq!((t.k(), t.source().as_deref()), (4, Some("dropped.fa")));
    assert!(t.scored() > 200);
    assert!(b.finish(10.0, "again").is_err());
}

#[wasm_bindgen_test]
fn metrics_match_hand_counts() {
    // y = 0 1 1 0, pred = 0 1 0 0: accuracy 3/4.
    let r = classification_report(&[0, 1, 1, 0], &[0, 1, 0, 0], 2, &[], 0).unwrap();
    assert_eq!(num(&r, "accuracy"), 0.75);
    assert!(get(&r, "auc").is_null() || get(&r, "auc").is_undefined());
}

#[wasm_bindgen_test]
fn examples_are_offered_for_every_k() {
    for k in 3..=6 {
        let ex = Array::from(&examples(k).unwrap());
        assert_eq!(ex.length(), 4);
        for e in ex.iter() {
            let text = get(&e, "text").as_string().unwrap();
            assert!(Sequences::new(&text, k).is_ok());
        }
    }
}
