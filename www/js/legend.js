// The key above the lanes (#legend): the heat scale of NPMI ranks for the current k and
// table, and the marks the lanes use.
import { fmt } from './format.js';
import { BASE_COLOR, heat } from './geometry.js';
import { $ } from './dom.js';

/** A legend entry: a small canvas drawn by `draw(g, w)` and its text. */
function item(el, draw, text, w = 60) {
  const span = document.createElement('span');
  span.className = 'item';
  const c = document.createElement('canvas');
  c.width = w; c.height = 14;
  draw(c.getContext('2d'), w);
  span.append(c, document.createTextNode(text));
  el.append(span);
}

/** Draws the legend; the heat scale only while a sequence (view `v`) is shown. */
export function drawLegend(v, table) {
  const el = $('legend');
  el.innerHTML = '';
  if (v) {
    const n = 4 ** v.k;
    const scored = table ? table.scored : Infinity;
    item(el, (g, w) => {
      for (let i = 0; i < w; i++) { g.fillStyle = heat(Math.max(1, Math.round(Math.exp((i / (w - 1)) * Math.log(n)))), v.k, scored); g.fillRect(i, 0, 1, 14); }
    }, `NPMI rank 1 (left, collocated) … ${fmt(n)} (log scale); grey = unscored, black = [UNK]`, 90);
  }
  item(el, (g) => { g.font = 'bold 12px monospace'; g.textBaseline = 'middle'; [...'ACGT'].forEach((b, i) => { g.fillStyle = BASE_COLOR[b]; g.fillText(b, 2 + i * 12, 8); }); }, 'nucleotides', 50);
  item(el, (g) => { g.fillStyle = '#2f6fdb'; g.globalAlpha = 0.75; g.fillRect(0, 3, 60, 11); }, 'masked token', 60);
  item(el, (g) => { g.fillStyle = '#8a2fc0'; g.fillRect(0, 3, 60, 11); g.fillStyle = '#111'; g.fillRect(0, 0, 60, 3); g.fillStyle = '#fff'; g.beginPath(); g.moveTo(26, 4); g.lineTo(34, 4); g.lineTo(30, 10); g.fill(); }, 'whole k-mer span (2k−1 tokens) around ▼', 60);
  item(el, (g) => { g.fillStyle = '#111'; g.beginPath(); g.arc(7, 7, 3, 0, 7); g.fill(); }, 'centre draw (random span, GeneMask)', 14);
  item(el, (g) => { g.strokeStyle = '#333'; g.setLineDash([4, 3]); g.beginPath(); g.moveTo(7, 0); g.lineTo(7, 14); g.stroke(); }, 'model input boundary (510 tokens; each masked on its own)', 14);
}
