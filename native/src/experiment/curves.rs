//! The report's view of each run's curve (its checkpoints, scored every `curve_every`
//! steps): the learning-rate schedule the points were taken under, the held-out perplexity
//! under each masker's own masks beside random span's, the steps each masker takes to reach
//! the random-span masker's final score, and the probe curves with the CM-GEMS switches.

use std::fmt::Write as _;

use super::report::{fmt_spread, mean_curve, switch_marks, ALPHA};
use super::scores::{Metric, MetricKey, RunScores};
use super::{ExperimentConfig, Outcome};
use crate::finetune::fewshot::Spread;
use crate::svg::{self, Series};

/// The variant whose final score is every other's target.
const TARGET_VARIANT: &str = "random";

/// The schedule the curve points were taken under, and what that means for reading them.
pub(super) fn schedule_note(config: &ExperimentConfig) -> String {
    let p = &config.pretrain;
    let schedule = format!(
        "Learning-rate schedule of every run: linear warmup over {} steps to {}, then linear \
         decay to 0 at step {} (the run's last).",
        p.optimizer.warmup_steps, p.optimizer.lr, p.schedule.steps
    );
    let Some(every) = config.curve_every else {
        return format!("{schedule} Each run is scored at its end only.");
    };
    format!(
        "{schedule} The curve points are the checkpoints of these same runs, every {every} \
         steps, scored as saved: at step s a run is part way through that schedule (its rate \
         is still lr(s), the `lr` column of results.csv), whereas a run stopped at s would \
         have decayed to 0 there. So a point is not the score of a shorter run with its own \
         schedule; it is this run's score at step s. Every masker shares the schedule, the \
         initial weights and the data order (per pretraining seed), so the points compare \
         maskers at equal steps, and \"steps to target\" counts steps of this schedule; a \
         shorter run, annealed to 0, would likely score somewhat better at its end than the \
         same step's point here."
    )
}

/// The fair-perplexity and steps-to-target sections, with their charts (empty without curves).
pub(super) fn sections(
    outcomes: &[&Outcome],
    metrics: &[Metric],
    config: &ExperimentConfig,
) -> String {
    let trained: Vec<&Outcome> = outcomes.iter().copied().filter(|o| o.trained()).collect();
    if trained.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "## Held-out perplexity under each masker's own masks and under random span\n\n\
         Final models, each perplexity beside the unigram baseline of the same masked labels \
         (exp of the entropy of the training pieces' 6-mer frequencies on them; ratio below 1: \
         learned more than k-mer frequencies). Under its own masks each model is scored on \
         the task it trained for; random span is the one task common to all. For CM-GEMS the \
         own masks are those it trains with at the end (GLOBAL once switched).\n\n",
    );
    s += &fair_perplexity_table(&trained);
    s += "\n![held-out perplexity along the runs](curve-perplexity.svg)\n\n";
    s += &steps_to_target(&trained, metrics);
    for task in probe_tasks(config) {
        let _ = write!(
            s,
            "\n![probe AUC {task} along the runs]({})\n",
            probe_chart_file(&task)
        );
    }
    s + "\n"
}

/// One row per trained variant: final perplexity under its own masks and under random span,
/// each with its unigram baseline and their ratio (mean ± std over seeds).
fn fair_perplexity_table(trained: &[&Outcome]) -> String {
    let mut md = String::from(
        "| variant | own masks (end) | perplexity | unigram | ratio | random span: perplexity | \
         unigram | ratio |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for o in trained {
        let last: Vec<_> = o.runs.iter().filter_map(|r| r.curve.last()).collect();
        let col = |f: &dyn Fn(&super::scores::CurvePoint) -> Option<f64>, ratio: bool| {
            let v: Vec<f64> = last.iter().filter_map(|p| f(p)).collect();
            if v.is_empty() {
                return "–".to_string();
            }
            let s = Spread::of(v);
            if ratio {
                format!("{:.3} ± {:.3}", s.mean, s.std)
            } else {
                fmt_spread(&s, &MetricKey::Perplexity)
            }
        };
        let mut maskers: Vec<&str> = last.iter().map(|p| p.masker.as_str()).collect();
        maskers.dedup();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            o.name,
            maskers.join(", "),
            col(&|p| Some(p.own_perplexity), false),
            col(&|p| p.own_unigram_perplexity, false),
            col(
                &|p| Some(p.own_perplexity / p.own_unigram_perplexity?),
                true
            ),
            col(&|p| Some(p.perplexity), false),
            col(&|p| p.unigram_perplexity, false),
            col(&|p| Some(p.perplexity / p.unigram_perplexity?), true),
        );
    }
    md
}

/// Whether `value` is at least as good as `target`.
fn reaches(value: f64, target: f64, higher_is_better: bool) -> bool {
    if higher_is_better {
        value >= target
    } else {
        value <= target
    }
}

/// The first scored step of `run` at which `metric` reaches `target`.
fn first_step(run: &RunScores, metric: &Metric, target: f64) -> Option<u64> {
    run.curve
        .iter()
        .find(|p| {
            p.value(&metric.key)
                .is_some_and(|v| reaches(v, target, metric.higher_is_better))
        })
        .map(|p| p.step)
}

/// Per variant and metric, the steps to the random-span masker's final mean score.
fn steps_to_target(trained: &[&Outcome], metrics: &[Metric]) -> String {
    let mut s = String::from("## Steps to target\n\n");
    let Some(target_runs) = trained.iter().find(|o| o.name == TARGET_VARIANT) else {
        return s + "No random-span runs: no target to reach.\n";
    };
    let curve_metrics: Vec<(&Metric, f64)> = metrics
        .iter()
        .filter_map(|m| {
            let finals: Vec<f64> = target_runs
                .runs
                .iter()
                .filter_map(|r| r.curve.last()?.value(&m.key))
                .collect();
            (!finals.is_empty()).then(|| (m, Spread::of(finals).mean))
        })
        .collect();
    s += "The first scored step at which a run reaches the random-span masker's final score \
          (its mean over seeds, the target row), per metric: mean ± std of that step over the \
          seeds that reach it, and how many of the seeds do; \"not reached\" when none does \
          by the last step.\n\n| variant |";
    for (m, _) in &curve_metrics {
        let _ = write!(s, " {} |", m.label);
    }
    s += "\n|---|";
    s += &"---:|".repeat(curve_metrics.len());
    s += "\n| target (random, final mean) |";
    for (m, target) in &curve_metrics {
        let _ = write!(s, " {} |", fmt_value(*target, &m.key));
    }
    s += "\n";
    for o in trained {
        let _ = write!(s, "| {} |", o.name);
        for (m, target) in &curve_metrics {
            let steps: Vec<f64> = o
                .runs
                .iter()
                .filter_map(|r| first_step(r, m, *target).map(|x| x as f64))
                .collect();
            let _ = write!(s, " {} |", steps_cell(&steps, o.runs.len()));
        }
        s += "\n";
    }
    let _ = writeln!(
        s,
        "\nThe curves are means over seeds; vertical lines are CM-GEMS's switches to GLOBAL. \
         Steps to target are read from these points, not tested (paired tests at α = {ALPHA} \
         are on the final scores)."
    );
    s
}

fn fmt_value(v: f64, key: &MetricKey) -> String {
    if *key == MetricKey::Perplexity {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

/// "mean ± std (k of n seeds)" of the steps that reached, or "not reached (n seeds)".
fn steps_cell(steps: &[f64], runs: usize) -> String {
    if steps.is_empty() {
        return format!("not reached ({runs} seeds)");
    }
    let s = Spread::of(steps.to_vec());
    format!(
        "{:.0} ± {:.0} ({} of {runs} seeds)",
        s.mean,
        s.std,
        steps.len()
    )
}

fn probe_tasks(config: &ExperimentConfig) -> Vec<String> {
    config
        .probe
        .iter()
        .flat_map(|p| p.tasks.iter().map(|t| t.name.clone()))
        .collect()
}

/// The chart file of a probe task's curves (the task name kept to safe characters).
fn probe_chart_file(task: &str) -> String {
    let safe: String = task
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("curve-probe-{safe}.svg")
}

/// The mean over a variant's seeds of `key` at each scored step, with its switches.
fn curve_series(trained: &[&Outcome], key: &MetricKey) -> Vec<Series> {
    trained
        .iter()
        .enumerate()
        .map(|(v, o)| {
            let per_run: Vec<Vec<(f64, f64)>> = o
                .runs
                .iter()
                .map(|r| {
                    r.curve
                        .iter()
                        .filter_map(|p| Some((p.step as f64, p.value(key)?)))
                        .collect()
                })
                .collect();
            let slices: Vec<&[(f64, f64)]> = per_run.iter().map(Vec::as_slice).collect();
            Series {
                name: o.name.clone(),
                points: mean_curve(&slices),
                marks: switch_marks(o),
                color: v,
                dash: 0,
            }
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

/// The curve charts, as (file, SVG): random-span perplexity and each probe task's AUC.
pub(super) fn charts(outcomes: &[&Outcome], config: &ExperimentConfig) -> Vec<(String, String)> {
    let trained: Vec<&Outcome> = outcomes.iter().copied().filter(|o| o.trained()).collect();
    if trained.is_empty() {
        return Vec::new();
    }
    let mut out = vec![(
        "curve-perplexity.svg".to_string(),
        svg::line_chart(
            "Held-out perplexity under random span at each scored checkpoint, mean over seeds; \
             vertical lines: CM-GEMS switches",
            "optimizer step",
            "perplexity",
            &curve_series(&trained, &MetricKey::Perplexity),
        ),
    )];
    for task in probe_tasks(config) {
        out.push((
            probe_chart_file(&task),
            svg::line_chart(
                &format!(
                    "Probe ROC AUC on {task} at each scored checkpoint, mean over seeds; \
                     vertical lines: CM-GEMS switches"
                ),
                "optimizer step",
                "AUC",
                &curve_series(&trained, &MetricKey::ProbeAuc(task.clone())),
            ),
        ));
    }
    out
}
