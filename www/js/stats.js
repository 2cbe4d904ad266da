// The text of the stats table and the top k-mer table. No DOM: the tables view puts these
// strings into cells.
import { fmt, pct, plural } from './format.js';

// The stats table's columns after the lane name, as class names of their cells.
export const STATS_COLUMNS = ['share', 'overlap', 'spans', 'whole', 'meanrank', 'top1'];

/** One lane's stats (the worker's mask stats) as the texts of STATS_COLUMNS. */
export function statsCells(s) {
  const overlap = s.drawn_tokens - s.masked;
  return [
    `${pct(s.masked_share)} (${fmt(s.masked)} of ${fmt(s.maskable)})`,
    `${plural(s.drawn_spans, 'span', 'spans')} → ${fmt(s.drawn_tokens)} tokens (${pct(s.maskable ? s.drawn_tokens / s.maskable : null)}) · ${fmt(overlap)} overlap`,
    fmt(s.spans),
    s.whole_kmers ? `${fmt(s.whole_kmers)} · their mean rank ${fmt(Math.round(s.mean_rank_whole_kmers))}` : '0',
    s.mean_rank_masked == null ? '–' : `${fmt(Math.round(s.mean_rank_masked))} vs ${fmt(Math.round(s.mean_rank_all))}`,
    s.top1_tokens ? `${pct(s.top1_hidden_share)} (${fmt(s.top1_masked)} of ${fmt(s.top1_tokens)})` : 'none in sequence',
  ];
}

/** A row of the top k-mer table; `inSequence`: whether a sequence is shown to count in. */
export function topRowCells(r, inSequence) {
  return [r.rank, r.kmer, r.npmi == null ? 'unscored' : r.npmi.toFixed(3), r.count == null ? '–' : fmt(r.count),
    r.in_sequence == null || !inSequence ? '–' : fmt(r.in_sequence)];
}

/**
 * The score and count columns' headers for table info `table` (null: none yet): NPMI in
 * [-1, 1], or the source's own normalised PMI (the authors' CSV column norm_dp_true_pmi
 * reaches 2.1), which has no counts.
 */
export function topHeaders(table) {
  const npmi = !table || table.npmiRange;
  const authors = table && /GeneMask authors/.test(table.source || '');
  return {
    score: npmi ? 'NPMI' : 'Normalised PMI (as given)',
    scoreTitle: npmi ? 'Normalised PMI in [-1, 1], from the counts'
      : `The table's own score, not NPMI in [-1, 1]${authors ? ": the GeneMask authors' norm_dp_true_pmi column" : ''}`,
    count: !table || table.hasCounts ? 'Count' : 'Count (none given)',
  };
}

/** The table panel's status: a bold kind, then k, what is scored and where it came from. */
export function tableStatus(info) {
  const scored = info.hasCounts
    ? `${fmt(info.scored)} of ${fmt(4 ** info.k)} k-mers scored (count ≥ ${fmt(info.minCount)})`
    : `${fmt(4 ** info.k)} k-mers ranked as given (no counts in this table)`;
  return {
    kind: info.isDefault ? 'Built-in table (SYNTHETIC corpus, not a real genome)' : 'Uploaded / computed table',
    rest: ` · k = ${info.k} · ${scored} · ${info.source || 'uploaded table'}`,
  };
}

/** The line under the record name: lengths, model inputs and [UNK] tokens of view `v`. */
export function sequenceNumbers(v) {
  return ` · ${fmt(v.nucleotides.length)} nt · ${fmt(v.tokens)} tokens in ${fmt(v.inputs)} model input${v.inputs > 1 ? 's' : ''} of ≤ ${v.windowTokens}`
    + (v.unknown ? ` · ${fmt(v.unknown)} [UNK] tokens` : '');
}

/**
 * The line under the viewer: tokens first+1..last shown, the model inputs they lie in (of
 * `inputs`, `windowTokens` tokens each), and what a pixel column pools.
 */
export function windowText(first, last, windowTokens, inputs, perCol) {
  const inputOf = (t) => Math.floor(t / windowTokens) + 1;
  const span = inputOf(last - 1) !== inputOf(first) ? `–${fmt(inputOf(last - 1))}` : '';
  const pooled = perCol > 1 ? ` Each pixel column pools ${perCol} tokens: its best NPMI rank, and any masked token.` : '';
  return `Showing tokens ${fmt(first + 1)}–${fmt(last)} (input ${fmt(inputOf(first))}${span} of ${fmt(inputs)}). ${pooled} Scroll below the lanes or with the mouse wheel; hover a token for details.`;
}
