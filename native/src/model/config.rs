//! Model hyper-parameters, read and written in HuggingFace `config.json` form so that a
//! checkpoint directory is loadable by `transformers` and any HF BERT config is trainable here.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// DNABERT vocabulary for k = 6: 4^6 k-mers after the five special tokens.
const DNABERT6_VOCAB: usize = 4101;

/// Why a configuration cannot describe a model we can build.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("parsing config.json: {0}")]
    Json(#[from] serde_json::Error),
    /// Any of the above, in a file.
    #[error("{path}: {source}")]
    File {
        path: String,
        source: Box<ConfigError>,
    },
    #[error("hidden_size {hidden} is not a multiple of num_attention_heads {heads}")]
    HeadSplit { hidden: usize, heads: usize },
    #[error("{field} must be positive")]
    Zero { field: &'static str },
    #[error("{field} = {value} is not a probability in [0, 1)")]
    Probability { field: &'static str, value: f64 },
    #[error("model_type {0:?} is not a BERT model")]
    NotBert(String),
}

/// Activation between the two FFN projections and in the MLM transform.
///
/// HF names: `gelu` is the exact erf form (BERT's), `gelu_new` / `gelu_pytorch_tanh` the tanh
/// approximation; anything else is refused at parse time rather than silently approximated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum HiddenAct {
    #[default]
    #[serde(rename = "gelu")]
    Gelu,
    #[serde(rename = "gelu_new", alias = "gelu_pytorch_tanh", alias = "gelu_fast")]
    GeluTanh,
    #[serde(rename = "relu")]
    Relu,
}

/// Named architectures from docs/algorithms.md §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Small enough for unit tests on one CPU core: 2 layers, hidden 64, 2 heads, FFN 128.
    Tiny,
    /// LOGO as its authors configured it: 2 layers, hidden 256, 8 heads, FFN 3072, no dropout.
    Logo,
    /// DNABERT-6: BERT-base (12 layers, hidden 768, 12 heads, FFN 3072, dropout 0.1).
    Dnabert6,
}

impl Preset {
    /// Parses the CLI spelling (`tiny`, `logo`, `dnabert6`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "tiny" => Some(Self::Tiny),
            "logo" => Some(Self::Logo),
            "dnabert6" => Some(Self::Dnabert6),
            _ => None,
        }
    }

    /// The preset with the DNABERT-6 vocabulary; change `vocab_size` for other tokenizers.
    pub fn config(self) -> BertConfig {
        let base = BertConfig::default();
        match self {
            Self::Tiny => BertConfig {
                hidden_size: 64,
                num_hidden_layers: 2,
                num_attention_heads: 2,
                intermediate_size: 128,
                max_position_embeddings: 128,
                ..base
            },
            Self::Logo => BertConfig {
                hidden_size: 256,
                num_hidden_layers: 2,
                num_attention_heads: 8,
                intermediate_size: 3072,
                hidden_dropout_prob: 0.0,
                attention_probs_dropout_prob: 0.0,
                ..base
            },
            Self::Dnabert6 => base,
        }
    }
}

/// The subset of HF `BertConfig` that shapes the network, under HF's field names.
///
/// Unknown keys of a read `config.json` are kept in `extra` and written back, so a round trip
/// through this type does not lose what `transformers` put there (`id2label`, `architectures`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: HiddenAct,
    pub hidden_dropout_prob: f64,
    pub attention_probs_dropout_prob: f64,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub initializer_range: f64,
    pub layer_norm_eps: f64,
    pub pad_token_id: usize,
    pub model_type: String,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Default for BertConfig {
    /// BERT-base with the DNABERT-6 vocabulary (docs/algorithms.md §6).
    fn default() -> Self {
        Self {
            vocab_size: DNABERT6_VOCAB,
            hidden_size: 768,
            num_hidden_layers: 12,
            num_attention_heads: 12,
            intermediate_size: 3072,
            hidden_act: HiddenAct::Gelu,
            hidden_dropout_prob: 0.1,
            attention_probs_dropout_prob: 0.1,
            max_position_embeddings: 512,
            type_vocab_size: 2,
            initializer_range: 0.02,
            layer_norm_eps: 1e-12,
            pad_token_id: 0,
            model_type: "bert".into(),
            extra: BTreeMap::new(),
        }
    }
}

impl BertConfig {
    /// Reads an HF `config.json` and checks that it describes a buildable BERT.
    pub fn from_json_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json_str(&text).map_err(|e| ConfigError::File {
            path: path.display().to_string(),
            source: Box::new(e),
        })
    }

    /// Parses HF `config.json` text and validates it.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let config: Self = serde_json::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// HF `config.json` text for `architecture` (`BertForMaskedLM`, ...).
    pub fn to_hf_json(&self, architecture: &str) -> String {
        let mut config = self.clone();
        config
            .extra
            .insert("architectures".into(), serde_json::json!([architecture]));
        config
            .extra
            .entry("tie_word_embeddings".into())
            .or_insert(serde_json::json!(true));
        serde_json::to_string_pretty(&config).expect("a config always serialises")
    }

    /// Refuses shapes the model code cannot build, before any tensor is allocated.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ];
        if let Some((field, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(ConfigError::Zero { field });
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(ConfigError::HeadSplit {
                hidden: self.hidden_size,
                heads: self.num_attention_heads,
            });
        }
        for (field, value) in [
            ("hidden_dropout_prob", self.hidden_dropout_prob),
            (
                "attention_probs_dropout_prob",
                self.attention_probs_dropout_prob,
            ),
        ] {
            if !(0.0..1.0).contains(&value) {
                return Err(ConfigError::Probability { field, value });
            }
        }
        if self.model_type != "bert" {
            return Err(ConfigError::NotBert(self.model_type.clone()));
        }
        Ok(())
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_spec_section_6() {
        let logo = Preset::Logo.config();
        assert_eq!(
            (
                logo.num_hidden_layers,
                logo.hidden_size,
                logo.num_attention_heads
            ),
            (2, 256, 8)
        );
        assert_eq!(logo.intermediate_size, 3072);
        assert_eq!(logo.hidden_dropout_prob, 0.0);
        let base = Preset::Dnabert6.config();
        assert_eq!((base.num_hidden_layers, base.hidden_size), (12, 768));
        assert_eq!((base.vocab_size, base.layer_norm_eps), (4101, 1e-12));
        for preset in [Preset::Tiny, Preset::Logo, Preset::Dnabert6] {
            preset.config().validate().unwrap();
        }
    }

    #[test]
    fn reads_a_transformers_config_and_keeps_unknown_keys() {
        // Abridged from what transformers 4.x writes for bert-base-uncased.
        let text = r#"{
            "architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1,
            "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 768,
            "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-12,
            "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
            "num_hidden_layers": 12, "pad_token_id": 0, "type_vocab_size": 2,
            "vocab_size": 30522, "position_embedding_type": "absolute"
        }"#;
        let config = BertConfig::from_json_str(text).unwrap();
        assert_eq!(config.vocab_size, 30522);
        assert!(config.extra.contains_key("position_embedding_type"));
        let back = BertConfig::from_json_str(&config.to_hf_json("BertForMaskedLM")).unwrap();
        let mut expected = config.clone();
        expected
            .extra
            .insert("tie_word_embeddings".into(), serde_json::json!(true));
        assert_eq!(back, expected);
    }

    #[test]
    fn refuses_heads_that_do_not_split_hidden() {
        let text = r#"{"hidden_size": 100, "num_attention_heads": 3}"#;
        assert!(matches!(
            BertConfig::from_json_str(text),
            Err(ConfigError::HeadSplit { .. })
        ));
    }

    #[test]
    fn refuses_unknown_activation() {
        assert!(BertConfig::from_json_str(r#"{"hidden_act": "swish"}"#).is_err());
    }
}
