//! Fine-tuning recipes: docs/algorithms.md §7's values for the few-shot protocol and for each
//! GUE task. Each value is declared once, on [`Recipe`]; under the `cli` feature its fields are
//! also the `train finetune | fewshot | gue` flags, and the flags given replace the recipe's
//! values as a [`RecipePatch`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::BertConfig;

/// How long the learning rate warms up. Under the `cli` feature, `--warmup-steps N` or
/// `--warmup-ratio SHARE` (clap derives `Args` for structs only: implemented at the end).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Warmup {
    Steps(u64),
    /// A share of all optimizer steps (HF `warmup_ratio`).
    Ratio(f64),
}

/// Hyper-parameters of one fine-tuning run. The values come from a recipe
/// ([`Recipe::fewshot`], [`Recipe::gue`]); a flag replaces one. The flags' clap defaults are
/// the `fewshot:10` recipe's, hidden: clap needs a value to parse, but only the flags given
/// on the command line are applied, so every default shown is "the recipe's".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[cfg_attr(feature = "cli", command(next_help_heading = "Fine-tuning"))]
pub struct Recipe {
    /// Where these values came from (`fewshot:10`, `gue:prom_core_all`, ...).
    #[cfg_attr(feature = "cli", arg(skip))]
    pub name: String,
    /// Peak learning rate of AdamW [default: the recipe's, e.g. 1e-4 for fewshot:10, 3e-5
    /// for GUE].
    #[cfg_attr(
        feature = "cli",
        arg(long, hide_default_value = true, default_value_t = flag_base().lr)
    )]
    pub lr: f64,
    /// Passes over the training set [default: the recipe's].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", hide_default_value = true,
            default_value_t = flag_base().epochs)
    )]
    pub epochs: usize,
    /// Examples per optimizer step [default: the recipe's].
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", hide_default_value = true,
            default_value_t = flag_base().batch_size)
    )]
    pub batch_size: usize,
    /// Model positions per example, [CLS] and [SEP] included (capped by the model's)
    /// [default: the recipe's]. GUE's values count DNABERT-2 BPE tokens; overlapping 6-mers
    /// need about as many positions as nucleotides, so they are used as given.
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "TOKENS", hide_default_value = true,
            default_value_t = flag_base().max_len)
    )]
    pub max_len: usize,
    #[cfg_attr(feature = "cli", command(flatten))]
    pub warmup: Warmup,
    /// AdamW's decoupled weight decay [default: the recipe's, 0.01].
    #[cfg_attr(
        feature = "cli",
        arg(long, hide_default_value = true, default_value_t = flag_base().weight_decay)
    )]
    pub weight_decay: f32,
    /// Dropout probability of encoder and head, 0 to 1 [default: the recipe's, or else the
    /// initial model's].
    #[cfg_attr(feature = "cli", arg(long, value_name = "P"))]
    pub dropout: Option<f64>,
    /// Stop after this many optimizer steps even if epochs remain [default: the recipe's,
    /// none for most; GUE mouse: 1000].
    #[cfg_attr(feature = "cli", arg(long, value_name = "N"))]
    pub max_steps: Option<u64>,
    /// Score the model of the lowest dev loss, evaluated every this many steps and after the
    /// last (DNABERT-2's `load_best_model_at_end`; GUE: 200); `None`: the final model.
    /// [default: the recipe's, 200 for GUE, none for few-shot].
    #[serde(default)]
    #[cfg_attr(
        feature = "cli",
        arg(long, value_name = "N", conflicts_with = "final_model")
    )]
    pub best_dev_every: Option<u64>,
}

/// What clap parses a recipe flag to when it is not given (never applied: see [`Recipe`]).
#[cfg(feature = "cli")]
fn flag_base() -> Recipe {
    Recipe::fewshot(10)
}

/// Recipe values to replace, by key (`lr`, `warmup`): what the flags given on a command line
/// set. A map of keys, not a second struct of options, so that each value is declared once,
/// on [`Recipe`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecipePatch(pub Map<String, Value>);

/// Why a recipe cannot be used; each names the recipe key that fixes it (a front end adds
/// its flag from [`RecipeError::key`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecipeError {
    #[error("recipe {spec:?}: {why}")]
    Spec { spec: String, why: &'static str },
    #[error("recipe {spec:?}: no GUE task {task:?} (e.g. gue:prom_core_all, gue:EMP/H3)")]
    NoGueTask { spec: String, task: String },
    #[error("lr must be a positive number, not {0}")]
    Lr(f64),
    #[error("{key} must be at least 1")]
    Zero { key: &'static str },
    #[error("warmup.ratio must be within 0..=1, not {0}")]
    WarmupRatio(f64),
    #[error("dropout must be within 0..1, not {0}")]
    Dropout(f64),
    #[error("recipe values: {0}")]
    Patch(String),
}

impl RecipeError {
    /// The recipe key whose value is wrong (`lr`, `warmup.ratio`), if the error is a value's.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            RecipeError::Lr(_) => Some("lr"),
            RecipeError::Zero { key } => Some(key),
            RecipeError::WarmupRatio(_) => Some("warmup.ratio"),
            RecipeError::Dropout(_) => Some("dropout"),
            RecipeError::Spec { .. } | RecipeError::NoGueTask { .. } | RecipeError::Patch(_) => {
                None
            }
        }
    }
}

/// GUE tasks by folder (`category/task`), with the Human / non-Human grouping of the
/// DNABERT-2 paper's Table 2.
pub const GUE_TASKS: [(&str, bool); 28] = [
    ("EMP/H3", false),
    ("EMP/H3K14ac", false),
    ("EMP/H3K36me3", false),
    ("EMP/H3K4me1", false),
    ("EMP/H3K4me2", false),
    ("EMP/H3K4me3", false),
    ("EMP/H3K79me3", false),
    ("EMP/H3K9ac", false),
    ("EMP/H4", false),
    ("EMP/H4ac", false),
    ("mouse/0", false),
    ("mouse/1", false),
    ("mouse/2", false),
    ("mouse/3", false),
    ("mouse/4", false),
    ("virus/covid", false),
    ("prom/prom_300_all", true),
    ("prom/prom_300_notata", true),
    ("prom/prom_300_tata", true),
    ("prom/prom_core_all", true),
    ("prom/prom_core_notata", true),
    ("prom/prom_core_tata", true),
    ("splice/reconstructed", true),
    ("tf/0", true),
    ("tf/1", true),
    ("tf/2", true),
    ("tf/3", true),
    ("tf/4", true),
];

impl Recipe {
    /// docs/algorithms.md §7 few-shot recipe for `shots` examples per class.
    pub fn fewshot(shots: usize) -> Recipe {
        let small = shots <= 100;
        Recipe {
            name: format!("fewshot:{shots}"),
            lr: if small { 1e-4 } else { 5e-5 },
            epochs: if small { 20 } else { 5 },
            batch_size: if small { 5 } else { 15 },
            max_len: 512,
            warmup: Warmup::Ratio(0.1),
            weight_decay: 0.01,
            dropout: Some(0.1),
            max_steps: None,
            // The few-shot protocol has no dev set ([CG] §5.2): the final model is scored.
            best_dev_every: None,
        }
    }

    /// GUE's dev evaluation interval: DNABERT-2's scripts evaluate every 200 (most tasks) to
    /// 400 steps (docs/algorithms.md §7.3); cmgems takes 200 for all.
    pub const GUE_BEST_DEV_EVERY: u64 = 200;

    /// The GUE recipe (docs/algorithms.md §7) for a task named by its folder
    /// (`prom/prom_core_all`) or its last part (`prom_core_all`); `None` for a task GUE does
    /// not have. Batch size 32 (the papers are silent; a flag).
    pub fn gue(task: &str) -> Option<Recipe> {
        let task = task.trim_end_matches('/');
        let full = GUE_TASKS
            .iter()
            .map(|(t, _)| *t)
            .find(|t| *t == task || t.rsplit('/').next() == Some(task))?;
        let (category, name) = full.split_once('/').expect("catalogue entries have a /");
        let (epochs, max_len, max_steps) = match category {
            "EMP" => (3, 512, None),
            "prom" if name.starts_with("prom_core") => (
                if name.ends_with("tata") && !name.ends_with("notata") {
                    10
                } else {
                    4
                },
                80,
                None,
            ),
            "prom" => (if name.ends_with("_tata") { 10 } else { 4 }, 310, None),
            "splice" => (5, 410, None),
            "virus" => (9, 1024, None),
            "mouse" => (5, 110, Some(1000)),
            "tf" => (3, 110, None),
            _ => unreachable!("every catalogue category has a recipe"),
        };
        Some(Recipe {
            name: format!("gue:{full}"),
            lr: 3e-5,
            epochs,
            batch_size: 32,
            max_len,
            warmup: Warmup::Steps(50),
            weight_decay: 0.01,
            dropout: None,
            max_steps,
            best_dev_every: Some(Self::GUE_BEST_DEV_EVERY),
        })
    }

    /// Parses `fewshot:N` or `gue:TASK`.
    pub fn parse(spec: &str) -> Result<Recipe, RecipeError> {
        let bad = |why: &'static str| RecipeError::Spec {
            spec: spec.into(),
            why,
        };
        match spec.split_once(':') {
            Some(("fewshot", n)) => n
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .map(Recipe::fewshot)
                .ok_or_else(|| bad("the shot count must be a positive integer")),
            Some(("gue", task)) => Recipe::gue(task).ok_or_else(|| RecipeError::NoGueTask {
                spec: spec.into(),
                task: task.into(),
            }),
            _ => Err(bad(
                "expected fewshot:N or gue:TASK (e.g. gue:prom_core_all)",
            )),
        }
    }

    /// This recipe with every value `patch` gives, checked.
    pub fn with(&self, patch: &RecipePatch) -> Result<Recipe, RecipeError> {
        let Ok(Value::Object(mut values)) = serde_json::to_value(self) else {
            unreachable!("a recipe serialises as an object");
        };
        for (key, value) in &patch.0 {
            if key == "name" || !values.contains_key(key) {
                return Err(RecipeError::Patch(format!("{key:?} is not a recipe value")));
            }
            values.insert(key.clone(), value.clone());
        }
        let r: Recipe = serde_json::from_value(Value::Object(values))
            .map_err(|e| RecipeError::Patch(e.to_string()))?;
        r.validate()?;
        Ok(r)
    }

    /// Checks what a run would otherwise find out late; errors name the key.
    pub fn validate(&self) -> Result<(), RecipeError> {
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(RecipeError::Lr(self.lr));
        }
        if self.epochs == 0 {
            return Err(RecipeError::Zero { key: "epochs" });
        }
        if self.batch_size == 0 {
            return Err(RecipeError::Zero { key: "batch_size" });
        }
        if self.best_dev_every == Some(0) {
            return Err(RecipeError::Zero {
                key: "best_dev_every",
            });
        }
        if let Warmup::Ratio(x) = self.warmup {
            if !(0.0..=1.0).contains(&x) {
                return Err(RecipeError::WarmupRatio(x));
            }
        }
        match self.dropout {
            Some(d) if !(0.0..1.0).contains(&d) => Err(RecipeError::Dropout(d)),
            _ => Ok(()),
        }
    }

    /// `base` with this recipe's dropout, if it sets one, for encoder and head alike.
    pub fn model_config(&self, base: &BertConfig) -> BertConfig {
        let mut c = base.clone();
        if let Some(d) = self.dropout {
            c.hidden_dropout_prob = d;
            c.attention_probs_dropout_prob = d;
        }
        c
    }

    /// Optimizer steps of a run over `examples` training examples.
    pub fn total_steps(&self, examples: usize) -> u64 {
        let per_epoch = examples.div_ceil(self.batch_size.max(1)) as u64;
        let all = per_epoch * self.epochs as u64;
        self.max_steps.map_or(all, |m| all.min(m))
    }

    pub fn warmup_steps(&self, total: u64) -> u64 {
        match self.warmup {
            Warmup::Steps(s) => s,
            // HF: math.ceil(num_training_steps * warmup_ratio).
            Warmup::Ratio(r) => (total as f64 * r).ceil() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gue_recipes_follow_spec_section_7() {
        let r = Recipe::gue("prom_core_all").unwrap();
        assert_eq!((r.lr, r.epochs, r.max_len), (3e-5, 4, 80));
        assert_eq!(r.warmup, Warmup::Steps(50));
        assert_eq!(Recipe::gue("prom_core_tata").unwrap().epochs, 10);
        assert_eq!(Recipe::gue("prom_core_notata").unwrap().epochs, 4);
        assert_eq!(Recipe::gue("prom/prom_300_tata").unwrap().epochs, 10);
        assert_eq!(Recipe::gue("prom_300_all").unwrap().max_len, 310);
        assert_eq!(Recipe::gue("EMP/H3K4me3").unwrap().max_len, 512);
        assert_eq!(Recipe::gue("reconstructed").unwrap().epochs, 5);
        assert_eq!(Recipe::gue("covid").unwrap().epochs, 9);
        let mouse = Recipe::gue("mouse/2").unwrap();
        assert_eq!((mouse.epochs, mouse.max_steps), (5, Some(1000)));
        assert_eq!(Recipe::gue("tf/0").unwrap().max_len, 110);
        assert!(Recipe::gue("prom_9000").is_none());
    }

    #[test]
    fn fewshot_recipe_switches_at_500_shots() {
        let r = Recipe::fewshot(50);
        assert_eq!((r.lr, r.epochs, r.batch_size), (1e-4, 20, 5));
        assert_eq!(r.dropout, Some(0.1));
        let r = Recipe::fewshot(500);
        assert_eq!((r.lr, r.epochs, r.batch_size), (5e-5, 5, 15));
    }

    #[test]
    fn steps_and_warmup_count_like_hf() {
        // 10 shots x 2 classes = 20 examples, batch 5: 4 steps/epoch x 20 epochs = 80,
        // warmup ceil(80 x 0.1) = 8.
        let r = Recipe::fewshot(10);
        assert_eq!(r.total_steps(20), 80);
        assert_eq!(r.warmup_steps(80), 8);
        // 21 examples: the last short batch is a step too.
        assert_eq!(r.total_steps(21), 100);
        // mouse stops at 1000 steps.
        assert_eq!(Recipe::gue("mouse/0").unwrap().total_steps(100_000), 1000);
    }

    #[test]
    fn parse_names_what_it_expected() {
        assert_eq!(Recipe::parse("fewshot:10").unwrap(), Recipe::fewshot(10));
        let err = |spec: &str| Recipe::parse(spec).unwrap_err().to_string();
        assert!(err("fewshot:0").contains("positive"));
        assert!(err("gue:nope").contains("gue:prom_core_all"));
        assert!(err("hf").contains("fewshot:N"));
    }

    #[test]
    fn patches_are_applied_and_checked_naming_the_key() {
        let patch = |v: Value| RecipePatch(v.as_object().unwrap().clone());
        let base = Recipe::fewshot(10);
        let r = base
            .with(&patch(
                serde_json::json!({"lr": 2e-4, "warmup": {"steps": 3}}),
            ))
            .unwrap();
        assert_eq!(
            (r.lr, r.warmup, r.epochs),
            (2e-4, Warmup::Steps(3), base.epochs)
        );
        assert_eq!(base.with(&RecipePatch::default()).unwrap(), base);
        let bad = |v: Value| base.with(&patch(v)).unwrap_err().to_string();
        assert!(bad(serde_json::json!({"lr": 0.0})).starts_with("lr "));
        assert!(bad(serde_json::json!({"dropout": 1.5})).starts_with("dropout "));
        let ratio = bad(serde_json::json!({"warmup": {"ratio": 2.0}}));
        assert!(ratio.starts_with("warmup.ratio "), "{ratio}");
        let unknown = bad(serde_json::json!({"lrr": 1.0}));
        assert!(
            unknown.contains("\"lrr\" is not a recipe value"),
            "{unknown}"
        );
        let never = bad(serde_json::json!({"best_dev_every": 0}));
        assert!(never.starts_with("best_dev_every "), "{never}");
    }

    #[test]
    fn gue_scores_the_best_dev_checkpoint_unless_told_the_final_model() {
        let patch = |v: Value| RecipePatch(v.as_object().unwrap().clone());
        let gue = Recipe::gue("tf/0").unwrap();
        assert_eq!(gue.best_dev_every, Some(Recipe::GUE_BEST_DEV_EVERY));
        assert_eq!(Recipe::fewshot(10).best_dev_every, None);
        let every = |v: Value| gue.with(&patch(v)).unwrap().best_dev_every;
        assert_eq!(every(serde_json::json!({"best_dev_every": 50})), Some(50));
        // `--final-model` patches the key to none.
        assert_eq!(every(serde_json::json!({"best_dev_every": null})), None);
    }
}

/// `--warmup-steps N` or `--warmup-ratio SHARE`: the flags of [`Warmup`], their ids the key
/// and the variant (`warmup_steps`), as a front end finds them.
#[cfg(feature = "cli")]
mod warmup_flags {
    use super::{flag_base, Warmup};
    use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};

    impl Args for Warmup {
        fn augment_args(cmd: Command) -> Command {
            cmd.arg(
                Arg::new("warmup_steps")
                    .long("warmup-steps")
                    .value_name("N")
                    .value_parser(clap::value_parser!(u64))
                    .conflicts_with("warmup_ratio")
                    .help("Optimizer steps of linear warmup [default: the recipe's]"),
            )
            .arg(
                Arg::new("warmup_ratio")
                    .long("warmup-ratio")
                    .value_name("SHARE")
                    .value_parser(clap::value_parser!(f64))
                    .help(
                        "Warmup as a share of all optimizer steps, 0 to 1 [default: the recipe's]",
                    ),
            )
        }

        fn augment_args_for_update(cmd: Command) -> Command {
            Self::augment_args(cmd)
        }
    }

    impl FromArgMatches for Warmup {
        fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
            let mut warmup = flag_base().warmup;
            warmup.update_from_arg_matches(matches)?;
            Ok(warmup)
        }

        fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
            if let Some(&steps) = matches.get_one::<u64>("warmup_steps") {
                *self = Warmup::Steps(steps);
            } else if let Some(&ratio) = matches.get_one::<f64>("warmup_ratio") {
                *self = Warmup::Ratio(ratio);
            }
            Ok(())
        }
    }
}
