// Where things sit on the sequence view: row heights, how many tokens a pixel column holds
// at a zoom, which token lies under a pixel, and the NPMI heat colour. No DOM: the views
// and the scroller compute with these.
import { UNK_RANK } from './lanes.js';

// Heights of the detail view's rows (CSS px) and the width of the label column on the left.
export const ROWS = { ruler: 18, nuc: 18, kmer: 20, gap: 8, lane: 30, laneGap: 5 };
export const LABEL_W = 210;
// The overview strip: its header, one thin lane per strategy, and the foot for the zoom lines.
export const OV = { head: 16, lane: 9, gap: 2, foot: 14 };

/** Height of the detail view with `lanes` lanes. */
export const tracksHeight = (lanes = 5) => ROWS.ruler + ROWS.nuc + ROWS.kmer + ROWS.gap + lanes * (ROWS.lane + ROWS.laneGap) + 4;

/** Top of the first lane (below the ruler, nucleotide and k-mer rows). */
export const lanesTop = () => ROWS.ruler + ROWS.nuc + ROWS.kmer + ROWS.gap;

/** Tokens per pixel column when tokens are narrower than a pixel (cellPx < 1), else 1. */
export const perColumn = (cellPx) => (cellPx < 1 ? Math.ceil(1 / cellPx - 1e-9) : 1);

/** Width of one drawn column: a token's width, or one pixel when columns pool tokens. */
export const columnWidth = (cellPx) => (cellPx < 1 ? 1 : cellPx);

/** How many tokens the detail view shows in a canvas `width` px wide. */
export function visibleTokens(width, cellPx) {
  const cols = Math.max(1, width - LABEL_W);
  return cellPx < 1 ? cols * perColumn(cellPx) : Math.max(1, Math.floor(cols / cellPx + 1e-9));
}

/**
 * The zoom menu's value as px per token: a number, or "fit" for the whole sequence of
 * `tokens` in the strip (never wider than 16 px a token). `tokens` null: no sequence.
 */
export function zoomCellPx(zoom, width, tokens) {
  if (zoom !== 'fit') return Number(zoom);
  return tokens ? Math.min(16, (Math.max(1, width - LABEL_W)) / tokens) : 1;
}

/** Tokens per pixel of the whole sequence in the strip: the "fit" option's label. */
export const fitTokensPerPx = (width, tokens) => (tokens ? Math.ceil(tokens / Math.max(1, width - LABEL_W)) : 1);

/** The first token shown, kept inside [0, tokens - shown]. */
export const clampFirst = (first, tokens, shown) => Math.max(0, Math.min(Math.round(first), Math.max(0, tokens - shown)));

/** The token under pixel `px` (from the canvas's left edge), or null left of the lanes. */
export function tokenAt(px, firstToken, cellPx) {
  if (px < LABEL_W) return null;
  return firstToken + Math.floor((px - LABEL_W) / columnWidth(cellPx)) * perColumn(cellPx);
}

// The nucleotide row's colour per base (letters and bars alike).
export const BASE_COLOR = { A: '#1a9850', C: '#2f6fdb', G: '#555', T: '#d73027' };

// Heat: rank 1 (highest NPMI) dark red .. last pale yellow, on a log scale so the top 1%
// stands out; unscored ranks light grey; [UNK] dark grey.
const HEAT_STOPS = [[0, [128, 0, 38]], [0.35, [227, 26, 28]], [0.6, [253, 141, 60]], [0.8, [254, 217, 118]], [1, [255, 255, 224]]];

/** The colour of NPMI rank `rank` among the 4^k k-mers, of which `scored` have a score. */
export function heat(rank, k, scored = Infinity) {
  if (rank === UNK_RANK) return '#444';
  if (rank > scored) return '#d9d9d9';
  const t = Math.log(rank) / Math.log(4 ** k);
  for (let i = 1; i < HEAT_STOPS.length; i++) {
    const [t1, c1] = HEAT_STOPS[i];
    const [t0, c0] = HEAT_STOPS[i - 1];
    if (t <= t1) {
      const u = (t - t0) / (t1 - t0);
      const c = c0.map((v, j) => Math.round(v + u * (c1[j] - v)));
      return `rgb(${c[0]},${c[1]},${c[2]})`;
    }
  }
  return 'rgb(255,255,224)';
}
