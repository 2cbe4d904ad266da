//! A small L-BFGS minimiser for smooth convex objectives (the probe's logistic loss).
//!
//! Nocedal & Wright, *Numerical Optimization*, algorithm 7.4 (the two-loop recursion) with
//! a backtracking Armijo line search. On a strictly convex objective every step satisfies
//! the curvature condition s·y > 0, so Armijo alone keeps the inverse-Hessian estimate
//! positive definite and a Wolfe search (which `argmin` and scipy use) buys nothing here.
//!
//! Near the optimum the decrease a step promises can fall below the rounding error of the
//! objective itself (a sum of n log-losses); a strict Armijo test would then reject the
//! good quasi-Newton step and stall. The test therefore allows a slack of a few ulps of the
//! objective, and convergence is judged on the gradient alone, which stays accurate.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

/// How hard to minimise.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Correction pairs kept (the "m" of L-BFGS).
    pub memory: usize,
    /// Iterations (accepted steps) at most.
    pub max_iter: usize,
    /// Stop when max |gradient component| <= `gradient_tol`.
    pub gradient_tol: f64,
}

/// Where the minimiser stopped.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub x: Vec<f64>,
    /// max |gradient component| at `x`.
    pub gradient_max: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// Armijo's sufficient-decrease constant (the usual 1e-4).
const ARMIJO: f64 = 1e-4;
/// Halvings of the step before the line search gives up.
const MAX_HALVINGS: usize = 60;
/// Rounding slack of the Armijo test, in units of |f| (a few hundred ulps: a sum of many
/// terms loses that much).
const VALUE_SLACK: f64 = 256.0 * f64::EPSILON;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// The L-BFGS direction −H·g from the stored (s, y, 1/(y·s)) pairs, oldest first.
fn direction(g: &[f64], pairs: &VecDeque<(Vec<f64>, Vec<f64>, f64)>) -> Vec<f64> {
    let mut q: Vec<f64> = g.to_vec();
    let mut alpha = vec![0.0; pairs.len()];
    for (i, (s, y, rho)) in pairs.iter().enumerate().rev() {
        alpha[i] = rho * dot(s, &q);
        q.iter_mut().zip(y).for_each(|(q, y)| *q -= alpha[i] * y);
    }
    // H0 = γI with γ = s·y / y·y of the newest pair (Nocedal & Wright eq. 7.20).
    let gamma = match pairs.back() {
        Some((_, y, rho)) => 1.0 / (rho * dot(y, y)),
        None => 1.0,
    };
    q.iter_mut().for_each(|q| *q *= gamma);
    for (i, (s, y, rho)) in pairs.iter().enumerate() {
        let beta = rho * dot(y, &q);
        q.iter_mut()
            .zip(s)
            .for_each(|(q, s)| *q += (alpha[i] - beta) * s);
    }
    q.iter_mut().for_each(|q| *q = -*q);
    q
}

/// Minimises `f` from `x0`. `f(x, grad)` returns the objective at `x` and writes its
/// gradient into `grad`.
pub(crate) fn minimize(
    x0: Vec<f64>,
    settings: Settings,
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
) -> Minimum {
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut value = f(&x, &mut g);
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::new();
    let (mut x_new, mut g_new) = (vec![0.0; n], vec![0.0; n]);
    let mut iterations = 0;
    while max_abs(&g) > settings.gradient_tol && iterations < settings.max_iter {
        let mut d = direction(&g, &pairs);
        let mut slope = dot(&g, &d);
        if slope.is_nan() || slope >= 0.0 {
            // Lost descent (only through rounding): restart from steepest descent.
            pairs.clear();
            d = g.iter().map(|v| -v).collect();
            slope = -dot(&g, &g);
        }
        // The first step has no curvature estimate: keep it within unit length.
        let mut t = if pairs.is_empty() {
            (1.0 / libm::sqrt(-slope)).min(1.0)
        } else {
            1.0
        };
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            for ((xn, xi), di) in x_new.iter_mut().zip(&x).zip(&d) {
                *xn = xi + t * di;
            }
            let v = f(&x_new, &mut g_new);
            if v.is_finite() && v <= value + ARMIJO * t * slope + VALUE_SLACK * value.abs() {
                accepted = Some(v);
                break;
            }
            t *= 0.5;
        }
        let Some(v) = accepted else { break };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > f64::EPSILON * dot(&y, &y) {
            if pairs.len() == settings.memory {
                pairs.pop_front();
            }
            pairs.push_back((s, y, 1.0 / sy));
        }
        core::mem::swap(&mut x, &mut x_new);
        core::mem::swap(&mut g, &mut g_new);
        value = v;
        iterations += 1;
    }
    let gradient_max = max_abs(&g);
    Minimum {
        x,
        gradient_max,
        iterations,
        converged: gradient_max <= settings.gradient_tol,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: Settings = Settings {
        memory: 10,
        max_iter: 1000,
        gradient_tol: 1e-10,
    };

    #[test]
    fn finds_the_minimum_of_an_ill_conditioned_quadratic() {
        // f = Σ a_i (x_i - i)^2 / 2 with curvatures from 1 to 1e4.
        let a: Vec<f64> = (0..20).map(|i| libm::pow(10.0, i as f64 / 5.0)).collect();
        let m = minimize(vec![0.0; 20], SETTINGS, |x, g| {
            let mut v = 0.0;
            for i in 0..x.len() {
                let r = x[i] - i as f64;
                v += a[i] * r * r / 2.0;
                g[i] = a[i] * r;
            }
            v
        });
        assert!(m.converged, "{m:?}");
        for (i, xi) in m.x.iter().enumerate() {
            assert!((xi - i as f64).abs() < 1e-9, "x[{i}] = {xi}");
        }
    }

    fn rosenbrock(x: &[f64], g: &mut [f64]) -> f64 {
        let (a, b) = (x[0], x[1]);
        g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
        g[1] = 200.0 * (b - a * a);
        (1.0 - a) * (1.0 - a) + 100.0 * (b - a * a) * (b - a * a)
    }

    #[test]
    fn minimises_rosenbrock() {
        // Not convex, but the classic test that the line search and updates work.
        let m = minimize(vec![-1.2, 1.0], SETTINGS, rosenbrock);
        assert!(m.converged, "{m:?}");
        assert!((m.x[0] - 1.0).abs() < 1e-8 && (m.x[1] - 1.0).abs() < 1e-8);
    }

    #[test]
    fn stops_at_max_iter_and_says_so() {
        let m = minimize(
            vec![-1.2, 1.0],
            Settings {
                max_iter: 3,
                ..SETTINGS
            },
            rosenbrock,
        );
        assert_eq!(m.iterations, 3);
        assert!(!m.converged);
    }
}
