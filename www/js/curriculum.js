// The curriculum panel: CM-Step's draw at the chosen step, a trainer's metrics.jsonl and
// CM-GEMS replayed on it, through the worker (core's own curricula). Takes `app` as
// pipeline.js does.
import { fmt } from './format.js';
import { STRATEGY_INFO } from './lanes.js';
import { cmStepStatus, gemsStatus, hasSeries, metricsStatus, parseMetrics } from './metrics.js';
import { render } from './view.js';
import { remask } from './pipeline.js';
import { drawPlot } from './plot.js';
import { $, showMessage } from './dom.js';

/** Replays CM-Step at the slider's step and updates its status, the lanes and the plot. */
export async function updateCurriculum(app) {
  const { st, engine } = app;
  const maxSteps = Math.max(1, Number($('max-steps').value) || 1);
  const stepEl = $('step');
  stepEl.max = String(maxSteps);
  if (Number(stepEl.value) > maxSteps) stepEl.value = String(maxSteps);
  const step = Number(stepEl.value);
  $('step-out').textContent = fmt(step);
  const seed = Number($('seed').value);
  try {
    const r = await engine.call('cmStep', { maxSteps, step, seed });
    st.cm.draw = r.draw;
    st.cm.schedule = r.schedule;
    const widened = st.cm.widening !== r.widening;
    st.cm.widening = r.widening;
    $('cm-step-status').textContent = cmStepStatus(r.draw, step, seed, STRATEGY_INFO[r.draw.strategy].label);
    $('cm-gems-status').textContent = gemsStatus(step, st.cm.switch, st.metrics, $('threshold').value);
    // A mask on its way will draw the lanes anyway (a resample redraws the seed's CM-Step).
    // RandomMask's spans depend on the step: a new bound masks its lane again.
    if (widened && st.view) remask(app, ['randommask']);
    else if (!st.maskInFlight) render(st);
    drawPlot(st);
  } catch (e) {
    showMessage(e.message);
  }
}

/** Reads a metrics.jsonl: its steps set max steps, and CM-GEMS is replayed on it. */
export async function loadMetrics(app, file) {
  const m = parseMetrics(await file.text());
  if (!hasSeries(m)) {
    showMessage(`"${file.name}" has no lines with a step and a loss or perplexity (read ${m.lines} lines).`);
    return;
  }
  app.st.metrics = m;
  // The plot's axis and CM-Step's schedule follow the run's own steps.
  $('max-steps').value = String(Math.max(1, m.lastStep));
  await replayGems(app);
}

/** Replays core's CM-GEMS on the loaded perplexities at the threshold typed. */
export async function replayGems(app) {
  const { st, engine } = app;
  const m = st.metrics;
  if (!m) return;
  const threshold = Number($('threshold').value);
  const r = await engine.call('cmGems', { steps: m.pplSteps, perplexities: m.ppl, threshold });
  st.cm.switch = r.switch;
  $('metrics-status').textContent = metricsStatus(m, r.switch);
  // The status line and the CM-GEMS lane follow the replay at once.
  await updateCurriculum(app);
}
