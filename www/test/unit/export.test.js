import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG, laneSpecs } from '../../js/lanes.js';
import { masksDocument, masksFileName } from '../../js/export.js';

test('the export lists each lane\'s masked, whole-k-mer and centre tokens with the settings', () => {
  const f = (...bits) => Uint8Array.from(bits);
  const M = FLAG.MASKED, W = FLAG.WHOLE_KMER, C = FLAG.CENTRE;
  const byStrategy = {
    random: { flags: f(M | C, M, 0, 0), stats: { masked: 2 } },
    genemask: { flags: f(0, M | W, M, C), stats: { masked: 2 } },
    global: { flags: f(0, 0, M | W, M), stats: { masked: 2 } },
    randommask: { flags: f(M | C, M, M, 0), stats: { masked: 3 } },
  };
  const view = { name: 'rec', k: 6, nucleotides: { length: 9 }, tokens: 4, windowTokens: 510 };
  const table = { source: 'built-in', k: 6, scored: 99, isDefault: true };
  const lanes = laneSpecs({ step: 0, asCoded: true, draw: null, gemsSwitch: null, metricsLoaded: false });
  const doc = masksDocument({ view, byStrategy, table, lanes, seed: 3, asCoded: true, step: 0 });
  assert.equal(doc.format, 'cmgems-inspector-masks');
  assert.equal(doc.rank_lookup, 'position');
  assert.equal(doc.seed, 3);
  assert.deepEqual(doc.table, { source: 'built-in', k: 6, scored: 99, built_in_synthetic: true });
  assert.equal(doc.lanes.length, 6);
  assert.deepEqual(doc.lanes[0], { lane: 'Random span', strategy: 'random', stats: { masked: 2 }, masked_tokens: [0, 1], whole_kmer_tokens: [], centres: [0] });
  assert.deepEqual(doc.lanes[1].whole_kmer_tokens, [1]);
  assert.deepEqual(doc.lanes[4].masked_tokens, [1, 2], 'CM-GEMS before a switch exports GeneMask\'s');
  assert.deepEqual(doc.lanes[5].masked_tokens, [0, 1, 2]);
});

test('the export file name is safe on any file system', () => {
  assert.equal(masksFileName('chr1:100-200 (+) é', 2), 'masks-chr1_100-200_-seed2.json');
});
