//! `train`: the cmgems command line. Arguments are parsed here (clap derive), validated into
//! the library's configs, and run; `anyhow` only lives at this edge.

mod bench_cmd;
mod demo;
mod experiment;
mod finetune_cmd;
mod pretrain_run;
mod svg;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use cmgems_core::curriculum::CurriculumConfig;
use cmgems_core::mask::{GlobalCount, MaskConfig, RandomIds, Strategy};
use cmgems_core::{RankLookup, K};
use cmgems_native::files::write_atomic;
use cmgems_native::{mask_job, npmi_job, tables};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Tensor buffers of a training step are allocated and freed every step; glibc's malloc
/// returns large ones to the kernel each time (see `bench/burn_vs_torch.jsonl`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the `mi_option_e` enum of the mimalloc header that
/// libmimalloc-sys builds (v3; v2 has the same index); the crate exports no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory mapped for reuse: by default mimalloc hands pages back to the kernel
/// 10 ms after a free, and a training step frees and re-allocates the same ~1 GB of tensors,
/// so the kernel faulted in and zeroed them again every step (20x the page faults over 4 LOGO
/// steps; keeping them gives +16-34% tokens/s, `bench/mimalloc_purge_ab.csv`). The process
/// keeps its peak footprint, which a training run needs again at the next step anyway.
/// `MIMALLOC_PURGE_DELAY` still wins.
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: called first thing in `main`, before any other thread exists (the setter
        // is not thread safe); the option is an integer mimalloc reads on each purge.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

#[derive(Parser)]
#[command(
    name = "train",
    version,
    about = "cmgems: smarter masking for DNA language-model pretraining"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print (or write) DNABERT's vocab.txt for k.
    Vocab {
        #[arg(long, default_value_t = 6)]
        k: usize,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build, import or show an NPMI table.
    Npmi(NpmiArgs),
    /// Mask sequences (FASTA, one per line, DNABERT/GeneMask TSV or GUE CSV) and write JSONL.
    Mask(MaskArgs),
    /// Write the embedded SYNTHETIC corpus (planted motifs and repeats) as FASTA.
    Synth {
        #[arg(long)]
        out: PathBuf,
        /// Number of records.
        #[arg(long, default_value_t = 100)]
        records: usize,
        /// Nucleotides per record.
        #[arg(long, default_value_t = 10_000)]
        record_len: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Pretrain a DNABERT-style BERT with masked-language modelling (burn; a GPU through wgpu
    /// by default).
    Pretrain(Box<PretrainArgs>),
    /// Time a full training step (forward, backward, AdamW): tokens per second.
    Bench(bench_cmd::BenchArgs),
    /// List the devices each backend finds here (what `--backend auto` and `--devices` pick).
    Devices,
    /// Fine-tune a classifier (BertForSequenceClassification) on a labelled task and score it.
    Finetune(Box<finetune_cmd::FinetuneArgs>),
    /// The few-shot protocol: n examples per class over seeds, mean ± std accuracy and MCC.
    Fewshot(Box<finetune_cmd::FewshotArgs>),
    /// Fine-tune and score every GUE task under a root: Table 2 as Markdown and CSV.
    Gue(Box<finetune_cmd::GueArgs>),
    /// Write a HuggingFace folder (config.json, model.safetensors, vocab.txt) of a run.
    Export(finetune_cmd::ExportArgs),
    /// The paper's comparison, small: pretrain every masker (k-mer and position lookup), score
    /// each by few-shot accuracy and held-out perplexity; table, charts and report.
    Experiment {
        /// The experiment file (e.g. experiments/small.toml).
        #[arg(long)]
        config: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "cmgems-experiment")]
        out: PathBuf,
        /// Override the config's backend (wgpu, cuda, cpu).
        #[arg(long)]
        backend: Option<String>,
    },
    /// The main job on the embedded synthetic corpus: NPMI table, then every masker on a
    /// built-in sequence.
    Demo {
        /// Output folder.
        #[arg(long, default_value = "cmgems-demo")]
        out: PathBuf,
        /// Records of 10 kb in the synthetic corpus.
        #[arg(long, default_value_t = 200)]
        records: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Args)]
#[group(skip)]
struct NpmiArgs {
    /// FASTA/FASTQ files (optionally .gz) to count.
    #[arg(long, num_args = 1.., group = "source")]
    fasta: Vec<PathBuf>,
    /// Convert the GeneMask authors' ranking CSV.
    #[arg(long, group = "source")]
    import_genemask: Option<PathBuf>,
    /// Print the top k-mers of a table (JSON or the authors' CSV).
    #[arg(long, group = "source")]
    show: Option<PathBuf>,
    #[arg(long, default_value_t = 6)]
    k: usize,
    /// The minimum count c: rarer k-mers get no score (the authors used 101).
    #[arg(long, default_value_t = 101)]
    min_count: u64,
    /// Where to write the table (JSON).
    #[arg(long)]
    out: Option<PathBuf>,
    /// How many k-mers `--show` prints.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// With --show: Spearman correlation of the ranks with another table.
    #[arg(long)]
    compare: Option<PathBuf>,
}

/// `train pretrain`: every flag overrides the value from `--config` (or the defaults).
#[derive(Args)]
struct PretrainArgs {
    /// FASTA(.gz) or k-mer text files; none = the embedded SYNTHETIC corpus.
    #[arg(long, num_args = 1..)]
    corpus: Vec<PathBuf>,
    /// NPMI table (JSON or the authors' CSV); default: count one from the corpus.
    #[arg(long)]
    table: Option<PathBuf>,
    /// Output folder (config.toml, metrics.jsonl, checkpoints/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Continue the run in this folder from its latest checkpoint (with its config.toml).
    #[arg(long, conflicts_with_all = ["config", "out"])]
    resume: Option<PathBuf>,
    /// A config.toml to start from (as a run writes it).
    #[arg(long)]
    config: Option<PathBuf>,
    /// tiny | logo | dnabert6.
    #[arg(long)]
    preset: Option<String>,
    /// An HF config.json instead of a preset.
    #[arg(long)]
    model_config: Option<PathBuf>,
    /// auto (default: a GPU through wgpu, else the CPU) | wgpu | cuda | cpu; falls back to
    /// cpu with a message when no device exists.
    #[arg(long)]
    backend: Option<String>,
    /// Data parallel over this many devices of the backend (each optimizer step's
    /// micro-batches are shared out; gradients summed on the first device).
    #[arg(long)]
    devices: Option<usize>,
    #[arg(long, value_enum)]
    masking: Option<cmgems_native::pretrain::Masking>,
    #[arg(long, value_enum)]
    rank_lookup: Option<LookupArg>,
    #[arg(long)]
    cm_gems_threshold: Option<cmgems_core::SwitchThreshold>,
    #[arg(long)]
    cm_gems_patience: Option<u32>,
    #[arg(long)]
    steps: Option<u64>,
    #[arg(long)]
    lr: Option<f64>,
    #[arg(long)]
    warmup_steps: Option<u64>,
    #[arg(long)]
    weight_decay: Option<f32>,
    #[arg(long)]
    batch_size: Option<usize>,
    #[arg(long)]
    accumulation: Option<usize>,
    #[arg(long)]
    seq_len: Option<usize>,
    #[arg(long)]
    eval_every: Option<u64>,
    #[arg(long)]
    eval_batches: Option<usize>,
    #[arg(long)]
    checkpoint_every: Option<u64>,
    #[arg(long)]
    min_count: Option<u64>,
    /// Records of 10 kb in the synthetic corpus.
    #[arg(long)]
    synthetic_records: Option<usize>,
    #[arg(long)]
    seed: Option<u64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum StrategyArg {
    Random,
    Genemask,
    Global,
    CmStep,
    CmGems,
}

#[derive(Clone, Copy, ValueEnum)]
enum LookupArg {
    Kmer,
    Position,
}

#[derive(Clone, Copy, ValueEnum)]
enum RandomIdsArg {
    Kmers,
    All,
}

#[derive(Args)]
struct MaskArgs {
    /// NPMI table (cmgems JSON or the authors' CSV).
    #[arg(long)]
    table: PathBuf,
    #[arg(long, value_enum)]
    strategy: StrategyArg,
    /// Training step to mask for (CM-Step's p_global; CM-GEMS with --switch-step).
    #[arg(long, default_value_t = 0)]
    step: u64,
    /// Total training steps (CM-Step).
    #[arg(long, default_value_t = 10_000)]
    max_steps: u64,
    /// CM-GEMS: the step at which the run switched to GLOBAL (from a trainer's metrics).
    #[arg(long)]
    switch_step: Option<u64>,
    /// Rank lookup: by the k-mer at each position (as described) or by position (as coded).
    #[arg(long, value_enum, default_value = "kmer")]
    rank_lookup: LookupArg,
    /// 80/10/10 random replacement ids: k-mers only, or all ids (as coded).
    #[arg(long, value_enum, default_value = "kmers")]
    random_ids: RandomIdsArg,
    /// GLOBAL: a fixed number of spans instead of the binomial draw.
    #[arg(long)]
    global_m: Option<usize>,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value_t = 6)]
    k: usize,
    /// Records longer than one model input are cut into windows of this many k-mer tokens
    /// (1..=510), one JSON line each, as the browser inspector shows them.
    #[arg(long, default_value_t = 510)]
    window: usize,
    /// Tokens from one window's start to the next (1..=window; default: the window, so
    /// windows sit back to back; smaller values make them overlap).
    #[arg(long)]
    stride: Option<usize>,
    /// Write JSONL here (atomically) instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Sequences to mask.
    input: PathBuf,
}

fn main() {
    keep_freed_memory();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {}", message(&e));
        std::process::exit(1);
    }
}

/// The error and its causes on one line. The library's errors already print their source
/// (`file: cause`), so a cause whose text is already there is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Vocab { k, out } => {
            let vocab = cmgems_core::Vocab::new(K::new(k)?);
            emit(out.as_ref(), vocab.vocab_txt().as_bytes())
        }
        Command::Npmi(args) => npmi(args),
        Command::Mask(args) => mask(args),
        Command::Synth {
            out,
            records,
            record_len,
            seed,
        } => {
            let config = cmgems_core::synthetic::SyntheticConfig {
                records,
                record_len,
                seed,
                ..Default::default()
            };
            let corpus = cmgems_core::synthetic::generate(&config);
            write_atomic(&out, |w| {
                for (i, seq) in corpus.iter().enumerate() {
                    writeln!(
                        w,
                        ">synthetic_{i} seed={seed} (SYNTHETIC: planted motifs and repeats)"
                    )?;
                    for line in seq.chunks(80) {
                        w.write_all(line)?;
                        w.write_all(b"\n")?;
                    }
                }
                Ok(())
            })?;
            eprintln!("wrote {} synthetic records to {}", records, out.display());
            Ok(())
        }
        Command::Pretrain(args) => pretrain(*args),
        Command::Bench(args) => bench_cmd::run(&args),
        Command::Devices => {
            list_devices();
            Ok(())
        }
        Command::Finetune(args) => finetune_cmd::finetune(*args),
        Command::Fewshot(args) => finetune_cmd::fewshot(*args),
        Command::Gue(args) => finetune_cmd::gue(*args),
        Command::Export(args) => finetune_cmd::export(args),
        Command::Experiment {
            config,
            out,
            backend,
        } => experiment::run(&config, &out, backend),
        Command::Demo { out, records, seed } => demo::run(&out, records, seed),
    }
}

/// Writes to a file atomically, or to standard output.
fn emit(out: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match out {
        Some(path) => Ok(write_atomic(path, |w| w.write_all(bytes))?),
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

fn npmi(args: NpmiArgs) -> Result<()> {
    let k = K::new(args.k)?;
    if let Some(path) = &args.show {
        let table = tables::load_table(path, None)?;
        print!("{}", cmgems_native::report::top_table(&table, args.top));
        if let Some(other) = &args.compare {
            let other = tables::load_table(other, Some(table.k()))?;
            let rho = cmgems_core::npmi::spearman(table.rank_table(), other.rank_table())?;
            println!(
                "Spearman rank correlation with {}: {rho:.4}",
                other_name(&args)
            );
        }
        return Ok(());
    }
    if args.fasta.is_empty() && args.import_genemask.is_none() {
        bail!("say what to do: --fasta FILE.., --import-genemask CSV or --show TABLE");
    }
    let Some(out) = &args.out else {
        bail!("--out FILE is needed to write the table");
    };
    let table = if let Some(csv) = &args.import_genemask {
        tables::load_table(csv, Some(k))?
    } else {
        let config = npmi_job::CountConfig {
            files: args.fasta.clone(),
            k,
            progress: std::io::stderr().is_terminal(),
        };
        let start = std::time::Instant::now();
        let table = npmi_job::table_from_files(&config, args.min_count)?;
        eprintln!(
            "counted {} files in {:.2} s; {} of {} {k}-mers reach the minimum count {}",
            args.fasta.len(),
            start.elapsed().as_secs_f64(),
            table.scored(),
            k.kmer_count(),
            args.min_count
        );
        table
    };
    tables::save_table(&table, out).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

fn other_name(args: &NpmiArgs) -> String {
    args.compare
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn mask(args: MaskArgs) -> Result<()> {
    let k = K::new(args.k)?;
    let table = tables::load_table(&args.table, Some(k))?.into_rank_table();
    let strategy_fixed = |s| CurriculumConfig::Fixed(s);
    let curriculum = match args.strategy {
        StrategyArg::Random => strategy_fixed(Strategy::RandomSpan),
        StrategyArg::Genemask => strategy_fixed(Strategy::GeneMask),
        StrategyArg::Global => strategy_fixed(Strategy::Global),
        StrategyArg::CmStep => CurriculumConfig::CmStep {
            max_steps: args.max_steps,
        },
        // Without perplexities to feed, CM-GEMS is GeneMask before the switch and GLOBAL
        // from the switch step a trainer reported.
        StrategyArg::CmGems => CurriculumConfig::cm_gems_replay(args.step, args.switch_step),
    };
    let config = MaskConfig {
        k,
        rank_lookup: match args.rank_lookup {
            LookupArg::Kmer => RankLookup::Kmer,
            LookupArg::Position => RankLookup::Position,
        },
        random_ids: match args.random_ids {
            RandomIdsArg::Kmers => RandomIds::Kmers,
            RandomIdsArg::All => RandomIds::AllIds,
        },
        global_count: match args.global_m {
            Some(m) => GlobalCount::Fixed(m),
            None => GlobalCount::Binomial,
        },
        ..MaskConfig::default()
    };
    config.validate()?;
    let job = mask_job::MaskJob {
        input: args.input.clone(),
        table,
        config,
        curriculum,
        step: args.step,
        seed: args.seed,
        windows: cmgems_core::input::WindowSpec::new(
            args.window,
            args.stride.unwrap_or(args.window),
        )
        .context("--window / --stride")?,
    };
    let summary = match &args.out {
        Some(path) => {
            // A failed job must not replace an existing output: the closure fails the
            // write, so the temporary file is dropped and the old file stays.
            let mut outcome = None;
            let written = write_atomic(path, |w| match mask_job::run(&job, w) {
                Ok(summary) => {
                    outcome = Some(summary);
                    Ok(())
                }
                Err(e) => Err(std::io::Error::other(e.to_string())),
            });
            match (written, outcome) {
                (Ok(()), Some(summary)) => summary,
                (Err(e), _) => return Err(e.into()),
                (Ok(()), None) => bail!("masking produced no summary"),
            }
        }
        None => mask_job::run(&job, &mut std::io::stdout().lock())?,
    };
    eprintln!(
        "masked {} sequences in {} model inputs: {} of {} maskable tokens ({:.2}%)",
        summary.sequences,
        summary.inputs,
        summary.masked,
        summary.maskable,
        100.0 * summary.masked as f64 / summary.maskable.max(1) as f64,
    );
    Ok(())
}

fn pretrain(args: PretrainArgs) -> Result<()> {
    use cmgems_native::pretrain::PretrainConfig;
    let (mut config, out, resume) = match (&args.resume, &args.config) {
        (Some(dir), _) => (pretrain_run::config_of(dir)?, dir.clone(), true),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            let config = PretrainConfig::from_toml(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            (
                config,
                args.out.clone().context("--out DIR is needed")?,
                false,
            )
        }
        (None, None) => (
            PretrainConfig::default(),
            args.out.clone().context("--out DIR is needed")?,
            false,
        ),
    };
    macro_rules! set {
        ($($field:ident),*) => {$( if let Some(v) = args.$field.clone() { config.$field = v; } )*};
    }
    set!(
        preset,
        backend,
        devices,
        masking,
        cm_gems_threshold,
        cm_gems_patience,
        steps,
        lr,
        warmup_steps,
        weight_decay,
        batch_size,
        accumulation,
        seq_len,
        eval_every,
        eval_batches,
        checkpoint_every,
        min_count,
        synthetic_records,
        seed
    );
    if !args.corpus.is_empty() {
        config.corpus = args.corpus.clone();
    }
    if args.table.is_some() {
        config.table = args.table.clone();
    }
    if args.model_config.is_some() {
        config.model_config = args.model_config.clone();
    }
    if let Some(l) = args.rank_lookup {
        config.rank_lookup = match l {
            LookupArg::Kmer => RankLookup::Kmer,
            LookupArg::Position => RankLookup::Position,
        };
    }
    let selected = select_backend(&config.backend, config.devices)?;
    let summary = pretrain_run::run(
        &config,
        &selected,
        &out,
        resume,
        std::io::stderr().is_terminal(),
    )?;
    println!(
        "pretrained {} steps into {}: last loss {}, last eval perplexity {}{}",
        summary.steps,
        summary.out.display(),
        summary.last_loss.map_or("-".into(), |l| format!("{l:.4}")),
        summary
            .last_perplexity
            .map_or("-".into(), |p| format!("{p:.3}")),
        summary
            .switch_step
            .map_or(String::new(), |s| format!("; CM-GEMS switched at step {s}"))
    );
    Ok(())
}

fn list_devices() {
    use cmgems_native::backend::{cuda_devices, select_device, wgpu_adapters, BackendChoice};
    let adapters = wgpu_adapters();
    if adapters.is_empty() {
        println!("wgpu: no adapter (no Vulkan/Metal/DX12 driver found)");
    }
    for (i, a) in adapters.iter().enumerate() {
        let kind = if a.hardware { "GPU" } else { "software" };
        println!("wgpu {i}: {} ({kind})", a.name);
    }
    match cuda_devices() {
        Ok(all) => all.iter().for_each(|d| println!("cuda: {d:?}")),
        Err(reason) => println!("cuda: {reason}"),
    }
    println!("cpu: Flex, {} threads", rayon::current_num_threads());
    let auto = select_device(BackendChoice::Auto);
    println!("--backend auto uses: {:?}", auto.device);
}

/// Picks `devices` devices of a backend (one falls back to the CPU with a message) and
/// points burn's default device at the backend. Call before any thread starts (it sets
/// `BURN_DEVICE`).
fn select_backend(name: &str, devices: usize) -> Result<cmgems_native::backend::Selected> {
    use cmgems_native::backend::{select_devices, set_default_device, BackendChoice};
    let choice = BackendChoice::from_name(name)
        .ok_or_else(|| anyhow::anyhow!("unknown backend {name:?} (auto, wgpu, cuda or cpu)"))?;
    let selected = select_devices(choice, devices)?;
    set_default_device(selected.backend);
    if let Some(why) = &selected.fallback {
        eprintln!("note: {why}");
    }
    Ok(selected)
}
