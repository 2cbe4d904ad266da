// Which lanes the page shows and what their flags mean: the three fixed strategies plus the
// three curricula (CM-Step, CM-GEMS, RandomMask) at the chosen training step. No DOM: the lanes view
// draws what laneSpecs returns.
import { fmt } from './format.js';

export const STRATEGIES = ['random', 'genemask', 'global', 'randommask'];
export const STRATEGY_INFO = {
  random: { label: 'Random span', note: 'DNABERT: k tokens per centre', color: '#2f6fdb' },
  genemask: { label: 'GeneMask', note: 'best k-mer near each centre', color: '#e07800' },
  global: { label: 'GLOBAL', note: 'm best k-mers of each input', color: '#8a2fc0' },
  randommask: { label: 'RandomMask', note: 'random span widened as training goes', color: '#1a9850' },
};
// Per-token bits of the worker's flags arrays (web/src: the mask result).
export const FLAG = { MASKED: 1, CENTRE: 2, WHOLE_KMER: 4, IN_SPAN: 8 };
// The rank the worker gives a token whose k-mer holds a letter other than A/C/G/T.
export const UNK_RANK = 65535;

/**
 * The six lanes at `step`: {strategy, label, note}. `draw` is CM-Step's replayed draw at
 * that step (null before the worker answered), `gemsSwitch` the CM-GEMS switch replayed on
 * loaded metrics (null: none), `metricsLoaded` whether any metrics are loaded, `widening`
 * RandomMask's bound at that step (core's schedule, from the worker).
 */
export function laneSpecs({ step, asCoded, draw, gemsSwitch, metricsLoaded, widening = 0 }) {
  const lanes = STRATEGIES.filter((s) => s !== 'randommask').map((s) => ({
    strategy: s,
    label: STRATEGY_INFO[s].label,
    note: asCoded && s !== 'random' ? 'AS CODED: rank by position' : STRATEGY_INFO[s].note,
  }));
  lanes.push(cmStepLane(step, draw));
  lanes.push(cmGemsLane(step, gemsSwitch, metricsLoaded));
  lanes.push(randomMaskLane(step, widening));
  return lanes;
}

function randomMaskLane(step, widening) {
  const note = widening ? `spans widened by 0-${widening} tokens a side` : 'random span (not widened yet)';
  return { strategy: 'randommask', label: `RandomMask @ step ${fmt(step)}`, note };
}

function cmStepLane(step, draw) {
  const drawn = draw ? draw.strategy : 'random';
  const note = draw ? `drew ${STRATEGY_INFO[drawn].label} (p_global ${draw.p_global.toFixed(2)})` : '';
  return { strategy: drawn, label: `CM-Step @ step ${fmt(step)}`, note };
}

function cmGemsLane(step, sw, metricsLoaded) {
  const after = sw && step > sw.step;
  let note;
  if (sw) note = after ? `GLOBAL since switch @ ${fmt(sw.step)}` : `GeneMask until switch @ ${fmt(sw.step)}`;
  else note = metricsLoaded ? 'GeneMask (no switch in the loaded metrics)' : 'GeneMask (no switch: load metrics)';
  return { strategy: after ? 'global' : 'genemask', label: `CM-GEMS @ step ${fmt(step)}`, note };
}

/** The stats table's name of a lane: a curriculum lane also names the strategy it drew. */
export const laneTitle = (lane) => lane.label + (lane.label.startsWith('CM') ? ` → ${STRATEGY_INFO[lane.strategy].label}` : '');

/** A key that changes when any lane's strategy or label does (caches of drawn lanes). */
export const lanesKey = (lanes) => lanes.map((l) => `${l.strategy}:${l.label}`).join();

/** Sorted positions whose flags have `bit` set. */
export function positionsWith(flags, bit) {
  const out = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] & bit) out.push(i);
  return out;
}
