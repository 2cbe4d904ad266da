//! A pretraining run before its first step: the config and the run folder checked, the
//! corpus, pieces and NPMI table loaded, and the trainer built fresh or from the latest
//! checkpoint.

use cmgems_core::eval::baseline::UnigramCounts;
use cmgems_core::input::synthetic::SyntheticConfig;
use cmgems_core::schedule::curriculum::Curriculum;
use cmgems_core::{NpmiTable, SamplerConfig, SeededRng, Vocab, K};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use super::config::ConfigError;
use super::error::PretrainError;
use super::observer::METRICS_FILE;
use super::{Corpus, PieceSet, PretrainConfig};
use crate::events::Observers;
use crate::files::write_atomic;
use crate::model::{BertConfig, BertForMaskedLM, Preset};
use crate::training::{
    latest_checkpoint, remove_torn_checkpoints, Checkpoint, Trainer, TrainerConfig,
    CHECKPOINTS_DIR, LATEST_FILE,
};
use crate::{npmi_job, tables};

/// The config a run folder holds, beside its outputs.
pub const CONFIG_FILE: &str = "config.toml";

/// State of the run beyond the trainer's, saved in every checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct RunState {
    pub(super) curriculum: Curriculum,
    /// CM-Step draws one number per step from this stream.
    pub(super) curriculum_rng: SeededRng,
}

/// Reads the config a run wrote, for `--resume DIR`.
pub fn config_of(dir: &Path) -> Result<PretrainConfig, PretrainError> {
    let path = dir.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| PretrainError::io(&path, e))?;
    PretrainConfig::from_toml(&text).map_err(|source| PretrainError::ConfigFile { path, source })
}

/// The model `config` names: its `model_config` file or its preset.
pub fn model_config(config: &PretrainConfig) -> Result<BertConfig, PretrainError> {
    match &config.model_config {
        Some(path) => Ok(BertConfig::from_json_file(path)?),
        None => Preset::from_name(&config.preset)
            .map(Preset::config)
            .ok_or_else(|| ConfigError::UnknownPreset(config.preset.clone()).into()),
    }
}

/// How the model of `config` was chosen, as its config keys.
fn model_source(config: &PretrainConfig) -> String {
    config.model_config.as_ref().map_or_else(
        || format!("preset = {:?}", config.preset),
        |p| format!("model_config = {:?}", p.display().to_string()),
    )
}

/// The longest sequence the model of `config` takes, up to 512 (the sampler's limit): what a
/// new run uses unless told otherwise, so that `--preset tiny` works without `--seq-len`.
pub fn default_seq_len(config: &PretrainConfig) -> Result<usize, PretrainError> {
    Ok(model_config(config)?.max_position_embeddings.min(512))
}

/// The checks that need the model: its positions must hold a sequence.
pub fn check_model(config: &PretrainConfig, model: &BertConfig) -> Result<(), ConfigError> {
    if model.max_position_embeddings < config.seq_len {
        return Err(ConfigError::SeqLenTooLong {
            seq_len: config.seq_len,
            max: model.max_position_embeddings,
            model: model_source(config),
        });
    }
    Ok(())
}

/// Checks the config and the folder (no run there unless resuming), cleans what a killed run
/// left, and writes `config.toml`. Returns the latest checkpoint.
pub(super) fn prepare_folder(
    config: &PretrainConfig,
    out: &Path,
    resume: bool,
) -> Result<Option<PathBuf>, PretrainError> {
    config.validate()?;
    check_model(config, &model_config(config)?)?;
    std::fs::create_dir_all(out).map_err(|e| PretrainError::io(out, e))?;
    let latest = latest_checkpoint(out)?;
    remove_torn_checkpoints(out)?;
    if !resume && (latest.is_some() || out.join(METRICS_FILE).exists()) {
        return Err(PretrainError::AlreadyRun(out.to_path_buf()));
    }
    let text = config.to_toml();
    write_atomic(&out.join(CONFIG_FILE), |w| w.write_all(text.as_bytes()))?;
    Ok(latest)
}

/// The corpus, its pieces and the NPMI table of a run.
pub(super) struct Data {
    pub(super) corpus: Corpus,
    pub(super) set: PieceSet,
    pub(super) table: NpmiTable,
    /// k-mer frequencies of the training pieces: the unigram baseline every evaluation is
    /// reported beside (docs/algorithms.md §8).
    pub(super) unigram: UnigramCounts,
}

impl Data {
    pub(super) fn load(
        config: &PretrainConfig,
        out: &Path,
        observer: &mut Observers,
    ) -> Result<Data, PretrainError> {
        let k = K::SIX;
        let corpus = if config.corpus.is_empty() {
            observer.on_note("note: pretraining on the embedded SYNTHETIC corpus (not real DNA); set corpus (FASTA or k-mer text files) for real data");
            Corpus::synthetic(&SyntheticConfig {
                records: config.synthetic_records,
                record_len: config.synthetic_record_len,
                seed: config.seed,
                ..SyntheticConfig::default()
            })
        } else {
            Corpus::from_files(&config.corpus, k)?
        };
        let table = load_or_count_table(config, &corpus, k, out)?;
        let sampler = SamplerConfig {
            k,
            max_tokens: config.seq_len - 2,
            held_out_share: config.held_out_share,
            seed: config.seed,
            ..SamplerConfig::default()
        };
        let set = match &corpus.genome {
            Some(g) => {
                PieceSet::from_genome(g, sampler, &config.held_out_regions, config.max_n_share)?
            }
            None => PieceSet::cut(&corpus, sampler, config.dedup)?,
        };
        if set.held_out.is_empty() {
            return Err(PretrainError::NoHeldOut);
        }
        observer.on_note(&format!(
            "corpus: {} ({} nt); pieces: {} train, {} held out, {} duplicates dropped",
            corpus.source,
            corpus.len(),
            set.train_len(),
            set.held_out.len(),
            set.duplicates
        ));
        let unigram = count_unigrams(&corpus, &set);
        Ok(Data {
            corpus,
            set,
            table,
            unigram,
        })
    }
}

/// Counts the token ids of every training piece once (specials are skipped by the counts),
/// so the baseline knows only what the model could have learned from.
fn count_unigrams(corpus: &Corpus, set: &PieceSet) -> UnigramCounts {
    let vocab = Vocab::new(set.k);
    let mut counts = UnigramCounts::new(set.k);
    let (mut ids, mut letters) = (Vec::new(), Vec::new());
    for piece in set.unigram_pieces().iter() {
        corpus.piece_ids(piece, &vocab, &mut letters, &mut ids);
        counts.add_ids(&ids);
    }
    counts
}

fn load_or_count_table(
    config: &PretrainConfig,
    corpus: &Corpus,
    k: K,
    out: &Path,
) -> Result<NpmiTable, PretrainError> {
    let table = match &config.table {
        Some(path) => tables::load_table(path, Some(k))?,
        None => {
            let counts = match &corpus.genome {
                Some(g) => npmi_job::count_genome(g, k)?,
                None => npmi_job::count_batch(k, &corpus.records),
            };
            NpmiTable::from_counts(&counts, config.min_count)
                .map_err(|source| PretrainError::Table {
                    corpus: corpus.source.clone(),
                    source,
                })?
                .with_source(format!("counted by cmgems from {}", corpus.source))
        }
    };
    tables::save_table(&table, &out.join("table.json"))?;
    Ok(table)
}

pub(super) type Started = (Trainer, BertConfig, RunState);

/// The trainer's optimizer and schedule settings of `config`.
fn trainer_config(config: &PretrainConfig) -> TrainerConfig {
    TrainerConfig {
        optimizer: config.optimizer.clone(),
        total_steps: config.steps,
        accumulation: config.accumulation,
    }
}

pub(super) fn start_fresh(
    config: &PretrainConfig,
    device: &burn::tensor::Device,
) -> Result<Started, PretrainError> {
    let model_config = model_config(config)?;
    device.seed(config.seed);
    let model = BertForMaskedLM::new(&model_config, device);
    let trainer = Trainer::new(model, trainer_config(config), config.seed, device.clone());
    let state = RunState {
        curriculum: Curriculum::new(config.curriculum())?,
        curriculum_rng: SeededRng::new(config.seed),
    };
    Ok((trainer, model_config, state))
}

pub(super) fn resume_from(
    dir: &Path,
    config: &PretrainConfig,
    out: &Path,
    device: &burn::tensor::Device,
    observer: &mut Observers,
) -> Result<Started, PretrainError> {
    let (trainer, saved, model_config) =
        Checkpoint::new(dir)
            .load(device)
            .map_err(|e| PretrainError::Unloadable {
                source: Box::new(e),
                dir: dir.to_path_buf(),
                latest: out.join(CHECKPOINTS_DIR).join(LATEST_FILE),
            })?;
    same_model(&model_config, config, dir, out)?;
    let state: RunState =
        serde_json::from_value(saved.run.clone()).map_err(|source| PretrainError::RunState {
            dir: dir.to_path_buf(),
            source,
        })?;
    observer.on_note(&format!(
        "resuming from {} (step {})",
        dir.display(),
        trainer.step
    ));
    Ok((trainer, model_config, state))
}

/// A resumed run must continue the model its config names: a checkpoint of another
/// preset (an edited config.toml, a checkpoint copied from another run) is refused rather
/// than silently trained in place of the one asked for.
fn same_model(
    saved: &BertConfig,
    config: &PretrainConfig,
    dir: &Path,
    out: &Path,
) -> Result<(), PretrainError> {
    let wanted = model_config(config)?;
    // `extra` holds what HF adds to a written config.json (`architectures`, ...).
    let bare = |c: &BertConfig| BertConfig {
        extra: Default::default(),
        ..c.clone()
    };
    if bare(saved) == bare(&wanted) {
        return Ok(());
    }
    let shape = |c: &BertConfig| {
        format!(
            "{} layers, hidden {}, {} heads, FFN {}, vocabulary {}",
            c.num_hidden_layers,
            c.hidden_size,
            c.num_attention_heads,
            c.intermediate_size,
            c.vocab_size
        )
    };
    Err(PretrainError::OtherModel {
        dir: dir.to_path_buf(),
        saved: shape(saved),
        config: out.join(CONFIG_FILE),
        name: config
            .model_config
            .as_ref()
            .map_or(format!("preset {:?}", config.preset), |p| {
                p.display().to_string()
            }),
        wanted: shape(&wanted),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmgems_core::Piece;

    /// Only training pieces are counted, their k-mers exactly, and the baseline of a label
    /// is then the hand-computed add-one value.
    #[test]
    fn unigrams_count_the_training_pieces_only() {
        let corpus = Corpus {
            records: vec![b"AAAAAAAAAA".to_vec(), b"ACGTACGTAC".to_vec()],
            source: "hand-made".into(),
            genome: None,
        };
        let piece = |record, held_out| Piece {
            record,
            start: 0,
            tokens: 5,
            held_out,
        };
        let set = PieceSet {
            k: K::SIX,
            train: vec![piece(0, false)],
            held_out: vec![piece(1, true)],
            duplicates: 0,
            genome: None,
        };
        let counts = count_unigrams(&corpus, &set);
        // Five AAAAAA (id 5); [CLS] and [SEP] skipped; the held-out ACGTAC (code 0b00_01_10_11_00_01
        // = 433, id 438) is not counted.
        assert_eq!((counts.total(), counts.skipped()), (5, 2));
        assert_eq!((counts.count(5), counts.count(438)), (5, 0));
        let mut scorer = counts.scorer();
        scorer.add_labels(&[5, -100]);
        // p(AAAAAA) = (5 + 1) / (5 + 4096).
        let want = 4101.0 / 6.0;
        let got = scorer.batch_mean_perplexity().unwrap();
        assert!((got - want).abs() < 1e-9 * want, "{got} vs {want}");
    }
}
