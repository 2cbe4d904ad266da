//! L2-regularised logistic regression, scikit-learn's `LogisticRegression` objective
//! (docs/algorithms.md §9 step 3), one-vs-rest for more than two classes.
//!
//! For one binary problem with targets y_i ∈ {0, 1}, parameters w (d) and intercept b:
//!
//! F(w, b) = C · Σ_i [softplus(z_i) − y_i z_i] + ½‖w‖²,   z_i = w·x_i + b.
//!
//! The intercept is not penalised (sklearn's lbfgs / newton solvers; liblinear would
//! penalise it). F is strictly convex in w and convex in b, and its minimum is unique
//! whenever both classes occur, so any exact solver lands on sklearn's answer; only the
//! stopping rule differs. Ours stops when max |∇F| / (C·n) <= `tol`, the quantity sklearn's
//! lbfgs compares with its `tol` (default 1e-4, which leaves coefficients off by ~1e-3).

use super::lbfgs::{minimize, Settings};
use super::Features;
use crate::error::{CoreError, Result};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// Settings of the fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticConfig {
    /// Inverse regularisation strength (sklearn's C; the spec's 1.0).
    pub c: f64,
    /// Stop when max |∇F| / (C·n) falls to this (see the module doc).
    pub tol: f64,
    /// L-BFGS iterations at most, per binary problem.
    pub max_iter: usize,
    /// L-BFGS correction pairs kept.
    pub memory: usize,
}

impl Default for LogisticConfig {
    /// C = 1 (docs/algorithms.md §9), tolerance 1e-10 (coefficients exact to ~1e-8 on the fixture),
    /// 10,000 iterations, 10 pairs (scipy's default).
    fn default() -> Self {
        LogisticConfig {
            c: 1.0,
            tol: 1e-10,
            max_iter: 10_000,
            memory: 10,
        }
    }
}

impl LogisticConfig {
    fn validate(&self) -> Result<()> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(CoreError::invalid("c", format!("{} is not > 0", self.c)));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(CoreError::invalid(
                "tol",
                format!("{} is not > 0", self.tol),
            ));
        }
        if self.max_iter == 0 || self.memory == 0 {
            return Err(CoreError::invalid(
                "max_iter",
                "max_iter and memory must be >= 1",
            ));
        }
        Ok(())
    }
}

/// log(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + libm::log1p(libm::exp(-z.abs()))
}

/// 1 / (1 + e^−z) without overflow.
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + libm::exp(-z))
    } else {
        let e = libm::exp(z);
        e / (1.0 + e)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// F and ∇F at `theta` = [w_0 .. w_{d−1}, b] (see the module doc). `x` is row-major n x d,
/// `positive[i]` is y_i = 1.
pub(crate) fn objective(
    x: &[f64],
    positive: &[bool],
    c: f64,
    theta: &[f64],
    grad: &mut [f64],
) -> f64 {
    let d = theta.len() - 1;
    let (w, b) = (&theta[..d], theta[d]);
    grad[..d].copy_from_slice(w);
    grad[d] = 0.0;
    let mut loss = 0.0;
    for (row, &y) in x.chunks_exact(d).zip(positive) {
        let z = dot(w, row) + b;
        let y = if y { 1.0 } else { 0.0 };
        loss += softplus(z) - y * z;
        let r = c * (sigmoid(z) - y);
        grad[..d].iter_mut().zip(row).for_each(|(g, v)| *g += r * v);
        grad[d] += r;
    }
    c * loss + 0.5 * dot(w, w)
}

/// How the solver ended for one binary problem.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitInfo {
    /// L-BFGS iterations taken.
    pub iterations: usize,
    /// max |∇F| / (C·n) at the returned coefficients.
    pub gradient: f64,
    /// Whether `gradient <= tol`; false means the iteration cap or rounding stopped it.
    pub converged: bool,
}

/// A fitted model: one binary logistic regression for 2 classes (class 1 vs 0), else one
/// per class (class c vs the rest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    n_features: usize,
    n_classes: usize,
    /// Row-major (models x n_features), as sklearn's `coef_`.
    coef: Vec<f64>,
    /// One per model, as sklearn's `intercept_`.
    intercept: Vec<f64>,
    fits: Vec<FitInfo>,
}

/// Every class in `0..n_classes` must occur in the train labels: sklearn would drop an
/// absent class from `classes_` and the columns would no longer mean class ids.
fn check_train_labels(labels: &[usize], n_classes: usize) -> Result<()> {
    if n_classes < 2 {
        return Err(CoreError::invalid(
            "n_classes",
            "a classifier needs at least 2",
        ));
    }
    let mut count = vec![0usize; n_classes];
    for (i, &l) in labels.iter().enumerate() {
        match count.get_mut(l) {
            Some(c) => *c += 1,
            None => {
                return Err(CoreError::invalid(
                    "labels",
                    format!("label {l} at row {i} is not below n_classes = {n_classes}"),
                ))
            }
        }
    }
    match count.iter().position(|&c| c == 0) {
        Some(c) => Err(CoreError::invalid(
            "labels",
            format!("class {c} of {n_classes} has no example in the train split"),
        )),
        None => Ok(()),
    }
}

impl LogisticModel {
    /// Fits on standardised train rows `x` with labels in `0..n_classes`, each present.
    pub fn fit(
        x: &Features,
        labels: &[usize],
        n_classes: usize,
        config: &LogisticConfig,
    ) -> Result<LogisticModel> {
        config.validate()?;
        x.check_labels(labels)?;
        check_train_labels(labels, n_classes)?;
        let d = x.n_features();
        let targets: Vec<usize> = if n_classes == 2 {
            vec![1]
        } else {
            (0..n_classes).collect()
        };
        let (mut coef, mut intercept, mut fits) = (Vec::new(), Vec::new(), Vec::new());
        for class in targets {
            let positive: Vec<bool> = labels.iter().map(|&l| l == class).collect();
            let (theta, info) = fit_binary(x, &positive, config);
            coef.extend_from_slice(&theta[..d]);
            intercept.push(theta[d]);
            fits.push(info);
        }
        Ok(LogisticModel {
            n_features: d,
            n_classes,
            coef,
            intercept,
            fits,
        })
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Coefficients, row-major (1 x d for 2 classes, else n_classes x d), as sklearn's `coef_`.
    pub fn coef(&self) -> &[f64] {
        &self.coef
    }

    /// Intercepts, one per row of [`Self::coef`].
    pub fn intercept(&self) -> &[f64] {
        &self.intercept
    }

    /// How each binary fit ended.
    pub fn fits(&self) -> &[FitInfo] {
        &self.fits
    }

    fn check_width(&self, x: &Features) -> Result<()> {
        if x.n_features() == self.n_features {
            Ok(())
        } else {
            Err(CoreError::Mismatch(format!(
                "rows have {} features, the model was fitted on {}",
                x.n_features(),
                self.n_features
            )))
        }
    }

    /// w·x + b per row and model, row-major (n x models), as sklearn's `decision_function`.
    pub fn decision_function(&self, x: &Features) -> Result<Vec<f64>> {
        self.check_width(x)?;
        let mut out = Vec::with_capacity(x.n_rows() * self.intercept.len());
        for row in x.rows() {
            for (w, b) in self.coef.chunks_exact(self.n_features).zip(&self.intercept) {
                out.push(dot(w, row) + b);
            }
        }
        Ok(out)
    }

    /// Class probabilities, row-major n x n_classes, as sklearn's `predict_proba`: binary
    /// [1 − σ(z), σ(z)]; one-vs-rest σ(z_c) normalised to sum 1 (computed from log σ so a
    /// row never underflows to all zeros).
    pub fn predict_proba(&self, x: &Features) -> Result<Vec<f64>> {
        let z = self.decision_function(x)?;
        if self.n_classes == 2 {
            return Ok(z
                .iter()
                .flat_map(|&z| {
                    let p = sigmoid(z);
                    [1.0 - p, p]
                })
                .collect());
        }
        let mut out = Vec::with_capacity(z.len());
        for row in z.chunks_exact(self.n_classes) {
            // log σ(z) = −softplus(−z).
            let logs: Vec<f64> = row.iter().map(|&z| -softplus(-z)).collect();
            let top = logs.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let start = out.len();
            out.extend(logs.iter().map(|&l| libm::exp(l - top)));
            let sum: f64 = out[start..].iter().sum();
            out[start..].iter_mut().for_each(|p| *p /= sum);
        }
        Ok(out)
    }

    /// Predicted class per row, as sklearn: binary z > 0 is class 1; one-vs-rest the
    /// largest z_c, the first class on a tie.
    pub fn predict(&self, x: &Features) -> Result<Vec<usize>> {
        let z = self.decision_function(x)?;
        if self.n_classes == 2 {
            return Ok(z.iter().map(|&z| usize::from(z > 0.0)).collect());
        }
        Ok(z.chunks_exact(self.n_classes)
            .map(|row| (1..row.len()).fold(0, |best, c| if row[c] > row[best] { c } else { best }))
            .collect())
    }
}

/// One binary problem from θ = 0.
fn fit_binary(x: &Features, positive: &[bool], config: &LogisticConfig) -> (Vec<f64>, FitInfo) {
    let scale = config.c * x.n_rows() as f64;
    let settings = Settings {
        memory: config.memory,
        max_iter: config.max_iter,
        gradient_tol: config.tol * scale,
    };
    let m = minimize(vec![0.0; x.n_features() + 1], settings, |theta, grad| {
        objective(x.values(), positive, config.c, theta, grad)
    });
    let info = FitInfo {
        iterations: m.iterations,
        gradient: m.gradient_max / scale,
        converged: m.converged,
    };
    (m.x, info)
}
