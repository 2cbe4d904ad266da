//! `train probe`: the zero-shot probe (docs/algorithms.md §9). Embed with a frozen pretrained
//! encoder, fit a logistic regression on the train split, score the test split.

use anyhow::Result;
use clap::{Args, ValueEnum};
use cmgems_core::{Tokenizer, K};
use cmgems_native::finetune::InitSource;
use cmgems_native::probe::{encoder, probe, Pool};
use serde_json::json;
use std::path::PathBuf;

use cmgems_native::finetune::{load, write_json};

/// `--pool`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PoolArg {
    /// The mean of the last layer over the k-mer tokens (not [PAD], [CLS], [SEP]).
    Mean,
    /// The last layer's [CLS] state.
    Cls,
}

impl From<PoolArg> for Pool {
    fn from(p: PoolArg) -> Pool {
        match p {
            PoolArg::Mean => Pool::Mean,
            PoolArg::Cls => Pool::Cls,
        }
    }
}

/// `train probe`.
#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// The encoder, as `train finetune --init` takes it: a `train pretrain` run folder, a
    /// checkpoint folder, a HuggingFace folder or preset:tiny|logo|dnabert6 (random weights).
    #[arg(long, value_name = "SOURCE")]
    pub init: String,
    /// The labelled file the logistic regression is fitted on (TSV or CSV, as finetune's).
    #[arg(long, value_name = "FILE")]
    pub train: PathBuf,
    /// The labelled file it is scored on.
    #[arg(long, value_name = "FILE")]
    pub test: PathBuf,
    /// Use only N training examples spread over the file [default: all].
    #[arg(long, value_name = "N")]
    pub train_limit: Option<usize>,
    /// Score only N test examples spread over the file [default: all].
    #[arg(long, value_name = "N")]
    pub test_limit: Option<usize>,
    /// How a sequence's hidden states become one vector.
    #[arg(long, value_enum, default_value = "mean")]
    pub pool: PoolArg,
    /// Backend: cpu, auto (a GPU through wgpu, else the CPU), wgpu or cuda.
    #[arg(long, default_value = "cpu")]
    pub backend: String,
    /// Model positions per sequence, [CLS] and [SEP] included (capped by the model's).
    #[arg(long, value_name = "TOKENS", default_value_t = 512)]
    pub max_len: usize,
    /// Sequences per forward pass.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub batch_size: usize,
    /// Seed of a preset's random weights (`--init preset:NAME`, the no-pretraining baseline).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Write the report as JSON here [default: the table line only].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: ProbeArgs) -> Result<()> {
    let init = InitSource::resolve(&args.init)?;
    let config = init.config()?;
    let device = super::backend(&args.backend, 1)?.device;
    let len = args.max_len.min(config.max_position_embeddings).min(512);
    let tokenizer = Tokenizer::new(K::SIX, len, false)?;
    let mut notes = crate::console::notes();
    let mut train = load(&args.train, &tokenizer, &mut notes)?;
    let mut test = load(&args.test, &tokenizer, &mut notes)?;
    if let Some(n) = args.train_limit {
        train = train.spread_sample(n);
    }
    if let Some(n) = args.test_limit {
        test = test.spread_sample(n);
    }
    let model = encoder(&init, &device, args.seed)?;
    let pool = Pool::from(args.pool);
    let report = probe(&model, (&train, &test), &device, args.batch_size, pool)?;
    println!(
        "probe ({} pool, {} train / {} test, {} features): AUC {:.4}, accuracy {:.4}, MCC {:.4}{}",
        pool.name(),
        report.n_train,
        report.n_test,
        report.n_features,
        report.auc,
        report.accuracy,
        report.mcc,
        if report.converged {
            ""
        } else {
            " (not converged)"
        }
    );
    if let Some(out) = &args.out {
        let value = json!({
            "init": args.init,
            "pool": pool.name(),
            "seed": args.seed,
            "train": train.path,
            "test": test.path,
            "report": report,
        });
        write_json(out, &value)?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}
