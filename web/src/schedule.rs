//! Bindings of core's schedule stage (`curriculum`, `switch`): the page replays CM-Step's
//! draws and CM-GEMS's switch with core's own curriculum (docs/algorithms.md §4).

use crate::convert::{to_js, whole};
use crate::error::js_err;
use cmgems_core::mask::Strategy;
use cmgems_core::rng::SeededRng;
use cmgems_core::schedule::curriculum::{Curriculum, CurriculumConfig};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct CmStepDraw {
    step: u64,
    max_steps: u64,
    p_global: f64,
    strategy: Strategy,
    /// GLOBAL draws among steps 0..=step.
    global_draws: u64,
}

/// CM-Step replayed with core's curriculum from `SeededRng::new(seed)`, one draw per step
/// from step 0: `{step, max_steps, p_global, strategy, global_draws}` at `step`.
#[wasm_bindgen(js_name = cmStepDraw)]
pub fn cm_step_draw(max_steps: f64, step: f64, seed: f64) -> Result<JsValue, JsError> {
    let max_steps = whole("max_steps", max_steps)?;
    let step = whole("step", step)?;
    if step > 100_000_000 {
        return Err(JsError::new(
            "step: replaying more than 10^8 draws is not offered",
        ));
    }
    let mut c = Curriculum::new(CurriculumConfig::CmStep { max_steps }).map_err(js_err)?;
    let mut rng = SeededRng::new(whole("seed", seed)?);
    let mut strategy = Strategy::RandomSpan;
    let mut global_draws = 0;
    for s in 0..=step {
        strategy = c.strategy_for_step(s, &mut rng);
        global_draws += (strategy == Strategy::Global) as u64;
    }
    to_js(&CmStepDraw {
        step,
        max_steps,
        p_global: c.p_global(step).unwrap_or(0.0),
        strategy,
        global_draws,
    })
}

/// CM-Step's p_global at each of `steps` (for the schedule plot).
#[wasm_bindgen(js_name = cmStepPGlobal)]
pub fn cm_step_p_global(max_steps: f64, steps: &[f64]) -> Result<Vec<f64>, JsError> {
    let c = Curriculum::new(CurriculumConfig::CmStep {
        max_steps: whole("max_steps", max_steps)?,
    })
    .map_err(js_err)?;
    steps
        .iter()
        .map(|&s| Ok(c.p_global(whole("step", s)?).unwrap_or(0.0)))
        .collect()
}

/// RandomMask's widening bound at `step` of a run of `max_steps` (core's curriculum): how
/// many tokens a span may grow on each side, for `maskLanes`.
#[wasm_bindgen(js_name = randommaskWidening)]
pub fn randommask_widening(max_steps: f64, step: f64) -> Result<u32, JsError> {
    let max_steps = whole("max_steps", max_steps)?;
    let c = Curriculum::new(CurriculumConfig::RandomMask { max_steps }).map_err(js_err)?;
    Ok(c.widening(whole("step", step)?) as u32)
}

/// CM-GEMS replayed on held-out perplexities (in step order): the switch
/// `{step, previous, current}` or `null` if it never switches.
#[wasm_bindgen(js_name = cmGemsSwitch)]
pub fn cm_gems_switch(
    steps: &[f64],
    perplexities: &[f64],
    threshold: &str,
    patience: u32,
) -> Result<JsValue, JsError> {
    if steps.len() != perplexities.len() {
        return Err(JsError::new(&format!(
            "{} steps but {} perplexities",
            steps.len(),
            perplexities.len()
        )));
    }
    let threshold = threshold.parse().map_err(js_err)?;
    let mut c = Curriculum::new(CurriculumConfig::CmGems {
        threshold,
        patience,
    })
    .map_err(js_err)?;
    for (&s, &p) in steps.iter().zip(perplexities) {
        c.observe_perplexity(whole("step", s)?, p);
    }
    to_js(&c.switch_event())
}
