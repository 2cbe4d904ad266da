//! The zero-shot probe against scikit-learn's own numbers.
//!
//! `fixtures/probe_sklearn.json` was written once by `fixtures/probe_vs_sklearn.py` (sklearn
//! and numpy versions are recorded in the file): a binary, a 3-class (one-vs-rest) and a
//! binary case with a feature constant on the train split, each 120 train / 60 test rows of
//! 8 features at very different offsets and scales. The reference is sklearn's exact optimum
//! (newton-cholesky, tol 1e-12); sklearn's default lbfgs stops ~1e-3 away from it.

use cmgems_core::eval::probe::{run_probe, Features, LogisticConfig, Probe};
use serde::Deserialize;

const FIXTURE: &str = include_str!("fixtures/probe_sklearn.json");
/// Standardiser statistics: the same arithmetic up to summation order.
const TOL_SCALER: f64 = 1e-9;
/// Coefficients, intercepts, probabilities and the scores built on them.
const TOL_FIT: f64 = 1e-6;

#[derive(Deserialize)]
struct Fixture {
    sklearn_version: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    n_classes: usize,
    n_features: usize,
    train_x: Vec<f64>,
    train_y: Vec<usize>,
    test_x: Vec<f64>,
    test_y: Vec<usize>,
    mean: Vec<f64>,
    scale: Vec<f64>,
    coef: Vec<f64>,
    intercept: Vec<f64>,
    test_probs: Vec<f64>,
    test_pred: Vec<usize>,
    auc: f64,
    accuracy: f64,
    mcc: f64,
    default_solver_max_coef_deviation: f64,
}

impl Case {
    fn train(&self) -> Features<'_> {
        Features::new(&self.train_x, self.n_features).unwrap()
    }

    fn test(&self) -> Features<'_> {
        Features::new(&self.test_x, self.n_features).unwrap()
    }

    fn probe(&self) -> Probe {
        Probe::fit(
            &self.train(),
            &self.train_y,
            self.n_classes,
            &LogisticConfig::default(),
        )
        .unwrap()
    }
}

fn fixture() -> Fixture {
    serde_json::from_str(FIXTURE).expect("fixture parses")
}

/// Largest |got - want|, asserting it is within `tol`.
fn max_dev(case: &str, what: &str, got: &[f64], want: &[f64], tol: f64) -> f64 {
    assert_eq!(got.len(), want.len(), "{case}: {what} length");
    let dev = got
        .iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs())
        .fold(0.0, f64::max);
    assert!(dev <= tol, "{case}: {what} off by {dev} (tolerance {tol})");
    dev
}

#[test]
fn fixture_covers_the_cases_it_claims() {
    let f = fixture();
    assert!(!f.sklearn_version.is_empty());
    assert!(f.cases.iter().any(|c| c.n_classes == 2));
    assert!(f.cases.iter().any(|c| c.n_classes == 3));
    // A column constant on train, which sklearn gives scale 1.
    assert!(f.cases.iter().any(|c| c.scale.contains(&1.0)));
    for c in &f.cases {
        assert_eq!(c.train_y.len(), 120, "{}", c.name);
        assert_eq!(c.test_y.len(), 60, "{}", c.name);
        // The exact optimum is what we compare to; sklearn's default solver is farther off
        // than our tolerance, so this test could tell the two apart.
        assert!(
            c.default_solver_max_coef_deviation > 10.0 * TOL_FIT,
            "{}",
            c.name
        );
    }
}

#[test]
fn standardiser_matches_standard_scaler() {
    for c in fixture().cases {
        let probe = c.probe();
        let s = probe.standardizer();
        // Relative: one column sits near 1e6.
        let rel = |got: &[f64], want: &[f64]| -> Vec<f64> {
            got.iter()
                .zip(want)
                .map(|(g, w)| g / w.abs().max(1.0))
                .collect()
        };
        let want_mean = rel(&c.mean, &c.mean);
        max_dev(
            &c.name,
            "mean",
            &rel(s.mean(), &c.mean),
            &want_mean,
            TOL_SCALER,
        );
        max_dev(&c.name, "scale", s.scale(), &c.scale, TOL_SCALER);
        let constant = c.scale.iter().filter(|&&v| v == 1.0).count();
        assert_eq!(s.constant_features(), constant, "{}", c.name);
    }
}

#[test]
fn coefficients_and_probabilities_match_logistic_regression() {
    for c in fixture().cases {
        let probe = c.probe();
        let m = probe.model();
        assert!(
            m.fits().iter().all(|f| f.converged),
            "{}: {:?}",
            c.name,
            m.fits()
        );
        let dc = max_dev(&c.name, "coef", m.coef(), &c.coef, TOL_FIT);
        let di = max_dev(&c.name, "intercept", m.intercept(), &c.intercept, TOL_FIT);
        let probs = probe.predict_proba(&c.test()).unwrap();
        let dp = max_dev(
            &c.name,
            "test probabilities",
            &probs,
            &c.test_probs,
            TOL_FIT,
        );
        assert_eq!(probe.predict(&c.test()).unwrap(), c.test_pred, "{}", c.name);
        println!(
            "{}: max deviation coef {dc:.2e}, intercept {di:.2e}, probabilities {dp:.2e} \
             after {} L-BFGS iterations (sklearn's default solver: coef {:.2e})",
            c.name,
            m.fits().iter().map(|f| f.iterations).max().unwrap_or(0),
            c.default_solver_max_coef_deviation
        );
    }
}

#[test]
fn report_matches_sklearn_metrics() {
    for c in fixture().cases {
        let r = run_probe(
            (&c.train(), &c.train_y),
            (&c.test(), &c.test_y),
            c.n_classes,
            &LogisticConfig::default(),
        )
        .unwrap();
        let dev = [
            (r.auc - c.auc).abs(),
            (r.accuracy - c.accuracy).abs(),
            (r.mcc - c.mcc).abs(),
        ];
        assert!(
            dev.iter().all(|&d| d <= 1e-12),
            "{}: {r:?} vs sklearn {dev:?}",
            c.name
        );
        assert_eq!((r.n_train, r.n_test), (120, 60));
        assert!(r.converged);
        println!(
            "{}: AUC {:.6} accuracy {:.6} MCC {:.6}",
            c.name, r.auc, r.accuracy, r.mcc
        );
    }
}
