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
    BurnToPyTorchAdapter, KeyRemapper, ModuleSnapshot, PyTorchToBurnAdapter, PytorchStore,
    SafetensorsStore,
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
    load_weights(model, path, &Tolerance::STRICT).map(|(model, _)| model)
}

/// Which parameters a load may leave at their initial values and which tensors of the file it
/// may leave unused, as key prefixes. Fine-tuning from a `BertForMaskedLM` checkpoint leaves
/// the pooler and classifier fresh and the MLM head unused, as `from_pretrained` does.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    pub missing: &'static [&'static str],
    pub unused: &'static [&'static str],
}

impl Tolerance {
    pub const STRICT: Tolerance = Tolerance {
        missing: &[],
        unused: &[],
    };
    /// An encoder for `BertForSequenceClassification` from any BERT checkpoint.
    pub const ENCODER: Tolerance = Tolerance {
        missing: &["bert.pooler.", "classifier."],
        unused: &["cls."],
    };
    /// A `BertForMaskedLM` from a file that may also hold a pooler (DNABERT's do).
    pub const MLM: Tolerance = Tolerance {
        missing: &[],
        unused: &["bert.pooler."],
    };
}

/// What a tolerant load left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Parameters kept at their initial values (HF keys).
    pub fresh: Vec<String>,
    /// Tensors of the file that were not used.
    pub unused: Vec<String>,
}

/// Loads HF-named weights (`model.safetensors`, or PyTorch `pytorch_model.bin` by its
/// extension) into `model`; anything missing or unused beyond `tolerance` is an error.
pub fn load_weights<M: Module>(
    model: M,
    path: &Path,
    tolerance: &Tolerance,
) -> Result<(M, LoadReport), HfError> {
    let mut model = model;
    let is_pytorch = path
        .extension()
        .is_some_and(|e| e == "bin" || e == "pt" || e == "pth");
    let result = if is_pytorch {
        let mut store = PytorchStore::from_file(path)
            .remap(remapper(&IMPORT_RULES))
            .allow_partial(true)
            .validate(false);
        model
            .load_from(&mut store)
            .map_err(|e| HfError::Store(e.to_string()))?
    } else {
        let mut store = SafetensorsStore::from_file(path)
            .with_from_adapter(PyTorchToBurnAdapter)
            .remap(remapper(&IMPORT_RULES))
            .skip_enum_variants(true)
            .allow_partial(true)
            .validate(false);
        model
            .load_from(&mut store)
            .map_err(|e| HfError::Store(e.to_string()))?
    };
    let path_text = path.display().to_string();
    if !result.errors.is_empty() {
        return Err(HfError::Apply {
            path: path_text,
            errors: format!("{:?}", result.errors),
        });
    }
    // Tolerance prefixes name modules whose burn path and HF key agree (`bert.pooler.`,
    // `classifier.`, `cls.`), so they apply to either spelling.
    let (fresh, missing): (Vec<String>, Vec<String>) = result
        .missing
        .into_iter()
        .map(|(k, _)| k)
        .partition(|k| tolerance.missing.iter().any(|p| k.starts_with(p)));
    if !missing.is_empty() {
        return Err(HfError::Missing {
            path: path_text,
            keys: missing,
        });
    }
    let (unused, extra): (Vec<String>, Vec<String>) = result
        .unused
        .into_iter()
        .filter(|k| !IGNORED_HF_KEYS.contains(&k.as_str()))
        .partition(|k| tolerance.unused.iter().any(|p| k.starts_with(p)));
    if !extra.is_empty() {
        return Err(HfError::Unused {
            path: path_text,
            keys: extra,
        });
    }
    Ok((model, LoadReport { fresh, unused }))
}

/// Writes a folder that `transformers` loads with `from_pretrained`: `config.json` (with
/// `architectures` and, for a classifier, `id2label`), `model.safetensors`, `vocab.txt` and a
/// `tokenizer_config.json` that keeps DNABERT's upper-case k-mers (BertTokenizer lower-cases
/// by default, which would turn every k-mer into `[UNK]`).
///
/// The folder is assembled under a temporary name and renamed into place; an existing `dir`
/// is refused rather than overwritten.
pub fn write_hf_folder<M: Module>(
    model: &M,
    config: &crate::model::BertConfig,
    architecture: &str,
    num_labels: Option<usize>,
    dir: &Path,
) -> Result<(), HfError> {
    let io = |p: &Path, e: std::io::Error| HfError::Store(format!("{}: {e}", p.display()));
    if dir.exists() {
        return Err(HfError::Store(format!(
            "{}: already exists; choose a new folder",
            dir.display()
        )));
    }
    let name = dir
        .file_name()
        .map_or_else(|| "hf".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
    let mut config = config.clone();
    if let Some(n) = num_labels {
        let id2label: serde_json::Map<String, serde_json::Value> = (0..n)
            .map(|i| (i.to_string(), format!("LABEL_{i}").into()))
            .collect();
        let label2id: serde_json::Map<String, serde_json::Value> =
            (0..n).map(|i| (format!("LABEL_{i}"), i.into())).collect();
        config.extra.insert("id2label".into(), id2label.into());
        config.extra.insert("label2id".into(), label2id.into());
    }
    let tokenizer_config = serde_json::json!({
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": false,
        "model_max_length": config.max_position_embeddings,
    });
    let files: [(&str, String); 3] = [
        ("config.json", config.to_hf_json(architecture)),
        (
            "vocab.txt",
            cmgems_core::Vocab::new(cmgems_core::K::SIX).vocab_txt(),
        ),
        (
            "tokenizer_config.json",
            serde_json::to_string_pretty(&tokenizer_config).expect("serialisable"),
        ),
    ];
    for (file, text) in files {
        let path = tmp.join(file);
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    }
    save_safetensors(model, &tmp.join("model.safetensors"))?;
    std::fs::rename(&tmp, dir).map_err(|e| io(dir, e))
}
