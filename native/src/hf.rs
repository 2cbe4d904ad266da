//! HuggingFace interop: the one place that knows how burn parameter paths become
//! `transformers` state-dict keys, and safetensors files `from_pretrained` accepts.
//!
//! Three differences are bridged, all by burn-store machinery rather than hand copies:
//! - burn `Linear` stores `[in, out]`, PyTorch `[out, in]`: `BurnToPyTorchAdapter` transposes;
//! - burn `LayerNorm` calls its parameters `gamma`/`beta`, PyTorch `weight`/`bias`: same adapter;
//! - Rust field names: `layer_norm` is HF `LayerNorm`, `self_attention` is HF `self`: the
//!   regex rules below.
//!
//! The MLM decoder is tied to the word embeddings and has no tensor of its own, exactly as
//! `save_pretrained` deduplicates it; `from_pretrained` re-ties `cls.predictions.decoder.*`.

use std::path::Path;

use burn::module::Module;
use burn::store::{
    BurnToPyTorchAdapter, KeyRemapper, ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore,
};

/// burn path fragment → HF key fragment, applied to whole keys on export.
pub const EXPORT_RULES: [(&str, &str); 2] = [
    (r"\.layer_norm\.", ".LayerNorm."),
    (r"\.self_attention\.", ".self."),
];

/// HF key fragment → burn path fragment, applied on import.
pub const IMPORT_RULES: [(&str, &str); 2] = [
    (r"\.LayerNorm\.", ".layer_norm."),
    (r"\.self\.", ".self_attention."),
];

/// HF keys that exist in `transformers` checkpoints but are not parameters here: the tied
/// decoder (same tensor as the word embeddings / `cls.predictions.bias`) and the
/// `position_ids` buffer older versions persisted.
pub const IGNORED_HF_KEYS: [&str; 3] = [
    "cls.predictions.decoder.weight",
    "cls.predictions.decoder.bias",
    "bert.embeddings.position_ids",
];

/// Why an HF weights file could not be written or applied.
#[derive(Debug, thiserror::Error)]
pub enum HfError {
    #[error("safetensors: {0}")]
    Store(String),
    #[error("{path}: keys missing from the file: {keys:?}")]
    Missing { path: String, keys: Vec<String> },
    #[error("{path}: keys of the file that match no parameter: {keys:?}")]
    Unused { path: String, keys: Vec<String> },
    #[error("{path}: {errors}")]
    Apply { path: String, errors: String },
}

fn remapper(rules: &[(&str, &str)]) -> KeyRemapper {
    KeyRemapper::from_patterns(rules.to_vec()).expect("the rules are valid regexes")
}

/// The HF key of each parameter, in module order, with its HF (PyTorch) shape.
pub fn hf_keys<M: Module>(model: &M) -> Vec<(String, Vec<usize>)> {
    let remap = remapper(&EXPORT_RULES);
    let tensors = model.collect(None, Some(Box::new(BurnToPyTorchAdapter)), true);
    let (tensors, _) = remap.remap(tensors);
    tensors
        .into_iter()
        .map(|t| (t.name.clone(), t.shape.to_vec()))
        .collect()
}

/// Writes `model.safetensors` that `BertForMaskedLM.from_pretrained` (PyTorch) loads.
///
/// The `format: pt` metadata matters: `transformers` refuses safetensors files whose format
/// is anything else, and burn-store writes `format: safetensors` by default.
pub fn save_safetensors<M: Module>(model: &M, path: &Path) -> Result<(), HfError> {
    let mut store = SafetensorsStore::from_file(path)
        .with_to_adapter(BurnToPyTorchAdapter)
        .remap(remapper(&EXPORT_RULES))
        .skip_enum_variants(true)
        .metadata("format", "pt")
        .overwrite(true);
    model
        .save_into(&mut store)
        .map_err(|e| HfError::Store(e.to_string()))
}

/// Loads HF-named safetensors into `model`, refusing files that leave a parameter unset or
/// carry a tensor that lands nowhere (other than [`IGNORED_HF_KEYS`]).
pub fn load_safetensors<M: Module>(model: M, path: &Path) -> Result<M, HfError> {
    let mut store = SafetensorsStore::from_file(path)
        .with_from_adapter(PyTorchToBurnAdapter)
        .remap(remapper(&IMPORT_RULES))
        .skip_enum_variants(true)
        .allow_partial(true)
        .validate(false);
    let mut model = model;
    let result = model
        .load_from(&mut store)
        .map_err(|e| HfError::Store(e.to_string()))?;
    let path_text = path.display().to_string();
    if !result.errors.is_empty() {
        return Err(HfError::Apply {
            path: path_text,
            errors: format!("{:?}", result.errors),
        });
    }
    if !result.missing.is_empty() {
        return Err(HfError::Missing {
            path: path_text,
            keys: result.missing.into_iter().map(|(k, _)| k).collect(),
        });
    }
    let unused: Vec<String> = result
        .unused
        .into_iter()
        .filter(|k| !IGNORED_HF_KEYS.contains(&k.as_str()))
        .collect();
    if !unused.is_empty() {
        return Err(HfError::Unused {
            path: path_text,
            keys: unused,
        });
    }
    Ok(model)
}
