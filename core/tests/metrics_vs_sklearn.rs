//! The metrics against scikit-learn's own numbers.
//!
//! `fixtures/metrics_sklearn.json` was written once by `fixtures/make_metrics_fixtures.py`
//! (sklearn and numpy versions are recorded in the file): binary, 3- and 4-class cases with
//! tied probabilities, perfect, constant and all-wrong predictions, classes never predicted
//! and classes absent from the truth, plus binary AUCs on raw scores with ties.

use cmgems_core::eval::metrics::{
    accuracy, classification_report, matthews_corrcoef, precision_recall_f1_macro, roc_auc_binary,
    roc_auc_ovo,
};
use serde::Deserialize;

const FIXTURE: &str = include_str!("fixtures/metrics_sklearn.json");
const TOL: f64 = 1e-9;

#[derive(Deserialize)]
struct Fixture {
    sklearn_version: String,
    reports: Vec<ReportCase>,
    auc_binary: Vec<AucCase>,
}

#[derive(Deserialize)]
struct ReportCase {
    name: String,
    n_classes: usize,
    y_true: Vec<usize>,
    y_pred: Vec<usize>,
    /// Row-major n x n_classes; null when the case has no scores.
    probs: Option<Vec<f64>>,
    accuracy: f64,
    mcc: f64,
    precision: f64,
    recall: f64,
    f1: f64,
    /// null with probs given: sklearn could not compute the AUC.
    auc: Option<f64>,
}

#[derive(Deserialize)]
struct AucCase {
    name: String,
    y_true: Vec<usize>,
    scores: Vec<f64>,
    auc: f64,
}

fn fixture() -> Fixture {
    serde_json::from_str(FIXTURE).expect("fixture parses")
}

fn close(name: &str, what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOL,
        "{name}: {what} = {got}, sklearn says {want}"
    );
}

#[test]
fn fixture_covers_the_cases_it_claims() {
    let f = fixture();
    assert!(!f.sklearn_version.is_empty());
    for c in [2, 3, 4] {
        assert!(f.reports.iter().any(|r| r.n_classes == c));
    }
    let undefined_auc = f
        .reports
        .iter()
        .filter(|r| r.probs.is_some() && r.auc.is_none())
        .count();
    assert!(undefined_auc >= 3, "cases where sklearn has no AUC");
    let ties = f.auc_binary.iter().any(|a| {
        let mut s = a.scores.clone();
        s.sort_by(f64::total_cmp);
        s.windows(2).any(|w| w[0] == w[1])
    });
    assert!(ties);
}

#[test]
fn scalar_metrics_match_sklearn() {
    for r in fixture().reports {
        let n = &r.name;
        close(
            n,
            "accuracy",
            accuracy(&r.y_true, &r.y_pred).unwrap(),
            r.accuracy,
        );
        close(
            n,
            "mcc",
            matthews_corrcoef(&r.y_true, &r.y_pred).unwrap(),
            r.mcc,
        );
        let prf = precision_recall_f1_macro(&r.y_true, &r.y_pred, r.n_classes).unwrap();
        close(n, "precision", prf.precision, r.precision);
        close(n, "recall", prf.recall, r.recall);
        close(n, "f1", prf.f1, r.f1);
    }
}

#[test]
fn auc_matches_sklearn_and_fails_where_sklearn_does() {
    for r in fixture().reports {
        let Some(probs) = &r.probs else { continue };
        let c = r.n_classes;
        let ovo = roc_auc_ovo(&r.y_true, probs, c);
        let report = classification_report(&r.y_true, &r.y_pred, Some((probs, c)), c);
        match r.auc {
            Some(want) => {
                close(&r.name, "ovo auc", ovo.unwrap(), want);
                let report = report.unwrap();
                close(&r.name, "report auc", report.auc.unwrap(), want);
                close(&r.name, "report mcc", report.mcc, r.mcc);
                close(&r.name, "report f1", report.f1, r.f1);
                if c == 2 {
                    let pos: Vec<f64> = probs.chunks(2).map(|row| row[1]).collect();
                    close(
                        &r.name,
                        "binary auc",
                        roc_auc_binary(&r.y_true, &pos).unwrap(),
                        want,
                    );
                }
            }
            None => {
                assert!(
                    ovo.is_err(),
                    "{}: sklearn has no AUC, we gave {ovo:?}",
                    r.name
                );
                assert!(report.is_err(), "{}", r.name);
            }
        }
    }
}

#[test]
fn report_without_scores_matches_sklearn() {
    for r in fixture().reports {
        let rep = classification_report(&r.y_true, &r.y_pred, None, r.n_classes).unwrap();
        close(&r.name, "accuracy", rep.accuracy, r.accuracy);
        close(&r.name, "mcc", rep.mcc, r.mcc);
        close(&r.name, "precision", rep.precision, r.precision);
        close(&r.name, "recall", rep.recall, r.recall);
        close(&r.name, "f1", rep.f1, r.f1);
        assert_eq!(rep.auc, None);
    }
}

#[test]
fn binary_auc_on_raw_scores_matches_sklearn() {
    for a in fixture().auc_binary {
        close(
            &a.name,
            "auc",
            roc_auc_binary(&a.y_true, &a.scores).unwrap(),
            a.auc,
        );
        let rep = classification_report(&a.y_true, &a.y_true, Some((&a.scores, 1)), 2).unwrap();
        close(&a.name, "report auc", rep.auc.unwrap(), a.auc);
    }
}
