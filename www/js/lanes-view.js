// The detail view (#tracks): a ruler, the nucleotides, the k-mer NPMI heat and one lane per
// strategy, for the tokens on screen only, so a 1 Mb sequence draws as fast as 1 kb.
import { fmt, niceTick } from './format.js';
import { FLAG, STRATEGY_INFO, UNK_RANK } from './lanes.js';
import { BASE_COLOR, LABEL_W, ROWS, columnWidth, heat, lanesTop, perColumn, tracksHeight, visibleTokens } from './geometry.js';
import { $, fitCanvas } from './dom.js';

const FONT = '12px system-ui, sans-serif';

/** A 2D context on the tracks canvas, sized to `width` x `height` and cleared. */
function tracksContext(width, height) {
  const canvas = $('tracks');
  const dpr = fitCanvas(canvas, width, height);
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  g.font = FONT;
  g.textBaseline = 'middle';
  return g;
}

/** The tracks canvas with no sequence: a line saying why. */
export function drawNoSequence(width) {
  const g = tracksContext(width, 60);
  g.fillStyle = '#888';
  g.fillText($('message').hidden ? 'No sequence to show.' : 'No sequence to show: see the message above.', LABEL_W, 40);
}

/**
 * Draws st.view's tokens from st.firstToken (kept in range) that fit in `width`, with
 * `lanes`. Returns the window drawn: {first, last, perCol}.
 */
export function drawTracks(st, lanes, width) {
  const v = st.view;
  const height = tracksHeight(lanes.length);
  const g = tracksContext(width, height);
  const count = visibleTokens(width, st.cellPx);
  const first = Math.max(0, Math.min(st.firstToken, Math.max(0, v.tokens - count)));
  st.firstToken = first;
  const last = Math.min(v.tokens, first + Math.ceil(count));
  // One column per pixel when tokens are narrower than a pixel: it shows the best rank and
  // whether any token under it is masked.
  const cell = st.cellPx;
  const perCol = perColumn(cell);
  const colW = columnWidth(cell);
  const w = { first, last, perCol, colW, cell, cols: Math.ceil((last - first) / perCol), width, height, x: (i) => LABEL_W + i * colW };
  drawRuler(g, w);
  drawNucleotides(g, v, w, ROWS.ruler);
  drawRanks(g, v, st.table, w, ROWS.ruler + ROWS.nuc);
  drawInputBoundaries(g, v.windowTokens, w);
  lanes.forEach((lane, i) => drawLaneRow(g, lane, st.byStrategy?.[lane.strategy], w, lanesTop() + i * (ROWS.lane + ROWS.laneGap)));
  return { first, last, perCol };
}

/** Token numbers at round intervals. */
function drawRuler(g, { first, last, perCol, cell, width, x }) {
  g.fillStyle = '#333';
  g.textAlign = 'left';
  g.fillText('token', 8, ROWS.ruler / 2);
  const tick = niceTick(60 / cell);
  for (let t = Math.ceil((first + 1) / tick) * tick; t <= last; t += tick) {
    const px = x((t - 1 - first) / perCol);
    g.fillStyle = '#999';
    g.fillRect(px, ROWS.ruler - 5, 1, 5);
    g.fillStyle = '#333';
    // A number that would run past the right edge is left out rather than cut.
    if (px + 2 + g.measureText(fmt(t)).width <= width) g.fillText(fmt(t), px + 2, ROWS.ruler / 2 - 1);
  }
}

/** Nucleotides: letters when there is room, else coloured bars. */
function drawNucleotides(g, v, { first, perCol, colW, cell, cols, x }, y) {
  label(g, 'nucleotides', '', y, ROWS.nuc);
  g.font = 'bold 12px ui-monospace, "DejaVu Sans Mono", monospace';
  g.textAlign = 'center';
  for (let c = 0; c < cols; c++) {
    const b = String.fromCharCode(v.nucleotides[first + c * perCol]);
    g.fillStyle = BASE_COLOR[b] || '#000';
    if (cell >= 10) g.fillText(b, x(c) + colW / 2, y + ROWS.nuc / 2);
    else g.fillRect(x(c), y + 4, Math.max(colW, 1), ROWS.nuc - 8);
  }
  g.textAlign = 'left';
  g.font = FONT;
}

/** k-mer NPMI rank heat, one cell per column (token i = the k-mer starting at nucleotide i). */
function drawRanks(g, v, table, { first, last, perCol, colW, cell, cols, x }, y) {
  label(g, `k-mer NPMI rank (k=${v.k})`, '', y, ROWS.kmer);
  const scored = table ? table.scored : Infinity;
  for (let c = 0; c < cols; c++) {
    const t0 = first + c * perCol;
    let best = UNK_RANK;
    for (let t = t0; t < Math.min(last, t0 + perCol); t++) best = Math.min(best, v.ranks[t]);
    g.fillStyle = heat(best, v.k, scored);
    g.fillRect(x(c), y + 1, cell >= 6 ? colW - 1 : colW, ROWS.kmer - 2);
  }
}

/**
 * Model-input boundaries across all rows below the ruler: lines only while inputs are at
 * least 4 px apart, labels while there is room for them.
 */
function drawInputBoundaries(g, wt, { first, last, perCol, colW, width, height, x }) {
  const inputPx = (wt / perCol) * colW;
  for (let b = Math.ceil(first / wt) * wt; b < last && inputPx >= 4; b += wt) {
    if (b === 0) continue;
    const px = x((b - first) / perCol) - 0.5;
    g.strokeStyle = '#333';
    g.setLineDash([4, 3]);
    g.beginPath(); g.moveTo(px, 2); g.lineTo(px, height); g.stroke();
    g.setLineDash([]);
    const name = `input ${fmt(b / wt + 1)} →`;
    if (inputPx >= 90 && px + 3 + g.measureText(name).width <= width) {
      g.fillStyle = '#333';
      g.fillText(name, px + 3, lanesTop() - ROWS.gap / 2 + 1);
    }
  }
}

/** One strategy's lane at `y`: its label, a grey track, and its masks (`data`) when in. */
function drawLaneRow(g, lane, data, w, y) {
  const color = STRATEGY_INFO[lane.strategy].color;
  label(g, lane.label, lane.note, y, ROWS.lane, color);
  g.fillStyle = '#f0f0f0';
  g.fillRect(LABEL_W, y, w.cols * w.colW, ROWS.lane);
  // GLOBAL's centre draws only count m; their positions are unused, so they are not drawn.
  if (data) drawLane(g, data.flags, w, y, color, lane.strategy !== 'global');
}

function drawLane(g, flags, w, y, color, showCentres) {
  const { first, last } = w;
  let any = false;
  for (let t = first; t < last && !any; t++) any = (flags[t] & FLAG.MASKED) !== 0;
  if (!any) {
    g.fillStyle = '#888';
    g.font = 'italic 11.5px system-ui, sans-serif';
    g.textAlign = 'left';
    g.fillText('nothing hidden in this window (see the overview above)', w.x(0) + 8, y + ROWS.lane / 2);
    g.font = FONT;
    return;
  }
  drawMaskedColumns(g, flags, w, y, color);
  if (w.cell >= 2) drawMarks(g, flags, w, y, showCentres);
}

/** A bar per column holding a masked token; a dark cap over whole-k-mer spans. */
function drawMaskedColumns(g, flags, { first, last, perCol, colW, cell, x }, y, color) {
  for (let c = 0, t0 = first; t0 < last; c++, t0 += perCol) {
    let f = 0;
    for (let t = t0; t < Math.min(last, t0 + perCol); t++) f |= flags[t];
    if (!(f & FLAG.MASKED)) continue;
    g.fillStyle = color;
    g.globalAlpha = f & FLAG.IN_SPAN ? 1 : 0.75;
    g.fillRect(x(c), y + 6, cell >= 6 ? colW - 1 : colW, ROWS.lane - 6);
    g.globalAlpha = 1;
    if (f & FLAG.IN_SPAN) {
      // Whole-k-mer span: a dark bar on top, so spans of 2k-1 tokens read as one unit.
      g.fillStyle = '#111';
      g.fillRect(x(c), y + 1, colW, 4);
    }
  }
}

/** ▼ over each whole k-mer's token, • at each centre draw (shown at 2 px a token and wider). */
function drawMarks(g, flags, { first, last, perCol, colW, x }, y, showCentres) {
  for (let t = first; t < last; t++) {
    const f = flags[t];
    const cx = x((t - first) / perCol) + colW / 2;
    if (f & FLAG.WHOLE_KMER) {
      g.fillStyle = '#fff';
      g.beginPath(); g.moveTo(cx - 4, y + 7); g.lineTo(cx + 4, y + 7); g.lineTo(cx, y + 13); g.closePath(); g.fill();
    }
    if (f & FLAG.CENTRE && showCentres) {
      g.fillStyle = f & FLAG.MASKED ? '#fff' : '#111';
      g.beginPath(); g.arc(cx, y + ROWS.lane - 6, 2.5, 0, 2 * Math.PI); g.fill();
    }
  }
}

/** A row's label in the left column: bold with a note under it, and a colour swatch. */
function label(g, text, note, y, h, color) {
  g.textAlign = 'left';
  if (color) { g.fillStyle = color; g.fillRect(4, y + 4, 6, h - 8); }
  g.fillStyle = '#111';
  g.font = note ? 'bold 12px system-ui, sans-serif' : FONT;
  g.fillText(text, 14, note ? y + h / 2 - 7 : y + h / 2);
  if (note) {
    g.fillStyle = '#555';
    g.font = '10.5px system-ui, sans-serif';
    g.fillText(note, 14, y + h / 2 + 7, LABEL_W - 18);
  }
  g.font = FONT;
}
