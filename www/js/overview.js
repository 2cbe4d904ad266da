// The overview strip (#overview): the whole sequence in one row per lane, the share of
// masked tokens under each pixel (darker = more hidden), and a box around what the detail
// view shows. The lanes are drawn once per mask result into an offscreen canvas; a scroll
// only moves the box.
import { fmt } from './format.js';
import { FLAG, STRATEGY_INFO, lanesKey } from './lanes.js';
import { LABEL_W, OV } from './geometry.js';
import { $, fitCanvas } from './dom.js';

// What the offscreen image shows (key) and the image: the strip's own cache of its drawing.
const cache = { key: null, image: null };

export const overviewHeight = (laneCount) => OV.head + laneCount * (OV.lane + OV.gap) + OV.foot;

/** Draws the strip for `lanes` of st.view, `width` px wide, with a box over tokens first..last. */
export function drawOverview(st, lanes, first, last, width) {
  const v = st.view;
  const height = overviewHeight(lanes.length);
  const dpr = window.devicePixelRatio || 1;
  // Lane labels are in the key: they name the step the CM lanes are drawn at.
  const key = [v.name, v.tokens, width, st.byStrategy && st.flagsGen, lanesKey(lanes)].join('|');
  if (cache.key !== key) {
    cache.key = key;
    cache.image ??= document.createElement('canvas');
    drawStrip(cache.image, st, lanes, width, height, dpr);
  }
  const canvas = $('overview');
  fitCanvas(canvas, width, height);
  const g = canvas.getContext('2d');
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.drawImage(cache.image, 0, 0);
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  drawViewBox(g, v.tokens, first, last, width, height);
}

/** The box over the tokens shown, with lines to the detail view's edges below it. */
function drawViewBox(g, tokens, first, last, width, height) {
  const scale = (width - LABEL_W) / tokens;
  const x0 = LABEL_W + first * scale, x1 = Math.max(x0 + 3, LABEL_W + last * scale);
  const yb = height - OV.foot;
  g.strokeStyle = '#111'; g.lineWidth = 1.5;
  g.strokeRect(x0, OV.head - 2, x1 - x0, yb - OV.head + 2);
  // The tracks below zoom into the box.
  g.lineWidth = 1; g.strokeStyle = '#888';
  g.beginPath(); g.moveTo(x0, yb); g.lineTo(LABEL_W, height); g.moveTo(x1, yb); g.lineTo(width, height); g.stroke();
}

/** The strip's header and lanes, into the offscreen canvas `off`. */
function drawStrip(off, st, lanes, width, height, dpr) {
  const v = st.view;
  off.width = Math.round(width * dpr); off.height = Math.round(height * dpr);
  const g = off.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  g.textBaseline = 'middle';
  drawHeader(g, v.tokens, width);
  const cols = width - LABEL_W;
  // One pixel row per strategy (the CM lanes reuse theirs), stretched to the lane.
  const strips = new Map();
  lanes.forEach((lane, i) => {
    const y = OV.head + i * (OV.lane + OV.gap);
    const color = STRATEGY_INFO[lane.strategy].color;
    g.fillStyle = '#f0f0f0';
    g.fillRect(LABEL_W, y, cols, OV.lane);
    g.fillStyle = '#444';
    g.fillText(lane.label, 14, y + OV.lane / 2 + 0.5, LABEL_W - 20);
    g.fillStyle = color;
    g.fillRect(4, y, 6, OV.lane);
    const data = st.byStrategy && st.byStrategy[lane.strategy];
    if (!data) return;
    if (v.tokens <= cols) {
      const w = cols / v.tokens;
      for (let t = 0; t < v.tokens; t++) if (data.flags[t] & FLAG.MASKED) g.fillRect(LABEL_W + t * w, y, Math.max(1, w), OV.lane);
      return;
    }
    if (!strips.has(lane.strategy)) strips.set(lane.strategy, densityStrip(data.flags, v.tokens, Math.max(1, Math.floor(cols)), color));
    g.imageSmoothingEnabled = false;
    g.drawImage(strips.get(lane.strategy), LABEL_W, y, cols, OV.lane);
  });
}

/** "Overview: all N tokens" and a few token numbers along the top, the ends aligned. */
function drawHeader(g, tokens, width) {
  const cols = width - LABEL_W;
  g.fillStyle = '#333';
  g.font = 'bold 11.5px system-ui, sans-serif';
  g.fillText(`Overview: all ${fmt(tokens)} tokens`, 4, OV.head / 2 + 1, LABEL_W - 10);
  g.font = '10.5px system-ui, sans-serif';
  for (let i = 0; i <= 4; i++) {
    const t = Math.max(1, Math.round((tokens * i) / 4));
    g.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
    g.fillText(fmt(t), LABEL_W + (cols * i) / 4 - (i === 4 ? 2 : 0), OV.head / 2 + 1);
  }
  g.textAlign = 'left';
}

// A canvas one pixel high and `cols` wide: per column, the lane colour at an opacity that
// grows with the share of masked tokens under it. Pixels are written, not filled one by one.
function densityStrip(flags, tokens, cols, color) {
  const img = new ImageData(cols, 1);
  const rgb = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
  const per = tokens / cols;
  for (let c = 0; c < cols; c++) {
    const a = Math.floor(c * per), b = Math.min(tokens, Math.floor((c + 1) * per));
    let n = 0;
    for (let t = a; t < b; t++) n += flags[t] & FLAG.MASKED;
    if (!n) continue;
    img.data.set(rgb, 4 * c);
    img.data[4 * c + 3] = Math.round(255 * Math.min(1, 0.15 + (2.5 * n) / (b - a)));
  }
  const strip = document.createElement('canvas');
  strip.width = cols; strip.height = 1;
  strip.getContext('2d').putImageData(img, 0, 0);
  return strip;
}
