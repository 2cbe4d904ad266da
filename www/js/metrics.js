// A trainer's metrics.jsonl: read into loss and held-out perplexity series, and the
// sentences the curriculum panel says about them. No DOM.
import { fmt } from './format.js';

/**
 * Reads metrics.jsonl text: {steps, loss, pplSteps, ppl, loggedSwitch, lines, bad,
 * firstStep, lastStep}. A line needs a step (step or global_step); a loss (loss, train_loss,
 * mlm_loss) and a held-out perplexity (eval_perplexity, perplexity, eval_ppl, ppl, or
 * exp(eval_loss)) are each optional. A logged switch is an event naming "switch", a
 * switch_step, or the masker turning from genemask to global.
 */
export function parseMetrics(text) {
  const m = { steps: [], loss: [], pplSteps: [], ppl: [], loggedSwitch: null, lines: 0, bad: 0 };
  let lastMasker = null;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    m.lines++;
    let o;
    try { o = JSON.parse(line); } catch { m.bad++; continue; }
    const step = o?.step ?? o?.global_step;
    if (typeof step !== 'number') { m.bad++; continue; }
    readLine(m, o, step, lastMasker);
    const masker = o.masker ?? o.strategy;
    if (typeof masker === 'string') lastMasker = masker.toLowerCase();
  }
  const all = m.steps.concat(m.pplSteps);
  // reduce, not Math.min(...all): a long run's hundred thousand steps overflow the call stack.
  m.firstStep = all.length ? all.reduce((a, b) => Math.min(a, b)) : null;
  m.lastStep = all.length ? all.reduce((a, b) => Math.max(a, b)) : null;
  return m;
}

function readLine(m, o, step, lastMasker) {
  const loss = o.loss ?? o.train_loss ?? o.mlm_loss;
  if (typeof loss === 'number') { m.steps.push(step); m.loss.push(loss); }
  const ev = String(o.event ?? o.kind ?? '');
  // A trainer's switch event repeats the perplexity of the evaluation logged just before it.
  let ppl = o.eval_perplexity ?? (ev ? undefined : o.perplexity) ?? o.eval_ppl ?? o.ppl;
  if (ppl == null && typeof o.eval_loss === 'number') ppl = Math.exp(o.eval_loss);
  if (typeof ppl === 'number') { m.pplSteps.push(step); m.ppl.push(ppl); }
  if (m.loggedSwitch == null && (/switch/i.test(ev) || typeof o.switch_step === 'number')) m.loggedSwitch = o.switch_step ?? step;
  const masker = o.masker ?? o.strategy;
  if (m.loggedSwitch == null && lastMasker === 'genemask' && masker === 'global') m.loggedSwitch = step;
}

/** Whether the metrics hold anything to plot. */
export const hasSeries = (m) => m.steps.length > 0 || m.pplSteps.length > 0;

/**
 * What CM-GEMS does at `step`: replayed on the loaded metrics `m` (switch `sw`, threshold
 * as typed), or what loading them would show.
 */
export function gemsStatus(step, sw, m, threshold) {
  if (sw) return `CM-GEMS: switches from GeneMask to GLOBAL after step ${fmt(sw.step)} (perplexity ${sw.previous.toFixed(3)} → ${sw.current.toFixed(3)}, change < ${threshold}); at step ${fmt(step)} it uses ${step > sw.step ? 'GLOBAL' : 'GeneMask'}.`;
  if (!m) return 'CM-GEMS: GeneMask until held-out perplexity flattens, then GLOBAL. Load a metrics.jsonl to replay the switch.';
  if (!m.pplSteps.length) return 'CM-GEMS: the loaded metrics.jsonl has no held-out perplexity, so the switch cannot be replayed: GeneMask throughout.';
  return `CM-GEMS: replayed on the loaded metrics.jsonl (${fmt(m.pplSteps.length)} held-out perplexities), it never switches: perplexity never changed by less than ${threshold} between evaluations, so GeneMask throughout.`;
}

/** The metrics panel's line about loaded metrics `m` and core's replayed switch `sw`. */
export function metricsStatus(m, sw) {
  return `metrics.jsonl: ${fmt(m.lines)} lines, steps ${fmt(m.firstStep)}–${fmt(m.lastStep)} (max steps set to the run's ${fmt(m.lastStep)}), ${fmt(m.steps.length)} losses, ${fmt(m.pplSteps.length)} held-out perplexities`
    + (m.bad ? `, ${m.bad} lines skipped` : '') + '. '
    + (sw ? `Core's CM-GEMS replayed on them switches at step ${fmt(sw.step)}` : 'Core\'s CM-GEMS replayed on them never switches')
    + (m.loggedSwitch != null ? `; the log records a switch at step ${fmt(m.loggedSwitch)}.` : '; the log records no switch.');
}

/** CM-Step's status line for the worker's draw `d` at `step` from `seed`. */
export function cmStepStatus(d, step, seed, strategyLabel) {
  return `CM-Step: p_global = ${d.p_global.toFixed(2)} at step ${fmt(step)}; this step's draw (replayed from seed ${seed} with core's curriculum) is ${strategyLabel}. ${fmt(d.global_draws)} of ${fmt(step + 1)} steps so far drew GLOBAL.`;
}
