import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LEGEND_ITEM_PAD, PLOT_LEGEND, axisLabelWidth, legendRows, plotFrame, plotWidth, probabilityY, stepTicks, stepX, valueRange, valueY,
} from '../../js/plot-layout.js';

const measure = (text) => 6 * text.length; // a monospace font 6 px a character

test('the legend wraps into rows that fit the width, never an empty row', () => {
  const widths = PLOT_LEGEND.map(([, t]) => measure(t) + LEGEND_ITEM_PAD);
  const total = widths.reduce((a, b) => a + b);
  assert.equal(legendRows(PLOT_LEGEND, measure, total + 20).length, 1);
  const rows = legendRows(PLOT_LEGEND, measure, 300);
  assert.ok(rows.length > 1);
  assert.deepEqual(rows.flat(), PLOT_LEGEND, 'every item, in order');
  for (const row of rows) {
    const used = row.reduce((a, [, t]) => a + measure(t) + LEGEND_ITEM_PAD, 0);
    assert.ok(row.length === 1 || used <= 300 - 20, `row ${JSON.stringify(row)} is ${used} px`);
  }
  // Narrower than any item: one item a row.
  assert.equal(legendRows(PLOT_LEGEND, measure, 10).length, PLOT_LEGEND.length);
});

test('plot width: as laid out, at least 300 px, 760 before layout', () => {
  assert.equal(plotWidth(0), 760);
  assert.equal(plotWidth(null), 760);
  assert.equal(plotWidth(120), 300);
  assert.equal(plotWidth(641.6), 642);
});

test('value ranges and their widest label', () => {
  assert.equal(valueRange([]), null);
  assert.deepEqual(valueRange([3, 1, 2]), [1, 3]);
  assert.deepEqual(valueRange(Array.from({ length: 300_000 }, (_, i) => i)), [0, 299_999]);
  assert.equal(axisLabelWidth(null, measure), 0);
  assert.equal(axisLabelWidth([0.01234, 3510], measure), measure('0.0123'));
});

test('the frame leaves room for the axis labels and the legend rows', () => {
  const f = plotFrame(760, 2, 60, 5);
  assert.equal(f.L, 70);
  assert.equal(f.R, 760 - 26);
  assert.equal(f.T1, 10 + 32 + 8);
  assert.ok(f.T1 < f.B1 && f.B1 < f.T2 && f.T2 < f.B2 && f.B2 < f.H);
  assert.equal(plotFrame(760, 1, 0, 0).L, 34, 'a minimum margin without labels');
});

test('steps map onto L..R and stop at max steps; values and p onto their panels', () => {
  const f = plotFrame(760, 1, 0, 0);
  assert.equal(stepX(0, 300, f), f.L);
  assert.equal(stepX(300, 300, f), f.R);
  assert.equal(stepX(900, 300, f), f.R);
  assert.equal(stepX(150, 300, f), (f.L + f.R) / 2);
  assert.equal(valueY(1, [1, 5], f), f.B1);
  assert.equal(valueY(5, [1, 5], f), f.T1);
  assert.equal(valueY(2, [2, 2], f), f.B1, 'a flat series sits on the bottom edge');
  assert.equal(probabilityY(0, f), f.B2);
  assert.equal(probabilityY(1, f), f.T2);
  assert.deepEqual(stepTicks(300), [0, 75, 150, 225, 300]);
  assert.deepEqual(stepTicks(10_001), [0, 2500, 5001, 7501, 10_001]);
});
