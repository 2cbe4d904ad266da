import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNK_RANK } from '../../js/lanes.js';
import {
  LABEL_W, clampFirst, columnWidth, fitTokensPerPx, heat, lanesTop, perColumn, tokenAt, tracksHeight, visibleTokens, zoomCellPx,
} from '../../js/geometry.js';

test('a pixel column holds one token at 1 px and wider, and pools them below', () => {
  for (const px of [16, 6, 2, 1]) { assert.equal(perColumn(px), 1); assert.equal(columnWidth(px), px); }
  assert.equal(perColumn(0.5), 2);
  assert.equal(perColumn(0.05), 20);
  assert.equal(columnWidth(0.05), 1);
  // 1 / (1/3) is 3.0000000000000004 in floating point: still 3 tokens a column.
  assert.equal(perColumn(1 / 3), 3);
});

test('visible tokens fill the width right of the labels', () => {
  const width = LABEL_W + 1000;
  assert.equal(visibleTokens(width, 16), 62);
  assert.equal(visibleTokens(width, 2), 500);
  assert.equal(visibleTokens(width, 0.05), 20_000);
  assert.equal(visibleTokens(LABEL_W - 50, 16), 1, 'never fewer than one');
});

test('the zoom menu: a number is px per token; fit shows every token, at most 16 px each', () => {
  assert.equal(zoomCellPx('6', 1210, 1000), 6);
  assert.equal(zoomCellPx('fit', 1210, 100_000), 0.01);
  assert.equal(zoomCellPx('fit', 1210, 10), 16);
  assert.equal(zoomCellPx('fit', 1210, null), 1);
  assert.equal(fitTokensPerPx(1210, 5_242_875), 5243);
  assert.equal(fitTokensPerPx(1210, 500), 1);
  assert.equal(fitTokensPerPx(1210, null), 1);
});

test('the first token shown stays inside the sequence', () => {
  assert.equal(clampFirst(-5, 1000, 62), 0);
  assert.equal(clampFirst(499.6, 1000, 62), 500);
  assert.equal(clampFirst(990, 1000, 62), 938);
  assert.equal(clampFirst(10, 40, 62), 0, 'a sequence shorter than the view starts at 0');
});

test('tokenAt maps a pixel to the token under it, none over the labels', () => {
  assert.equal(tokenAt(LABEL_W - 1, 0, 16), null);
  assert.equal(tokenAt(LABEL_W, 100, 16), 100);
  assert.equal(tokenAt(LABEL_W + 16 * 3 + 8, 100, 16), 103);
  assert.equal(tokenAt(LABEL_W + 7, 0, 0.05), 140, 'pooled columns name their first token');
});

test('row geometry: five lanes below the ruler, nucleotide and k-mer rows', () => {
  assert.equal(lanesTop(), 64);
  assert.equal(tracksHeight(5), 64 + 5 * 35 + 4);
});

test('heat: rank 1 darkest, the last rank palest, unscored grey, [UNK] dark grey', () => {
  assert.equal(heat(1, 6), 'rgb(128,0,38)');
  assert.equal(heat(4096, 6), 'rgb(255,255,224)');
  assert.equal(heat(UNK_RANK, 6, 100), '#444');
  assert.equal(heat(101, 6, 100), '#d9d9d9');
  assert.notEqual(heat(100, 6, 100), '#d9d9d9');
  // Darker (smaller red + green + blue) for better ranks.
  const sum = (c) => c.match(/\d+/g).map(Number).reduce((a, b) => a + b);
  assert.ok(sum(heat(10, 6)) < sum(heat(100, 6)) && sum(heat(100, 6)) < sum(heat(1000, 6)));
});
