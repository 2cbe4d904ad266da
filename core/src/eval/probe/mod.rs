//! The zero-shot probe's statistics (docs/algorithms.md §9): standardise the
//! embeddings with the train split's statistics, fit an L2-regularised logistic
//! regression (C = 1, one-vs-rest beyond two classes) on the train split, score ROC AUC,
//! accuracy and MCC on the test split. Embedding the sequences (burn) is the caller's job;
//! everything here is pure arithmetic on `f64` rows, checked against scikit-learn in
//! `tests/probe_vs_sklearn.rs`.
//!
//! **Why a solver of our own and not a crate.** The only maintained Rust logistic
//! regression is `linfa-logistic`. It builds on `ndarray`, `argmin` and `std`, so it cannot
//! live in this `no_std` core (which the browser build shares), and the core is where the
//! trainer, the browser and tests can all reach it. Its objective is sklearn's up to scale
//! (Σ log-loss + α/2‖w‖², intercept unpenalised, so α = 1/C), but its multi-class model is
//! multinomial, not the one-vs-rest the spec asks for. The problem itself is small and
//! smooth: a strictly convex function of d + 1 parameters per class. L-BFGS
//! (`lbfgs.rs`, ~100 lines, the algorithm behind sklearn's default solver) reaches its
//! unique minimum to ~1e-10 relative gradient in O(n·d) memory and time per iteration,
//! which also suits d = 768 embeddings of ~50k sequences, where Newton's O(n·d²) Hessian
//! would not.

mod features;
mod lbfgs;
mod logistic;
#[cfg(test)]
mod tests;

pub use features::{Features, Standardizer};
pub use logistic::{FitInfo, LogisticConfig, LogisticModel};

use crate::error::Result;
use crate::eval::metrics::{roc_auc_binary, roc_auc_ovr, ConfusionMatrix};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// A fitted probe: the train split's standardiser and the logistic model on top.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    standardizer: Standardizer,
    model: LogisticModel,
    n_train: usize,
}

/// The probe's scores on the test split, for JSON and tables.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbeReport {
    pub n_train: usize,
    pub n_test: usize,
    pub n_features: usize,
    pub n_classes: usize,
    /// Binary: on p(class 1); multi-class: macro one-vs-rest.
    pub auc: f64,
    pub accuracy: f64,
    pub mcc: f64,
    /// Features constant on the train split (scale 1; they cannot inform the fit).
    pub constant_features: usize,
    /// The most L-BFGS iterations any binary problem took.
    pub iterations: usize,
    /// Whether every binary problem met the tolerance.
    pub converged: bool,
}

impl Probe {
    /// Standardises `train` with its own statistics and fits the model on it. Labels are
    /// class ids `0..n_classes`; every class must occur.
    pub fn fit(
        train: &Features,
        labels: &[usize],
        n_classes: usize,
        config: &LogisticConfig,
    ) -> Result<Probe> {
        train.check_labels(labels)?;
        let standardizer = Standardizer::fit(train);
        let scaled = standardizer.transform(train)?;
        let scaled = Features::new(&scaled, train.n_features())?;
        let model = LogisticModel::fit(&scaled, labels, n_classes, config)?;
        Ok(Probe {
            standardizer,
            model,
            n_train: train.n_rows(),
        })
    }

    /// The train split's standardiser.
    pub fn standardizer(&self) -> &Standardizer {
        &self.standardizer
    }

    /// The logistic model (on standardised features).
    pub fn model(&self) -> &LogisticModel {
        &self.model
    }

    /// Class probabilities of raw rows, row-major n x n_classes.
    pub fn predict_proba(&self, x: &Features) -> Result<Vec<f64>> {
        let s = self.standardizer.transform(x)?;
        self.model
            .predict_proba(&Features::new(&s, x.n_features())?)
    }

    /// Predicted classes of raw rows.
    pub fn predict(&self, x: &Features) -> Result<Vec<usize>> {
        let s = self.standardizer.transform(x)?;
        self.model.predict(&Features::new(&s, x.n_features())?)
    }

    /// Scores the test split: ROC AUC (binary on p(class 1), else macro one-vs-rest, which
    /// needs every class in `labels`), accuracy and MCC.
    pub fn evaluate(&self, test: &Features, labels: &[usize]) -> Result<ProbeReport> {
        test.check_labels(labels)?;
        let c = self.model.n_classes();
        let scaled = self.standardizer.transform(test)?;
        let scaled = Features::new(&scaled, test.n_features())?;
        let probs = self.model.predict_proba(&scaled)?;
        let cm = ConfusionMatrix::new(labels, &self.model.predict(&scaled)?, c)?;
        let auc = if c == 2 {
            let pos: Vec<f64> = probs.chunks_exact(2).map(|r| r[1]).collect();
            roc_auc_binary(labels, &pos)?
        } else {
            roc_auc_ovr(labels, &probs, c)?
        };
        let fits = self.model.fits();
        Ok(ProbeReport {
            n_train: self.n_train,
            n_test: test.n_rows(),
            n_features: test.n_features(),
            n_classes: c,
            auc,
            accuracy: cm.accuracy(),
            mcc: cm.mcc(),
            constant_features: self.standardizer.constant_features(),
            iterations: fits.iter().map(|f| f.iterations).max().unwrap_or(0),
            converged: fits.iter().all(|f| f.converged),
        })
    }
}

/// The whole probe in one call: fit on the train split, score the test split.
pub fn run_probe(
    train: (&Features, &[usize]),
    test: (&Features, &[usize]),
    n_classes: usize,
    config: &LogisticConfig,
) -> Result<ProbeReport> {
    Probe::fit(train.0, train.1, n_classes, config)?.evaluate(test.0, test.1)
}
