//! `train`: the cmgems command line. Only the flags and the dispatch live here and in
//! `commands/` (one file per subcommand: its `Args` and its `run`); the work is the
//! library's. `anyhow` lives at this edge only.

mod commands;
mod console;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use commands::*;

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
    about = "cmgems: smarter masking for DNA language-model pretraining",
    after_help = "Run `train <COMMAND> --help` for the flags of a command, with their units and defaults."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print (or write) DNABERT's vocab.txt for k.
    Vocab(vocab::VocabArgs),
    /// Build, import or show an NPMI table.
    Npmi(npmi::NpmiArgs),
    /// Mask sequences (FASTA, one per line, DNABERT/GeneMask TSV or GUE CSV) and write JSONL.
    Mask(mask::MaskArgs),
    /// Write the embedded SYNTHETIC corpus (planted motifs and repeats) as FASTA.
    Synth(synth::SynthArgs),
    /// Build a genome store (UCSC .2bit) from FASTA, streaming: what --corpus reads memory-mapped.
    Genome(genome::GenomeArgs),
    /// Pretrain a DNABERT-style BERT with masked-language modelling (burn; a GPU through wgpu
    /// by default).
    Pretrain(Box<pretrain::PretrainArgs>),
    /// Time a full training step (forward, backward, AdamW): tokens per second.
    Bench(bench::BenchArgs),
    /// List the devices each backend finds here (what `--backend auto` and `--devices` pick).
    Devices,
    /// Fine-tune a classifier (BertForSequenceClassification) on a labelled task and score it.
    Finetune(Box<finetune::FinetuneArgs>),
    /// The few-shot protocol: n examples per class over seeds, mean ± std accuracy and MCC.
    Fewshot(Box<fewshot::FewshotArgs>),
    /// The zero-shot probe: embed with a frozen pretrained encoder, fit a logistic regression
    /// on the train split, score ROC AUC, accuracy and MCC on the test split.
    Probe(Box<probe::ProbeArgs>),
    /// Fine-tune and score every GUE task under a root: Table 2 as Markdown and CSV.
    Gue(Box<gue::GueArgs>),
    /// Write a HuggingFace folder (config.json, model.safetensors, vocab.txt) of a run.
    Export(export::ExportArgs),
    /// The paper's comparison, small: pretrain every masker (k-mer and position lookup), score
    /// each by few-shot accuracy and held-out perplexity; table, charts and report.
    Experiment(experiment::ExperimentArgs),
    /// The main job on the embedded synthetic corpus: NPMI table, then every masker on a
    /// built-in sequence.
    Demo(demo::DemoArgs),
}

fn main() {
    keep_freed_memory();
    // The matches too: `pretrain` tells the flags given from the defaulted ones.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = run(cli, &matches);
    if let Err(e) = &result {
        eprintln!("error: {}", message(e));
    }
    // A run a signal stopped exits as the signal would have ended it: 128 + its number.
    if let Some(signal) = console::received_signal() {
        std::process::exit(128 + signal);
    }
    if result.is_err() {
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

fn run(cli: Cli, matches: &clap::ArgMatches) -> anyhow::Result<()> {
    match cli.command {
        Command::Vocab(args) => vocab::run(args),
        Command::Npmi(args) => npmi::run(args),
        Command::Mask(args) => mask::run(args),
        Command::Synth(args) => synth::run(args),
        Command::Genome(args) => genome::run(args),
        Command::Pretrain(args) => {
            let sub = matches.subcommand_matches("pretrain");
            pretrain::run(*args, sub.expect("the pretrain subcommand's matches"))
        }
        Command::Bench(args) => bench::run(&args),
        Command::Devices => devices::run(),
        Command::Finetune(args) => finetune::run(*args),
        Command::Fewshot(args) => fewshot::run(*args),
        Command::Probe(args) => probe::run(*args),
        Command::Gue(args) => gue::run(*args),
        Command::Export(args) => export::run(args),
        Command::Experiment(args) => experiment::run(args),
        Command::Demo(args) => demo::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every flag of every subcommand says what it does, and every flag that takes a value
    /// says its default (clap's `[default: ..]`, or the help's own words when the default
    /// comes from a config or a recipe) or that it is required.
    #[test]
    fn every_flag_explains_itself() {
        let mut unexplained = Vec::new();
        for sub in Cli::command().get_subcommands() {
            for arg in sub.get_arguments() {
                let id = format!("train {} --{}", sub.get_name(), arg.get_id());
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                if help.is_empty() {
                    unexplained.push(format!("{id}: no help text"));
                    continue;
                }
                let explained = !arg.get_default_values().is_empty()
                    || arg.is_required_set()
                    || help.contains("[default: ")
                    || help.contains("required")
                    || arg.is_positional();
                if arg.get_action().takes_values() && !explained {
                    unexplained.push(format!("{id}: no default in {help:?}"));
                }
            }
        }
        assert!(unexplained.is_empty(), "{}", unexplained.join("\n"));
    }
}
