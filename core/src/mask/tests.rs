//! The masker as a whole: range safety, agreement with the pure choosers and the oracles,
//! rates against hand-derived expectations, determinism, corruption.

use super::oracle;
use super::*;
use crate::npmi::rank::{Rank, RankLookup, RankTable};
use crate::rng::SeededRng;
use crate::tokenize::kmer::K;
use crate::tokenize::vocab::{CLS_ID, MASK_ID, PAD_ID, SEP_ID};
use alloc::vec::Vec;
use proptest::prelude::{
    any, prop_assert, prop_assert_eq, prop_oneof, proptest, Just, ProptestConfig,
};
use proptest::strategy::Strategy as Gen;

/// A rank table that is a random permutation, as a real NPMI table looks to the masker.
fn random_table(k: K, seed: u64) -> RankTable {
    let mut ranks: Vec<Rank> = (1..=k.kmer_count() as Rank).collect();
    let mut rng = SeededRng::new(seed);
    for i in (1..ranks.len()).rev() {
        ranks.swap(i, rng.below(i as u64 + 1) as usize);
    }
    RankTable::from_ranks(k, ranks).unwrap()
}

/// `[CLS] t_1..t_n [SEP] [PAD]..` of `seq_len` positions with random k-mer ids.
fn model_input(k: K, n: usize, seq_len: usize, rng: &mut SeededRng) -> Vec<u32> {
    let mut ids = alloc::vec![PAD_ID; seq_len];
    ids[0] = CLS_ID;
    for id in &mut ids[1..=n] {
        *id = 5 + rng.below(k.kmer_count() as u64) as u32;
    }
    ids[n + 1] = SEP_ID;
    ids
}

fn masker(k: K, config: MaskConfig) -> Masker {
    Masker::new(random_table(k, 99), MaskConfig { k, ..config }).unwrap()
}

fn ranks_of(m: &Masker, ids: &[u32]) -> Vec<Rank> {
    let mut r = alloc::vec![0; ids.len()];
    m.table().fill_ranks(ids, m.config().rank_lookup, &mut r);
    r
}

#[test]
fn masker_rejects_a_table_of_another_k_and_bad_probabilities() {
    let t = random_table(K::new(4).unwrap(), 1);
    assert!(matches!(
        Masker::new(t.clone(), MaskConfig::default()),
        Err(crate::CoreError::Mismatch(_))
    ));
    let bad = MaskConfig {
        k: K::new(4).unwrap(),
        global_p: 2.0,
        ..MaskConfig::default()
    };
    assert!(Masker::new(t, bad).is_err());
}

/// Inputs for the range property: a model input whose token ids are mostly k-mers, with
/// specials sprinkled in (holes), or pure garbage ids.
fn arb_input() -> impl Gen<Value = (usize, Vec<u32>)> {
    (3usize..=6, 1usize..=510, any::<u64>(), 0u32..3).prop_map(|(k, n, seed, kind)| {
        let k_ = K::new(k).unwrap();
        let mut rng = SeededRng::new(seed);
        let mut ids = model_input(k_, n, 512, &mut rng);
        let vocab = 5 + k_.kmer_count() as u64;
        match kind {
            0 => {}
            1 => {
                // ~3% specials (PAD/UNK/CLS/SEP/MASK) inside the tokens.
                for id in &mut ids[1..=n] {
                    if rng.below(32) == 0 {
                        *id = rng.below(5) as u32;
                    }
                }
            }
            _ => {
                for id in &mut ids {
                    *id = rng.below(vocab + 3) as u32; // includes ids past the vocabulary
                }
            }
        }
        (k, ids)
    })
}

fn lookup_and_count() -> impl Gen<Value = (RankLookup, GlobalCount)> {
    (
        prop_oneof![Just(RankLookup::Kmer), Just(RankLookup::Position)],
        prop_oneof![
            Just(GlobalCount::Binomial),
            (0usize..40).prop_map(GlobalCount::Fixed)
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every chosen position is in [1, end] and holds no [CLS]/[SEP]/[PAD]; labels and
    /// outputs agree with the choice.
    #[test]
    fn masked_positions_stay_in_one_to_end_and_off_specials(
        (k, ids) in arb_input(),
        (lookup, count) in lookup_and_count(),
        seed in any::<u64>(),
    ) {
        let k = K::new(k).unwrap();
        // High p so that short inputs get centres too.
        let config = MaskConfig { rank_lookup: lookup, global_count: count, random_span_p: 0.2,
            genemask_p: 0.15, global_p: 0.1, ..MaskConfig::default() };
        let mut m = masker(k, config);
        let (maskable, end) = oracle::maskable_flags(&ids);
        let (mut out, mut labels) = (alloc::vec![0u32; ids.len()], alloc::vec![0i32; ids.len()]);
        for strategy in Strategy::ALL {
            let mut rng = SeededRng::new(seed);
            let sel = m.select(strategy, &ids, &mut rng);
            prop_assert_eq!(sel.end, end);
            prop_assert_eq!(sel.maskable, maskable.iter().filter(|&&f| f).count());
            for i in sel.masked_positions() {
                prop_assert!(i >= 1 && i <= end, "{strategy}: {i} outside [1, {end}]");
                let special = [CLS_ID, SEP_ID, PAD_ID].contains(&ids[i]);
                prop_assert!(!special, "{strategy}: special at {i}");
            }
            let chosen: Vec<usize> = sel.masked_positions().collect();
            let mut rng = SeededRng::new(seed);
            let stats = m.mask(strategy, &ids, &mut rng, &mut out, &mut labels);
            prop_assert_eq!(stats.masked, chosen.len());
            for i in 0..ids.len() {
                if chosen.binary_search(&i).is_ok() {
                    prop_assert_eq!(labels[i], ids[i] as i32);
                } else {
                    prop_assert_eq!(labels[i], IGNORE_LABEL);
                    prop_assert_eq!(out[i], ids[i]);
                }
            }
        }
    }

    /// The masker's choice equals the oracle given the masker's own centres (and, for
    /// GLOBAL, its m), holes included.
    #[test]
    fn masker_matches_oracles_given_its_centres(
        (k, ids) in arb_input(),
        (lookup, count) in lookup_and_count(),
        seed in any::<u64>(),
    ) {
        let kk = K::new(k).unwrap();
        let config = MaskConfig {
            rank_lookup: lookup,
            global_count: count,
            ..MaskConfig::default()
        };
        let mut m = masker(kk, config);
        let ranks = ranks_of(&m, &ids);
        let (maskable, end) = oracle::maskable_flags(&ids);
        let mut rng = SeededRng::new(seed);

        let sel = m.select(Strategy::RandomSpan, &ids, &mut rng);
        prop_assert!(sel.centres.iter().all(|&c| maskable[c]));
        prop_assert_eq!(sel.masked, &oracle::random_span(k, &maskable, end, sel.centres)[..]);

        let sel = m.select(Strategy::GeneMask, &ids, &mut rng);
        let (mask, expanded) = oracle::genemask(k, &ranks, &maskable, end, sel.centres);
        prop_assert_eq!(sel.masked, &mask[..]);
        prop_assert_eq!(sel.expanded, &expanded[..]);

        let sel = m.select(Strategy::Global, &ids, &mut rng);
        let m_ = match count {
            GlobalCount::Binomial => sel.centres.len(),
            GlobalCount::Fixed(m_) => { prop_assert!(sel.centres.is_empty()); m_ }
        };
        let (mask, expanded) = oracle::global(k, &ranks, &maskable, end, m_);
        prop_assert_eq!(sel.masked, &mask[..]);
        prop_assert_eq!(sel.expanded, &expanded[..]);

        let bound = seed as usize % (RANDOMMASK_MAX_WIDENING + 1);
        m.set_widening(bound);
        let sel = m.select(Strategy::RandomMask, &ids, &mut rng);
        prop_assert!(sel.centres.iter().all(|&c| maskable[c]));
        prop_assert_eq!(sel.widenings.len(), sel.centres.len());
        prop_assert!(sel.widenings.iter().all(|&w| w <= bound));
        let mask = oracle::randommask(k, &maskable, end, sel.centres, sel.widenings);
        prop_assert_eq!(sel.masked, &mask[..]);
    }
}

/// RandomMask at widening 0 is random span, masks and random stream alike; wider bounds
/// hide a superset-sized share.
#[test]
fn randommask_at_widening_zero_is_random_span_and_widening_hides_more() {
    let mut m = masker(K::SIX, MaskConfig::default());
    let mut rng = SeededRng::new(8);
    let ids = model_input(K::SIX, 510, 512, &mut rng);
    for seed in 0..20 {
        let (mut a, mut b) = (SeededRng::new(seed), SeededRng::new(seed));
        let random: Vec<bool> = m.select(Strategy::RandomSpan, &ids, &mut a).masked.to_vec();
        let sel = m.select(Strategy::RandomMask, &ids, &mut b);
        assert_eq!((sel.masked, &a), (&random[..], &b));
    }
    let shares: Vec<f64> = (0..=RANDOMMASK_MAX_WIDENING)
        .map(|w| {
            m.set_widening(w);
            measured_share(&mut m, Strategy::RandomMask, 600, 9)
        })
        .collect();
    assert!(shares.windows(2).all(|p| p[0] < p[1]), "{shares:?}");
}

#[test]
fn global_with_fixed_m_on_a_full_input_is_the_sorted_top_m() {
    // 510 tokens, m = 7: the union of the 11-token windows of the 7 lowest (rank, position).
    let mut m = masker(
        K::SIX,
        MaskConfig {
            global_count: GlobalCount::Fixed(7),
            ..MaskConfig::default()
        },
    );
    let mut rng = SeededRng::new(5);
    for _ in 0..20 {
        let ids = model_input(K::SIX, 510, 512, &mut rng);
        let ranks = ranks_of(&m, &ids);
        let mut pairs: Vec<(Rank, usize)> = (1..=510).map(|i| (ranks[i], i)).collect();
        pairs.sort();
        let mut expect = alloc::vec![false; 512];
        for &(_, b) in &pairs[..7] {
            expect[b.saturating_sub(5).max(1)..=(b + 5).min(510)].fill(true);
        }
        let sel = m.select(Strategy::Global, &ids, &mut rng);
        assert_eq!(sel.masked, &expect[..]);
        assert_eq!(sel.expanded.len(), 7);
    }
}

#[test]
fn same_seed_same_mask_and_mask_agrees_with_select() {
    let mut m = masker(K::SIX, MaskConfig::default());
    let ids = model_input(K::SIX, 400, 512, &mut SeededRng::new(1));
    for strategy in Strategy::ALL {
        let a: Vec<bool> = m
            .select(strategy, &ids, &mut SeededRng::new(42))
            .masked
            .to_vec();
        let b: Vec<bool> = m
            .select(strategy, &ids, &mut SeededRng::new(42))
            .masked
            .to_vec();
        let c: Vec<bool> = m
            .select(strategy, &ids, &mut SeededRng::new(43))
            .masked
            .to_vec();
        assert_eq!(a, b, "{strategy}");
        assert_ne!(a, c, "{strategy}: another seed should give another mask");
        let (mut out1, mut lab1) = (alloc::vec![0; 512], alloc::vec![0; 512]);
        let (mut out2, mut lab2) = (alloc::vec![0; 512], alloc::vec![0; 512]);
        m.mask(
            strategy,
            &ids,
            &mut SeededRng::new(42),
            &mut out1,
            &mut lab1,
        );
        m.mask(
            strategy,
            &ids,
            &mut SeededRng::new(42),
            &mut out2,
            &mut lab2,
        );
        assert_eq!((&out1, &lab1), (&out2, &lab2));
        let labelled: Vec<bool> = lab1.iter().map(|&l| l != IGNORE_LABEL).collect();
        assert_eq!(
            labelled, a,
            "{strategy}: mask() chooses what select() chooses"
        );
    }
}

#[test]
fn position_lookup_masks_do_not_depend_on_the_sequence() {
    // The authors' lookup ranks position i by the k-mer whose id is i: two different
    // sequences of the same length get the same positions from the same rng state.
    let config = MaskConfig {
        rank_lookup: RankLookup::Position,
        ..MaskConfig::default()
    };
    let mut m = masker(K::SIX, config);
    let mut rng = SeededRng::new(8);
    for _ in 0..10 {
        let a = model_input(K::SIX, 510, 512, &mut rng);
        let b = model_input(K::SIX, 510, 512, &mut rng);
        assert_ne!(a, b);
        for strategy in [Strategy::GeneMask, Strategy::Global] {
            let state = rng.clone();
            let sa = m.select(strategy, &a, &mut rng.clone()).masked.to_vec();
            let sb = m.select(strategy, &b, &mut state.clone()).masked.to_vec();
            assert_eq!(sa, sb, "{strategy}");
        }
        // As described (k-mer lookup) GLOBAL does depend on the sequence.
        let mut km = masker(
            K::SIX,
            MaskConfig {
                global_count: GlobalCount::Fixed(7),
                ..MaskConfig::default()
            },
        );
        let sa = km
            .select(Strategy::Global, &a, &mut rng.clone())
            .masked
            .to_vec();
        let sb = km
            .select(Strategy::Global, &b, &mut rng.clone())
            .masked
            .to_vec();
        assert_ne!(sa, sb);
    }
}

#[test]
fn mask_batch_is_mask_row_by_row() {
    let mut m = masker(K::SIX, MaskConfig::default());
    let mut rng = SeededRng::new(3);
    let rows: Vec<u32> = (0..6)
        .flat_map(|r| model_input(K::SIX, 50 + 70 * r, 512, &mut rng))
        .collect();
    for strategy in Strategy::ALL {
        let (mut out, mut lab) = (alloc::vec![0; rows.len()], alloc::vec![0; rows.len()]);
        let batch = m.mask_batch(
            strategy,
            &rows,
            512,
            &mut SeededRng::new(9),
            &mut out,
            &mut lab,
        );
        let mut rng = SeededRng::new(9);
        let mut sum = MaskStats::default();
        for (r, row) in rows.chunks(512).enumerate() {
            let (mut o, mut l) = (alloc::vec![0; 512], alloc::vec![0; 512]);
            sum += m.mask(strategy, row, &mut rng, &mut o, &mut l);
            assert_eq!(&out[r * 512..(r + 1) * 512], &o[..]);
            assert_eq!(&lab[r * 512..(r + 1) * 512], &l[..]);
        }
        assert_eq!(batch, sum);
        assert_eq!(batch.sequences, 6);
    }
}

/// Masked share over `n` full 512-position inputs (510 tokens).
fn measured_share(m: &mut Masker, strategy: Strategy, n: usize, seed: u64) -> f64 {
    let mut rng = SeededRng::new(seed);
    let (mut out, mut lab) = (alloc::vec![0; 512], alloc::vec![0; 512]);
    let mut stats = MaskStats::default();
    for _ in 0..n {
        let ids = model_input(K::SIX, 510, 512, &mut rng);
        stats += m.mask(strategy, &ids, &mut rng, &mut out, &mut lab);
    }
    stats.masked_share()
}

/// Expected random span share over positions 1..=n: position i is hidden unless none of
/// the centres whose clipped span covers it succeeded, 1 - (1-p)^covers(i).
fn random_span_expected_share(n: usize, p: f64) -> f64 {
    let covers = |i: usize| (1..=n).filter(|&c| c + 3 >= i && i + 2 >= c).count();
    (1..=n)
        .map(|i| 1.0 - libm::pow(1.0 - p, covers(i) as f64))
        .sum::<f64>()
        / n as f64
}

#[test]
fn random_span_hides_fourteen_percent_as_expected() {
    // Interior positions lie in 6 spans: 1 - 0.975^6 = 0.14094. The 5 edge positions lie
    // in 3, 4, 5 (start) and 4, 5 (end) spans, so over 510 tokens the share is
    // (505·0.14094 + 0.07314 + 0.09632 + 0.11890 + 0.09632 + 0.11890) / 510 = 0.14054.
    // DNABERT's "15%" is 6 · 2.5%, which counts overlapping spans twice.
    let expected = random_span_expected_share(510, 0.025);
    assert!((expected - 0.14054).abs() < 5e-5, "{expected}");
    assert!((expected - 0.15).abs() < 0.01);
    let mut m = masker(K::SIX, MaskConfig::default());
    let share = measured_share(&mut m, Strategy::RandomSpan, 6000, 1);
    // σ of the mean over 6000 sequences ≈ 0.0006 (measured over 600 000: 0.14044 ± 0.00005).
    assert!(
        (share - expected).abs() < 0.0025,
        "share {share} vs {expected}"
    );
    #[cfg(feature = "std")]
    std::println!(
        "masked share over 6000 x 510 tokens: random span {share:.4} (expected {expected:.4})"
    );
}

/// Expected GLOBAL share when the top-m positions are a uniform m-subset of 1..=n (i.i.d.
/// random ranks): i is hidden unless none of the w(i) positions within 5 of it is chosen,
/// P = C(n - w, m) / C(n, m); m is Binomial(n, p) or fixed.
fn global_expected_share(n: usize, m_law: &[(usize, f64)]) -> f64 {
    let mut total = 0.0;
    for i in 1..=n {
        let w = (i.saturating_sub(5).max(1)..=(i + 5).min(n)).count();
        for &(m, pm) in m_law {
            let miss: f64 = (0..m)
                .map(|j| (n - w).saturating_sub(j) as f64 / (n - j) as f64)
                .product();
            total += pm * (1.0 - miss);
        }
    }
    total / n as f64
}

fn binomial_law(n: usize, p: f64, up_to: usize) -> Vec<(usize, f64)> {
    let mut pm = libm::pow(1.0 - p, n as f64);
    let mut law = Vec::new();
    for m in 0..=up_to {
        law.push((m, pm));
        pm *= (n - m) as f64 / (m + 1) as f64 * p / (1.0 - p);
    }
    law
}

#[test]
fn global_hides_about_fourteen_percent_as_expected() {
    // m ~ Binomial(510, 0.0136): E[m] = 6.94; 11 tokens each would be 76.3 tokens = 15.0%
    // if windows never overlapped or clipped; overlaps and clipping bring the expectation to 13.9%.
    let law = binomial_law(510, 0.0136, 40);
    assert!((law.iter().map(|&(_, p)| p).sum::<f64>() - 1.0).abs() < 1e-9);
    let expected = global_expected_share(510, &law);
    assert!((0.13..0.145).contains(&expected), "{expected}");
    let mut m = masker(K::SIX, MaskConfig::default());
    let share = measured_share(&mut m, Strategy::Global, 6000, 2);
    assert!(
        (share - expected).abs() < 0.0025,
        "share {share} vs {expected}"
    );
    #[cfg(feature = "std")]
    std::println!(
        "masked share over 6000 x 510 tokens: global {share:.4} (expected {expected:.4})"
    );

    let fixed = global_expected_share(510, &[(7, 1.0)]);
    let mut m = masker(
        K::SIX,
        MaskConfig {
            global_count: GlobalCount::Fixed(7),
            ..MaskConfig::default()
        },
    );
    let share = measured_share(&mut m, Strategy::Global, 2000, 3);
    assert!(
        (share - fixed).abs() < 0.0015,
        "fixed m: share {share} vs {fixed}"
    );
    #[cfg(feature = "std")]
    std::println!(
        "masked share over 510 tokens: global fixed m=7 {share:.4} (expected {fixed:.4})"
    );
}

#[test]
fn genemask_rate_matches_a_plain_monte_carlo_of_the_spec() {
    // No closed form: the oracle draws centres with one Bernoulli(0.0176) per position,
    // and the two shares must agree. The paper's 1.765% = 15% / 8.5 assumes half the
    // centres grow to 11 tokens (mean 8.5 tokens per centre). With n ~ Binomial(510,
    // 0.0176) (mean 8.98) and every centre growing when n <= 8, the expected token count
    // before overlaps is sum_n P(n)·(n <= 8 ? 11n : 11·ceil(n/2) + 6·floor(n/2)) = 16.5%
    // of 510; overlapping and clipped spans bring the union to about 15.3%.
    let mut m = masker(K::SIX, MaskConfig::default());
    let n = 3000;
    let share = measured_share(&mut m, Strategy::GeneMask, n, 4);
    let mut rng = SeededRng::new(5);
    let mut hidden = 0usize;
    for _ in 0..n {
        let ids = model_input(K::SIX, 510, 512, &mut rng);
        let ranks = ranks_of(&m, &ids);
        let (maskable, end) = oracle::maskable_flags(&ids);
        let centres: Vec<usize> = (1..=end).filter(|_| rng.bernoulli(0.0176)).collect();
        hidden += oracle::genemask(6, &ranks, &maskable, end, &centres)
            .0
            .iter()
            .filter(|&&b| b)
            .count();
    }
    let oracle_share = hidden as f64 / (n * 510) as f64;
    assert!((0.145..0.16).contains(&share), "share {share}");
    // σ of each mean ≈ 0.0009; the difference of two, ≈ 0.0013; allow ~4σ.
    assert!(
        (share - oracle_share).abs() < 0.005,
        "masker {share} vs oracle {oracle_share}"
    );
    #[cfg(feature = "std")]
    std::println!(
        "masked share over {n} x 510 tokens: genemask {share:.4} (oracle {oracle_share:.4})"
    );
}

#[test]
fn corruption_is_80_10_10_and_labels_are_the_originals() {
    let mut m = masker(K::SIX, MaskConfig::default());
    let mut rng = SeededRng::new(6);
    let (mut out, mut lab) = (alloc::vec![0; 512], alloc::vec![0; 512]);
    let mut stats = MaskStats::default();
    let mut changed_to_random = 0;
    for _ in 0..2000 {
        let ids = model_input(K::SIX, 510, 512, &mut rng);
        stats += m.mask(Strategy::RandomSpan, &ids, &mut rng, &mut out, &mut lab);
        for i in 0..512 {
            if lab[i] == IGNORE_LABEL {
                assert_eq!(out[i], ids[i]);
            } else {
                assert_eq!(lab[i], ids[i] as i32);
                assert!(out[i] == MASK_ID || (5..4101).contains(&out[i]));
                changed_to_random += usize::from(out[i] != MASK_ID && out[i] != ids[i]);
            }
        }
    }
    // ~143 000 chosen positions: σ of a 10% share ≈ 0.0008, of 80% ≈ 0.0011.
    let n = stats.masked as f64;
    assert!(stats.masked > 100_000);
    assert!((stats.replaced_by_mask as f64 / n - 0.8).abs() < 0.005);
    assert!((stats.replaced_random as f64 / n - 0.1).abs() < 0.005);
    assert!((stats.kept as f64 / n - 0.1).abs() < 0.005);
    // A random replacement equals the original with probability 1/4096.
    assert!(changed_to_random <= stats.replaced_random);
    assert!(changed_to_random as f64 > stats.replaced_random as f64 * 0.99);
}

#[test]
fn all_ids_replacements_reach_the_specials() {
    let config = MaskConfig {
        random_ids: RandomIds::AllIds,
        random_span_p: 1.0,
        ..MaskConfig::default()
    };
    let mut m = masker(K::new(3).unwrap(), config);
    let mut rng = SeededRng::new(7);
    let ids = model_input(K::new(3).unwrap(), 510, 512, &mut rng);
    let (mut out, mut lab) = (alloc::vec![0; 512], alloc::vec![0; 512]);
    let mut seen_special = false;
    for _ in 0..200 {
        m.mask(Strategy::RandomSpan, &ids, &mut rng, &mut out, &mut lab);
        seen_special |= out[1..=510].iter().any(|&id| id < 4);
        assert!(out.iter().all(|&id| id < 69));
    }
    // 200 · 51 random replacements from 69 ids, 4 of them PAD..SEP: P(no special) ≈ 0.
    assert!(seen_special);
}

#[test]
fn inputs_with_nothing_to_mask() {
    let mut m = masker(K::SIX, MaskConfig::default());
    let mut rng = SeededRng::new(1);
    for ids in [
        &[][..],
        &[CLS_ID, SEP_ID, PAD_ID][..],
        &[CLS_ID][..],
        &[9][..],
    ] {
        for strategy in Strategy::ALL {
            let sel = m.select(strategy, ids, &mut rng);
            assert_eq!((sel.maskable, sel.end, sel.masked_count()), (0, 0, 0));
            let (mut out, mut lab) = (alloc::vec![0; ids.len()], alloc::vec![0; ids.len()]);
            let stats = m.mask(strategy, ids, &mut rng, &mut out, &mut lab);
            assert_eq!(stats.masked, 0);
            assert_eq!(out, ids);
        }
    }
    // One token: every strategy with p = 1 hides exactly it.
    let config = MaskConfig {
        random_span_p: 1.0,
        genemask_p: 1.0,
        global_p: 1.0,
        ..MaskConfig::default()
    };
    let mut m = masker(K::SIX, config);
    for strategy in Strategy::ALL {
        let sel = m.select(strategy, &[CLS_ID, 77, SEP_ID], &mut rng);
        assert_eq!(sel.masked, &[false, true, false], "{strategy}");
    }
}
