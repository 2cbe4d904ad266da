//! Where fine-tuning starts: a `train pretrain` run, one of its checkpoints, a HuggingFace
//! folder (ours from `train export`, or DNABERT's published ones with `pytorch_model.bin`),
//! or a fresh preset (the "no pretraining" baseline).

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::tensor::Device;

use super::FinetuneError;
use crate::hf::{load_weights, LoadReport, Tolerance};
use crate::model::{
    BertConfig, BertForMaskedLM, BertForSequenceClassification, BertPooler, Preset,
};
use crate::training::latest_checkpoint;

/// HF weight files, in the order `from_pretrained` prefers them.
pub const HF_WEIGHT_FILES: [&str; 2] = ["model.safetensors", "pytorch_model.bin"];

/// A resolved `--init`.
#[derive(Debug, Clone, PartialEq)]
pub enum InitSource {
    /// A checkpoint directory of ours (`model.bpk`, `config.json`).
    Checkpoint(PathBuf),
    /// A HF folder: `config.json` and one of [`HF_WEIGHT_FILES`].
    HuggingFace { config: PathBuf, weights: PathBuf },
    /// Random weights of a preset.
    Preset(Preset),
}

impl InitSource {
    /// `preset:NAME`, a pretraining run folder (its latest checkpoint), a checkpoint folder,
    /// or a HF folder.
    pub fn resolve(spec: &str) -> Result<InitSource, FinetuneError> {
        if let Some(name) = spec.strip_prefix("preset:") {
            return Preset::from_name(name)
                .map(InitSource::Preset)
                .ok_or_else(|| FinetuneError::Init {
                    path: spec.into(),
                    message: "unknown preset (tiny, logo or dnabert6)".into(),
                });
        }
        let dir = Path::new(spec);
        if !dir.is_dir() {
            return Err(FinetuneError::Init {
                path: dir.into(),
                message: "not a folder; init takes a pretraining run, a checkpoint, a \
                          HuggingFace folder or preset:NAME"
                    .into(),
            });
        }
        if let Some(checkpoint) = latest_checkpoint(dir)? {
            return Ok(InitSource::Checkpoint(checkpoint));
        }
        if dir.join("model.bpk").is_file() {
            return Ok(InitSource::Checkpoint(dir.into()));
        }
        let config = dir.join("config.json");
        let weights = HF_WEIGHT_FILES
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file());
        match (config.is_file(), weights) {
            (true, Some(weights)) => Ok(InitSource::HuggingFace { config, weights }),
            _ => Err(FinetuneError::Init {
                path: dir.into(),
                message: "holds no checkpoints/latest, no model.bpk and no config.json with \
                          model.safetensors or pytorch_model.bin"
                    .into(),
            }),
        }
    }

    /// The architecture this source describes.
    pub fn config(&self) -> Result<BertConfig, FinetuneError> {
        Ok(match self {
            InitSource::Checkpoint(dir) => BertConfig::from_json_file(&dir.join("config.json"))?,
            InitSource::HuggingFace { config, .. } => BertConfig::from_json_file(config)?,
            InitSource::Preset(p) => p.config(),
        })
    }

    /// A classifier with this source's encoder and a fresh pooler/classifier where the
    /// source has none. `config` is [`Self::config`], possibly with dropout changed.
    pub fn classifier(
        &self,
        config: &BertConfig,
        num_labels: usize,
        device: &Device,
    ) -> Result<(BertForSequenceClassification, LoadReport), FinetuneError> {
        let fresh = BertForSequenceClassification::new(config, num_labels, device);
        match self {
            InitSource::Preset(_) => Ok((fresh, LoadReport::default())),
            InitSource::HuggingFace { weights, .. } => {
                Ok(load_weights(fresh, weights, &Tolerance::ENCODER)?)
            }
            InitSource::Checkpoint(dir) => {
                let path = dir.join("model.bpk");
                let mlm = BertForMaskedLM::new(config, device)
                    .try_load_file(&path)
                    .map_err(|e| FinetuneError::Init {
                        path: path.clone(),
                        message: format!("{e} (is it a checkpoint of another preset?)"),
                    })?;
                let mut bert = mlm.bert;
                bert.pooler = Some(BertPooler::new(config, device));
                let report = LoadReport {
                    fresh: vec!["bert.pooler.*".into(), "classifier.*".into()],
                    unused: vec!["cls.*".into()],
                };
                Ok((BertForSequenceClassification { bert, ..fresh }, report))
            }
        }
    }

    /// The MLM model of this source (for `train export`).
    pub fn masked_lm(
        &self,
        device: &Device,
    ) -> Result<(BertForMaskedLM, BertConfig), FinetuneError> {
        let config = self.config()?;
        let fresh = BertForMaskedLM::new(&config, device);
        let model = match self {
            InitSource::Preset(_) => fresh,
            InitSource::HuggingFace { weights, .. } => {
                load_weights(fresh, weights, &Tolerance::MLM)?.0
            }
            InitSource::Checkpoint(dir) => {
                let path = dir.join("model.bpk");
                fresh
                    .try_load_file(&path)
                    .map_err(|e| FinetuneError::Init {
                        path: path.clone(),
                        message: e.to_string(),
                    })?
            }
        };
        Ok((model, config))
    }
}
