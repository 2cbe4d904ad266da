//! The optimizer config, one for every kind of run: AdamW's hyper-parameters and the warmup
//! of its learning rate. Pretraining nests it in its config (`[optimizer]` of config.toml),
//! the trainer in its own (with the run's length), fine-tuning builds it from a recipe: as
//! burn nests `AdamConfig` in the configs that use it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// AdamW (decoupled weight decay, not applied to biases and LayerNorm) after a linear warmup;
/// the defaults are the GeneMask pretraining recipe (docs/algorithms.md §7.1).
///
/// Under the `cli` feature, `lr`, `weight_decay` and `warmup_steps` are also flags (clap
/// `Args`, flattened into `train pretrain`'s), their defaults [`OptimizerConfig::default`]'s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    /// Peak learning rate of AdamW, reached after the warmup, then decayed linearly to 0.
    #[cfg_attr(
        feature = "cli",
        arg(long, help_heading = "Optimizer", default_value_t = Self::default().lr)
    )]
    pub lr: f64,
    #[cfg_attr(feature = "cli", arg(skip))]
    pub beta_1: f32,
    #[cfg_attr(feature = "cli", arg(skip))]
    pub beta_2: f32,
    #[cfg_attr(feature = "cli", arg(skip))]
    pub epsilon: f32,
    /// AdamW's decoupled weight decay, not applied to biases and LayerNorm.
    #[cfg_attr(
        feature = "cli",
        arg(long, help_heading = "Optimizer", default_value_t = Self::default().weight_decay)
    )]
    pub weight_decay: f32,
    /// Optimizer steps of linear warmup from 0 to `lr`.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", help_heading = "Optimizer",
            default_value_t = Self::default().warmup_steps)
    )]
    pub warmup_steps: u64,
    /// Clip the gradients of each optimizer step to this global L2 norm, as HF Trainer's
    /// `max_grad_norm` (1.0 in DNABERT-derived scripts) [default: none for pretraining, whose
    /// published figures in README were made without; 1.0 in the fine-tuning recipes].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "NORM", help_heading = "Optimizer")
    )]
    pub max_grad_norm: Option<f32>,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        Self {
            lr: 8e-4,
            beta_1: 0.9,
            beta_2: 0.98,
            epsilon: 1e-6,
            weight_decay: 0.01,
            warmup_steps: 500,
            max_grad_norm: None,
        }
    }
}

impl OptimizerConfig {
    /// HF `TrainingArguments`' AdamW (betas 0.9/0.999, epsilon 1e-8) and its gradient clipping
    /// at global norm 1.0 (`max_grad_norm`), which the fine-tuning recipes (docs/algorithms.md
    /// §7.2, §7.3) do not change.
    pub fn hf_trainer(lr: f64, weight_decay: f32, warmup_steps: u64) -> Self {
        Self {
            lr,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            weight_decay,
            warmup_steps,
            max_grad_norm: Some(Self::HF_MAX_GRAD_NORM),
        }
    }

    /// HF Trainer's default `max_grad_norm`, kept by DNABERT's and DNABERT-2's scripts.
    pub const HF_MAX_GRAD_NORM: f32 = 1.0;

    /// `max_grad_norm` must be a finite number > 0 when given.
    pub fn validate(&self) -> Result<(), String> {
        match self.max_grad_norm {
            Some(n) if !(n.is_finite() && n > 0.0) => Err(format!(
                "optimizer.max_grad_norm = {n} is not a finite number > 0"
            )),
            _ => Ok(()),
        }
    }

    /// The keys of this config, as earlier configs wrote them beside the others.
    pub const KEYS: [&'static str; 6] = [
        "lr",
        "beta_1",
        "beta_2",
        "epsilon",
        "weight_decay",
        "warmup_steps",
    ];

    /// Moves the optimizer keys that a config of the earlier, flat layout holds at its top
    /// level into its `optimizer` table, so that such configs (and checkpoints) still load.
    pub fn nest_flat_keys(config: &mut Map<String, Value>) -> Result<(), LayoutError> {
        let mut nested = match config.remove("optimizer") {
            Some(Value::Object(m)) => m,
            Some(_) => return Err(LayoutError::NotATable),
            None => Map::new(),
        };
        for key in Self::KEYS {
            if let Some(v) = config.remove(key) {
                if nested.insert(key.to_string(), v).is_some() {
                    return Err(LayoutError::Twice(key));
                }
            }
        }
        if !nested.is_empty() {
            config.insert("optimizer".into(), Value::Object(nested));
        }
        Ok(())
    }
}

/// A config whose optimizer keys cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error(
        "`optimizer` must be a table of lr, beta_1, beta_2, epsilon, weight_decay and warmup_steps"
    )]
    NotATable,
    #[error(
        "`{0}` is given twice: at the top level (the earlier layout) and in [optimizer]; keep \
         the one in [optimizer]"
    )]
    Twice(&'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_keys_move_into_the_optimizer_table() {
        let mut flat: Map<String, Value> =
            serde_json::from_str(r#"{"steps": 3, "lr": 0.1, "optimizer": {"epsilon": 1e-3}}"#)
                .unwrap();
        OptimizerConfig::nest_flat_keys(&mut flat).unwrap();
        assert_eq!(
            Value::Object(flat),
            serde_json::json!({"steps": 3, "optimizer": {"lr": 0.1, "epsilon": 1e-3}})
        );
        let mut twice: Map<String, Value> =
            serde_json::from_str(r#"{"lr": 0.1, "optimizer": {"lr": 0.2}}"#).unwrap();
        let err = OptimizerConfig::nest_flat_keys(&mut twice).unwrap_err();
        assert!(err.to_string().contains("`lr` is given twice"), "{err}");
    }
}
