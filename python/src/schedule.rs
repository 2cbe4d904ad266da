//! `cmgems.Curriculum`: core's curriculum state machine, fed evaluations by the Trainer
//! callback; its state round-trips through JSON.

use crate::error::{core, value};
use cmgems_core::schedule::curriculum::{Curriculum, CurriculumConfig};
use cmgems_core::schedule::switch::SwitchThreshold;
use cmgems_core::SeededRng;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Mutex;

/// Which masker each step uses: fixed, CM-Step and RandomMask by step, CM-GEMS by evaluation
/// perplexity.
#[pyclass(name = "Curriculum", module = "cmgems", frozen)]
pub struct PyCurriculum {
    inner: Mutex<Curriculum>,
}

#[pymethods]
impl PyCurriculum {
    #[new]
    /// `threshold`: CM-GEMS's flat-drop rule, perplexity points (`1.0`, the paper's) or a
    /// share of the current perplexity (`"0.5%"`).
    #[pyo3(signature = (strategy = "cm-gems", *, max_steps = 10_000, threshold = None, patience = None))]
    fn new(
        strategy: &str,
        max_steps: u64,
        threshold: Option<&Bound<'_, PyAny>>,
        patience: Option<u32>,
    ) -> PyResult<Self> {
        let threshold = threshold.map(switch_threshold).transpose()?;
        let mut config = CurriculumConfig::named(strategy, max_steps).map_err(core)?;
        if let CurriculumConfig::CmGems {
            threshold: t,
            patience: p,
        } = &mut config
        {
            *t = threshold.unwrap_or(*t);
            *p = patience.unwrap_or(*p);
        } else if threshold.is_some() || patience.is_some() {
            return Err(value(format!(
                "threshold and patience are CM-GEMS settings, not {strategy:?}'s"
            )));
        }
        Ok(PyCurriculum {
            inner: Mutex::new(Curriculum::new(config).map_err(core)?),
        })
    }

    /// Feeds a held-out perplexity measured at `step`; returns the switch as a dict
    /// `{step, previous, current}` when CM-GEMS switches on it, else None.
    fn observe_perplexity<'py>(
        &self,
        py: Python<'py>,
        step: u64,
        perplexity: f64,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let event = self.lock().observe_perplexity(step, perplexity);
        event
            .map(|e| {
                let d = PyDict::new(py);
                d.set_item("step", e.step)?;
                d.set_item("previous", e.previous)?;
                d.set_item("current", e.current)?;
                Ok(d)
            })
            .transpose()
    }

    /// The masker for the batch at `step`; CM-Step draws from stream `stream` of `seed`.
    #[pyo3(signature = (step, seed = 0, stream = 0))]
    fn strategy_for_step(&self, step: u64, seed: u64, stream: u64) -> String {
        let mut rng = SeededRng::derive(seed, stream);
        self.lock()
            .strategy_for_step(step, &mut rng)
            .name()
            .to_string()
    }

    /// RandomMask's widening bound at `step` (tokens a span may grow on each side); 0 for
    /// other curricula.
    fn widening(&self, step: u64) -> usize {
        self.lock().widening(step)
    }

    /// The masker in force now.
    #[getter]
    fn current(&self) -> String {
        self.lock().current().name().to_string()
    }

    /// The step CM-GEMS switched at, or None.
    #[getter]
    fn switch_step(&self) -> Option<u64> {
        self.lock().switch_step()
    }

    /// The state as JSON (for checkpoints).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&*self.lock()).map_err(|e| value(e.to_string()))
    }

    /// A curriculum from `to_json`'s text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        let inner: Curriculum =
            serde_json::from_str(text).map_err(|e| value(format!("curriculum state: {e}")))?;
        Ok(PyCurriculum {
            inner: Mutex::new(inner),
        })
    }
}

/// A float (perplexity points) or a string ("1.0", "0.5%") as core's threshold.
fn switch_threshold(obj: &Bound<'_, PyAny>) -> PyResult<SwitchThreshold> {
    if let Ok(text) = obj.extract::<String>() {
        return text.parse::<SwitchThreshold>().map_err(core);
    }
    match obj.extract::<f64>() {
        Ok(x) => Ok(SwitchThreshold::from(x)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "threshold must be a number or a string like \"0.5%\", not {}",
            obj.get_type().name()?
        ))),
    }
}

impl PyCurriculum {
    fn lock(&self) -> std::sync::MutexGuard<'_, Curriculum> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}
