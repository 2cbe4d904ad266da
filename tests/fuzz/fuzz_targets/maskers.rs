//! Every masker (random span, GeneMask, GLOBAL binomial and fixed m, both rank lookups,
//! both random-id pools, k = 3..6) on arbitrary ids, specials and out-of-vocabulary ids
//! included: no panic, labels only on maskable positions, outputs in the vocabulary.
#![no_main]
use cmgems_core::mask::{
    is_maskable, GlobalCount, MaskConfig, Masker, RandomIds, Strategy, IGNORE_LABEL,
};
use cmgems_core::{RankLookup, RankTable, SeededRng, K};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (head, body) = data.split_at(3);
    let k = K::new(3 + (head[0] & 3) as usize).unwrap();
    let order: Vec<u16> = {
        // A permutation of 1..=4^k from the seed: rotate the identity.
        let n = k.kmer_count();
        let shift = head[1] as usize % n;
        (0..n).map(|c| ((c + shift) % n + 1) as u16).collect()
    };
    let table = RankTable::from_ranks(k, order).unwrap();
    let config = MaskConfig {
        k,
        rank_lookup: if head[0] & 4 == 0 {
            RankLookup::Kmer
        } else {
            RankLookup::Position
        },
        random_ids: if head[0] & 8 == 0 {
            RandomIds::Kmers
        } else {
            RandomIds::AllIds
        },
        global_count: if head[0] & 16 == 0 {
            GlobalCount::Binomial
        } else {
            GlobalCount::Fixed(head[2] as usize)
        },
        ..MaskConfig::for_k(k)
    };
    let mut masker = Masker::new(table, config).unwrap();
    let vocab_len = k.kmer_count() as u32 + 5;
    // Ids: two bytes each, so specials (0..5), k-mers and ids past the vocabulary all occur.
    let ids: Vec<u32> = body
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]) as u32 % (vocab_len + 64))
        .collect();
    let mut rng = SeededRng::new(u64::from(head[2]));
    let mut out = vec![0; ids.len()];
    let mut labels = vec![0; ids.len()];
    for strategy in Strategy::ALL {
        masker.mask(strategy, &ids, &mut rng, &mut out, &mut labels);
        for (i, (&l, &id)) in labels.iter().zip(&ids).enumerate() {
            if l != IGNORE_LABEL {
                assert_eq!(l as u32, id, "label at {i}");
                assert!(is_maskable(id) && i > 0, "id {id} masked at {i}");
            } else {
                assert_eq!(out[i], id, "unmasked position {i} changed");
            }
        }
        let sel = masker.select(strategy, &ids, &mut rng);
        assert!(sel.masked_positions().all(|i| i < ids.len()));
    }
});
