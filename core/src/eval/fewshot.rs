//! The few-shot protocol's draw: n examples of every class, chosen by a seed.
//!
//! GeneMask's Table 4 repeats each n-shot fine-tuning over 10 seeds; which examples a seed
//! picks must not depend on anything but the labels, n and the seed, so that a run can be
//! repeated and two models compared on the same draws.

use crate::error::{CoreError, Result};
use crate::rng::SeededRng;
use alloc::format;
use alloc::vec::Vec;

/// Examples of each class in `labels` (index = class), for error messages and reports.
pub fn class_counts(labels: &[usize]) -> Vec<usize> {
    let classes = labels.iter().max().map_or(0, |&m| m + 1);
    let mut counts = alloc::vec![0usize; classes];
    for &l in labels {
        counts[l] += 1;
    }
    counts
}

/// Indices of `n` examples of every class `0..=max(labels)`, in ascending order.
///
/// Each class draws from its own stream (`SeededRng::derive(seed, class)`) by a partial
/// Fisher-Yates shuffle, so adding examples of one class never changes another's draw.
/// A class with fewer than `n` examples (or none) is an error: silently giving it fewer
/// would change the task.
pub fn draw_per_class(labels: &[usize], n: usize, seed: u64) -> Result<Vec<usize>> {
    if n == 0 {
        return Err(CoreError::invalid("shots", "must be at least 1"));
    }
    let counts = class_counts(labels);
    if let Some((class, &have)) = counts.iter().enumerate().find(|(_, &c)| c < n) {
        return Err(CoreError::invalid(
            "shots",
            format!("{n} per class asked, but class {class} has {have} examples"),
        ));
    }
    let mut picked = Vec::with_capacity(n * counts.len());
    let mut members: Vec<usize> = Vec::new();
    for class in 0..counts.len() {
        members.clear();
        members.extend((0..labels.len()).filter(|&i| labels[i] == class));
        let mut rng = SeededRng::derive(seed, class as u64);
        for i in 0..n {
            let j = i + rng.below((members.len() - i) as u64) as usize;
            members.swap(i, j);
        }
        picked.extend_from_slice(&members[..n]);
    }
    picked.sort_unstable();
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn class_counts_counts_each_label() {
        assert_eq!(class_counts(&[0, 2, 2, 1, 2]), [1, 1, 3]);
        assert!(class_counts(&[]).is_empty());
    }

    #[test]
    fn draw_refuses_a_class_with_too_few_examples() {
        let err = draw_per_class(&[0, 0, 0, 1], 2, 1).unwrap_err();
        assert!(format!("{err}").contains("class 1 has 1"), "{err}");
        // A class that is absent between present ones has 0 examples.
        let err = draw_per_class(&[0, 0, 2, 2], 1, 1).unwrap_err();
        assert!(format!("{err}").contains("class 1 has 0"), "{err}");
        assert!(draw_per_class(&[0, 1], 0, 1).is_err());
    }

    #[test]
    fn draw_is_a_function_of_labels_n_and_seed() {
        let labels: Vec<usize> = (0..200).map(|i| i % 3).collect();
        let a = draw_per_class(&labels, 10, 7).unwrap();
        assert_eq!(a, draw_per_class(&labels, 10, 7).unwrap());
        assert_ne!(a, draw_per_class(&labels, 10, 8).unwrap());
    }

    #[test]
    fn draw_of_one_class_ignores_examples_of_another() {
        // Appending class-1 examples must not move class 0's draw.
        let short = [0, 1, 0, 0, 1, 0, 0];
        let mut long = short.to_vec();
        long.extend([1, 1, 1]);
        let zeros = |v: Vec<usize>, l: &[usize]| -> Vec<usize> {
            v.into_iter().filter(|&i| l[i] == 0).collect()
        };
        assert_eq!(
            zeros(draw_per_class(&short, 2, 3).unwrap(), &short),
            zeros(draw_per_class(&long, 2, 3).unwrap(), &long)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn draw_takes_n_distinct_examples_of_every_class(
            labels in proptest::collection::vec(0usize..4, 1..120),
            n in 1usize..6,
            seed in any::<u64>(),
        ) {
            let counts = class_counts(&labels);
            match draw_per_class(&labels, n, seed) {
                Ok(picked) => {
                    prop_assert!(counts.iter().all(|&c| c >= n));
                    prop_assert!(picked.windows(2).all(|w| w[0] < w[1]));
                    let drawn = class_counts(&picked.iter().map(|&i| labels[i]).collect::<Vec<_>>());
                    prop_assert!(drawn.iter().all(|&c| c == n));
                    prop_assert_eq!(drawn.len(), counts.len());
                }
                Err(_) => prop_assert!(counts.iter().any(|&c| c < n)),
            }
        }
    }
}
