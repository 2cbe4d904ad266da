import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATS_COLUMNS, sequenceNumbers, statsCells, tableStatus, topHeaders, topRowCells, windowText } from '../../js/stats.js';

const STATS = {
  masked_share: 0.1512, masked: 1512, maskable: 10_000, drawn_spans: 300, drawn_tokens: 1800, spans: 140,
  whole_kmers: 25, mean_rank_whole_kmers: 37.6, mean_rank_masked: 1200.4, mean_rank_all: 2048.5,
  top1_tokens: 120, top1_masked: 60, top1_hidden_share: 0.5,
};

test('a lane\'s stats row: share, spans drawn and overlap, runs, whole k-mers, ranks, top 1%', () => {
  const cells = statsCells(STATS);
  assert.equal(cells.length, STATS_COLUMNS.length);
  assert.deepEqual(cells, [
    '15.1% (1,512 of 10,000)',
    '300 spans → 1,800 tokens (18.0%) · 288 overlap',
    '140',
    '25 · their mean rank 38',
    '1,200 vs 2,049',
    '50.0% (60 of 120)',
  ]);
});

test('a lane with nothing drawn says so rather than dividing by zero', () => {
  const cells = statsCells({ ...STATS, masked_share: null, masked: 0, maskable: 0, drawn_spans: 1, drawn_tokens: 0, spans: 0, whole_kmers: 0, mean_rank_masked: null, top1_tokens: 0 });
  assert.deepEqual(cells, ['– (0 of 0)', '1 span → 0 tokens (–) · 0 overlap', '0', '0', '–', 'none in sequence']);
});

test('top k-mer rows: unscored, uncounted and not-yet-counted cells are marked', () => {
  assert.deepEqual(topRowCells({ rank: 1, kmer: 'CGCGCG', npmi: 0.98765, count: 12345, in_sequence: 3 }, true), [1, 'CGCGCG', '0.988', '12,345', '3']);
  assert.deepEqual(topRowCells({ rank: 2, kmer: 'AAAAAA', npmi: null, count: null, in_sequence: 3 }, false), [2, 'AAAAAA', 'unscored', '–', '–']);
});

test('the score column says NPMI only for a table in [-1, 1]; the authors\' CSV is named', () => {
  assert.equal(topHeaders(null).score, 'NPMI');
  assert.equal(topHeaders({ npmiRange: true, hasCounts: true }).count, 'Count');
  const csv = topHeaders({ npmiRange: false, hasCounts: false, source: 'GeneMask authors\' ranking CSV' });
  assert.equal(csv.score, 'Normalised PMI (as given)');
  assert.match(csv.scoreTitle, /norm_dp_true_pmi/);
  assert.equal(csv.count, 'Count (none given)');
  assert.doesNotMatch(topHeaders({ npmiRange: false, source: 'mine.json' }).scoreTitle, /authors/);
});

test('the table status names the kind, k, what is scored and the source', () => {
  assert.deepEqual(tableStatus({ isDefault: true, hasCounts: true, k: 6, scored: 1234, minCount: 101, source: 'synthetic corpus' }),
    { kind: 'Built-in table (SYNTHETIC corpus, not a real genome)', rest: ' · k = 6 · 1,234 of 4,096 k-mers scored (count ≥ 101) · synthetic corpus' });
  assert.equal(tableStatus({ isDefault: false, hasCounts: false, k: 4, source: '' }).rest, ' · k = 4 · 256 k-mers ranked as given (no counts in this table) · uploaded table');
});

test('the sequence summary counts nucleotides, tokens, inputs and [UNK] tokens', () => {
  const v = { nucleotides: { length: 515 }, tokens: 510, inputs: 1, windowTokens: 510, unknown: 0 };
  assert.equal(sequenceNumbers(v), ' · 515 nt · 510 tokens in 1 model input of ≤ 510');
  assert.equal(sequenceNumbers({ ...v, inputs: 2, unknown: 1200 }), ' · 515 nt · 510 tokens in 2 model inputs of ≤ 510 · 1,200 [UNK] tokens');
});

test('the window line names the tokens shown, their inputs and pooling', () => {
  assert.match(windowText(0, 62, 510, 2, 1), /^Showing tokens 1–62 \(input 1 of 2\)\. {2}Scroll/);
  assert.match(windowText(500, 562, 510, 2, 1), /^Showing tokens 501–562 \(input 1–2 of 2\)/);
  assert.match(windowText(0, 20_000, 510, 40, 20), /input 1–40 of 40\)\. {2}Each pixel column pools 20 tokens/);
});
