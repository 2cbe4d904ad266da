//! The probe against hand values, brute force and bad input.

use super::logistic::objective;
use super::*;
use crate::error::CoreError;
use alloc::vec::Vec;
use proptest::prelude::*;

/// The objective written the plain way (no stable softplus, no fused gradient), for
/// finite differences.
fn plain_objective(x: &[f64], y: &[bool], c: f64, theta: &[f64]) -> f64 {
    let d = theta.len() - 1;
    let mut loss = 0.0;
    for (row, &yi) in x.chunks(d).zip(y) {
        let z: f64 = row.iter().zip(theta).map(|(a, b)| a * b).sum::<f64>() + theta[d];
        loss += libm::log(1.0 + libm::exp(z)) - if yi { z } else { 0.0 };
    }
    c * loss + 0.5 * theta[..d].iter().map(|w| w * w).sum::<f64>()
}

/// Central differences of [`plain_objective`].
fn numeric_gradient(x: &[f64], y: &[bool], c: f64, theta: &[f64]) -> Vec<f64> {
    let h = 1e-6;
    (0..theta.len())
        .map(|j| {
            let mut up = theta.to_vec();
            let mut down = theta.to_vec();
            up[j] += h;
            down[j] -= h;
            (plain_objective(x, y, c, &up) - plain_objective(x, y, c, &down)) / (2.0 * h)
        })
        .collect()
}

/// n rows of d features from a tiny LCG, labels leaning on feature 0, both classes present.
fn toy(n: usize, d: usize, seed: u64) -> (Vec<f64>, Vec<bool>) {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
    };
    let x: Vec<f64> = (0..n * d).map(|_| next()).collect();
    let mut y: Vec<bool> = (0..n).map(|i| x[i * d] + next() > 0.0).collect();
    y[0] = false;
    y[1] = true;
    (x, y)
}

#[test]
fn analytic_gradient_matches_finite_differences() {
    let (x, y) = toy(30, 4, 7);
    let theta = [0.3, -0.7, 1.1, 0.05, -0.4];
    let mut g = [0.0; 5];
    let f = objective(&x, &y, 0.7, &theta, &mut g);
    assert!((f - plain_objective(&x, &y, 0.7, &theta)).abs() < 1e-12 * f);
    for (a, b) in g.iter().zip(numeric_gradient(&x, &y, 0.7, &theta)) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}

#[test]
fn symmetric_pair_has_the_hand_solution() {
    // x = -1 (class 0), x = 1 (class 1), C = 1: by symmetry b = 0, and ∂F/∂w = 0 gives
    // w = 2σ(−w) (each row contributes −σ(−w)); its root is w ≈ 0.6749.
    let x = [-1.0, 1.0];
    let f = Features::new(&x, 1).unwrap();
    let m = LogisticModel::fit(&f, &[0, 1], 2, &LogisticConfig::default()).unwrap();
    let w = m.coef()[0];
    assert!((w - 2.0 * logistic::sigmoid(-w)).abs() < 1e-10, "w = {w}");
    assert!((w - 0.6749).abs() < 1e-4, "w = {w}");
    assert!(m.intercept()[0].abs() < 1e-10);
    assert!(m.fits()[0].converged);
    // Probabilities [1 - σ(z), σ(z)] and predictions z > 0.
    let p = m.predict_proba(&f).unwrap();
    assert!((p[3] - logistic::sigmoid(w)).abs() < 1e-15 && (p[2] + p[3] - 1.0).abs() < 1e-15);
    assert_eq!(m.predict(&f).unwrap(), [0, 1]);
}

#[test]
fn separable_data_stays_finite_and_converges() {
    // Without the penalty the weights would run off to infinity.
    let x: Vec<f64> = (0..40).map(|i| i as f64).collect();
    let y: Vec<usize> = (0..40).map(|i| usize::from(i >= 20)).collect();
    let f = Features::new(&x, 1).unwrap();
    let probe = Probe::fit(&f, &y, 2, &LogisticConfig::default()).unwrap();
    let r = probe.evaluate(&f, &y).unwrap();
    assert!(
        r.converged && r.auc == 1.0 && r.accuracy == 1.0 && r.mcc == 1.0,
        "{r:?}"
    );
    assert!(probe.model().coef()[0].is_finite());
}

#[test]
fn one_vs_rest_rows_sum_to_one_and_predict_the_largest_score() {
    // Three clusters on a line: -3, 0, 3.
    let x: Vec<f64> = (0..30)
        .map(|i| (i % 3) as f64 * 3.0 - 3.0 + (i as f64) * 0.01)
        .collect();
    let y: Vec<usize> = (0..30).map(|i| i % 3).collect();
    let f = Features::new(&x, 1).unwrap();
    let probe = Probe::fit(&f, &y, 3, &LogisticConfig::default()).unwrap();
    assert_eq!(probe.model().coef().len(), 3);
    let p = probe.predict_proba(&f).unwrap();
    for row in p.chunks(3) {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    // One line cannot cut the middle class from both ends, so only the ends are certain.
    let pred = probe.predict(&f).unwrap();
    assert_eq!((pred[0], pred[2]), (0, 2));
    let r = probe.evaluate(&f, &y).unwrap();
    assert_eq!(
        (r.n_classes, r.n_train, r.n_test, r.n_features),
        (3, 30, 30, 1)
    );
}

#[test]
fn bad_inputs_are_typed_errors() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let f = Features::new(&x, 1).unwrap();
    let cfg = LogisticConfig::default();
    let invalid = |r: Result<Probe>, name: &str| match r {
        Err(CoreError::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
        other => panic!("expected invalid `{name}`, got {other:?}"),
    };
    invalid(Probe::fit(&f, &[1, 1, 1, 1], 2, &cfg), "labels");
    invalid(Probe::fit(&f, &[0, 1, 2, 1], 2, &cfg), "labels");
    invalid(Probe::fit(&f, &[0, 1, 0, 1], 3, &cfg), "labels");
    invalid(Probe::fit(&f, &[0, 0, 0, 0], 1, &cfg), "n_classes");
    let bad_c = LogisticConfig { c: 0.0, ..cfg };
    invalid(Probe::fit(&f, &[0, 1, 0, 1], 2, &bad_c), "c");
    assert!(matches!(
        Probe::fit(&f, &[0, 1, 0], 2, &cfg),
        Err(CoreError::Mismatch(_))
    ));
    let probe = Probe::fit(&f, &[0, 1, 0, 1], 2, &cfg).unwrap();
    let wide = Features::new(&x, 2).unwrap();
    assert!(matches!(
        probe.evaluate(&wide, &[0, 1]),
        Err(CoreError::Mismatch(_))
    ));
    // A test split with one class has no AUC.
    assert!(probe.evaluate(&f, &[1, 1, 1, 1]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Brute force: at the returned coefficients the finite-difference gradient of the
    /// plainly written objective vanishes, and no nearby point is lower.
    #[test]
    fn solution_is_the_minimum(n in 6usize..40, d in 1usize..6, seed in 0u64..1000,
                               c in 0.05f64..20.0) {
        let (x, y) = toy(n, d, seed);
        let labels: Vec<usize> = y.iter().map(|&b| usize::from(b)).collect();
        let cfg = LogisticConfig { c, ..LogisticConfig::default() };
        let m = LogisticModel::fit(&Features::new(&x, d).unwrap(), &labels, 2, &cfg).unwrap();
        prop_assert!(m.fits()[0].converged, "{:?}", m.fits());
        let mut theta = m.coef().to_vec();
        theta.push(m.intercept()[0]);
        let g = numeric_gradient(&x, &y, c, &theta);
        let scale = c * n as f64;
        for gj in &g {
            prop_assert!(gj.abs() < 1e-7 * scale.max(1.0), "gradient {g:?}");
        }
        let best = plain_objective(&x, &y, c, &theta);
        for j in 0..theta.len() {
            for step in [1e-3, -1e-3] {
                let mut t = theta.clone();
                t[j] += step;
                prop_assert!(plain_objective(&x, &y, c, &t) >= best - 1e-12 * best);
            }
        }
    }
}

#[test]
fn multi_class_uses_one_binary_problem_per_class() {
    // OvR = three independent binary fits: refit class 1 vs rest alone and compare.
    let (x, _) = toy(36, 3, 11);
    let labels: Vec<usize> = (0..36).map(|i| (i * 7 + i / 5) % 3).collect();
    let f = Features::new(&x, 3).unwrap();
    let cfg = LogisticConfig::default();
    let all = LogisticModel::fit(&f, &labels, 3, &cfg).unwrap();
    let one: Vec<usize> = labels.iter().map(|&l| usize::from(l == 1)).collect();
    let alone = LogisticModel::fit(&f, &one, 2, &cfg).unwrap();
    for (a, b) in all.coef()[3..6].iter().zip(alone.coef()) {
        assert!((a - b).abs() < 1e-12);
    }
    assert!((all.intercept()[1] - alone.intercept()[0]).abs() < 1e-12);
}
