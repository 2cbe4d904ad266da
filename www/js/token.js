// What the page says about one token: the tooltip's text, and the token id of a k-mer (to
// find its first occurrence). No DOM.
import { fmt } from './format.js';
import { FLAG, STRATEGIES, STRATEGY_INFO, UNK_RANK } from './lanes.js';

/**
 * The tooltip of token `t` of `view` (the worker's sequence view): its place in the model
 * inputs, its k-mer and NPMI rank, and which strategies hide it (`byStrategy`: null while
 * no masks are in).
 */
export function tokenText(view, byStrategy, t) {
  const { k, windowTokens: wt } = view;
  const kmer = String.fromCharCode(...view.nucleotides.subarray(t, t + k));
  const rank = view.ranks[t];
  const top1 = Math.ceil(4 ** k / 100);
  const rankLine = rank === UNK_RANK
    ? '[UNK]: holds a letter other than A/C/G/T'
    : `NPMI rank ${fmt(rank)} of ${fmt(4 ** k)}${rank <= top1 ? ' (top 1%)' : ''}`;
  return `token ${fmt(t + 1)} · input ${fmt(Math.floor(t / wt) + 1)}, position ${(t % wt) + 1}\n`
    + `k-mer ${kmer} (nucleotides ${fmt(t + 1)}–${fmt(t + k)})\n`
    + `${rankLine}\n`
    + `hidden by: ${hiddenBy(byStrategy, t).join(', ') || 'none'}`;
}

function hiddenBy(byStrategy, t) {
  if (!byStrategy) return [];
  return STRATEGIES.filter((s) => byStrategy[s].flags[t] & FLAG.MASKED)
    .map((s) => STRATEGY_INFO[s].label + (byStrategy[s].flags[t] & FLAG.IN_SPAN ? ' (whole k-mer)' : ''));
}

/** The token id of a k-mer of A/T/C/G, as the worker's `ids` hold it (5 special tokens first). */
export function kmerTokenId(kmer) {
  let code = 0;
  for (const ch of kmer) code = code * 4 + 'ATCG'.indexOf(ch);
  return 5 + code;
}
