//! The experiment's outputs: the summary table (Markdown), one CSV row per run, charts, the
//! paired tests between variants, and a report whose statements are computed from the numbers.

use std::fmt::Write as _;
use std::path::Path;

use super::curves;
use super::scores::{metrics, Metric, MetricKey, RunScores};
use super::stats::{holm, paired_t, PairedTest};
use super::{ExperimentConfig, ExperimentError, Outcome};
use crate::files::write_atomic;
use crate::finetune::fewshot::Spread;
use crate::svg::{self, Series};

/// The significance level of the paired tests (on Holm-adjusted p-values).
pub(super) const ALPHA: f64 = 0.05;

pub(super) fn file_label(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub(super) fn write_outputs(
    out: &Path,
    config: &ExperimentConfig,
    config_path: &Path,
    corpus_note: &str,
    outcomes: &[Outcome],
) -> Result<(), ExperimentError> {
    // Variants whose first run is still to come have nothing to show yet.
    let outcomes: Vec<&Outcome> = outcomes.iter().filter(|o| !o.runs.is_empty()).collect();
    let outcomes = outcomes.as_slice();
    let metrics = metrics(config);
    let md = summary_table(outcomes, &metrics);
    let tests = paired_tests(outcomes, &metrics);
    let csv = runs_csv(outcomes, config);
    let report = format!(
        "# Experiment `{}`\n\n{}\n\n{}\n\n## Results (mean ± std over pretraining seeds)\n\n{md}\n\
         ![held-out perplexity](perplexity.svg)\n\n![loss](loss.svg)\n\n![probe](probe.svg)\n\n\
         ![few-shot](fewshot.svg)\n\n{}## What the numbers say\n\n{}\n## Paired t-tests \
         (pairs of runs with the same pretraining seed)\n\n{}\n",
        config.name,
        setup_note(config, config_path, corpus_note),
        curves::schedule_note(config),
        curves::sections(outcomes, &metrics, config),
        findings(outcomes, &metrics, &tests, config),
        tests_table(&tests),
    );
    let mut charts = charts(outcomes, config);
    charts.extend(curves::charts(outcomes, config));
    let mut files: Vec<(String, String)> = vec![
        ("results.md".into(), md.clone()),
        ("results.csv".into(), csv),
        ("report.md".into(), report),
    ];
    files.extend(charts);
    for (file, body) in files {
        write_atomic(&out.join(file), |w| w.write_all(body.as_bytes()))?;
    }
    Ok(())
}

/// What was run, in one paragraph: model, corpus, steps, tokens, seeds and scores.
fn setup_note(config: &ExperimentConfig, config_path: &Path, corpus_note: &str) -> String {
    let p = &config.pretrain;
    let (s, seq_len) = (&p.schedule, p.data.seq_len);
    let rows = s.steps as usize * s.batch_size * s.accumulation;
    let (threshold, patience) = p.masking.curriculum.cm_gems_settings();
    let probe = config.probe.as_ref().map_or(String::new(), |pr| {
        let names: Vec<&str> = pr.tasks.iter().map(|t| t.name.as_str()).collect();
        format!(
            " Probe (mean-pooled last layer, logistic regression, docs/algorithms.md §9) on {}{}.",
            names.join(", "),
            pr.train_limit.map_or(String::new(), |n| format!(
                ", at most {n} training examples"
            ))
        )
    });
    format!(
        "Config: `{}`. Corpus: {corpus_note}. Model preset `{}`, {} steps of batch {} × {} × \
         sequence {} (at most {} positions seen: {} rows), lr {}, warmup {}, pretraining seeds \
         {:?}, backend `{}`, CM-GEMS threshold {} (patience {}), evaluation every {} steps. \
         Few-shot: `{}` / `{}`, shots {:?}, {} fine-tuning seeds per run{}.{probe}",
        file_label(config_path),
        p.model.preset,
        s.steps,
        s.batch_size,
        s.accumulation,
        seq_len,
        rows * seq_len,
        rows,
        p.optimizer.lr,
        p.optimizer.warmup_steps,
        config.seeds(),
        p.backend,
        threshold,
        patience,
        p.evaluation.eval_every,
        file_label(&config.fewshot.train),
        file_label(&config.fewshot.test),
        config.fewshot.shots,
        config.fewshot.seeds,
        config
            .fewshot
            .test_limit
            .map_or(String::new(), |n| format!(", {n} test examples")),
    )
}

/// The values of `key` over a variant's runs (`None` when no run has it).
pub(super) fn spread(o: &Outcome, key: &MetricKey) -> Option<Spread> {
    let v: Vec<f64> = o.runs.iter().filter_map(|r| r.value(key)).collect();
    (!v.is_empty()).then(|| Spread::of(v))
}

pub(super) fn switch_steps(o: &Outcome) -> String {
    if !o.name.starts_with("cm-gems") {
        return "–".into();
    }
    let steps: Vec<String> = o
        .runs
        .iter()
        .map(|r| r.switch_step.map_or("never".into(), |s| s.to_string()))
        .collect();
    steps.join(", ")
}

/// The summary table: one row per variant, mean ± std over its runs.
fn summary_table(outcomes: &[&Outcome], metrics: &[Metric]) -> String {
    let mut md = String::from("| variant | runs | unigram baseline |");
    for m in metrics {
        let _ = write!(md, " {} |", m.label);
    }
    md += " CM-GEMS switch step per seed |\n|---|---:|---:|";
    md += &"---:|".repeat(metrics.len());
    md += "---|\n";
    for o in outcomes {
        let unigram = spread_of(o.runs.iter().filter_map(|r| r.unigram_perplexity));
        let _ = write!(md, "| {} | {} | {} |", o.name, o.runs.len(), unigram);
        for m in metrics {
            let cell = spread(o, &m.key).map_or("–".into(), |s| fmt_spread(&s, &m.key));
            let _ = write!(md, " {cell} |");
        }
        let _ = writeln!(md, " {} |", switch_steps(o));
    }
    md
}

pub(super) fn spread_of(values: impl Iterator<Item = f64>) -> String {
    let v: Vec<f64> = values.collect();
    if v.is_empty() {
        return "–".into();
    }
    fmt_spread(&Spread::of(v), &MetricKey::Perplexity)
}

pub(super) fn fmt_spread(s: &Spread, key: &MetricKey) -> String {
    if *key == MetricKey::Perplexity {
        format!("{:.1} ± {:.1}", s.mean, s.std)
    } else {
        format!("{:.4} ± {:.4}", s.mean, s.std)
    }
}

/// One CSV row per run and scored checkpoint (the untrained probe: one row, step 0); the
/// final scores (probe accuracy and MCC, few-shot) on each run's last row.
fn runs_csv(outcomes: &[&Outcome], config: &ExperimentConfig) -> String {
    let tasks: Vec<&str> = config
        .probe
        .iter()
        .flat_map(|p| p.tasks.iter().map(|t| t.name.as_str()))
        .collect();
    let mut csv = String::from(
        "variant,seed,step,lr,masker,switch_step,perplexity,unigram_perplexity,\
         own_perplexity,own_unigram_perplexity",
    );
    for t in &tasks {
        let _ = write!(csv, ",probe_{t}_auc,probe_{t}_accuracy,probe_{t}_mcc");
    }
    for n in &config.fewshot.shots {
        let _ = write!(csv, ",acc_{n},mcc_{n}");
    }
    csv += "\n";
    for r in outcomes.iter().flat_map(|o| &o.runs) {
        if r.curve.is_empty() {
            csv += &csv_row(r, None, (&tasks, &config.fewshot.shots));
        }
        for (i, point) in r.curve.iter().enumerate() {
            let last = i + 1 == r.curve.len();
            csv += &csv_row(r, Some((point, last)), (&tasks, &config.fewshot.shots));
        }
    }
    csv
}

/// One row of [`runs_csv`]: a checkpoint of `r` (the final scores with its last), or `r`
/// alone (no curve).
fn csv_row(
    r: &RunScores,
    point: Option<(&super::scores::CurvePoint, bool)>,
    (tasks, shots): (&[&str], &[usize]),
) -> String {
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x:.6}"));
    let final_row = point.is_none_or(|p| p.1);
    let mut row = format!(
        "{},{},{},{},{},{}",
        r.variant,
        r.seed,
        point.map_or(0, |p| p.0.step),
        opt(point.map(|p| p.0.lr)),
        point.map_or("", |p| p.0.masker.as_str()),
        r.switch_step.map_or(String::new(), |s| s.to_string()),
    );
    let _ = match point {
        Some((p, _)) => write!(
            row,
            ",{},{},{},{}",
            opt(Some(p.perplexity)),
            opt(p.unigram_perplexity),
            opt(Some(p.own_perplexity)),
            opt(p.own_unigram_perplexity)
        ),
        None => write!(
            row,
            ",{},{},,",
            opt(r.perplexity),
            opt(r.unigram_perplexity)
        ),
    };
    for t in tasks {
        let auc = match point {
            Some((p, _)) => p.probe_auc.get(*t).copied(),
            None => r.probes.get(*t).map(|p| p.auc),
        };
        let p = r.probes.get(*t).filter(|_| final_row);
        let _ = write!(
            row,
            ",{},{},{}",
            opt(auc),
            opt(p.map(|p| p.accuracy)),
            opt(p.map(|p| p.mcc))
        );
    }
    for n in shots {
        let s = r.shots.get(n).filter(|_| final_row);
        let _ = write!(
            row,
            ",{},{}",
            opt(s.map(|s| s.accuracy)),
            opt(s.map(|s| s.mcc))
        );
    }
    row + "\n"
}

/// One paired test: variant `a` against `b` on one metric.
struct TestRow<'a> {
    a: &'a str,
    b: &'a str,
    metric: &'a Metric,
    test: PairedTest,
    /// The p-value after Holm's correction for every test of the report.
    p_holm: f64,
}

impl TestRow<'_> {
    /// "a ahead", "b ahead" or "not separated", at [`ALPHA`] on the Holm-adjusted p.
    fn verdict(&self) -> String {
        if self.p_holm >= ALPHA || self.test.mean_diff == 0.0 {
            return "not separated".into();
        }
        let a_better = (self.test.mean_diff > 0.0) == self.metric.higher_is_better;
        format!("{} ahead", if a_better { self.a } else { self.b })
    }
}

/// Every pair of variants on every metric both were scored on, paired by seed.
fn paired_tests<'a>(outcomes: &'a [&'a Outcome], metrics: &'a [Metric]) -> Vec<TestRow<'a>> {
    let mut rows = Vec::new();
    for (i, a) in outcomes.iter().enumerate() {
        for b in &outcomes[i + 1..] {
            for metric in metrics {
                let (xs, ys): (Vec<f64>, Vec<f64>) = a
                    .runs
                    .iter()
                    .filter_map(|ra| {
                        let rb = b.runs.iter().find(|rb| rb.seed == ra.seed)?;
                        Some((ra.value(&metric.key)?, rb.value(&metric.key)?))
                    })
                    .unzip();
                if let Some(test) = paired_t(&xs, &ys) {
                    rows.push(TestRow {
                        a: &a.name,
                        b: &b.name,
                        metric,
                        test,
                        p_holm: f64::NAN,
                    });
                }
            }
        }
    }
    let raw: Vec<f64> = rows.iter().map(|r| r.test.p).collect();
    for (row, p) in rows.iter_mut().zip(holm(&raw)) {
        row.p_holm = p;
    }
    rows
}

fn tests_table(rows: &[TestRow]) -> String {
    if rows.is_empty() {
        return "No pair of variants shares two pretraining seeds: no test.\n".into();
    }
    let mut md = String::from(
        "| A | B | metric | pairs | mean A − B | t | p (two-sided) | p (Holm) | at Holm p < 0.05 |\n\
         |---|---|---|---:|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:+.4} | {:.2} | {:.3} | {:.3} | {} |",
            r.a,
            r.b,
            r.metric.label,
            r.test.n,
            r.test.mean_diff,
            r.test.t,
            r.test.p,
            r.p_holm,
            r.verdict()
        );
    }
    md
}

/// Statements computed from the results.
fn findings(
    outcomes: &[&Outcome],
    metrics: &[Metric],
    tests: &[TestRow],
    config: &ExperimentConfig,
) -> String {
    let mut s = plateau_finding(outcomes);
    for m in metrics {
        let mut order: Vec<(&str, Spread)> = outcomes
            .iter()
            .filter_map(|o| Some((o.name.as_str(), spread(o, &m.key)?)))
            .collect();
        order.sort_by(|a, b| {
            let c = a.1.mean.total_cmp(&b.1.mean);
            if m.higher_is_better {
                c.reverse()
            } else {
                c
            }
        });
        let list: Vec<String> = order
            .iter()
            .map(|(n, sp)| format!("{n} {}", fmt_spread(sp, &m.key)))
            .collect();
        let _ = writeln!(s, "- {}, best first: {}.", m.label, list.join(", "));
    }
    for (i, a) in outcomes.iter().enumerate() {
        for b in &outcomes[i + 1..] {
            let _ = write!(s, "{}", pair_finding(tests, &a.name, &b.name));
        }
    }
    s += &switch_finding(outcomes);
    s += &lookup_finding(outcomes, metrics);
    let _ = writeln!(
        s,
        "\n{} paired tests; \"ahead\" means Holm-adjusted p < {ALPHA} (Holm's step-down \
         correction over all {} tests, which bounds the chance of any false \"ahead\" at \
         {ALPHA}); {} of them have a raw p < {ALPHA}, of which about {:.1} would by chance alone. \
         {} pretraining seed(s) of a `{}` model for {} steps; the numbers say nothing beyond \
         this setting.",
        tests.len(),
        tests.len(),
        tests.iter().filter(|t| t.test.p < ALPHA).count(),
        tests.len() as f64 * ALPHA,
        config.seeds().len(),
        config.pretrain.model.preset,
        config.pretrain.schedule.steps
    );
    s
}

/// Whether each pretrained run learned more than k-mer frequencies.
fn plateau_finding(outcomes: &[&Outcome]) -> String {
    let ratios: Vec<(String, f64)> = outcomes
        .iter()
        .flat_map(|o| &o.runs)
        .filter_map(|r| {
            let label = format!("{} seed {}", r.variant, r.seed);
            Some((label, r.perplexity? / r.unigram_perplexity?))
        })
        .collect();
    if ratios.is_empty() {
        return String::new();
    }
    let below = ratios.iter().filter(|r| r.1 < 1.0).count();
    let (lo, hi) = ratios
        .iter()
        .fold((f64::INFINITY, 0f64), |(l, h), r| (l.min(r.1), h.max(r.1)));
    let mut s = format!(
        "- {below} of {} pretrained runs ended below the unigram baseline of their held-out \
         random-span labels (perplexity / baseline from {lo:.3} to {hi:.3}; 1 = k-mer \
         frequencies only).",
        ratios.len()
    );
    let above: Vec<&str> = ratios
        .iter()
        .filter(|r| r.1 >= 1.0)
        .map(|r| r.0.as_str())
        .collect();
    if !above.is_empty() {
        let _ = write!(s, " At or above it: {}.", above.join(", "));
    }
    s + "\n"
}

/// "a against b: ahead on …, behind on …, not separated on …".
fn pair_finding(tests: &[TestRow], a: &str, b: &str) -> String {
    let rows: Vec<&TestRow> = tests.iter().filter(|r| r.a == a && r.b == b).collect();
    if rows.is_empty() {
        return String::new();
    }
    let group = |want: &str| -> String {
        let names: Vec<String> = rows
            .iter()
            .filter(|r| r.verdict() == want)
            .map(|r| {
                format!(
                    "{} (p = {:.3}, Holm {:.3})",
                    r.metric.label, r.test.p, r.p_holm
                )
            })
            .collect();
        if names.is_empty() {
            "nothing".into()
        } else {
            names.join(", ")
        }
    };
    format!(
        "- {a} against {b} (paired t over {} seeds): {a} ahead on {}; {b} ahead on {}; not \
         separated on {}.\n",
        rows[0].test.n,
        group(&format!("{a} ahead")),
        group(&format!("{b} ahead")),
        group("not separated")
    )
}

/// When each CM-GEMS run switched.
fn switch_finding(outcomes: &[&Outcome]) -> String {
    let mut s = String::new();
    for o in outcomes.iter().filter(|o| o.name.starts_with("cm-gems")) {
        let never = o.runs.iter().filter(|r| r.switch_step.is_none()).count();
        let _ = write!(
            s,
            "- {}: step of the switch to GLOBAL, per seed: {}.",
            o.name,
            switch_steps(o)
        );
        if never > 0 {
            let _ = write!(
                s,
                " {never} run(s) never switched: held-out perplexity fell by more than the \
                 threshold at every evaluation, so they ran GeneMask throughout."
            );
        }
        s += "\n";
    }
    s
}

/// How much the position lookup changes each PMI masker (means over seeds).
fn lookup_finding(outcomes: &[&Outcome], metrics: &[Metric]) -> String {
    let mut s = String::new();
    for o in outcomes.iter().filter(|o| o.name.ends_with("-kmer")) {
        let base = o.name.trim_end_matches("-kmer");
        let Some(p) = outcomes
            .iter()
            .find(|x| x.name == format!("{base}-position"))
        else {
            continue;
        };
        let diffs: Vec<String> = metrics
            .iter()
            .filter_map(|m| {
                let d = spread(p, &m.key)?.mean - spread(o, &m.key)?.mean;
                Some(format!("{} {d:+.4}", m.label))
            })
            .collect();
        let _ = writeln!(
            s,
            "- {base}: position lookup minus k-mer lookup: {}.",
            diffs.join(", ")
        );
    }
    s
}

/// The mean of the runs' curves, point by point (runs of one config log the same steps).
pub(super) fn mean_curve(curves: &[&[(f64, f64)]]) -> Vec<(f64, f64)> {
    let n = curves.iter().map(|c| c.len()).min().unwrap_or(0);
    (0..n)
        .map(|i| {
            let y = curves.iter().map(|c| c[i].1).sum::<f64>() / curves.len() as f64;
            (curves[0][i].0, y)
        })
        .collect()
}

/// The charts, as (file, SVG).
fn charts(outcomes: &[&Outcome], config: &ExperimentConfig) -> Vec<(String, String)> {
    let trained: Vec<&Outcome> = outcomes.iter().copied().filter(|o| o.trained()).collect();
    let loss = loss_series(&trained);
    let ppl = perplexity_series(&trained);
    let shots = &config.fewshot.shots;
    let tasks: Vec<String> = config
        .probe
        .iter()
        .flat_map(|p| p.tasks.iter().map(|t| t.name.clone()))
        .collect();
    let charts = vec![
        (
            "loss.svg",
            svg::line_chart(
                "MLM training loss, mean over seeds of 20-step means; vertical lines: CM-GEMS switches",
                "optimizer step",
                "loss",
                &loss,
            ),
        ),
        (
            "perplexity.svg",
            svg::line_chart(
                "Held-out perplexity per run (each under its own masker); vertical lines: CM-GEMS switches",
                "optimizer step",
                "perplexity",
                &ppl,
            ),
        ),
        (
            "probe.svg",
            error_bars(
                "Probe ROC AUC (mean ± std over pretraining seeds)",
                "AUC",
                outcomes.to_vec(),
                &tasks
                    .iter()
                    .map(|t| MetricKey::ProbeAuc(t.clone()))
                    .collect::<Vec<_>>(),
                &tasks,
            ),
        ),
        (
            "fewshot.svg",
            error_bars(
                "Few-shot accuracy (mean ± std over pretraining seeds)",
                "accuracy",
                trained,
                &shots
                    .iter()
                    .map(|&n| MetricKey::ShotAccuracy(n))
                    .collect::<Vec<_>>(),
                &shots
                    .iter()
                    .map(|n| format!("{n}-shot"))
                    .collect::<Vec<_>>(),
            ),
        ),
    ];
    charts
        .into_iter()
        .map(|(f, c)| (f.to_string(), c))
        .collect()
}

/// The CM-GEMS switch steps of a variant's runs (the charts' vertical lines).
pub(super) fn switch_marks(o: &Outcome) -> Vec<f64> {
    o.runs
        .iter()
        .filter_map(|r| r.switch_step.map(|s| s as f64))
        .collect()
}

/// The training loss of each variant: the mean over its seeds, with its switches.
fn loss_series(trained: &[&Outcome]) -> Vec<Series> {
    trained
        .iter()
        .enumerate()
        .map(|(v, o)| {
            let curves: Vec<&[(f64, f64)]> = o.runs.iter().map(|r| r.losses.as_slice()).collect();
            Series {
                name: o.name.clone(),
                points: mean_curve(&curves),
                marks: switch_marks(o),
                color: v,
                dash: 0,
            }
        })
        .collect()
}

/// The held-out perplexity of every run: a colour per variant, a line pattern per seed.
fn perplexity_series(trained: &[&Outcome]) -> Vec<Series> {
    trained
        .iter()
        .enumerate()
        .flat_map(|(v, o)| {
            o.runs
                .iter()
                .enumerate()
                .map(move |(i, r)| run_series(o, r, v, i))
        })
        .collect()
}

fn run_series(o: &Outcome, r: &RunScores, color: usize, dash: usize) -> Series {
    Series {
        name: format!("{} s{}", o.name, r.seed),
        points: r.evals.clone(),
        marks: r.switch_step.map(|s| s as f64).into_iter().collect(),
        color,
        dash,
    }
}

/// Variants along x, one point per metric key with ± its std over seeds.
fn error_bars(
    title: &str,
    y_label: &str,
    groups: Vec<&Outcome>,
    keys: &[MetricKey],
    members: &[String],
) -> String {
    let groups: Vec<&Outcome> = groups
        .into_iter()
        .filter(|o| keys.iter().any(|k| spread(o, k).is_some()))
        .collect();
    let values: Vec<Vec<(f64, f64)>> = groups
        .iter()
        .map(|o| {
            keys.iter()
                .map(|k| spread(o, k).map_or((f64::NAN, 0.0), |s| (s.mean, s.std)))
                .collect()
        })
        .collect();
    let names: Vec<String> = groups.iter().map(|o| o.name.clone()).collect();
    svg::error_bar_chart(title, y_label, &names, members, &values)
}
