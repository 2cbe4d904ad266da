//! Time-variant masking (docs/algorithms.md §4): which masker each batch uses, as a pure state machine.
//!
//! The trainer asks [`Curriculum::strategy_for_step`] before each batch and feeds held-out
//! perplexities to [`Curriculum::observe_perplexity`]; the browser replays the same calls.
//! The whole state serialises, so a checkpoint restores it and the run continues exactly.

use crate::error::{CoreError, Result};
use crate::mask::{randommask_widening, Strategy};
use crate::rng::SeededRng;
pub use crate::schedule::switch::SwitchThreshold;
use serde::{Deserialize, Serialize};

/// Which curriculum to run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CurriculumConfig {
    /// One masker for the whole run.
    Fixed(Strategy),
    /// CM-Step: the share of GLOBAL batches grows from 0 to 1 in 100 blocks; the rest
    /// are random span.
    CmStep {
        /// Planned length of the run, in optimizer steps.
        max_steps: u64,
    },
    /// RandomMask (arXiv 2310.07644): random span whose spans widen in stages over the run
    /// ([`Curriculum::widening`]).
    RandomMask {
        /// Planned length of the run, in optimizer steps.
        max_steps: u64,
    },
    /// CM-GEMS: GeneMask until held-out perplexity flattens, then GLOBAL for good.
    CmGems {
        /// Switch when |ppl_i - ppl_{i-1}| is below this: perplexity points (default 1.0,
        /// the paper's) or a share of ppl_i ("0.5%")...
        #[serde(default)]
        threshold: SwitchThreshold,
        /// ...for this many consecutive pairs of evaluations (default 1: one pair).
        #[serde(default = "default_patience")]
        patience: u32,
    },
}

fn default_patience() -> u32 {
    CurriculumConfig::DEFAULT_PATIENCE
}

impl CurriculumConfig {
    /// CM-GEMS's perplexity-drop threshold (the authors' value).
    pub const DEFAULT_THRESHOLD: SwitchThreshold = SwitchThreshold::PAPER;
    /// CM-GEMS's number of flat evaluation pairs before switching.
    pub const DEFAULT_PATIENCE: u32 = 1;

    /// CM-GEMS with the authors' settings.
    pub const fn cm_gems() -> CurriculumConfig {
        CurriculumConfig::CmGems {
            threshold: Self::DEFAULT_THRESHOLD,
            patience: Self::DEFAULT_PATIENCE,
        }
    }

    /// A curriculum by the name configs and bindings use: a [`Strategy`] name (fixed),
    /// `cm-step` or `randommask` (over `max_steps`) or `cm-gems` (the authors' threshold and
    /// patience).
    pub fn named(name: &str, max_steps: u64) -> Result<CurriculumConfig> {
        let is = |n: &str| name.eq_ignore_ascii_case(n) || name.replace('_', "-") == n;
        let config = if is("cm-step") {
            CurriculumConfig::CmStep { max_steps }
        } else if name.parse::<Strategy>() == Ok(Strategy::RandomMask) {
            CurriculumConfig::RandomMask { max_steps }
        } else if is("cm-gems") {
            CurriculumConfig::cm_gems()
        } else {
            match name.parse::<Strategy>() {
                Ok(s) => CurriculumConfig::Fixed(s),
                Err(_) => {
                    return Err(CoreError::invalid(
                        "strategy",
                        alloc::format!(
                            "{name:?} is not `random`, `genemask`, `global`, `cm-step`, `cm-gems` or `randommask`"
                        ),
                    ))
                }
            }
        };
        config.validate()?;
        Ok(config)
    }

    /// CM-GEMS replayed at `step` without perplexities, from the step a trainer reported
    /// it switched at: GeneMask before `switch_step`, GLOBAL from it (None: not yet).
    /// `train mask --strategy cm-gems --switch-step` and data loaders that are told the
    /// switch (the Python collator) both mask with it.
    pub const fn cm_gems_replay(step: u64, switch_step: Option<u64>) -> CurriculumConfig {
        match switch_step {
            Some(s) if s <= step => CurriculumConfig::Fixed(Strategy::Global),
            _ => CurriculumConfig::Fixed(Strategy::GeneMask),
        }
    }

    /// CM-Step and RandomMask need max_steps > 0 (RandomMask is no fixed masker: its spans
    /// depend on the step); CM-GEMS a finite threshold >= 0 and patience >= 1.
    pub fn validate(&self) -> Result<()> {
        match *self {
            CurriculumConfig::Fixed(Strategy::RandomMask) => Err(CoreError::invalid(
                "strategy",
                "RandomMask widens its spans with the step: use the `randommask` curriculum, which knows max_steps",
            )),
            CurriculumConfig::Fixed(_) => Ok(()),
            CurriculumConfig::RandomMask { max_steps: 0 } => Err(CoreError::invalid(
                "max_steps",
                "RandomMask needs at least one step",
            )),
            CurriculumConfig::RandomMask { .. } => Ok(()),
            CurriculumConfig::CmStep { max_steps: 0 } => Err(CoreError::invalid(
                "max_steps",
                "CM-Step needs at least one step",
            )),
            CurriculumConfig::CmStep { .. } => Ok(()),
            CurriculumConfig::CmGems { patience: 0, .. } => Err(CoreError::invalid(
                "patience",
                "CM-GEMS needs at least one flat pair of evaluations",
            )),
            CurriculumConfig::CmGems { threshold, .. } => threshold.validate(),
        }
    }
}

/// A curriculum by name, without its settings: what a front end's `--masking` flag and an
/// experiment's list of variants choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum CurriculumKind {
    /// DNABERT's random span, the whole run.
    Random,
    /// GeneMask, the whole run.
    Genemask,
    /// GLOBAL, the whole run.
    Global,
    /// CM-Step: GLOBAL or random span, the share of GLOBAL growing from 0 to 1 over the run.
    CmStep,
    /// CM-GEMS: GeneMask until held-out perplexity flattens, then GLOBAL.
    CmGems,
    /// RandomMask: random span whose spans widen in four stages over the run.
    Randommask,
}

impl CurriculumConfig {
    /// This curriculum's name.
    pub const fn kind(&self) -> CurriculumKind {
        match self {
            CurriculumConfig::Fixed(Strategy::RandomSpan) => CurriculumKind::Random,
            CurriculumConfig::Fixed(Strategy::GeneMask) => CurriculumKind::Genemask,
            CurriculumConfig::Fixed(Strategy::Global) => CurriculumKind::Global,
            CurriculumConfig::CmStep { .. } => CurriculumKind::CmStep,
            CurriculumConfig::CmGems { .. } => CurriculumKind::CmGems,
            CurriculumConfig::RandomMask { .. } | CurriculumConfig::Fixed(Strategy::RandomMask) => {
                CurriculumKind::Randommask
            }
        }
    }

    /// The curriculum `kind`: CM-Step over `max_steps`; CM-GEMS with this one's threshold and
    /// patience when this one is CM-GEMS, else the authors'. How a name chosen by a flag or
    /// an experiment's variant keeps the CM-GEMS settings of the config it replaces.
    pub fn switched_to(&self, kind: CurriculumKind, max_steps: u64) -> CurriculumConfig {
        match kind {
            CurriculumKind::Random => CurriculumConfig::Fixed(Strategy::RandomSpan),
            CurriculumKind::Genemask => CurriculumConfig::Fixed(Strategy::GeneMask),
            CurriculumKind::Global => CurriculumConfig::Fixed(Strategy::Global),
            CurriculumKind::CmStep => CurriculumConfig::CmStep { max_steps },
            CurriculumKind::Randommask => CurriculumConfig::RandomMask { max_steps },
            CurriculumKind::CmGems => {
                let (threshold, patience) = self.cm_gems_settings();
                CurriculumConfig::CmGems {
                    threshold,
                    patience,
                }
            }
        }
    }

    /// CM-GEMS's threshold and patience: this one's, or the authors' when it is another
    /// curriculum.
    pub fn cm_gems_settings(&self) -> (SwitchThreshold, u32) {
        match *self {
            CurriculumConfig::CmGems {
                threshold,
                patience,
            } => (threshold, patience),
            _ => (Self::DEFAULT_THRESHOLD, Self::DEFAULT_PATIENCE),
        }
    }
}

/// A held-out perplexity and the step it was measured at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Optimizer step of the evaluation.
    pub step: u64,
    /// exp(mean masked-LM loss) on the held-out set.
    pub perplexity: f64,
}

/// CM-GEMS's switch from GeneMask to GLOBAL, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SwitchEvent {
    /// Step of the evaluation that triggered the switch; batches after it use GLOBAL.
    pub step: u64,
    /// Perplexity of the evaluation before it.
    pub previous: f64,
    /// Perplexity at `step`.
    pub current: f64,
}

/// A curriculum and everything it has seen.
///
/// CM-GEMS starts with no evaluation (no results file to go stale, unlike the authors'
/// code), so it can never switch on the first evaluation it sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CurriculumState", into = "CurriculumState")]
pub struct Curriculum {
    state: CurriculumState,
}

/// The serialised form; validated on the way in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CurriculumState {
    config: CurriculumConfig,
    /// The strategy handed out last (CM-Step: the last draw).
    last_strategy: Strategy,
    /// CM-GEMS: the latest finite evaluation.
    last_eval: Option<Evaluation>,
    /// CM-GEMS: consecutive flat pairs ending at `last_eval`.
    flat_pairs: u32,
    /// CM-GEMS: the switch, once it happened.
    switch: Option<SwitchEvent>,
}

impl TryFrom<CurriculumState> for Curriculum {
    type Error = CoreError;
    fn try_from(state: CurriculumState) -> Result<Curriculum> {
        state.config.validate()?;
        Ok(Curriculum { state })
    }
}

impl From<Curriculum> for CurriculumState {
    fn from(c: Curriculum) -> CurriculumState {
        c.state
    }
}

impl Curriculum {
    /// A fresh curriculum.
    pub fn new(config: CurriculumConfig) -> Result<Curriculum> {
        config.validate()?;
        let first = match config {
            CurriculumConfig::Fixed(s) => s,
            CurriculumConfig::CmStep { .. } => Strategy::RandomSpan,
            CurriculumConfig::RandomMask { .. } => Strategy::RandomMask,
            CurriculumConfig::CmGems { .. } => Strategy::GeneMask,
        };
        Ok(Curriculum {
            state: CurriculumState {
                config,
                last_strategy: first,
                last_eval: None,
                flat_pairs: 0,
                switch: None,
            },
        })
    }

    /// The configuration.
    pub fn config(&self) -> &CurriculumConfig {
        &self.state.config
    }

    /// The masker for the batch at `step`.
    ///
    /// Only CM-Step draws from `rng`: exactly one uniform per call, whatever p_global is,
    /// so the stream stays aligned across runs and resumes.
    pub fn strategy_for_step(&mut self, step: u64, rng: &mut SeededRng) -> Strategy {
        let s = match self.state.config {
            CurriculumConfig::Fixed(s) => s,
            CurriculumConfig::CmStep { .. } => {
                let p = self.p_global(step).expect("CM-Step has p_global");
                if rng.bernoulli(p) {
                    Strategy::Global
                } else {
                    Strategy::RandomSpan
                }
            }
            CurriculumConfig::RandomMask { .. } | CurriculumConfig::CmGems { .. } => self.current(),
        };
        self.state.last_strategy = s;
        s
    }

    /// CM-Step's probability of a GLOBAL batch at `step`; `None` for other curricula.
    ///
    /// block = floor(max_steps / 100), p = min(1, floor(step / block) / 100). With
    /// max_steps < 100 that block would be 0; it is taken as 1, so p grows by 0.01 a step
    /// and reaches 1 at step 100 (past the end of such a short run).
    pub fn p_global(&self, step: u64) -> Option<f64> {
        match self.state.config {
            CurriculumConfig::CmStep { max_steps } => {
                let block = (max_steps / 100).max(1);
                Some(((step / block) as f64 / 100.0).min(1.0))
            }
            _ => None,
        }
    }

    /// RandomMask's widening bound at `step` ([`crate::mask::randommask_widening`]), to hand to
    /// [`crate::mask::Masker::set_widening`] before masking the batch; 0 for other curricula.
    pub fn widening(&self, step: u64) -> usize {
        match self.state.config {
            CurriculumConfig::RandomMask { max_steps } => randommask_widening(step, max_steps),
            _ => 0,
        }
    }

    /// Feeds a held-out perplexity measured at `step`; returns the switch when CM-GEMS
    /// switches on it. Other curricula ignore evaluations.
    ///
    /// Ignored (no state change): a non-finite perplexity (a diverged evaluation says
    /// nothing about flattening), an evaluation at or before the last one seen (a resumed
    /// run re-evaluating its checkpoint would otherwise see a drop of 0 and switch), and
    /// anything after the switch.
    pub fn observe_perplexity(&mut self, step: u64, perplexity: f64) -> Option<SwitchEvent> {
        let CurriculumConfig::CmGems {
            threshold,
            patience,
        } = self.state.config
        else {
            return None;
        };
        let st = &mut self.state;
        if st.switch.is_some() || !perplexity.is_finite() {
            return None;
        }
        if st.last_eval.is_some_and(|e| step <= e.step) {
            return None;
        }
        let previous = st.last_eval.replace(Evaluation { step, perplexity });
        let previous = previous?;
        if threshold.is_flat(previous.perplexity, perplexity) {
            st.flat_pairs += 1;
        } else {
            st.flat_pairs = 0;
        }
        if st.flat_pairs < patience {
            return None;
        }
        let event = SwitchEvent {
            step,
            previous: previous.perplexity,
            current: perplexity,
        };
        st.switch = Some(event);
        Some(event)
    }

    /// The step CM-GEMS switched at, if it has.
    pub fn switch_step(&self) -> Option<u64> {
        self.state.switch.map(|e| e.step)
    }

    /// The switch CM-GEMS made, if it has.
    pub fn switch_event(&self) -> Option<SwitchEvent> {
        self.state.switch
    }

    /// The latest evaluation CM-GEMS kept.
    pub fn last_evaluation(&self) -> Option<Evaluation> {
        self.state.last_eval
    }

    /// The masker in force: the fixed one; CM-GEMS's GeneMask or, after the switch,
    /// GLOBAL; for CM-Step the last one drawn (random span before the first draw).
    pub fn current(&self) -> Strategy {
        match self.state.config {
            CurriculumConfig::Fixed(s) => s,
            CurriculumConfig::CmStep { .. } => self.state.last_strategy,
            CurriculumConfig::RandomMask { .. } => Strategy::RandomMask,
            CurriculumConfig::CmGems { .. } if self.state.switch.is_some() => Strategy::Global,
            CurriculumConfig::CmGems { .. } => Strategy::GeneMask,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    fn cm_step(max_steps: u64) -> Curriculum {
        Curriculum::new(CurriculumConfig::CmStep { max_steps }).unwrap()
    }

    #[test]
    fn cm_step_p_global_golden_values() {
        // max_steps 10000: block = 100; p = floor(s / 100) / 100.
        let c = cm_step(10_000);
        for (step, p) in [
            (0, 0.0),
            (99, 0.0),
            (100, 0.01),
            (199, 0.01),
            (5050, 0.5), // floor(50.5) = 50
            (9999, 0.99),
            (10_000, 1.0),
            (50_000, 1.0), // clamped
        ] {
            assert_eq!(c.p_global(step), Some(p), "step {step}");
        }
        // max_steps 250: block = floor(2.5) = 2; step 7 -> floor(3.5) = 3 -> 0.03.
        assert_eq!(cm_step(250).p_global(7), Some(0.03));
    }

    #[test]
    fn named_curricula_cover_the_five_maskers() {
        let n = |s| CurriculumConfig::named(s, 100);
        assert_eq!(
            n("random").unwrap(),
            CurriculumConfig::Fixed(Strategy::RandomSpan)
        );
        assert_eq!(
            n("GeneMask").unwrap(),
            CurriculumConfig::Fixed(Strategy::GeneMask)
        );
        assert_eq!(
            n("global").unwrap(),
            CurriculumConfig::Fixed(Strategy::Global)
        );
        assert_eq!(
            n("cm_step").unwrap(),
            CurriculumConfig::CmStep { max_steps: 100 }
        );
        assert_eq!(n("cm-gems").unwrap(), CurriculumConfig::cm_gems());
        assert_eq!(
            n("RandomMask").unwrap(),
            CurriculumConfig::RandomMask { max_steps: 100 }
        );
        assert!(n("pmi").unwrap_err().to_string().contains("randommask"));
        assert!(CurriculumConfig::named("cm-step", 0).is_err());
        assert!(CurriculumConfig::named("randommask", 0).is_err());
        assert!(Curriculum::new(CurriculumConfig::Fixed(Strategy::RandomMask)).is_err());
    }

    #[test]
    fn randommask_hands_out_randommask_and_its_widening_and_draws_nothing() {
        let mut c = Curriculum::new(CurriculumConfig::RandomMask { max_steps: 400 }).unwrap();
        let mut rng = SeededRng::new(2);
        let before = rng.clone();
        let widenings: Vec<usize> = [0, 99, 100, 250, 399, 1000]
            .iter()
            .map(|&s| {
                assert_eq!(c.strategy_for_step(s, &mut rng), Strategy::RandomMask);
                c.widening(s)
            })
            .collect();
        assert_eq!(widenings, [0, 0, 1, 2, 3, 3]);
        assert_eq!(rng, before);
        assert_eq!(c.current(), Strategy::RandomMask);
        assert_eq!(cm_step(400).widening(399), 0);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Curriculum>(&json).unwrap(), c);
    }

    #[test]
    fn a_kind_switched_to_keeps_the_cm_gems_settings() {
        let relative = CurriculumConfig::CmGems {
            threshold: SwitchThreshold::Relative(0.01),
            patience: 2,
        };
        assert_eq!(relative.switched_to(CurriculumKind::CmGems, 5), relative);
        let fixed = CurriculumConfig::Fixed(Strategy::Global);
        assert_eq!(fixed.kind(), CurriculumKind::Global);
        assert_eq!(
            fixed.switched_to(CurriculumKind::CmGems, 5),
            CurriculumConfig::cm_gems()
        );
        assert_eq!(
            relative.switched_to(CurriculumKind::CmStep, 5),
            CurriculumConfig::CmStep { max_steps: 5 }
        );
        for kind in [
            CurriculumKind::Random,
            CurriculumKind::Genemask,
            CurriculumKind::Global,
            CurriculumKind::CmStep,
            CurriculumKind::CmGems,
            CurriculumKind::Randommask,
        ] {
            assert_eq!(relative.switched_to(kind, 5).kind(), kind);
        }
    }

    #[test]
    fn cm_gems_replay_is_genemask_before_the_switch_step_and_global_from_it() {
        let at = |step, switch| CurriculumConfig::cm_gems_replay(step, switch);
        assert_eq!(at(10, None), CurriculumConfig::Fixed(Strategy::GeneMask));
        assert_eq!(at(9, Some(10)), CurriculumConfig::Fixed(Strategy::GeneMask));
        assert_eq!(at(10, Some(10)), CurriculumConfig::Fixed(Strategy::Global));
        assert_eq!(at(11, Some(10)), CurriculumConfig::Fixed(Strategy::Global));
    }

    #[test]
    fn cm_step_short_runs_use_a_block_of_one() {
        // max_steps 50: floor(50 / 100) = 0 would divide by zero; block 1 -> p = s / 100.
        let mut c = cm_step(50);
        assert_eq!(c.p_global(0), Some(0.0));
        assert_eq!(c.p_global(49), Some(0.49));
        assert_eq!(c.p_global(100), Some(1.0));
        let mut rng = SeededRng::new(1);
        for step in 0..50 {
            c.strategy_for_step(step, &mut rng);
        }
        assert!(Curriculum::new(CurriculumConfig::CmStep { max_steps: 0 }).is_err());
    }

    #[test]
    fn cm_step_draws_global_with_p_global() {
        let mut c = cm_step(10_000);
        let mut rng = SeededRng::new(7);
        assert_eq!(c.strategy_for_step(0, &mut rng), Strategy::RandomSpan); // p = 0
        assert_eq!(c.strategy_for_step(10_000, &mut rng), Strategy::Global); // p = 1
        assert_eq!(c.current(), Strategy::Global);
        // At step 3000, p = 0.3: the share of GLOBAL over 20000 draws is 0.3 ± 0.01
        // (4.9 standard deviations of sqrt(0.21 / 20000) = 0.0032).
        let n = 20_000;
        let globals = (0..n)
            .filter(|_| c.strategy_for_step(3000, &mut rng) == Strategy::Global)
            .count();
        let share = globals as f64 / n as f64;
        assert!((share - 0.3).abs() < 0.01, "share {share}");
        assert_eq!(c.observe_perplexity(500, 10.0), None);
    }

    #[test]
    fn fixed_never_changes_and_draws_nothing() {
        let mut c = Curriculum::new(CurriculumConfig::Fixed(Strategy::GeneMask)).unwrap();
        let mut rng = SeededRng::new(3);
        let before = rng.clone();
        for step in 0..100 {
            assert_eq!(c.strategy_for_step(step, &mut rng), Strategy::GeneMask);
        }
        assert_eq!(rng, before);
        assert_eq!(c.observe_perplexity(500, 5.0), None);
        assert_eq!(c.observe_perplexity(1000, 5.0), None);
        assert_eq!((c.switch_step(), c.p_global(10)), (None, None));
    }

    /// A perplexity series that falls fast then flattens: drops 40, 20, 8, 3, 1.5, 0.6, ...
    const FLATTENING: [(u64, f64); 8] = [
        (500, 120.0),
        (1000, 80.0),
        (1500, 60.0),
        (2000, 52.0),
        (2500, 49.0),
        (3000, 47.5),
        (3500, 46.9),
        (4000, 46.5),
    ];

    fn feed(c: &mut Curriculum, series: &[(u64, f64)]) -> Vec<SwitchEvent> {
        series
            .iter()
            .filter_map(|&(s, p)| c.observe_perplexity(s, p))
            .collect()
    }

    #[test]
    fn cm_gems_switches_when_the_drop_falls_below_threshold() {
        let mut c = Curriculum::new(CurriculumConfig::cm_gems()).unwrap();
        let mut rng = SeededRng::new(0);
        assert_eq!(c.strategy_for_step(0, &mut rng), Strategy::GeneMask);
        // Drops: 40, 20, 8, 3, 1.5, then |46.9 - 47.5| = 0.6 < 1 at step 3500.
        let events = feed(&mut c, &FLATTENING);
        assert_eq!(
            events,
            [SwitchEvent {
                step: 3500,
                previous: 47.5,
                current: 46.9
            }]
        );
        assert_eq!(c.switch_step(), Some(3500));
        assert_eq!(c.strategy_for_step(3501, &mut rng), Strategy::Global);
        // For good: a later jump does not switch back.
        assert_eq!(c.observe_perplexity(4500, 90.0), None);
        assert_eq!(c.current(), Strategy::Global);
    }

    #[test]
    fn cm_gems_relative_threshold_switches_on_the_share_of_the_perplexity() {
        // Relative drops: 50%, 33%, 15%, 6.1%, 3.2% (1.5 / 47.5) < 5%: switch at 3000,
        // an evaluation before the absolute rule (0.6 < 1 at 3500).
        let mut c = Curriculum::new(CurriculumConfig::CmGems {
            threshold: "5%".parse().unwrap(),
            patience: 1,
        })
        .unwrap();
        let events = feed(&mut c, &FLATTENING);
        assert_eq!(events.iter().map(|e| e.step).collect::<Vec<_>>(), [3000]);
        // The same series scaled by 100 (perplexities in the thousands) switches at the same
        // step under the relative rule, and never under the paper's absolute one.
        let scaled: Vec<(u64, f64)> = FLATTENING.iter().map(|&(s, p)| (s, p * 100.0)).collect();
        let mut rel = Curriculum::new(*c.config()).unwrap();
        assert_eq!(feed(&mut rel, &scaled)[0].step, 3000);
        let mut abs = Curriculum::new(CurriculumConfig::cm_gems()).unwrap();
        assert!(feed(&mut abs, &scaled).is_empty());
    }

    #[test]
    fn cm_gems_patience_counts_consecutive_flat_pairs() {
        let mut c = Curriculum::new(CurriculumConfig::CmGems {
            threshold: 1.0.into(),
            patience: 2,
        })
        .unwrap();
        // Flat pair (10.0 -> 9.5), then a big drop resets, then two flat pairs: switch at 2500.
        let events = feed(
            &mut c,
            &[
                (500, 10.0),
                (1000, 9.5),
                (1500, 5.0),
                (2000, 4.5),
                (2500, 4.2),
            ],
        );
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].step, 2500);
    }

    #[test]
    fn cm_gems_never_switches_on_the_first_evaluation_or_a_repeat() {
        let mut c = Curriculum::new(CurriculumConfig::cm_gems()).unwrap();
        assert_eq!(c.observe_perplexity(500, 3.0), None);
        // The same checkpoint evaluated again after a resume: ignored, not a drop of 0.
        assert_eq!(c.observe_perplexity(500, 3.0), None);
        assert_eq!(c.observe_perplexity(400, 3.0), None);
        assert_eq!(c.switch_step(), None);
        // Non-finite perplexities are ignored and do not replace the last evaluation.
        assert_eq!(c.observe_perplexity(1000, f64::NAN), None);
        assert_eq!(c.observe_perplexity(1000, f64::INFINITY), None);
        assert_eq!(c.last_evaluation().map(|e| e.step), Some(500));
        assert_eq!(c.observe_perplexity(1500, 2.5).map(|e| e.step), Some(1500));
    }

    #[test]
    fn cm_gems_config_validation() {
        let bad = [
            CurriculumConfig::CmGems {
                threshold: f64::NAN.into(),
                patience: 1,
            },
            CurriculumConfig::CmGems {
                threshold: (-1.0).into(),
                patience: 1,
            },
            CurriculumConfig::CmGems {
                threshold: 1.0.into(),
                patience: 0,
            },
        ];
        for b in bad {
            assert!(Curriculum::new(b).is_err(), "{b:?}");
        }
        let json = concat!(
            r#"{"config":{"cm-gems":{"threshold":1.0,"patience":0}},"last_strategy":"genemask","#,
            r#""last_eval":null,"flat_pairs":0,"switch":null}"#
        );
        assert!(serde_json::from_str::<Curriculum>(json).is_err());
        let valid = json.replace("\"patience\":0", "\"patience\":1");
        assert!(serde_json::from_str::<Curriculum>(&valid).is_ok());
        let c: CurriculumConfig = serde_json::from_str(r#"{"cm-gems":{}}"#).unwrap();
        assert_eq!(c, CurriculumConfig::cm_gems());
        let f: CurriculumConfig = serde_json::from_str(r#"{"fixed":"global"}"#).unwrap();
        assert_eq!(f, CurriculumConfig::Fixed(Strategy::Global));
    }

    #[test]
    fn serde_round_trip_mid_run_continues_identically() {
        // CM-GEMS: stop after 4 evaluations, restore, feed the rest.
        let mut a = Curriculum::new(CurriculumConfig::cm_gems()).unwrap();
        feed(&mut a, &FLATTENING[..4]);
        let json = serde_json::to_string(&a).unwrap();
        let mut b: Curriculum = serde_json::from_str(&json).unwrap();
        assert_eq!(b, a);
        assert_eq!(
            feed(&mut a, &FLATTENING[4..]),
            feed(&mut b, &FLATTENING[4..])
        );
        assert_eq!(b.switch_step(), Some(3500));

        // CM-Step with its rng: the same strategies after the restore.
        let mut c = cm_step(1000);
        let mut rng = SeededRng::new(11);
        for step in 0..400 {
            c.strategy_for_step(step, &mut rng);
        }
        let saved = (
            serde_json::to_string(&c).unwrap(),
            serde_json::to_string(&rng).unwrap(),
        );
        let mut d: Curriculum = serde_json::from_str(&saved.0).unwrap();
        let mut rng_d: SeededRng = serde_json::from_str(&saved.1).unwrap();
        let rest_c: Vec<Strategy> = (400..1000)
            .map(|s| c.strategy_for_step(s, &mut rng))
            .collect();
        let rest_d: Vec<Strategy> = (400..1000)
            .map(|s| d.strategy_for_step(s, &mut rng_d))
            .collect();
        assert_eq!(rest_c, rest_d);
        assert!(rest_c.contains(&Strategy::Global) && rest_c.contains(&Strategy::RandomSpan));
    }
}
