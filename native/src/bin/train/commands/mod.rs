//! One file per subcommand: its flags (`Args`, clap derive) and its `run`, which turns the
//! flags into the library's configs and calls it. Helpers shared by several commands are
//! here.

pub mod bench;
pub mod demo;
pub mod devices;
pub mod experiment;
pub mod export;
pub mod fewshot;
pub mod finetune;
pub mod genome;
pub mod gue;
pub mod mask;
pub mod npmi;
pub mod pretrain;
pub mod probe;
pub mod synth;
pub mod tune;
pub mod vocab;

use anyhow::Result;
use clap::parser::ValueSource;
use clap::ArgMatches;
use cmgems_native::backend::{select_backend, Selected};
use cmgems_native::files::write_atomic;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::PathBuf;

/// `--backend NAME --devices N` as the library selects them, saying on standard error when it
/// fell back to the CPU and why.
pub fn backend(name: &str, devices: usize) -> Result<Selected> {
    // Every command that selects devices has `--backend`/`--devices` flags named as the keys.
    let selected =
        select_backend(name, devices).map_err(|e| anyhow::anyhow!("--{}: {e}", e.key()))?;
    if let Some(why) = &selected.fallback {
        eprintln!("note: {why}");
    }
    Ok(selected)
}

/// The flag among `A`'s that sets a library config key (`optimizer.lr` → `--lr`,
/// `warmup.ratio` → `--warmup-ratio`): the key with `_` for `.`, else its last part.
/// `None` for keys no flag sets (config.toml only).
pub fn flag_of<A: clap::Args>(key: &str) -> Option<String> {
    let command = A::augment_args(clap::Command::new("flags"));
    let joined = key.replace('.', "_");
    let last = key.rsplit('.').next().unwrap_or(key);
    let flag = [joined.as_str(), last].into_iter().find_map(|id| {
        let arg = command.get_arguments().find(|a| a.get_id() == id)?;
        arg.get_long().map(|long| format!("--{long}"))
    });
    flag
}

/// `error`, led by the flag that sets `key` if `A` has one (as ripgrep's parser adds the
/// flag to an error): `--lr: optimizer.lr 0 must be a positive number`.
pub fn with_flag<A: clap::Args, E>(key: Option<&str>, error: E) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    match key.and_then(flag_of::<A>) {
        Some(flag) => anyhow::anyhow!("{flag}: {error}"),
        None => error.into(),
    }
}

/// The ids of the flags given on the command line, not defaulted: a flag's id is the config
/// key it sets (`lr`, `eval_every`).
pub fn given(matches: &ArgMatches) -> Vec<String> {
    matches
        .ids()
        .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
        .map(|id| id.to_string())
        .collect()
}

/// The values of a config (as JSON: `values`, parsed from the flags) whose flags were given
/// (`given`): each key named in `given`, at any depth of tables, and a key holding an enum
/// (`warmup = {steps = 50}`) whose flag `{key}_{variant}` (`warmup_steps`) was given. What
/// flags replace in a file's or a recipe's values, and nothing else.
pub fn given_values(values: &Value, given: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    let Value::Object(values) = values else {
        return out;
    };
    let is_given = |id: String| given.contains(&id);
    for (key, value) in values {
        let picked = match value {
            Value::Object(one)
                if one.len() == 1 && one.keys().any(|v| is_given(format!("{key}_{v}"))) =>
            {
                Some(value.clone())
            }
            Value::Object(_) => {
                let inner = given_values(value, given);
                (!inner.is_empty()).then_some(Value::Object(inner))
            }
            _ => is_given(key.clone()).then(|| value.clone()),
        };
        if let Some(v) = picked {
            out.insert(key.clone(), v);
        }
    }
    out
}

/// Writes to a file atomically, or to standard output.
pub fn emit(out: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match out {
        Some(path) => Ok(write_atomic(path, |w| w.write_all(bytes))?),
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

/// `--rank-lookup`: how a masker looks up a position's NPMI rank.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LookupArg {
    /// By the k-mer at the position (as the papers describe).
    Kmer,
    /// By the position's index in the rank table (as the authors' code does).
    Position,
}

impl From<LookupArg> for cmgems_core::RankLookup {
    fn from(l: LookupArg) -> Self {
        match l {
            LookupArg::Kmer => cmgems_core::RankLookup::Kmer,
            LookupArg::Position => cmgems_core::RankLookup::Position,
        }
    }
}
