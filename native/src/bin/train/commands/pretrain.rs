//! `train pretrain`: flags over a config (the defaults, `--config FILE` or a run being
//! resumed), then the library's loop with the metrics files and the terminal as observers.

use anyhow::{Context, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use cmgems_native::events::Observers;
use cmgems_native::pretrain::{self, JsonlLogs, PretrainConfig, PretrainError, Summary};
use cmgems_native::training::CheckpointError;
use serde_json::Value;
use std::path::PathBuf;

/// The run's folders, then every config key that has a flag (the library's
/// `PretrainConfig`, declared there once with its help and default). A flag given on the
/// command line overrides the value from `--config` or the run being resumed.
#[derive(Args)]
#[command(next_help_heading = "Run")]
pub struct PretrainArgs {
    /// Output folder: config.toml, metrics.jsonl, events.jsonl, table.json, checkpoints/
    /// (required unless --resume).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Continue the run in this folder from its latest checkpoint, with its config.toml
    /// (other flags still override it) [default: start a new run].
    #[arg(long, value_name = "DIR", conflicts_with_all = ["config", "out"])]
    resume: Option<PathBuf>,
    /// A config.toml to start a new run from, as a run writes it [default: the defaults
    /// shown here].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    flags: PretrainConfig,
}

impl PretrainArgs {
    /// The starting config (defaults, --config or the run to resume), the output folder, and
    /// whether it resumes.
    fn base(&self) -> Result<(PretrainConfig, PathBuf, bool)> {
        let out = || self.out.clone().context("--out DIR is needed");
        Ok(match (&self.resume, &self.config) {
            (Some(dir), _) => (pretrain::config_of(dir)?, dir.clone(), true),
            (None, Some(file)) => {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("reading {}", file.display()))?;
                let config = PretrainConfig::from_toml(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                (config, out()?, false)
            }
            (None, None) => (PretrainConfig::default(), out()?, false),
        })
    }

    /// `base` with the value of every flag given on the command line (`given`, by id, which
    /// is the config key).
    fn apply(&self, base: &PretrainConfig, given: &[String]) -> Result<PretrainConfig> {
        let mut merged = serde_json::to_value(base)?;
        overlay(&mut merged, &serde_json::to_value(&self.flags)?, given);
        Ok(serde_json::from_value(merged)?)
    }
}

/// Copies onto `to` the keys of `from` named in `given`, at any depth (`lr` inside
/// `optimizer`): the keys' names are unique across the config's tables.
fn overlay(to: &mut Value, from: &Value, given: &[String]) {
    let (Value::Object(to), Value::Object(from)) = (to, from) else {
        return;
    };
    for (key, value) in from {
        if value.is_object() {
            if let Some(inner) = to.get_mut(key) {
                overlay(inner, value, given);
            }
        } else if given.iter().any(|g| g == key) {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// The ids of the flags given on the command line, not defaulted.
fn given(matches: &ArgMatches) -> Vec<String> {
    matches
        .ids()
        .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
        .map(|id| id.to_string())
        .collect()
}

pub fn run(args: PretrainArgs, matches: &ArgMatches) -> Result<()> {
    let (base, out, resume) = args.base()?;
    let given = given(matches);
    let mut config = args.apply(&base, &given)?;
    if !given.iter().any(|g| g == "seq_len") && args.config.is_none() && !resume {
        // A new run from the defaults: the sequence length the model takes, not LOGO's 512.
        config.seq_len = pretrain::default_seq_len(&config).map_err(with_flag)?;
    }
    let selected = super::backend(&config.backend, config.devices)?;
    let mut observers = Observers::new()
        .with(JsonlLogs::default())
        .with(crate::console::terminal()?);
    let summary =
        pretrain::run(&config, &selected, &out, resume, &mut observers).map_err(with_flag)?;
    if summary.stopped {
        eprintln!("{}", stopped_line(&summary)?);
        return Ok(());
    }
    println!(
        "pretrained {} steps into {}: last loss {}, last eval perplexity {}{}{}",
        summary.steps,
        summary.out.display(),
        summary.last_loss.map_or("-".into(), |l| format!("{l:.4}")),
        summary
            .last_perplexity
            .map_or("-".into(), |p| format!("{p:.3}")),
        summary
            .last_unigram_perplexity
            .map_or(String::new(), |u| format!(" (unigram baseline {u:.3})")),
        summary
            .switch_step
            .map_or(String::new(), |s| format!("; CM-GEMS switched at step {s}"))
    );
    Ok(())
}

/// What a run stopped by a signal says: where it stopped, its checkpoint, how to continue.
fn stopped_line(summary: &Summary) -> Result<String> {
    let signal = crate::console::received_signal().map_or("a stop", crate::console::signal_name);
    let latest = cmgems_native::training::latest_checkpoint(&summary.out)?
        .map_or("none yet".into(), |p| p.display().to_string());
    Ok(format!(
        "stopped by {signal} after step {}; latest checkpoint: {latest}; continue with `train pretrain --resume {}`",
        summary.steps,
        summary.out.display()
    ))
}

/// The library's error, led by the flag that sets the config key it names.
fn with_flag(e: PretrainError) -> anyhow::Error {
    let key = match &e {
        PretrainError::Config(c) => c.key(),
        PretrainError::Table { .. } => Some("min_count"),
        PretrainError::AlreadyRun(dir) => {
            let hint = format!("`train pretrain --resume {}` continues it", dir.display());
            return anyhow::anyhow!("{e} ({hint})");
        }
        PretrainError::Checkpoint(CheckpointError::SaveFailed { run, .. }) => {
            let hint = format!("`train pretrain --resume {}` does", run.display());
            return anyhow::anyhow!("{e} ({hint})");
        }
        _ => None,
    };
    super::with_flag::<PretrainArgs, _>(key, e)
}

#[cfg(test)]
mod tests {
    use super::super::flag_of;
    use super::*;
    use cmgems_native::pretrain::ConfigError;

    #[test]
    fn config_keys_map_to_their_flags() {
        let flag = |key| flag_of::<PretrainArgs>(key);
        assert_eq!(flag("optimizer.lr").as_deref(), Some("--lr"));
        assert_eq!(flag("seq_len").as_deref(), Some("--seq-len"));
        assert_eq!(flag("held_out_share"), None);
        let e = with_flag(ConfigError::Lr(0.0).into());
        assert_eq!(
            e.to_string(),
            "--lr: invalid configuration: optimizer.lr 0 must be a positive number"
        );
    }

    #[test]
    fn given_flags_override_the_file_and_only_they() {
        use clap::{CommandFactory, FromArgMatches, Parser};
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: PretrainArgs,
        }
        let matches = Cli::command()
            .try_get_matches_from(["pretrain", "--steps", "7", "--lr", "0.5", "--out", "o"])
            .unwrap();
        let args = Cli::from_arg_matches(&matches).unwrap().args;
        let file = PretrainConfig::from_toml(
            "steps = 3\nbatch_size = 4\npreset = \"tiny\"\n[optimizer]\nwarmup_steps = 9\n",
        )
        .unwrap();
        let c = args.apply(&file, &given(&matches)).unwrap();
        assert_eq!((c.steps, c.optimizer.lr), (7, 0.5));
        assert_eq!((c.batch_size, c.preset.as_str()), (4, "tiny"));
        assert_eq!(c.optimizer.warmup_steps, 9);
        // Nothing given: the file as it was.
        assert_eq!(args.apply(&file, &[]).unwrap(), file);
    }
}
