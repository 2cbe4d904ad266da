//! `cmgems.Masker`: core's masker over numpy batches, one random stream per row
//! ([`mask_rows`]), so the masks equal `train mask`'s for the same rows; rows that are keyed
//! pieces of a genome are masked on core's piece streams ([`PieceStreams`]) instead.

use crate::arrays::{flags, ids, int_matrix, to_numpy};
use crate::error::{core, value};
use crate::npmi::PyNpmiTable;
use cmgems_core::mask::{
    mask_rows, piece_seed as core_piece_seed, GlobalCount, MaskConfig, Masker, PieceKey,
    PieceStreams, RandomIds, RowStreams, Rows, Streams,
};
use cmgems_core::schedule::curriculum::{Curriculum, CurriculumConfig};
use cmgems_core::{CoreError, RankLookup, Strategy};
use numpy::PyArray2;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Masks batches of DNABERT ids with random span, GeneMask, GLOBAL, CM-Step, CM-GEMS or
/// RandomMask.
#[pyclass(name = "Masker", module = "cmgems", frozen)]
pub struct PyMasker {
    masker: Mutex<Masker>,
    curriculum: CurriculumConfig,
    /// The run length RandomMask's widening (and CM-Step) is scheduled over.
    max_steps: u64,
    seed: u64,
    switch_step: Option<u64>,
    /// Stream number of the next row when the caller gives none.
    next_row: AtomicU64,
}

#[pymethods]
impl PyMasker {
    #[new]
    #[pyo3(signature = (table, strategy = "genemask", rank_lookup = "kmer", seed = 42, *,
        random_ids = "kmers", global_m = None, max_steps = 10_000, switch_step = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        table: &PyNpmiTable,
        strategy: &str,
        rank_lookup: &str,
        seed: u64,
        random_ids: &str,
        global_m: Option<usize>,
        max_steps: u64,
        switch_step: Option<u64>,
    ) -> PyResult<Self> {
        let config = MaskConfig {
            k: table.inner.k(),
            rank_lookup: rank_lookup.parse::<RankLookup>().map_err(core)?,
            random_ids: random_ids.parse::<RandomIds>().map_err(core)?,
            global_count: global_m.map_or(GlobalCount::Binomial, GlobalCount::Fixed),
            ..MaskConfig::default()
        };
        let masker = Masker::new(table.inner.rank_table().clone(), config).map_err(core)?;
        Ok(PyMasker {
            masker: Mutex::new(masker),
            curriculum: CurriculumConfig::named(strategy, max_steps).map_err(core)?,
            max_steps,
            seed,
            switch_step,
            next_row: AtomicU64::new(0),
        })
    }

    /// Masks `input_ids` (integers, shape (batch, length)); returns int64
    /// `(masked_input_ids, labels)` with labels -100 where nothing is masked.
    ///
    /// Row r uses random stream `first_row + r` (default: the rows this masker has masked
    /// so far), as `train mask` masks its r-th sequence. With `pieces`, row r is instead
    /// piece `pieces[r]` of epoch `epochs` (one int for every row, or one per row) and is
    /// masked on that piece's stream (`piece_seed`), whatever batch or process masks it.
    /// `strategy` overrides the masker's for this batch (one of random, genemask, global,
    /// randommask; randommask at `step` of the masker's `max_steps`). The GIL is released
    /// meanwhile.
    #[pyo3(signature = (input_ids, attention_mask = None, *, step = 0, first_row = None,
        strategy = None, pieces = None, epochs = Epochs::One(0)))]
    #[allow(clippy::type_complexity, clippy::too_many_arguments)]
    fn mask<'py>(
        &self,
        py: Python<'py>,
        input_ids: &Bound<'py, PyAny>,
        attention_mask: Option<&Bound<'py, PyAny>>,
        step: u64,
        first_row: Option<u64>,
        strategy: Option<&str>,
        pieces: Option<Vec<u64>>,
        epochs: Epochs,
    ) -> PyResult<(Bound<'py, PyArray2<i64>>, Bound<'py, PyArray2<i64>>)> {
        let m = int_matrix(input_ids, "input_ids")?;
        let id_values = ids(&m, "input_ids")?;
        let attention = match attention_mask {
            Some(a) => {
                let a = int_matrix(a, "attention_mask")?;
                if (a.rows, a.cols) != (m.rows, m.cols) {
                    return Err(value(format!(
                        "attention_mask has shape ({}, {}), input_ids ({}, {})",
                        a.rows, a.cols, m.rows, m.cols
                    )));
                }
                Some(flags(&a))
            }
            None => None,
        };
        let curriculum = match strategy {
            Some(name) => match name.parse::<Strategy>().map_err(core)? {
                Strategy::RandomMask => CurriculumConfig::RandomMask {
                    max_steps: self.max_steps,
                },
                fixed => CurriculumConfig::Fixed(fixed),
            },
            None => self.curriculum_at(step),
        };
        let mut curriculum = Curriculum::new(curriculum).map_err(core)?;
        let keys = match pieces {
            Some(pieces) if first_row.is_some() => {
                return Err(value(format!(
                    "give first_row or pieces, not both (first_row = {}, {} pieces)",
                    first_row.unwrap_or_default(),
                    pieces.len()
                )))
            }
            Some(pieces) => Some(epochs.keys(pieces)?),
            None => None,
        };
        let rows = Rows {
            ids: &id_values,
            seq_len: m.cols,
            attention: attention.as_deref(),
        };
        let (mut out, mut labels) = (Vec::new(), Vec::new());
        let masked = match &keys {
            Some(keys) => {
                let streams = PieceStreams {
                    seed: self.seed,
                    pieces: keys,
                };
                py.detach(|| {
                    self.mask_rows(rows, streams, &mut curriculum, step, &mut out, &mut labels)
                })
            }
            None => {
                let first_row = first_row
                    .unwrap_or_else(|| self.next_row.fetch_add(m.rows as u64, Ordering::Relaxed));
                let streams = RowStreams {
                    seed: self.seed,
                    first_row,
                };
                py.detach(|| {
                    self.mask_rows(rows, streams, &mut curriculum, step, &mut out, &mut labels)
                })
            }
        };
        masked.map_err(core)?;
        Ok((
            to_numpy(py, m.rows, m.cols, &out),
            to_numpy(py, m.rows, m.cols, &labels),
        ))
    }

    /// The k of the table.
    #[getter]
    fn k(&self) -> usize {
        self.masker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .config()
            .k
            .get()
    }

    /// The seed every row's stream derives from.
    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    /// Stream number the next batch starts at when `first_row` is not given.
    #[getter]
    fn next_row(&self) -> u64 {
        self.next_row.load(Ordering::Relaxed)
    }
}

impl PyMasker {
    /// Masks `rows` on `streams`, each row's strategy from the curriculum at `step`.
    fn mask_rows(
        &self,
        rows: Rows<'_>,
        streams: impl Streams,
        curriculum: &mut Curriculum,
        step: u64,
        out: &mut Vec<u32>,
        labels: &mut Vec<i32>,
    ) -> Result<(), CoreError> {
        let mut masker = self.masker.lock().unwrap_or_else(|p| p.into_inner());
        // The step sets RandomMask's widening; the fixed maskers ignore it.
        masker.set_widening(curriculum.widening(step));
        let choose = |rng: &mut _| curriculum.strategy_for_step(step, rng);
        mask_rows(&mut masker, rows, streams, choose, out, labels).map(|_| ())
    }

    /// The curriculum at `step`: CM-GEMS is replayed from the switch step it was told.
    fn curriculum_at(&self, step: u64) -> CurriculumConfig {
        match self.curriculum {
            CurriculumConfig::CmGems { .. } => {
                CurriculumConfig::cm_gems_replay(step, self.switch_step)
            }
            other => other,
        }
    }
}

/// The epochs of keyed rows: one for the whole batch or one per row.
#[derive(FromPyObject)]
pub enum Epochs {
    One(u64),
    Each(Vec<u64>),
}

impl Epochs {
    /// The key of each piece; a list of epochs must be as long as the list of pieces.
    fn keys(self, pieces: Vec<u64>) -> PyResult<Vec<PieceKey>> {
        let epochs = match self {
            Epochs::One(e) => vec![e; pieces.len()],
            Epochs::Each(e) if e.len() == pieces.len() => e,
            Epochs::Each(e) => {
                return Err(value(format!(
                    "{} epochs for {} pieces: give one epoch, or one per piece",
                    e.len(),
                    pieces.len()
                )))
            }
        };
        let key = |(epoch, index)| PieceKey { epoch, index };
        Ok(epochs.into_iter().zip(pieces).map(key).collect())
    }
}

/// The seed of the mask stream of piece `index` of epoch `epoch` under `seed`: core's one
/// rule (`Masker.mask(..., pieces=...)` masks each row on it).
#[pyfunction]
pub fn piece_seed(seed: u64, epoch: u64, index: u64) -> u64 {
    core_piece_seed(seed, PieceKey { epoch, index })
}
