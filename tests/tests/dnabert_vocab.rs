//! Guards byte-identity of our vocab.txt with DNABERT's published files.

use cmgems_core::{Vocab, K};

#[test]
fn vocab_txt_is_byte_identical_to_dnabert_for_k_3_to_6() {
    for k in 3..=6 {
        let rel = format!("DNABERT/src/transformers/dnabert-config/bert-config-{k}/vocab.txt");
        let Some(path) = cmgems_tests::shared_file(&rel) else {
            return;
        };
        let theirs = std::fs::read(&path).unwrap();
        let ours = Vocab::new(K::new(k).unwrap()).vocab_txt();
        assert_eq!(ours.as_bytes(), &theirs[..], "k = {k}");
    }
}
