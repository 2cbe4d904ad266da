//! The tokenizer on any text (raw nucleotides or k-mer text, quoted or not), for every k,
//! any maximum length, padded or not: ids stay in the vocabulary and within max_len.
#![no_main]
use cmgems_core::{Tokenizer, K};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&head, body)) = data.split_first() else {
        return;
    };
    let k = 3 + (head & 3) as usize;
    let max_len = 1 + ((head >> 2) as usize) * 9;
    let pad = head & 0x80 != 0;
    let Ok(tok) = Tokenizer::new(K::new(k).unwrap(), max_len, pad) else {
        return;
    };
    let vocab_len = tok.vocab().size() as u32;
    let mut ids = Vec::new();
    if let Ok(text) = std::str::from_utf8(body) {
        if tok.encode(text, &mut ids).is_ok() {
            assert!(ids.len() <= max_len, "{} ids > {max_len}", ids.len());
            assert!(ids.iter().all(|&i| i < vocab_len));
            let _ = tok.decode_kmers(&ids);
        }
        let _ = cmgems_core::tokenize::tokenizer::kmer_text_to_sequence(K::new(k).unwrap(), text);
    }
    ids.clear();
    tok.encode_nucleotides(body, &mut ids);
    assert!(ids.len() <= max_len);
    assert!(ids.iter().all(|&i| i < vocab_len));
});
