//! The paired t-test between two variants over pretraining seeds (the CM-GEMS paper's Table 3
//! uses a paired t-test). statrs gives Student's t distribution rather than a hand-written
//! incomplete beta function.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The test of "mean of a − b is 0" over paired observations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedTest {
    pub n: usize,
    /// Mean of a − b.
    pub mean_diff: f64,
    pub t: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// The two-sided paired t-test of `a` against `b` (same length); `None` below two pairs,
/// where the spread of the differences is unknown.
pub fn paired_t(a: &[f64], b: &[f64]) -> Option<PairedTest> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    let (t, p) = if se == 0.0 {
        // Identical differences: no spread to test against.
        if mean == 0.0 {
            (0.0, 1.0)
        } else {
            (mean.signum() * f64::INFINITY, 0.0)
        }
    } else {
        let t = mean / se;
        let dist = StudentsT::new(0.0, 1.0, (n - 1) as f64).expect("n >= 2 gives valid freedom");
        (t, 2.0 * (1.0 - dist.cdf(t.abs())))
    };
    Some(PairedTest {
        n,
        mean_diff: mean,
        t,
        p,
    })
}

/// Holm's step-down adjustment of `p` (in the given order): the i-th smallest of m p-values
/// becomes max over j ≤ i of min(1, (m − j + 1) · p(j)). A test is significant at level α
/// after correction when its adjusted p is below α; the family-wise error stays at most α.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against R's `p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")` = 0.03 0.06 0.06 0.02.
    #[test]
    fn holm_matches_r_p_adjust() {
        let got = holm(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
        // Capped at 1, monotone in the raw order, and the empty family.
        assert_eq!(holm(&[0.5, 0.6]), [1.0, 1.0]);
        assert!(holm(&[]).is_empty());
    }

    /// Against published critical values: t = 4.303 at 2 degrees of freedom and t = 2.571 at
    /// 5 are the two-sided 5% points; scipy.stats.ttest_rel gives the same t.
    #[test]
    fn p_values_match_the_t_table() {
        // Differences 1, 2, 3 + c: mean 2 + c, sd 1, se 1/sqrt(3).
        let b = [0.0, 0.0, 0.0];
        let shift = 4.302_653 / 3f64.sqrt() - 2.0;
        let a = [1.0 + shift, 2.0 + shift, 3.0 + shift];
        let r = paired_t(&a, &b).unwrap();
        assert!((r.t - 4.302_653).abs() < 1e-6, "{r:?}");
        assert!((r.p - 0.05).abs() < 1e-5, "{r:?}");
        // Six pairs, differences with mean m and sd 1: t = m * sqrt(6).
        let d = [-1.0, -0.5, 0.0, 0.0, 0.5, 1.0];
        let sd = (d.iter().map(|x: &f64| x * x).sum::<f64>() / 5.0).sqrt();
        let m = 2.570_582 * sd / 6f64.sqrt();
        let a: Vec<f64> = d.iter().map(|x| x + m).collect();
        let r = paired_t(&a, &[0.0; 6]).unwrap();
        assert!((r.p - 0.05).abs() < 1e-5, "{r:?}");
        // Order matters for the sign only.
        let back = paired_t(&[0.0; 6], &a).unwrap();
        assert_eq!((back.t, back.p), (-r.t, r.p));
    }

    #[test]
    fn degenerate_inputs_do_not_divide_by_zero() {
        assert_eq!(paired_t(&[1.0], &[0.0]), None);
        assert_eq!(paired_t(&[1.0, 2.0], &[1.0, 2.0]).unwrap().p, 1.0);
        assert_eq!(paired_t(&[2.0, 3.0], &[1.0, 2.0]).unwrap().p, 0.0);
    }
}
