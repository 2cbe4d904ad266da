// The masks export: a JSON document of every lane's masked tokens. No DOM.
import { FLAG, positionsWith } from './lanes.js';

/**
 * The export document of view `view` with masks `byStrategy`, table info `table`, the lanes
 * shown and the controls' values ({seed, asCoded, step}).
 */
export function masksDocument({ view, byStrategy, table, lanes, seed, asCoded, step }) {
  return {
    format: 'cmgems-inspector-masks', version: 1,
    note: 'Token i is the k-mer starting at nucleotide i (0-based). Model input w holds tokens w*window_tokens .. and was masked with SeededRng::derive(seed, w).',
    sequence: view.name, k: view.k, nucleotides: view.nucleotides.length, tokens: view.tokens,
    window_tokens: view.windowTokens, seed, rank_lookup: asCoded ? 'position' : 'kmer',
    table: { source: table.source, k: table.k, scored: table.scored, built_in_synthetic: table.isDefault },
    step,
    lanes: lanes.map((l) => {
      const d = byStrategy[l.strategy];
      return {
        lane: l.label, strategy: l.strategy, stats: d.stats,
        masked_tokens: positionsWith(d.flags, FLAG.MASKED),
        whole_kmer_tokens: positionsWith(d.flags, FLAG.WHOLE_KMER),
        centres: positionsWith(d.flags, FLAG.CENTRE),
      };
    }),
  };
}

/** The export's file name: the sequence name made safe for a file system, and the seed. */
export const masksFileName = (name, seed) => `masks-${name.replace(/[^\w.-]+/g, '_')}-seed${seed}.json`;
