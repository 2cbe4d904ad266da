//! The experiment's outputs: results table (Markdown and CSV), loss and accuracy charts, and
//! a report whose statements are computed from the numbers.

use std::fmt::Write as _;
use std::path::Path;

use super::{ExperimentConfig, ExperimentError, Outcome};
use crate::files::write_atomic;
use crate::svg::{self, Series};

pub(super) fn file_label(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Moving average over `w` points (raw per-step losses are too noisy to compare by eye).
fn smooth(points: &[(f64, f64)], w: usize) -> Vec<(f64, f64)> {
    (0..points.len())
        .map(|i| {
            let lo = i.saturating_sub(w - 1);
            let s: f64 = points[lo..=i].iter().map(|p| p.1).sum();
            (points[i].0, s / (i - lo + 1) as f64)
        })
        .collect()
}

pub(super) fn write_outputs(
    out: &Path,
    config: &ExperimentConfig,
    config_path: &Path,
    corpus_note: &str,
    outcomes: &[Outcome],
) -> Result<(), ExperimentError> {
    let shots = &config.fewshot.shots;
    let (md, csv) = table(outcomes, shots);
    let (loss_svg, acc_svg) = charts(outcomes, shots);
    let report = format!(
        "# Experiment `{}`\n\nConfig: `{}`. Corpus: {corpus_note}. Model preset `{}`, {} steps of \
         batch {} × {} × sequence {}, seed {}, backend `{}`. Few-shot: `{}` / `{}`, shots {:?}, \
         {} seeds{}.\n\n{md}\n![loss](loss.svg)\n\n![accuracy](fewshot.svg)\n\n## What the numbers say\n\n{}\n",
        config.name,
        file_label(config_path),
        config.pretrain.preset,
        config.pretrain.steps,
        config.pretrain.batch_size,
        config.pretrain.accumulation,
        config.pretrain.seq_len,
        config.pretrain.seed,
        config.pretrain.backend,
        file_label(&config.fewshot.train),
        file_label(&config.fewshot.test),
        shots,
        config.fewshot.seeds,
        config.fewshot.test_limit.map_or(String::new(), |n| format!(", {n} test examples")),
        findings(outcomes, shots),
    );
    for (file, body) in [
        ("results.md", md.as_str()),
        ("results.csv", csv.as_str()),
        ("loss.svg", loss_svg.as_str()),
        ("fewshot.svg", acc_svg.as_str()),
        ("report.md", report.as_str()),
    ] {
        write_atomic(&out.join(file), |w| w.write_all(body.as_bytes()))?;
    }
    Ok(())
}

/// The results table as Markdown and as CSV.
fn table(outcomes: &[Outcome], shots: &[usize]) -> (String, String) {
    let mut md =
        String::from("| variant | held-out perplexity (random-span masking) | CM-GEMS switch |");
    let mut csv = String::from("variant,perplexity,switch_step");
    for n in shots {
        let _ = write!(md, " {n}-shot accuracy (%) | {n}-shot MCC (%) |");
        let _ = write!(csv, ",acc_{n}_mean,acc_{n}_std,mcc_{n}_mean,mcc_{n}_std");
    }
    md += "\n|---|---:|---:|";
    md += &"---:|---:|".repeat(shots.len());
    md += "\n";
    csv += "\n";
    for o in outcomes {
        let switch = o.switch_step.map_or("–".into(), |s| s.to_string());
        let _ = write!(md, "| {} | {:.3} | {switch} |", o.name, o.perplexity);
        let _ = write!(
            csv,
            "{},{:.6},{}",
            o.name,
            o.perplexity,
            o.switch_step.map_or(String::new(), |s| s.to_string())
        );
        for n in shots {
            let r = &o.shots[n];
            let _ = write!(
                md,
                " {:.2} ± {:.2} | {:.2} ± {:.2} |",
                100.0 * r.accuracy.mean,
                100.0 * r.accuracy.std,
                100.0 * r.mcc.mean,
                100.0 * r.mcc.std
            );
            let _ = write!(
                csv,
                ",{:.6},{:.6},{:.6},{:.6}",
                r.accuracy.mean, r.accuracy.std, r.mcc.mean, r.mcc.std
            );
        }
        md += "\n";
        csv += "\n";
    }
    (md, csv)
}

/// The loss curves and the few-shot accuracy chart, as SVG.
fn charts(outcomes: &[Outcome], shots: &[usize]) -> (String, String) {
    let series: Vec<Series> = outcomes
        .iter()
        .map(|o| Series {
            name: o.name.clone(),
            points: smooth(&o.losses, 20),
            marks: o.switch_step.map(|s| s as f64).into_iter().collect(),
        })
        .collect();
    let loss_svg = svg::line_chart(
        "MLM training loss, 20-step average (each masker hides other tokens); dashed: CM-GEMS switch",
        "optimizer step",
        "loss",
        &series,
    );
    let groups: Vec<String> = outcomes.iter().map(|o| o.name.clone()).collect();
    let members: Vec<String> = shots.iter().map(|n| format!("{n}-shot")).collect();
    let values: Vec<Vec<(f64, f64)>> = outcomes
        .iter()
        .map(|o| {
            shots
                .iter()
                .map(|n| {
                    (
                        100.0 * o.shots[n].accuracy.mean,
                        100.0 * o.shots[n].accuracy.std,
                    )
                })
                .collect()
        })
        .collect();
    let acc_svg = svg::error_bar_chart(
        "Few-shot accuracy (mean ± std over seeds)",
        "accuracy (%)",
        &groups,
        &members,
        &values,
    );
    (loss_svg, acc_svg)
}

/// Statements computed from the results: the ordering per shot count, whether the best is
/// separated from the rest by more than the seeds' spread, and how much the position lookup
/// changes each PMI masker.
fn findings(outcomes: &[Outcome], shots: &[usize]) -> String {
    let mut s = String::new();
    for &n in shots {
        let mut order: Vec<(&str, f64, f64)> = outcomes
            .iter()
            .map(|o| {
                (
                    o.name.as_str(),
                    o.shots[&n].accuracy.mean,
                    o.shots[&n].accuracy.std,
                )
            })
            .collect();
        order.sort_by(|a, b| b.1.total_cmp(&a.1));
        let list: Vec<String> = order
            .iter()
            .map(|(name, m, _)| format!("{name} {:.2}", 100.0 * m))
            .collect();
        let _ = writeln!(s, "- {n}-shot accuracy, best first: {}.", list.join(", "));
        if order.len() >= 2 {
            let (best, second) = (order[0], order[1]);
            let separated = best.1 - best.2 > second.1 + second.2;
            let _ = writeln!(
                s,
                "  The best ({}) is {} the runner-up ({}) by more than one standard deviation of each.",
                best.0,
                if separated { "ahead of" } else { "**not** separated from" },
                second.0
            );
        }
    }
    for o in outcomes.iter().filter(|o| o.name.ends_with("-kmer")) {
        let base = o.name.trim_end_matches("-kmer");
        if let Some(p) = outcomes
            .iter()
            .find(|x| x.name == format!("{base}-position"))
        {
            let diffs: Vec<String> = shots
                .iter()
                .map(|n| {
                    format!(
                        "{n}-shot {:+.2}",
                        100.0 * (p.shots[n].accuracy.mean - o.shots[n].accuracy.mean)
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "- {base}: position lookup minus k-mer lookup, accuracy points: {}; perplexity {:.3} vs {:.3}.",
                diffs.join(", "),
                p.perplexity,
                o.perplexity
            );
        }
    }
    for o in outcomes
        .iter()
        .filter(|o| o.name.starts_with("cm-gems") && o.switch_step.is_none())
    {
        let _ = writeln!(
            s,
            "- {} never switched to GLOBAL (held-out perplexity fell by more than the threshold at \
             every evaluation): it ran GeneMask throughout.",
            o.name
        );
    }
    let best_ppl = outcomes
        .iter()
        .min_by(|a, b| a.perplexity.total_cmp(&b.perplexity));
    if let Some(b) = best_ppl {
        let _ = writeln!(
            s,
            "- Lowest held-out perplexity (random-span masking for every model): {} ({:.3}).",
            b.name, b.perplexity
        );
    }
    s += "\nThese are single runs per variant of a small model for few steps; they say nothing \
          beyond this setting.\n";
    s
}
