// Geometry of the training plot: legend rows, panel frames and the axes' scales. No DOM:
// text widths come from a `measure(text)` function (the canvas's measureText in the page).
import { axisNum } from './format.js';

export const PLOT_LEGEND = [['#2f6fdb', 'train loss (left)'], ['#1a9850', 'held-out perplexity (right)'], ['#8a2fc0', 'CM-Step p_global'], ['#d73027', 'CM-GEMS switch'], ['#111', 'selected step']];
// Space a legend item takes besides its text: its colour mark and the gap after it.
export const LEGEND_ITEM_PAD = 32;

/** The plot's width in CSS px: as laid out, at least 300 (760 before layout). */
export const plotWidth = (cssWidth) => Math.max(300, Math.round(cssWidth || 760));

/** The legend items (colour, text) in rows of as many as fit in `width`. */
export function legendRows(items, measure, width) {
  const rows = [[]];
  let used = 0;
  for (const item of items) {
    const w = measure(item[1]) + LEGEND_ITEM_PAD;
    if (used + w > width - 20 && rows[rows.length - 1].length) { rows.push([]); used = 0; }
    rows[rows.length - 1].push(item);
    used += w;
  }
  return rows;
}

/** [min, max] of `vals`, or null when empty (reduce: long runs overflow Math.min(...)). */
export const valueRange = (vals) => (vals.length ? [vals.reduce((a, b) => Math.min(a, b)), vals.reduce((a, b) => Math.max(a, b))] : null);

/** The widest axis label of a range's ends. */
export const axisLabelWidth = (range, measure) => (range ? Math.max(...range.map((v) => measure(axisNum(v)))) : 0);

/**
 * The panels of a plot `width` wide with `legendRowCount` legend rows: the top one (loss,
 * perplexity: T1..B1) and the bottom one (p_global: T2..B2) share the step axis L..R, whose
 * margins fit the left and right axis labels. H: the canvas height.
 */
export function plotFrame(width, legendRowCount, leftLabelW, rightLabelW) {
  const top = 10 + 16 * legendRowCount;
  return {
    L: Math.max(34, leftLabelW + 10), R: width - Math.max(26, rightLabelW + 10),
    T1: top + 8, B1: top + 140, T2: top + 158, B2: top + 202, H: top + 240,
  };
}

/** x of training step `s` on a step axis from 0 to `maxSteps` over L..R (later steps at R). */
export const stepX = (s, maxSteps, { L, R }) => L + (Math.min(s, maxSteps) / maxSteps) * (R - L);

/** y of value `v` on the top panel, for values in [lo, hi] (a flat series sits at the bottom). */
export const valueY = (v, [lo, hi], { T1, B1 }) => B1 - ((v - lo) / (hi - lo || 1)) * (B1 - T1);

/** y of a probability `p` on the bottom panel. */
export const probabilityY = (p, { T2, B2 }) => B2 - p * (B2 - T2);

/** Five step-axis ticks, 0 to maxSteps. */
export const stepTicks = (maxSteps) => [0, 1, 2, 3, 4].map((i) => Math.round((maxSteps * i) / 4));
