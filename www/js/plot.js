// The training plot (#plot): loss and held-out perplexity of loaded metrics, CM-Step's
// p_global schedule, the CM-GEMS switch and the selected step, on one step axis. Drawn at
// its CSS size (times the pixel ratio), so its text stays 12 px on a narrow window; the step
// axis runs to max steps, which a loaded run sets to its last step.
import { axisNum, fmt } from './format.js';
import {
  PLOT_LEGEND, LEGEND_ITEM_PAD, axisLabelWidth, legendRows, plotFrame, plotWidth, probabilityY, stepTicks, stepX, valueRange, valueY,
} from './plot-layout.js';
import { $, fitCanvas } from './dom.js';

const FONT = '12px system-ui, sans-serif';

export function drawPlot(st) {
  const c = $('plot');
  // The width comes from the resize observer: reading it here would force a layout.
  st.plotWidth ??= c.getBoundingClientRect().width;
  const W = plotWidth(st.plotWidth);
  const m = st.metrics;
  const g = c.getContext('2d');
  g.font = FONT;
  const measure = (text) => g.measureText(text).width;
  const rows = legendRows(PLOT_LEGEND, measure, W);
  const lossRange = m && valueRange(m.loss), pplRange = m && valueRange(m.ppl);
  const f = plotFrame(W, rows.length, axisLabelWidth(lossRange, measure), axisLabelWidth(pplRange, measure));
  const dpr = fitCanvas(c, W, f.H);
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, W, f.H);
  g.font = FONT;
  g.textBaseline = 'middle';
  const maxSteps = Number($('max-steps').value) || 1;
  const xs = (s) => stepX(s, maxSteps, f);
  drawAxes(g, f, maxSteps, xs);
  st.plotExtent = { left: f.L, right: f.R, lastX: null };
  if (m) {
    if (lossRange) drawSeries(g, f, xs, m.steps, m.loss, lossRange, '#2f6fdb', 'left');
    if (pplRange) drawSeries(g, f, xs, m.pplSteps, m.ppl, pplRange, '#1a9850', 'right');
    st.plotExtent.lastX = xs(m.lastStep);
  } else {
    g.fillStyle = '#888'; g.textAlign = 'center';
    g.fillText('Load a metrics.jsonl to plot loss and held-out perplexity.', (f.L + f.R) / 2, (f.T1 + f.B1) / 2);
  }
  if (st.cm.schedule) drawSchedule(g, f, xs, st.cm.schedule);
  if (st.cm.switch) drawSwitch(g, f, xs(st.cm.switch.step), st.cm.switch.step);
  const step = Number($('step').value);
  g.strokeStyle = '#111';
  g.beginPath(); g.moveTo(xs(step), f.T1); g.lineTo(xs(step), f.B2); g.stroke();
  drawPlotLegend(g, rows);
}

/** Both panels' frames and the step axis under them. */
function drawAxes(g, f, maxSteps, xs) {
  g.strokeStyle = '#bbb';
  g.strokeRect(f.L, f.T1, f.R - f.L, f.B1 - f.T1);
  g.strokeRect(f.L, f.T2, f.R - f.L, f.B2 - f.T2);
  g.fillStyle = '#333';
  stepTicks(maxSteps).forEach((s, i) => {
    g.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
    g.fillText(fmt(s), xs(s), f.B2 + 12);
  });
  g.textAlign = 'center';
  g.fillText('training step', (f.L + f.R) / 2, f.B2 + 28);
}

/** A line of `vals` over `steps` in the top panel, its range labelled on axis `side`. */
function drawSeries(g, f, xs, steps, vals, range, color, side) {
  g.strokeStyle = color; g.lineWidth = 1.8;
  g.beginPath();
  steps.forEach((s, i) => (i ? g.lineTo(xs(s), valueY(vals[i], range, f)) : g.moveTo(xs(s), valueY(vals[i], range, f))));
  g.stroke(); g.lineWidth = 1;
  g.fillStyle = color;
  g.textAlign = side === 'left' ? 'right' : 'left';
  const ax = side === 'left' ? f.L - 4 : f.R + 4;
  g.fillText(axisNum(range[1]), ax, f.T1 + 5);
  g.fillText(axisNum(range[0]), ax, f.B1 - 5);
}

/** CM-Step's p_global over the steps, in the bottom panel. */
function drawSchedule(g, f, xs, { steps, p }) {
  g.strokeStyle = '#8a2fc0'; g.lineWidth = 1.5;
  g.beginPath();
  steps.forEach((s, i) => { const y = probabilityY(p[i], f); i ? g.lineTo(xs(s), y) : g.moveTo(xs(s), y); });
  g.stroke(); g.lineWidth = 1;
  g.fillStyle = '#8a2fc0'; g.textAlign = 'right';
  g.fillText('1', f.L - 4, f.T2 + 5); g.fillText('0', f.L - 4, f.B2 - 5);
  g.save(); g.translate(12, (f.T2 + f.B2) / 2); g.rotate(-Math.PI / 2); g.textAlign = 'center'; g.fillText('p_global', 0, 0); g.restore();
}

/** The CM-GEMS switch at x: a dashed line and its label, on the side where it fits. */
function drawSwitch(g, f, x, step) {
  g.strokeStyle = '#d73027'; g.setLineDash([6, 3]);
  g.beginPath(); g.moveTo(x, f.T1); g.lineTo(x, f.B2); g.stroke(); g.setLineDash([]);
  const label = `CM-GEMS switch @ ${fmt(step)}`;
  const right = x + 4 + g.measureText(label).width > f.R;
  g.fillStyle = '#d73027'; g.textAlign = right ? 'right' : 'left';
  g.fillText(label, right ? x - 4 : x + 4, f.T1 + 12);
}

/** The legend above the panels, in `rows`. */
function drawPlotLegend(g, rows) {
  g.textAlign = 'left';
  rows.forEach((row, r) => {
    let lx = 10;
    const y = 12 + 16 * r;
    for (const [col, label] of row) {
      g.fillStyle = col; g.fillRect(lx, y - 2, 14, 3);
      g.fillStyle = '#333'; g.fillText(label, lx + 18, y);
      lx += g.measureText(label).width + LEGEND_ITEM_PAD;
    }
  });
}
