//! `train experiment --config experiments/small.toml`: the paper's comparison rerun small.
//! Every masker (and, for the PMI maskers, rank lookup by k-mer and by position) pretrains
//! the same model on the same corpus with the same seed and steps; each is then scored by
//! the few-shot protocol and by held-out MLM perplexity under one common masker. Writes a
//! results table (Markdown + CSV), two SVG charts and a report whose statements are computed
//! from the numbers.

use anyhow::{bail, Context, Result};
use cmgems_core::RankLookup;
use cmgems_core::{Tokenizer, K};
use cmgems_native::files::write_atomic;
use cmgems_native::finetune::fewshot::{self, FewshotSetup, ShotData, ShotResult};
use cmgems_native::finetune::{InitSource, LabeledSet, Recipe};
use cmgems_native::pretrain::{Masking, PretrainConfig};
use cmgems_native::training::latest_checkpoint;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::svg::{self, Series};

/// The experiment file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExperimentConfig {
    name: String,
    /// Corpus files, relative to the config file: those that exist are used; none existing
    /// means the embedded synthetic corpus (said in the report).
    #[serde(default)]
    corpus: Vec<PathBuf>,
    masking: Vec<Masking>,
    rank_lookup: Vec<RankLookup>,
    pretrain: PretrainConfig,
    fewshot: FewshotPlan,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FewshotPlan {
    /// A folder of N/train.tsv files or a labelled file to draw from (relative to the config).
    train: PathBuf,
    test: PathBuf,
    shots: Vec<usize>,
    seeds: u64,
    #[serde(default)]
    test_limit: Option<usize>,
    #[serde(default)]
    epochs: Option<usize>,
    #[serde(default)]
    lr: Option<f64>,
}

/// One pretraining variant and what it scored.
struct Outcome {
    name: String,
    switch_step: Option<u64>,
    perplexity: f64,
    shots: BTreeMap<usize, ShotResult>,
    losses: Vec<(f64, f64)>,
}

fn variants(config: &ExperimentConfig) -> Vec<(String, Masking, RankLookup)> {
    let mut out = Vec::new();
    for &m in &config.masking {
        for &l in &config.rank_lookup {
            // Random span never looks at ranks: one run, not two identical ones.
            if m == Masking::Random && l != RankLookup::Kmer {
                continue;
            }
            let masking = serde_json::to_value(m).expect("serialisable");
            let name = if m == Masking::Random {
                "random".to_string()
            } else {
                let lookup = match l {
                    RankLookup::Kmer => "kmer",
                    RankLookup::Position => "position",
                };
                format!("{}-{lookup}", masking.as_str().expect("a string"))
            };
            out.push((name, m, l));
        }
    }
    out
}

pub fn run(config_path: &Path, out: &Path, backend: Option<String>) -> Result<()> {
    let text = std::fs::read_to_string(config_path)
        .with_context(|| format!("reading {}", config_path.display()))?;
    let mut config: ExperimentConfig =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", config_path.display()))?;
    let base = config_path.parent().unwrap_or(Path::new("."));
    if let Some(b) = backend {
        config.pretrain.backend = b;
    }
    let corpus = config
        .corpus
        .iter()
        .map(|c| base.join(c))
        .find(|p| p.is_file());
    let corpus_note = match &corpus {
        Some(p) => format!("real DNA: `{}`", file_label(p)),
        None => "the embedded SYNTHETIC corpus (planted motifs and repeats, not real DNA): none of the configured FASTA files exists here".into(),
    };
    config.pretrain.corpus = corpus.into_iter().collect();
    let fs_train = base.join(&config.fewshot.train);
    let fs_test = base.join(&config.fewshot.test);
    if !fs_test.exists() {
        bail!(
            "{}: the few-shot test set is absent ({}); the experiment needs a labelled task",
            config_path.display(),
            fs_test.display()
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let selected = crate::select_backend(&config.pretrain.backend, config.pretrain.devices)?;

    let tokenizer = Tokenizer::new(K::SIX, config.pretrain.seq_len.min(512), false)?;
    let mut test = LabeledSet::load(&fs_test, &tokenizer)?;
    if let Some(n) = config.fewshot.test_limit {
        test = test.spread_sample(n);
    }
    eprintln!("{}", test.summary());
    let data = ShotData::load(&fs_train, &config.fewshot.shots, &tokenizer)?;
    let num_labels = data.num_classes().max(test.num_classes()).max(2);
    let seeds: Vec<u64> = (0..config.fewshot.seeds).collect();

    let mut outcomes = Vec::new();
    for (name, masking, lookup) in variants(&config) {
        let dir = out.join("runs").join(&name);
        let mut pretrain = config.pretrain.clone();
        pretrain.masking = masking;
        pretrain.rank_lookup = lookup;
        let resume = latest_checkpoint(&dir)?.is_some();
        eprintln!(
            "== {name}: pretraining {} steps{}",
            pretrain.steps,
            if resume { " (resuming)" } else { "" }
        );
        let summary = crate::pretrain_run::run(&pretrain, &selected, &dir, resume, true)?;
        let init = InitSource::resolve(dir.to_str().context("a UTF-8 path")?)?;
        let base_config = init.config()?;
        let recipe_of = |n: usize| {
            let mut r = Recipe::fewshot(n);
            r.epochs = config.fewshot.epochs.unwrap_or(r.epochs);
            r.lr = config.fewshot.lr.unwrap_or(r.lr);
            r
        };
        let model_config = recipe_of(config.fewshot.shots[0]).model_config(&base_config);
        let setup = FewshotSetup {
            init: &init,
            config: &model_config,
            num_labels,
            recipe: &recipe_of,
            device: &selected.device,
            eval_batch: 64,
        };
        let shots = fewshot::run(
            &setup,
            &data,
            &test,
            &config.fewshot.shots,
            &seeds,
            |_, _, _| {},
            |n, seed, r| {
                eprintln!(
                    "   {name}: {n} shots, seed {seed}: accuracy {:.4}",
                    r.accuracy
                )
            },
        )?;
        outcomes.push(Outcome {
            name,
            switch_step: summary.switch_step,
            perplexity: summary.random_span_perplexity,
            shots,
            losses: read_losses(&dir)?,
        });
        write_outputs(out, &config, config_path, &corpus_note, &outcomes)?;
    }
    eprintln!("wrote {}", out.join("report.md").display());
    Ok(())
}

fn file_label(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// (step, loss) of every training line of a run's metrics.jsonl.
fn read_losses(dir: &Path) -> Result<Vec<(f64, f64)>> {
    let path = dir.join("metrics.jsonl");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| Some((v["step"].as_f64()?, v["loss"].as_f64()?)))
        .collect())
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

fn write_outputs(
    out: &Path,
    config: &ExperimentConfig,
    config_path: &Path,
    corpus_note: &str,
    outcomes: &[Outcome],
) -> Result<()> {
    let shots = &config.fewshot.shots;
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
