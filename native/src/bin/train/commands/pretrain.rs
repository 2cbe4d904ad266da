//! `train pretrain`: flags over a config (the defaults, `--config FILE` or a run being
//! resumed), then the library's loop with the metrics files and the terminal as observers.

use anyhow::{Context, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use cmgems_native::events::Observers;
use cmgems_native::pretrain::{self, JsonlLogs, PretrainConfig, PretrainError, Summary};
use cmgems_native::training::CheckpointError;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// The run's folders, then every config key that has a flag (the library's
/// `PretrainConfig`, its sections flattened: each declared there once with its help and
/// default). A flag given on the command line overrides the value from `--config` or the run
/// being resumed.
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

    /// `base` with the value of every flag given on the command line (`matches`), CM-Step
    /// then spread over the run's steps (the flags set `--steps` and `--masking` apart).
    fn apply(&self, base: &PretrainConfig, matches: &ArgMatches) -> Result<PretrainConfig> {
        let flags = serde_json::to_value(&self.flags)?;
        let mut merged = serde_json::to_value(base)?;
        merge(
            &mut merged,
            super::given_values(&flags, &super::given(matches)),
        );
        let mut config: PretrainConfig = serde_json::from_value(merged)?;
        // The curriculum (an enum, whose flags are not its keys) is core's to update.
        config
            .masking
            .curriculum
            .update_from_command_line(matches)?;
        config.tie_cm_step_to_steps();
        Ok(config)
    }
}

/// Puts `patch` onto `to`, table into table: `{"optimizer": {"lr": ..}}` replaces only `lr`.
fn merge(to: &mut Value, patch: Map<String, Value>) {
    let Value::Object(to) = to else {
        return;
    };
    for (key, value) in patch {
        match value {
            Value::Object(inner) if to.get(&key).is_some_and(Value::is_object) => {
                merge(to.get_mut(&key).expect("checked"), inner);
            }
            value => {
                to.insert(key, value);
            }
        }
    }
}

pub fn run(args: PretrainArgs, matches: &ArgMatches) -> Result<()> {
    let (base, out, resume) = args.base()?;
    let mut config = args.apply(&base, matches)?;
    let seq_len_given = matches.value_source("seq_len") == Some(ValueSource::CommandLine);
    if !seq_len_given && args.config.is_none() && !resume {
        // A new run from the defaults: the sequence length the model takes, not LOGO's 512.
        config.data.seq_len = pretrain::default_seq_len(&config).map_err(with_flag)?;
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
        PretrainError::Table { .. } => Some("data.min_count"),
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
    use cmgems_core::schedule::curriculum::CurriculumConfig;
    use cmgems_native::pretrain::ConfigError;

    #[test]
    fn config_keys_map_to_their_flags() {
        let flag = |key| flag_of::<PretrainArgs>(key);
        assert_eq!(flag("optimizer.lr").as_deref(), Some("--lr"));
        assert_eq!(flag("data.seq_len").as_deref(), Some("--seq-len"));
        assert_eq!(flag("schedule.steps").as_deref(), Some("--steps"));
        assert_eq!(
            flag("evaluation.eval_every").as_deref(),
            Some("--eval-every")
        );
        assert_eq!(flag("data.held_out_share"), None);
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
        let parse = |flags: &[&str]| {
            let matches = Cli::command()
                .try_get_matches_from(["pretrain", "--out", "o"].iter().chain(flags))
                .unwrap();
            let args = Cli::from_arg_matches(&matches).unwrap().args;
            (args, matches)
        };
        let file = PretrainConfig::from_toml(
            "[model]\npreset = \"tiny\"\n[schedule]\nsteps = 3\nbatch_size = 4\n\
             [optimizer]\nwarmup_steps = 9\n[masking.curriculum.cm-gems]\nthreshold = \"1%\"\n",
        )
        .unwrap();
        let (args, matches) = parse(&["--steps", "7", "--lr", "0.5", "--cm-gems-patience", "2"]);
        let c = args.apply(&file, &matches).unwrap();
        assert_eq!((c.schedule.steps, c.optimizer.lr), (7, 0.5));
        assert_eq!(
            (c.schedule.batch_size, c.model.preset.as_str()),
            (4, "tiny")
        );
        assert_eq!(c.optimizer.warmup_steps, 9);
        let relative = cmgems_core::SwitchThreshold::Relative(0.01);
        assert_eq!(
            c.curriculum(),
            CurriculumConfig::CmGems {
                threshold: relative,
                patience: 2
            }
        );
        // Nothing given: the file as it was.
        let (args, matches) = parse(&[]);
        assert_eq!(args.apply(&file, &matches).unwrap(), file);
        // CM-Step chosen by flag runs over the file's steps, or the given ones.
        let (args, matches) = parse(&["--masking", "cm-step"]);
        let c = args.apply(&file, &matches).unwrap();
        assert_eq!(c.curriculum(), CurriculumConfig::CmStep { max_steps: 3 });
        let (args, matches) = parse(&["--steps", "8"]);
        let c = args.apply(&c, &matches).unwrap();
        assert_eq!(c.curriculum(), CurriculumConfig::CmStep { max_steps: 8 });
    }
}
