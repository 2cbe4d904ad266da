//! `train export`: a HuggingFace folder of a run, checkpoint, HF folder or preset.

use anyhow::Result;
use clap::Args;
use cmgems_native::finetune::InitSource;
use cmgems_native::hf::write_hf_folder;
use std::path::PathBuf;

/// `train export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The HuggingFace folder to write (required; must not exist).
    #[arg(long)]
    pub hf: PathBuf,
    /// What to export (required): a pretraining run, a checkpoint folder, a HF folder or
    /// preset:NAME.
    pub source: String,
}

pub fn run(args: ExportArgs) -> Result<()> {
    let init = InitSource::resolve(&args.source)?;
    let device = burn::tensor::Device::flex();
    let (model, config) = init.masked_lm(&device)?;
    write_hf_folder(&model, &config, "BertForMaskedLM", None, &args.hf)?;
    eprintln!(
        "wrote {} (config.json, model.safetensors, vocab.txt): load it with \
         transformers.BertForMaskedLM.from_pretrained",
        args.hf.display()
    );
    Ok(())
}
