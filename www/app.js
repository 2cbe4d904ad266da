// The inspector page: controls, drawing and plots. Every computation on sequences and
// tables happens in cmgems-core (WebAssembly) inside worker.js; this file only asks for
// results and draws the part of the sequence that is on screen, so 1 Mb stays responsive.

const STRATEGIES = ['random', 'genemask', 'global'];
const STRATEGY_INFO = {
  random: { label: 'Random span', note: 'DNABERT: k tokens per centre', color: '#2f6fdb' },
  genemask: { label: 'GeneMask', note: 'best k-mer near each centre', color: '#e07800' },
  global: { label: 'GLOBAL', note: 'm best k-mers of each input', color: '#8a2fc0' },
};
const FLAG = { MASKED: 1, CENTRE: 2, WHOLE_KMER: 4, IN_SPAN: 8 };
const UNK_RANK = 65535;
const BASE_COLOR = { A: '#1a9850', C: '#2f6fdb', G: '#555', T: '#d73027' };
const $ = (id) => document.getElementById(id);

// ---------- worker RPC ----------
class Engine {
  constructor() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.next = 1;
    this.pending = new Map();
    this.worker.onmessage = (e) => {
      const { id, progress, ok, result, error } = e.data;
      const p = this.pending.get(id);
      if (!p) return;
      if (progress) { p.onProgress && p.onProgress(progress); return; }
      this.pending.delete(id);
      ok ? p.resolve(result) : p.reject(new Error(error));
    };
    this.worker.onerror = (e) => showMessage(`The WebAssembly worker failed to start: ${e.message || e}. Was the page built (www/build.sh)?`);
  }
  call(type, args = {}, onProgress = null) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, type, ...args });
    });
  }
}

// ---------- state ----------
const st = {
  engine: new Engine(),
  counter: null, // second worker for counting tables
  k: 6,
  examples: [],
  records: [],
  view: null, // {name, k, tokens, inputs, unknown, windowTokens, nucleotides, ranks, ids}
  table: null,
  byStrategy: null, // strategy -> {flags, stats}
  cm: { draw: null, schedule: null, switch: null },
  metrics: null, // {steps, loss, pplSteps, ppl}
  firstToken: 0,
  cellPx: 16,
  timing: null,
  busy: 0,
  idleWaiters: [],
  maskGen: 0,
};

function busy(delta) {
  st.busy += delta;
  if (st.busy === 0) {
    const w = st.idleWaiters; st.idleWaiters = [];
    w.forEach((r) => r());
  }
}
async function track(promise) {
  busy(1);
  try { return await promise; } finally { busy(-1); }
}

function showMessage(text) {
  const m = $('message');
  m.textContent = text;
  m.hidden = false;
  m.scrollIntoView({ block: 'nearest' });
}
function clearMessage() { $('message').hidden = true; $('message').textContent = ''; }
// One formatter for every number: toLocaleString builds a new one per call (ms per render).
const NUMBER = new Intl.NumberFormat('en-US');
const fmt = (n) => NUMBER.format(n);
const pct = (x) => (x == null ? '–' : `${(100 * x).toFixed(1)}%`);

// ---------- lanes: fixed strategies plus the two curricula at the chosen step ----------
function laneSpecs() {
  const step = Number($('step').value);
  const asCoded = $('as-coded').checked;
  const lanes = STRATEGIES.map((s) => ({
    strategy: s,
    label: STRATEGY_INFO[s].label,
    note: asCoded && s !== 'random' ? 'AS CODED: rank by position' : STRATEGY_INFO[s].note,
  }));
  const d = st.cm.draw;
  const drawn = d ? d.strategy : 'random';
  lanes.push({ strategy: drawn, label: `CM-Step @ step ${fmt(step)}`, note: d ? `drew ${STRATEGY_INFO[drawn].label} (p_global ${d.p_global.toFixed(2)})` : '' });
  const sw = st.cm.switch;
  const gems = sw && step > sw.step ? 'global' : 'genemask';
  const noSwitch = st.metrics ? 'GeneMask (no switch in the loaded metrics)' : 'GeneMask (no switch: load metrics)';
  lanes.push({ strategy: gems, label: `CM-GEMS @ step ${fmt(step)}`, note: sw ? (step > sw.step ? `GLOBAL since switch @ ${fmt(sw.step)}` : `GeneMask until switch @ ${fmt(sw.step)}`) : noSwitch });
  return lanes;
}

// ---------- pipeline ----------
async function parseInput() {
  const text = sequenceText();
  st.view = null; st.byStrategy = null;
  const problem = textProblem(text, 'The sequence box');
  if (problem) {
    st.records = [];
    showMessage(problem);
    render();
    return;
  }
  try {
    const { records } = await track(st.engine.call('parse', { text }));
    clearMessage();
    st.records = records;
    const sel = $('record');
    sel.innerHTML = '';
    records.forEach((r, i) => sel.add(new Option(`${r.name} (${fmt(r.length)} nt)`, String(i))));
    $('record-row').hidden = records.length < 2;
    await selectRecord(0);
  } catch (e) {
    st.records = [];
    showMessage(e.message);
    render();
  }
}

async function selectRecord(index) {
  try {
    const view = await track(st.engine.call('select', { index }));
    st.view = view;
    setTable(view.table);
    st.firstToken = 0;
    $('goto').value = '';
    applyZoom();
    layoutScroller();
    clearMessage();
    await remask();
  } catch (e) {
    st.view = null;
    showMessage(e.message);
    render();
  }
}

// Masks the lanes again. `only`: the strategies whose masks can have changed (the rank
// lookup leaves random span as it was); the others keep theirs.
async function remask(only = STRATEGIES) {
  if (!st.view) { render(); return; }
  const gen = ++st.maskGen;
  const t0 = performance.now();
  const seed = Number($('seed').value);
  const lookup = $('as-coded').checked ? 'position' : 'kmer';
  const kept = st.byStrategy;
  const strategies = kept && st.maskedView === st.view ? only : STRATEGIES;
  st.maskInFlight = true;
  try {
    const r = await track(st.engine.call('mask', { strategies, seed, lookup }));
    if (gen !== st.maskGen) return; // a newer request is on its way
    st.maskInFlight = false;
    const t1 = performance.now();
    st.byStrategy = { ...(strategies === STRATEGIES ? {} : kept) };
    st.flagsGen = (st.flagsGen || 0) + 1; // keys the overview and the stats table
    st.maskedView = st.view;
    strategies.forEach((s, i) => { st.byStrategy[s] = { flags: r.flags[i], stats: r.stats[i] }; });
    const r0 = performance.now();
    render();
    const r1 = performance.now();
    st.timing = { maskMs: r.maskMs, roundTripMs: t1 - t0, renderMs: r1 - r0, totalMs: r1 - t0, tokens: st.view.tokens };
    $('timing').textContent = `mask ${strategies.length} strateg${strategies.length === 1 ? 'y' : 'ies'} + render ${fmt(st.view.tokens)} tokens: ${st.timing.totalMs.toFixed(1)} ms (mask in worker ${r.maskMs.toFixed(1)} ms, draw ${st.timing.renderMs.toFixed(1)} ms)`;
  } catch (e) {
    if (gen === st.maskGen) st.maskInFlight = false;
    showMessage(e.message);
  }
}

function setTable(info) {
  st.table = info;
  const src = info.source || 'uploaded table';
  $('table-status').innerHTML = '';
  const b = document.createElement('b');
  b.textContent = info.isDefault ? 'Built-in table (SYNTHETIC corpus, not a real genome)' : 'Uploaded / computed table';
  const scored = info.hasCounts
    ? `${fmt(info.scored)} of ${fmt(4 ** info.k)} k-mers scored (count ≥ ${fmt(info.minCount)})`
    : `${fmt(4 ** info.k)} k-mers ranked as given (no counts in this table)`;
  $('table-status').append(b, document.createTextNode(` · k = ${info.k} · ${scored} · ${src}`));
  fillTopTable();
}

// ---------- drawing ----------
const ROWS = { ruler: 18, nuc: 18, kmer: 20, gap: 8, lane: 30, laneGap: 5 };
const LABEL_W = 210;
const OV = { head: 16, lane: 9, gap: 2, foot: 14 };

function canvasHeight() {
  return ROWS.ruler + ROWS.nuc + ROWS.kmer + ROWS.gap + 5 * (ROWS.lane + ROWS.laneGap) + 4;
}

// Tokens per pixel column when tokens are narrower than a pixel, else 1.
function perColumn() {
  return st.cellPx < 1 ? Math.ceil(1 / st.cellPx - 1e-9) : 1;
}
function visibleTokens(width) {
  const cols = Math.max(1, width - LABEL_W);
  return st.cellPx < 1 ? cols * perColumn() : Math.max(1, Math.floor(cols / st.cellPx + 1e-9));
}
// The zoom menu's value: px per token, or "fit" for the whole sequence in the strip.
function applyZoom() {
  const z = $('zoom').value;
  const cols = Math.max(1, ($('canvas-wrap').clientWidth || 1200) - LABEL_W);
  st.cellPx = z === 'fit' ? (st.view ? Math.min(16, cols / st.view.tokens) : 1) : Number(z);
  const fit = $('zoom').querySelector('option[value=fit]');
  const per = st.view ? Math.ceil(st.view.tokens / cols) : 1;
  fit.textContent = per > 1 ? `whole sequence (${fmt(per)} tokens/px)` : 'whole sequence';
}

// Heat: rank 1 (highest NPMI) dark red .. last pale yellow, on a log scale so the top 1%
// stands out; unscored ranks light grey; [UNK] dark grey.
const HEAT_STOPS = [[0, [128, 0, 38]], [0.35, [227, 26, 28]], [0.6, [253, 141, 60]], [0.8, [254, 217, 118]], [1, [255, 255, 224]]];
function heat(rank) {
  const n = 4 ** st.view.k;
  if (rank === UNK_RANK) return '#444';
  if (st.table && rank > st.table.scored) return '#d9d9d9';
  const t = Math.log(rank) / Math.log(n);
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

function render() {
  const canvas = $('tracks');
  const wrap = $('canvas-wrap');
  const width = wrap.clientWidth || 1200;
  const v = st.view;
  const height = v ? canvasHeight() : 60;
  $('overview').hidden = !v;
  $('scroller').hidden = !v;
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.height = `${height}px`;
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  g.font = '12px system-ui, sans-serif';
  g.textBaseline = 'middle';
  if (!v) {
    g.fillStyle = '#888';
    g.fillText($('message').hidden ? 'No sequence to show.' : 'No sequence to show: see the message above.', LABEL_W, 40);
    $('seq-summary').textContent = '';
    st.summaryKey = null;
    $('window-status').textContent = '';
    $('timing').textContent = '';
    fillStats();
    fillTopTable();
    return;
  }
  if (st.legendK !== v.k) { st.legendK = v.k; drawLegend(); }
  const lanes = laneSpecs();
  const cell = st.cellPx;
  const count = visibleTokens(width);
  const first = Math.max(0, Math.min(st.firstToken, Math.max(0, v.tokens - count)));
  st.firstToken = first;
  const last = Math.min(v.tokens, first + Math.ceil(count));
  // One column per pixel when tokens are narrower than a pixel: it shows the best rank and
  // whether any token under it is masked.
  const perCol = perColumn();
  const colW = cell < 1 ? 1 : cell;
  const cols = Math.ceil((last - first) / perCol);
  const x = (i) => LABEL_W + i * colW;

  let y = 0;
  // Ruler with model-input boundaries.
  g.fillStyle = '#333';
  g.textAlign = 'left';
  g.fillText('token', 8, y + ROWS.ruler / 2);
  const tick = niceTick(60 / (cell < 1 ? cell : cell));
  for (let t = Math.ceil((first + 1) / tick) * tick; t <= last; t += tick) {
    const px = x((t - 1 - first) / perCol);
    g.fillStyle = '#999';
    g.fillRect(px, y + ROWS.ruler - 5, 1, 5);
    g.fillStyle = '#333';
    // A number that would run past the right edge is left out rather than cut.
    if (px + 2 + g.measureText(fmt(t)).width <= width) g.fillText(fmt(t), px + 2, y + ROWS.ruler / 2 - 1);
  }
  y += ROWS.ruler;

  // Nucleotides: letters when there is room, else coloured bars.
  label(g, 'nucleotides', '', y, ROWS.nuc);
  for (let c = 0; c < cols; c++) {
    const t = first + c * perCol;
    const b = String.fromCharCode(v.nucleotides[t]);
    if (cell >= 10) {
      g.fillStyle = BASE_COLOR[b] || '#000';
      g.font = 'bold 12px ui-monospace, "DejaVu Sans Mono", monospace';
      g.textAlign = 'center';
      g.fillText(b, x(c) + colW / 2, y + ROWS.nuc / 2);
    } else {
      g.fillStyle = BASE_COLOR[b] || '#000';
      g.fillRect(x(c), y + 4, Math.max(colW, 1), ROWS.nuc - 8);
    }
  }
  g.textAlign = 'left';
  g.font = '12px system-ui, sans-serif';
  y += ROWS.nuc;

  // k-mer NPMI rank heat, one cell per token (token i = k-mer starting at nucleotide i).
  label(g, `k-mer NPMI rank (k=${v.k})`, '', y, ROWS.kmer);
  for (let c = 0; c < cols; c++) {
    const t0 = first + c * perCol;
    let best = UNK_RANK;
    for (let t = t0; t < Math.min(last, t0 + perCol); t++) best = Math.min(best, v.ranks[t]);
    g.fillStyle = heat(best);
    g.fillRect(x(c), y + 1, cell >= 6 ? colW - 1 : colW, ROWS.kmer - 2);
  }
  y += ROWS.kmer + ROWS.gap;

  // Model-input boundaries across all rows below the ruler.
  // (lines only while inputs are at least 4 px apart, labels while there is room for them)
  const wt = v.windowTokens;
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
      g.fillText(name, px + 3, ROWS.ruler + ROWS.nuc + ROWS.kmer + ROWS.gap / 2 + 1);
    }
  }

  // One lane per strategy.
  for (const lane of lanes) {
    const color = STRATEGY_INFO[lane.strategy].color;
    label(g, lane.label, lane.note, y, ROWS.lane, color);
    g.fillStyle = '#f0f0f0';
    g.fillRect(LABEL_W, y, cols * colW, ROWS.lane);
    const data = st.byStrategy && st.byStrategy[lane.strategy];
    // GLOBAL's centre draws only count m; their positions are unused, so they are not drawn.
    if (data) drawLane(g, data.flags, first, last, perCol, colW, cell, y, color, x, lane.strategy !== 'global');
    y += ROWS.lane + ROWS.laneGap;
  }

  const inputOf = (t) => Math.floor(t / wt) + 1;
  showSummary(v);
  $('window-status').textContent = `Showing tokens ${fmt(first + 1)}–${fmt(last)} (input ${fmt(inputOf(first))}${inputOf(last - 1) !== inputOf(first) ? `–${fmt(inputOf(last - 1))}` : ''} of ${fmt(v.inputs)}). ${perCol > 1 ? ` Each pixel column pools ${perCol} tokens: its best NPMI rank, and any masked token.` : ''} Scroll below the lanes or with the mouse wheel; hover a token for details.`;
  fillStats();
  renderOverview(lanes, first, last, width);
  st.lastRender = { first, last, lanes: lanes.map((l) => l.strategy) };
  // The pointer now rests on another token (wheel, go-to, new record): say which.
  if (st.pointer) describeToken(st.pointer);
}

// The record's name (cut with an ellipsis when long, in full as its title) and its numbers.
function showSummary(v) {
  const key = `${v.name}|${v.tokens}`;
  if (st.summaryKey === key && $('seq-summary').childNodes.length) return;
  st.summaryKey = key;
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = name.title = v.name;
  const numbers = ` · ${fmt(v.nucleotides.length)} nt · ${fmt(v.tokens)} tokens in ${fmt(v.inputs)} model input${v.inputs > 1 ? 's' : ''} of ≤ ${v.windowTokens}` + (v.unknown ? ` · ${fmt(v.unknown)} [UNK] tokens` : '');
  $('seq-summary').replaceChildren(name, document.createTextNode(numbers));
}

// The whole sequence in one strip: per lane, the share of masked tokens under each pixel
// (darker = more hidden), and a box around what the detail view shows.
function renderOverview(lanes, first, last, width) {
  const canvas = $('overview');
  const v = st.view;
  const height = OV.head + lanes.length * (OV.lane + OV.gap) + OV.foot;
  const dpr = window.devicePixelRatio || 1;
  // Lane labels are in the key: they name the step the CM lanes are drawn at.
  const key = [v.name, v.tokens, width, st.byStrategy && st.flagsGen, lanes.map((l) => `${l.strategy}:${l.label}`).join()].join('|');
  if (st.overviewKey !== key) {
    st.overviewKey = key;
    const off = st.overviewImage || (st.overviewImage = document.createElement('canvas'));
    off.width = Math.round(width * dpr); off.height = Math.round(height * dpr);
    const g = off.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = '11.5px system-ui, sans-serif';
    g.textBaseline = 'middle';
    g.fillStyle = '#333';
    g.font = 'bold 11.5px system-ui, sans-serif';
    g.fillText(`Overview: all ${fmt(v.tokens)} tokens`, 4, OV.head / 2 + 1, LABEL_W - 10);
    g.font = '10.5px system-ui, sans-serif';
    const cols = width - LABEL_W;
    const per = v.tokens / cols;
    // A few token numbers along the top; the first and last align to the strip's ends.
    for (let i = 0; i <= 4; i++) {
      const t = Math.max(1, Math.round((v.tokens * i) / 4));
      g.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
      g.fillText(fmt(t), LABEL_W + (cols * i) / 4 - (i === 4 ? 2 : 0), OV.head / 2 + 1);
    }
    g.textAlign = 'left';
    let y = OV.head;
    const strips = new Map();
    for (const lane of lanes) {
      const color = STRATEGY_INFO[lane.strategy].color;
      g.fillStyle = '#f0f0f0';
      g.fillRect(LABEL_W, y, cols, OV.lane);
      g.fillStyle = '#444';
      g.fillText(lane.label, 14, y + OV.lane / 2 + 0.5, LABEL_W - 20);
      g.fillStyle = color;
      g.fillRect(4, y, 6, OV.lane);
      const data = st.byStrategy && st.byStrategy[lane.strategy];
      if (data) {
        const f = data.flags;
        if (per <= 1) {
          const w = 1 / per;
          for (let t = 0; t < v.tokens; t++) if (f[t] & FLAG.MASKED) g.fillRect(LABEL_W + t * w, y, Math.max(1, w), OV.lane);
        } else {
          // One pixel row per strategy (the CM lanes reuse theirs), stretched to the lane.
          if (!strips.has(lane.strategy)) strips.set(lane.strategy, densityStrip(f, v.tokens, Math.max(1, Math.floor(cols)), color));
          g.imageSmoothingEnabled = false;
          g.drawImage(strips.get(lane.strategy), LABEL_W, y, cols, OV.lane);
        }
      }
      y += OV.lane + OV.gap;
    }
  }
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
    canvas.style.height = `${height}px`;
  }
  const g = canvas.getContext('2d');
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.drawImage(st.overviewImage, 0, 0);
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  const scale = (width - LABEL_W) / v.tokens;
  const x0 = LABEL_W + first * scale, x1 = Math.max(x0 + 3, LABEL_W + last * scale);
  const yb = height - OV.foot;
  g.strokeStyle = '#111'; g.lineWidth = 1.5;
  g.strokeRect(x0, OV.head - 2, x1 - x0, yb - OV.head + 2);
  // Lines from the box to the detail view's edges: the tracks below zoom into the box.
  g.lineWidth = 1; g.strokeStyle = '#888';
  g.beginPath(); g.moveTo(x0, yb); g.lineTo(LABEL_W, height); g.moveTo(x1, yb); g.lineTo(width, height); g.stroke();
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

function onOverviewClick(e) {
  if (!st.view) return;
  const rect = $('overview').getBoundingClientRect();
  const px = e.clientX - rect.left - LABEL_W;
  if (px < 0) return;
  const t = (px / (rect.width - LABEL_W)) * st.view.tokens;
  scrollToToken(t - visibleTokens($('canvas-wrap').clientWidth) / 2);
}

function drawLane(g, flags, first, last, perCol, colW, cell, y, color, x, showCentres) {
  const H = ROWS.lane;
  let any = false;
  for (let t = first; t < last && !any; t++) any = (flags[t] & FLAG.MASKED) !== 0;
  if (!any) {
    g.fillStyle = '#888';
    g.font = 'italic 11.5px system-ui, sans-serif';
    g.textAlign = 'left';
    g.fillText('nothing hidden in this window (see the overview above)', x(0) + 8, y + H / 2);
    g.font = '12px system-ui, sans-serif';
    return;
  }
  for (let c = 0, t0 = first; t0 < last; c++, t0 += perCol) {
    let f = 0;
    for (let t = t0; t < Math.min(last, t0 + perCol); t++) f |= flags[t];
    if (!(f & FLAG.MASKED)) continue;
    const w = cell >= 6 ? colW - 1 : colW;
    g.fillStyle = color;
    g.globalAlpha = f & FLAG.IN_SPAN ? 1 : 0.75;
    g.fillRect(x(c), y + 6, w, H - 6);
    g.globalAlpha = 1;
    if (f & FLAG.IN_SPAN) {
      // Whole-k-mer span: a dark bar on top, so spans of 2k-1 tokens read as one unit.
      g.fillStyle = '#111';
      g.fillRect(x(c), y + 1, colW, 4);
    }
  }
  if (cell >= 2) {
    for (let t = first; t < last; t++) {
      const f = flags[t];
      const cx = x((t - first) / perCol) + colW / 2;
      if (f & FLAG.WHOLE_KMER) {
        g.fillStyle = '#fff';
        g.beginPath(); g.moveTo(cx - 4, y + 7); g.lineTo(cx + 4, y + 7); g.lineTo(cx, y + 13); g.closePath(); g.fill();
      }
      if (f & FLAG.CENTRE && showCentres) {
        g.fillStyle = f & FLAG.MASKED ? '#fff' : '#111';
        g.beginPath(); g.arc(cx, y + H - 6, 2.5, 0, 2 * Math.PI); g.fill();
      }
    }
  }
}

function label(g, text, note, y, h, color) {
  g.textAlign = 'left';
  if (color) { g.fillStyle = color; g.fillRect(4, y + 4, 6, h - 8); }
  g.fillStyle = '#111';
  g.font = note ? 'bold 12px system-ui, sans-serif' : '12px system-ui, sans-serif';
  g.fillText(text, 14, note ? y + h / 2 - 7 : y + h / 2);
  if (note) {
    g.fillStyle = '#555';
    g.font = '10.5px system-ui, sans-serif';
    g.fillText(note, 14, y + h / 2 + 7, LABEL_W - 18);
  }
  g.font = '12px system-ui, sans-serif';
}

function niceTick(raw) {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function drawLegend() {
  const el = $('legend');
  el.innerHTML = '';
  const item = (draw, text, w = 60) => {
    const span = document.createElement('span');
    span.className = 'item';
    const c = document.createElement('canvas');
    c.width = w; c.height = 14;
    draw(c.getContext('2d'), w);
    span.append(c, document.createTextNode(text));
    el.append(span);
  };
  if (st.view) {
    item((g, w) => {
      for (let i = 0; i < w; i++) { g.fillStyle = heat(Math.max(1, Math.round(Math.exp((i / (w - 1)) * Math.log(4 ** st.view.k))))); g.fillRect(i, 0, 1, 14); }
    }, `NPMI rank 1 (left, collocated) … ${fmt(4 ** st.view.k)} (log scale); grey = unscored, black = [UNK]`, 90);
  }
  item((g) => { g.font = 'bold 12px monospace'; g.textBaseline = 'middle'; [...'ACGT'].forEach((b, i) => { g.fillStyle = BASE_COLOR[b]; g.fillText(b, 2 + i * 12, 8); }); }, 'nucleotides', 50);
  item((g) => { g.fillStyle = '#2f6fdb'; g.globalAlpha = 0.75; g.fillRect(0, 3, 60, 11); }, 'masked token', 60);
  item((g) => { g.fillStyle = '#8a2fc0'; g.fillRect(0, 3, 60, 11); g.fillStyle = '#111'; g.fillRect(0, 0, 60, 3); g.fillStyle = '#fff'; g.beginPath(); g.moveTo(26, 4); g.lineTo(34, 4); g.lineTo(30, 10); g.fill(); }, 'whole k-mer span (2k−1 tokens) around ▼', 60);
  item((g) => { g.fillStyle = '#111'; g.beginPath(); g.arc(7, 7, 3, 0, 7); g.fill(); }, 'centre draw (random span, GeneMask)', 14);
  item((g) => { g.strokeStyle = '#333'; g.setLineDash([4, 3]); g.beginPath(); g.moveTo(7, 0); g.lineTo(7, 14); g.stroke(); }, 'model input boundary (510 tokens; each masked on its own)', 14);
}

// ---------- stats and tables ----------
// Rebuilt only when the lanes or their masks change, not on every scroll: a new table
// costs the page a layout.
function fillStats() {
  const lanes = laneSpecs();
  const key = st.view && st.byStrategy ? [st.flagsGen, st.view.name, ...lanes.map((l) => `${l.strategy}:${l.label}`)].join('|') : null;
  if (key && key === st.statsKey) return;
  st.statsKey = key;
  const body = $('stats').tBodies[0];
  body.innerHTML = '';
  if (!key) return;
  for (const lane of lanes) {
    const s = st.byStrategy[lane.strategy].stats;
    const tr = body.insertRow();
    tr.dataset.strategy = lane.strategy;
    const name = tr.insertCell();
    const sw = document.createElement('span');
    sw.className = 'swatch'; sw.style.background = STRATEGY_INFO[lane.strategy].color;
    name.append(sw, document.createTextNode(lane.label + (lane.label.startsWith('CM') ? ` → ${STRATEGY_INFO[lane.strategy].label}` : '')));
    const overlap = s.drawn_tokens - s.masked;
    const cells = [
      `${pct(s.masked_share)} (${fmt(s.masked)} of ${fmt(s.maskable)})`,
      `${fmt(s.drawn_spans)} span${s.drawn_spans === 1 ? '' : 's'} → ${fmt(s.drawn_tokens)} tokens (${pct(s.maskable ? s.drawn_tokens / s.maskable : null)}) · ${fmt(overlap)} overlap`,
      fmt(s.spans),
      s.whole_kmers ? `${fmt(s.whole_kmers)} · their mean rank ${fmt(Math.round(s.mean_rank_whole_kmers))}` : '0',
      s.mean_rank_masked == null ? '–' : `${fmt(Math.round(s.mean_rank_masked))} vs ${fmt(Math.round(s.mean_rank_all))}`,
      s.top1_tokens ? `${pct(s.top1_hidden_share)} (${fmt(s.top1_masked)} of ${fmt(s.top1_tokens)})` : 'none in sequence',
    ];
    cells.forEach((c, i) => { const td = tr.insertCell(); td.textContent = c; td.className = ['share', 'overlap', 'spans', 'whole', 'meanrank', 'top1'][i]; });
  }
}

// The score column is named by what the table holds: NPMI in [-1, 1], or the source's own
// normalised PMI (the authors' CSV column norm_dp_true_pmi reaches 2.1).
function scoreHeader() {
  const th = $('top').tHead.rows[0].cells[2];
  const npmi = !st.table || st.table.npmiRange;
  th.textContent = npmi ? 'NPMI' : 'Normalised PMI (as given)';
  th.title = npmi ? 'Normalised PMI in [-1, 1], from the counts'
    : `The table's own score, not NPMI in [-1, 1]${/GeneMask authors/.test(st.table.source || '') ? ": the GeneMask authors' norm_dp_true_pmi column" : ''}`;
  $('top').tHead.rows[0].cells[3].textContent = !st.table || st.table.hasCounts ? 'Count' : 'Count (none given)';
}

function fillTopTable() {
  const body = $('top').tBodies[0];
  body.innerHTML = '';
  scoreHeader();
  if (!st.table) return;
  for (const r of st.table.top.slice(0, 20)) {
    const tr = body.insertRow();
    const vals = [r.rank, r.kmer, r.npmi == null ? 'unscored' : r.npmi.toFixed(3), r.count == null ? '–' : fmt(r.count), r.in_sequence == null || !st.view ? '–' : fmt(r.in_sequence)];
    vals.forEach((v, i) => { const td = tr.insertCell(); td.textContent = v; if (i === 1) td.className = 'kmer'; });
    tr.title = 'Click to jump to its first occurrence';
    tr.onclick = () => jumpToKmer(r.kmer);
  }
}

function jumpToKmer(kmer) {
  if (!st.view) return;
  let code = 0;
  for (const ch of kmer) code = code * 4 + 'ATCG'.indexOf(ch);
  const i = st.view.ids.indexOf(5 + code);
  if (i >= 0) scrollToToken(Math.max(0, i - 5));
}

// ---------- scrolling (virtualised: only the visible tokens are drawn) ----------
function layoutScroller() {
  const scroller = $('scroller');
  const spacer = $('spacer');
  if (!st.view) { spacer.style.width = '0px'; return; }
  const total = st.view.tokens * st.cellPx;
  spacer.style.width = `${Math.min(total, 1e7) + scroller.clientWidth - visibleTokens($('canvas-wrap').clientWidth) * st.cellPx}px`;
  syncScroller();
}
function maxFirst() { return Math.max(0, st.view.tokens - visibleTokens($('canvas-wrap').clientWidth)); }
function syncScroller() {
  const s = $('scroller');
  const range = s.scrollWidth - s.clientWidth;
  const mf = maxFirst();
  s.dataset.sync = '1';
  s.scrollLeft = mf ? (st.firstToken / mf) * range : 0;
}
function scrollToToken(t) {
  if (!st.view) return;
  st.firstToken = Math.max(0, Math.min(Math.round(t), maxFirst()));
  syncScroller();
  render();
}
let rafPending = false;
function onScroll() {
  const s = $('scroller');
  if (s.dataset.sync === '1') { s.dataset.sync = ''; return; }
  if (!st.view) return;
  const range = s.scrollWidth - s.clientWidth;
  st.firstToken = range > 0 ? Math.round((s.scrollLeft / range) * maxFirst()) : 0;
  if (!rafPending) { rafPending = true; requestAnimationFrame(() => { rafPending = false; render(); }); }
}

// ---------- tooltip ----------
function onHover(e) {
  st.pointer = { clientX: e.clientX, clientY: e.clientY };
  describeToken(st.pointer);
}
function describeToken(e) {
  const tip = $('tooltip');
  const v = st.view;
  const rect = $('tracks').getBoundingClientRect();
  const px = e.clientX - rect.left;
  if (!v || px < LABEL_W) { tip.hidden = true; return; }
  const perCol = perColumn();
  const colW = st.cellPx < 1 ? 1 : st.cellPx;
  const t = st.firstToken + Math.floor((px - LABEL_W) / colW) * perCol;
  if (t >= v.tokens) { tip.hidden = true; return; }
  const k = v.k;
  const kmer = String.fromCharCode(...v.nucleotides.subarray(t, t + k));
  const rank = v.ranks[t];
  const wt = v.windowTokens;
  const hidden = st.byStrategy ? STRATEGIES.filter((s) => st.byStrategy[s].flags[t] & FLAG.MASKED).map((s) => STRATEGY_INFO[s].label + (st.byStrategy[s].flags[t] & FLAG.IN_SPAN ? ' (whole k-mer)' : '')) : [];
  const top1 = Math.ceil(4 ** k / 100);
  tip.textContent = `token ${fmt(t + 1)} · input ${fmt(Math.floor(t / wt) + 1)}, position ${(t % wt) + 1}\n`
    + `k-mer ${kmer} (nucleotides ${fmt(t + 1)}–${fmt(t + k)})\n`
    + (rank === UNK_RANK ? '[UNK]: holds a letter other than A/C/G/T\n' : `NPMI rank ${fmt(rank)} of ${fmt(4 ** k)}${rank <= top1 ? ' (top 1%)' : ''}\n`)
    + `hidden by: ${hidden.length ? hidden.join(', ') : 'none'}`;
  tip.hidden = false;
  const wrapRect = $('canvas-wrap').getBoundingClientRect();
  tip.style.left = `${Math.min(px + 14, rect.width - 320)}px`;
  tip.style.top = `${e.clientY - wrapRect.top + 14}px`;
}

// ---------- curriculum ----------
// Debounced work counts as busy from the first call, so tests can wait for it.
function debounced(fn, ms) {
  let timer = null;
  return () => {
    if (timer) clearTimeout(timer); else busy(1);
    timer = setTimeout(async () => {
      timer = null;
      try { await fn(); } finally { busy(-1); }
    }, ms);
  };
}
// Runs fn now, or, while a run is in flight, once more after it with the latest values: a
// dragged slider updates as fast as the worker answers, with no fixed delay.
function coalesced(fn) {
  let running = false, again = false;
  return async () => {
    if (running) { again = true; return; }
    running = true;
    busy(1);
    try {
      do { again = false; await fn(); } while (again);
    } finally { running = false; busy(-1); }
  };
}
const scheduleCurriculum = coalesced(() => updateCurriculum());
async function updateCurriculum() {
  const maxSteps = Math.max(1, Number($('max-steps').value) || 1);
  const stepEl = $('step');
  stepEl.max = String(maxSteps);
  if (Number(stepEl.value) > maxSteps) stepEl.value = String(maxSteps);
  const step = Number(stepEl.value);
  $('step-out').textContent = fmt(step);
  const seed = Number($('seed').value);
  try {
    const r = await st.engine.call('cmStep', { maxSteps, step, seed });
    st.cm.draw = r.draw;
    st.cm.schedule = r.schedule;
    // A mask on its way will draw the lanes anyway (a resample redraws the seed's CM-Step).
    const drawLanes = !st.maskInFlight;
    $('cm-step-status').textContent = `CM-Step: p_global = ${r.draw.p_global.toFixed(2)} at step ${fmt(step)}; this step's draw (replayed from seed ${seed} with core's curriculum) is ${STRATEGY_INFO[r.draw.strategy].label}. ${fmt(r.draw.global_draws)} of ${fmt(step + 1)} steps so far drew GLOBAL.`;
    $('cm-gems-status').textContent = gemsStatus(step);
    if (drawLanes) render();
    drawPlot();
  } catch (e) {
    showMessage(e.message);
  }
}

// What CM-GEMS does at `step`: replayed on the loaded metrics, or what loading them would show.
function gemsStatus(step) {
  const sw = st.cm.switch;
  const m = st.metrics;
  if (sw) return `CM-GEMS: switches from GeneMask to GLOBAL after step ${fmt(sw.step)} (perplexity ${sw.previous.toFixed(3)} → ${sw.current.toFixed(3)}, change < ${$('threshold').value}); at step ${fmt(step)} it uses ${step > sw.step ? 'GLOBAL' : 'GeneMask'}.`;
  if (!m) return 'CM-GEMS: GeneMask until held-out perplexity flattens, then GLOBAL. Load a metrics.jsonl to replay the switch.';
  if (!m.pplSteps.length) return 'CM-GEMS: the loaded metrics.jsonl has no held-out perplexity, so the switch cannot be replayed: GeneMask throughout.';
  return `CM-GEMS: replayed on the loaded metrics.jsonl (${fmt(m.pplSteps.length)} held-out perplexities), it never switches: perplexity never changed by less than ${$('threshold').value} between evaluations, so GeneMask throughout.`;
}

function parseMetrics(text) {
  const m = { steps: [], loss: [], pplSteps: [], ppl: [], loggedSwitch: null, lines: 0, bad: 0 };
  let lastMasker = null;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    m.lines++;
    let o;
    try { o = JSON.parse(line); } catch { m.bad++; continue; }
    const step = o.step ?? o.global_step;
    if (typeof step !== 'number') { m.bad++; continue; }
    const loss = o.loss ?? o.train_loss ?? o.mlm_loss;
    if (typeof loss === 'number') { m.steps.push(step); m.loss.push(loss); }
    const ev = String(o.event ?? o.kind ?? '');
    // A trainer's switch event repeats the perplexity of the evaluation logged just before it.
    let ppl = o.eval_perplexity ?? (ev ? undefined : o.perplexity) ?? o.eval_ppl ?? o.ppl;
    if (ppl == null && typeof o.eval_loss === 'number') ppl = Math.exp(o.eval_loss);
    if (typeof ppl === 'number') { m.pplSteps.push(step); m.ppl.push(ppl); }
    if (m.loggedSwitch == null && (/switch/i.test(ev) || typeof o.switch_step === 'number')) m.loggedSwitch = o.switch_step ?? step;
    const masker = o.masker ?? o.strategy;
    if (m.loggedSwitch == null && lastMasker === 'genemask' && masker === 'global') m.loggedSwitch = step;
    if (typeof masker === 'string') lastMasker = masker.toLowerCase();
  }
  return m;
}

async function loadMetrics(file) {
  const text = await file.text();
  const m = parseMetrics(text);
  if (!m.steps.length && !m.pplSteps.length) {
    showMessage(`"${file.name}" has no lines with a step and a loss or perplexity (read ${m.lines} lines).`);
    return;
  }
  st.metrics = m;
  // The plot's axis and CM-Step's schedule follow the run's own steps.
  const all = m.steps.concat(m.pplSteps);
  m.firstStep = all.reduce((a, b) => Math.min(a, b));
  m.lastStep = all.reduce((a, b) => Math.max(a, b));
  $('max-steps').value = String(Math.max(1, m.lastStep));
  await replayGems();
}

async function replayGems() {
  const m = st.metrics;
  if (!m) return;
  const threshold = Number($('threshold').value);
  const r = await st.engine.call('cmGems', { steps: m.pplSteps, perplexities: m.ppl, threshold });
  st.cm.switch = r.switch;
  $('metrics-status').textContent = `metrics.jsonl: ${fmt(m.lines)} lines, steps ${fmt(m.firstStep)}–${fmt(m.lastStep)} (max steps set to the run's ${fmt(m.lastStep)}), ${fmt(m.steps.length)} losses, ${fmt(m.pplSteps.length)} held-out perplexities`
    + (m.bad ? `, ${m.bad} lines skipped` : '') + '. '
    + (r.switch ? `Core's CM-GEMS replayed on them switches at step ${fmt(r.switch.step)}` : 'Core\'s CM-GEMS replayed on them never switches')
    + (m.loggedSwitch != null ? `; the log records a switch at step ${fmt(m.loggedSwitch)}.` : '; the log records no switch.');
  // The status line and the CM-GEMS lane follow the replay at once.
  await updateCurriculum();
  await updateCurriculum();
}

// Axis numbers without exponents: 3510 -> "3,510", 0.01234 -> "0.0123".
const axisNum = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

// The plot is drawn at its CSS size (times the pixel ratio), so its text stays 12 px on a
// narrow window; the step axis runs to max steps, which a loaded run sets to its last step.
function drawPlot() {
  const c = $('plot');
  const dpr = window.devicePixelRatio || 1;
  // The width comes from the resize observer: reading it here would force a layout.
  st.plotWidth ??= c.getBoundingClientRect().width;
  const W = Math.max(300, Math.round(st.plotWidth || 760));
  const m = st.metrics;
  const g = c.getContext('2d');
  g.font = '12px system-ui, sans-serif';
  const leg = [['#2f6fdb', 'train loss (left)'], ['#1a9850', 'held-out perplexity (right)'], ['#8a2fc0', 'CM-Step p_global'], ['#d73027', 'CM-GEMS switch'], ['#111', 'selected step']];
  // Legend rows: as many items per row as fit.
  const rows = [[]];
  let used = 0;
  for (const item of leg) {
    const w = g.measureText(item[1]).width + 32;
    if (used + w > W - 20 && rows[rows.length - 1].length) { rows.push([]); used = 0; }
    rows[rows.length - 1].push(item); used += w;
  }
  const top = 10 + 16 * rows.length;
  const H = top + 240;
  if (c.width !== Math.round(W * dpr) || c.height !== Math.round(H * dpr)) {
    c.width = Math.round(W * dpr); c.height = Math.round(H * dpr);
    c.style.height = `${H}px`;
  }
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, W, H);
  g.font = '12px system-ui, sans-serif';
  g.textBaseline = 'middle';
  const maxSteps = Number($('max-steps').value) || 1;
  const range = (vals) => (vals.length ? [vals.reduce((a, b) => Math.min(a, b)), vals.reduce((a, b) => Math.max(a, b))] : null);
  const lossRange = m && range(m.loss), pplRange = m && range(m.ppl);
  const labelW = (r) => (r ? Math.max(...r.map((v) => g.measureText(axisNum.format(v)).width)) : 0);
  // Top panel: loss (left axis) and held-out perplexity (right axis); bottom panel:
  // CM-Step's p_global; both share the step axis. Margins fit the axis labels.
  const L = Math.max(34, labelW(lossRange) + 10), R = W - Math.max(26, labelW(pplRange) + 10);
  const T1 = top + 8, B1 = top + 140, T2 = top + 158, B2 = top + 202;
  const xs = (s) => L + (Math.min(s, maxSteps) / maxSteps) * (R - L);
  g.strokeStyle = '#bbb';
  g.strokeRect(L, T1, R - L, B1 - T1);
  g.strokeRect(L, T2, R - L, B2 - T2);
  g.fillStyle = '#333';
  for (let i = 0; i <= 4; i++) {
    const s = Math.round((maxSteps * i) / 4);
    g.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
    g.fillText(fmt(s), xs(s), B2 + 12);
  }
  g.textAlign = 'center';
  g.fillText('training step', (L + R) / 2, B2 + 28);
  const series = (steps, vals, [lo, hi], color, side) => {
    const ys = (v) => B1 - ((v - lo) / (hi - lo || 1)) * (B1 - T1);
    g.strokeStyle = color; g.lineWidth = 1.8;
    g.beginPath();
    steps.forEach((s, i) => (i ? g.lineTo(xs(s), ys(vals[i])) : g.moveTo(xs(s), ys(vals[i]))));
    g.stroke(); g.lineWidth = 1;
    g.fillStyle = color;
    g.textAlign = side === 'left' ? 'right' : 'left';
    const ax = side === 'left' ? L - 4 : R + 4;
    g.fillText(axisNum.format(hi), ax, T1 + 5);
    g.fillText(axisNum.format(lo), ax, B1 - 5);
  };
  st.plotExtent = { left: L, right: R, lastX: null };
  if (m) {
    if (lossRange) series(m.steps, m.loss, lossRange, '#2f6fdb', 'left');
    if (pplRange) series(m.pplSteps, m.ppl, pplRange, '#1a9850', 'right');
    st.plotExtent.lastX = xs(m.lastStep);
  } else {
    g.fillStyle = '#888'; g.textAlign = 'center';
    g.fillText('Load a metrics.jsonl to plot loss and held-out perplexity.', (L + R) / 2, (T1 + B1) / 2);
  }
  if (st.cm.schedule) {
    const { steps, p } = st.cm.schedule;
    g.strokeStyle = '#8a2fc0'; g.lineWidth = 1.5;
    g.beginPath();
    steps.forEach((s, i) => { const y = B2 - p[i] * (B2 - T2); i ? g.lineTo(xs(s), y) : g.moveTo(xs(s), y); });
    g.stroke(); g.lineWidth = 1;
    g.fillStyle = '#8a2fc0'; g.textAlign = 'right';
    g.fillText('1', L - 4, T2 + 5); g.fillText('0', L - 4, B2 - 5);
    g.save(); g.translate(12, (T2 + B2) / 2); g.rotate(-Math.PI / 2); g.textAlign = 'center'; g.fillText('p_global', 0, 0); g.restore();
  }
  const sw = st.cm.switch;
  if (sw) {
    const x = xs(sw.step);
    g.strokeStyle = '#d73027'; g.setLineDash([6, 3]);
    g.beginPath(); g.moveTo(x, T1); g.lineTo(x, B2); g.stroke(); g.setLineDash([]);
    const label = `CM-GEMS switch @ ${fmt(sw.step)}`;
    const right = x + 4 + g.measureText(label).width > R;
    g.fillStyle = '#d73027'; g.textAlign = right ? 'right' : 'left';
    g.fillText(label, right ? x - 4 : x + 4, T1 + 12);
  }
  const step = Number($('step').value);
  g.strokeStyle = '#111';
  g.beginPath(); g.moveTo(xs(step), T1); g.lineTo(xs(step), B2); g.stroke();
  // Legend above the panels.
  g.textAlign = 'left';
  rows.forEach((row, r) => {
    let lx = 10;
    const y = 12 + 16 * r;
    for (const [col, label] of row) {
      g.fillStyle = col; g.fillRect(lx, y - 2, 14, 3);
      g.fillStyle = '#333'; g.fillText(label, lx + 18, y);
      lx += g.measureText(label).width + 32;
    }
  });
}

// ---------- tables: upload, compute, download ----------
async function uploadTable(file) {
  // A full table JSON for k = 6 is about 0.5 MB; 64 MB is far past any real one.
  const problem = await fileProblem(file, { maxChars: 64 * 1024 * 1024 });
  if (problem) { showMessage(problem); return; }
  try {
    const text = await file.text();
    const r = await track(st.engine.call('loadTable', { name: file.name, text }));
    clearMessage();
    await applyTable(r);
  } catch (e) {
    showMessage(`Could not read "${file.name}" as an NPMI table: ${e.message}`);
  }
}

async function applyTable(r) {
  setTable(r.table);
  if (st.view && r.ranks) st.view.ranks = r.ranks;
  drawLegend();
  await remask();
}

async function computeTable(file) {
  const problem = await fileProblem(file, { maxChars: Infinity, gzipOk: true });
  if (problem) { showMessage(problem); return; }
  if (!st.counter) st.counter = new Engine();
  const bar = $('count-progress');
  const status = $('count-status');
  bar.hidden = false; bar.value = 0;
  status.textContent = `Counting ${file.name}…`;
  const minCount = Math.max(1, Number($('min-count').value) || 101);
  try {
    st.countProgress = 0;
    const r = await track(st.counter.call('countFasta', { file, k: st.k, minCount }, (p) => {
      st.countProgress++;
      bar.value = p.total ? p.done / p.total : 0;
      status.textContent = `Counting ${file.name}: ${(100 * bar.value).toFixed(0)}% · ${p.note || ''}`;
    }));
    bar.value = 1;
    status.textContent = `Counted ${fmt(r.letters)} letters in ${fmt(r.records)} records in ${r.ms < 1000 ? `${Math.round(r.ms)} ms` : `${(r.ms / 1000).toFixed(1)} s`}.`;
    await applyTable(await track(st.engine.call('loadTable', { name: file.name, text: r.json })));
  } catch (e) {
    status.textContent = '';
    showMessage(`Could not count "${file.name}": ${e.message}`);
  } finally {
    setTimeout(() => { bar.hidden = true; }, 300);
  }
}

function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function exportMasks() {
  if (!st.view || !st.byStrategy) {
    showMessage('Nothing to export: no sequence is shown. Paste one, choose a file or pick an example first.');
    return;
  }
  const collect = (flags, bit) => { const out = []; for (let i = 0; i < flags.length; i++) if (flags[i] & bit) out.push(i); return out; };
  const doc = {
    format: 'cmgems-inspector-masks', version: 1,
    note: 'Token i is the k-mer starting at nucleotide i (0-based). Model input w holds tokens w*window_tokens .. and was masked with SeededRng::derive(seed, w).',
    sequence: st.view.name, k: st.view.k, nucleotides: st.view.nucleotides.length, tokens: st.view.tokens,
    window_tokens: st.view.windowTokens, seed: Number($('seed').value), rank_lookup: $('as-coded').checked ? 'position' : 'kmer',
    table: { source: st.table.source, k: st.table.k, scored: st.table.scored, built_in_synthetic: st.table.isDefault },
    step: Number($('step').value),
    lanes: laneSpecs().map((l) => {
      const d = st.byStrategy[l.strategy];
      return { lane: l.label, strategy: l.strategy, stats: d.stats, masked_tokens: collect(d.flags, FLAG.MASKED), whole_kmer_tokens: collect(d.flags, FLAG.WHOLE_KMER), centres: collect(d.flags, FLAG.CENTRE) };
    }),
  };
  download(`masks-${st.view.name.replace(/[^\w.-]+/g, '_')}-seed${doc.seed}.json`, JSON.stringify(doc), 'application/json');
}

// ---------- wiring ----------
function setExamples(examples) {
  st.examples = examples;
  const sel = $('example');
  const keep = sel.value;
  sel.innerHTML = '';
  sel.add(new Option('— choose an example —', ''));
  examples.forEach((e, i) => { const o = new Option(e.name, String(i)); o.title = e.description; sel.add(o); });
  sel.value = keep;
}

const onInput = debounced(() => parseInput(), 250);

// ---------- hostile inputs: refused here, before they reach the textarea or the worker ----------
// The sequence box shows one region, not a genome: 1 Mb is measured fast, but tens of Mb would
// stall the textarea and every lane. A whole genome is for the table panel (counted streaming).
const MAX_SEQUENCE_CHARS = 16 * 1024 * 1024;
const SNIFF_BYTES = 4096;
const TOO_BIG = (what, n, unit = 'characters', max = MAX_SEQUENCE_CHARS) => (max === MAX_SEQUENCE_CHARS
  ? `${what} is ${fmt(n)} ${unit}; the sequence box takes at most ${fmt(max)} (16 Mb). Cut out the region to inspect; a whole genome can be counted into a table in the NPMI table panel.`
  : `${what} is ${fmt(n)} ${unit}, more than any NPMI table (at most ${fmt(max)}).`);

// Text files have no NUL and few control characters; an image, archive or executable has both.
function looksBinary(codes) {
  let control = 0;
  for (const c of codes) {
    if (c === 0 || c === 0xfffd) return true; // NUL, or bytes that are not UTF-8
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11) control++;
  }
  return control > codes.length / 100;
}
function textProblem(text, what = 'The pasted text') {
  if (text.length > MAX_SEQUENCE_CHARS) return TOO_BIG(what, text.length);
  const head = text.slice(0, SNIFF_BYTES);
  if (looksBinary(Array.from(head, (ch) => ch.charCodeAt(0)))) return `${what} is not text (FASTA, raw DNA or k-mer text): it holds binary characters.`;
  return null;
}
// The first KBs decide: a PNG or a zip is refused without reading the rest. `gzipOk`: the
// table panel counts .gz FASTA itself.
async function fileProblem(file, { maxChars = MAX_SEQUENCE_CHARS, gzipOk = false } = {}) {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  if (gzipOk && head[0] === 0x1f && head[1] === 0x8b) return null;
  if (file.size > maxChars) return TOO_BIG(`"${file.name}"`, file.size, 'bytes', maxChars);
  // A cut may split the last UTF-8 character: drop its bytes rather than call them binary.
  const whole = file.size > head.length ? head.subarray(0, Math.max(0, head.length - 3)) : head;
  const decoded = new TextDecoder('utf-8').decode(whole);
  if (looksBinary(Array.from(decoded, (ch) => ch.charCodeAt(0)))) return `"${file.name}" is not a text file (FASTA, raw DNA, k-mer text, table JSON or CSV): it holds binary bytes${gzipOk ? '' : '; a .gz FASTA can be counted in the NPMI table panel'}.`;
  return null;
}

async function readSequenceFile(file) {
  const problem = await fileProblem(file);
  if (problem) { showMessage(problem); return; }
  setSequenceText(await file.text(), `"${file.name}"`);
  $('example').value = '';
  await parseInput();
}

// ---------- the sequence box: short text lives in it, long text is held like a file ----------
// A textarea holding megabytes takes seconds per keystroke and per paste, so text longer than
// this is kept here, not in the box, which shows a one-line summary as its placeholder.
const BOX_MAX_CHARS = 200_000;
let boxPlaceholder = null;
function sequenceText() { return st.held ? st.held.text : $('seq-input').value; }
function setSequenceText(text, what = 'Pasted text') {
  const box = $('seq-input');
  boxPlaceholder ??= box.placeholder;
  if (text.length <= BOX_MAX_CHARS) {
    releaseHeld();
    box.value = text;
    return;
  }
  st.held = { text, what };
  box.value = '';
  box.placeholder = `${what}: ${fmt(text.length)} characters, held like a file (too long to show here; the lanes below show it). Type or paste here to replace it.`;
  box.classList.add('held');
}
function releaseHeld() {
  if (!st.held) return;
  st.held = null;
  $('seq-input').placeholder = boxPlaceholder;
  $('seq-input').classList.remove('held');
}

function wire() {
  // Typing replaces text held outside the box, as a new file would; the picker no longer
  // names the sequence shown.
  $('seq-input').addEventListener('input', () => { releaseHeld(); $('example').value = ''; $('seq-file').value = ''; onInput(); });
  // A huge or binary paste never lands in the textarea (which would freeze the page); a long
  // one replaces the box's text and is held like a file.
  $('seq-input').addEventListener('paste', (e) => {
    const text = e.clipboardData?.getData('text/plain') ?? '';
    const problem = textProblem(text);
    if (problem) { e.preventDefault(); showMessage(problem); return; }
    if (text.length <= BOX_MAX_CHARS) return;
    e.preventDefault();
    setSequenceText(text);
    $('example').value = ''; $('seq-file').value = '';
    track(parseInput());
  });
  $('example').addEventListener('change', () => {
    const ex = st.examples[Number($('example').value)];
    if (!ex) return;
    setSequenceText(ex.text);
    $('seq-file').value = '';
    track(parseInput());
  });
  $('seq-file').addEventListener('change', (e) => e.target.files[0] && track(readSequenceFile(e.target.files[0])));
  $('record').addEventListener('change', () => track(selectRecord(Number($('record').value))));
  // Each handler is tracked as a whole, so window.__inspector.settled() waits for all its steps.
  const on = (id, ev, fn) => $(id).addEventListener(ev, (e) => { track(fn(e)).catch((err) => showMessage(err.message)); });
  on('k', 'change', async () => {
    st.k = Number($('k').value);
    const r = await st.engine.call('setK', { k: st.k });
    setExamples(r.examples);
    setTable(r.table);
    await parseInput();
    if (r.note) showMessage(r.note);
  });
  const reseed = async () => { scheduleCurriculum(); await remask(); };
  on('seed', 'change', reseed);
  on('resample', 'click', () => { $('seed').value = String(Number($('seed').value) + 1); return reseed(); });
  on('as-coded', 'change', () => remask(['genemask', 'global']));
  $('step').addEventListener('input', scheduleCurriculum);
  $('max-steps').addEventListener('change', scheduleCurriculum);
  on('threshold', 'change', () => (st.metrics ? replayGems() : updateCurriculum()));
  on('metrics-file', 'change', (e) => e.target.files[0] && loadMetrics(e.target.files[0]));
  on('table-file', 'change', (e) => e.target.files[0] && uploadTable(e.target.files[0]));
  on('count-file', 'change', (e) => e.target.files[0] && computeTable(e.target.files[0]));
  on('table-default', 'click', async () => applyTable(await st.engine.call('useDefaultTable')));
  on('table-download', 'click', async () => {
    const { json } = await st.engine.call('tableJson');
    download(`npmi-k${st.k}.json`, json, 'application/json');
  });
  $('export').addEventListener('click', exportMasks);
  $('zoom').addEventListener('change', () => {
    const centre = st.firstToken + visibleTokens($('canvas-wrap').clientWidth) / 2;
    applyZoom();
    layoutScroller();
    scrollToToken(centre - visibleTokens($('canvas-wrap').clientWidth) / 2);
  });
  $('goto').addEventListener('change', () => scrollToToken(Number($('goto').value) - 1));
  $('scroller').addEventListener('scroll', onScroll);
  $('tracks').addEventListener('wheel', (e) => {
    if (!st.view) return;
    e.preventDefault();
    const d = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY;
    scrollToToken(st.firstToken + Math.sign(d) * Math.max(1, Math.round(Math.abs(d) / Math.max(st.cellPx, 0.05) / 4)));
  }, { passive: false });
  $('tracks').addEventListener('mousemove', onHover);
  $('overview').addEventListener('mousedown', (e) => { onOverviewClick(e); st.dragOverview = true; });
  $('overview').addEventListener('mousemove', (e) => { if (st.dragOverview && e.buttons) onOverviewClick(e); });
  window.addEventListener('mouseup', () => { st.dragOverview = false; });
  $('tracks').addEventListener('mouseleave', () => { st.pointer = null; $('tooltip').hidden = true; });
  // Drop a FASTA on the sequence box to inspect it, on the table panel to count a table.
  for (const [el, onFile] of [[$('seq-input'), (f) => track(readSequenceFile(f))], [$('panel-table'), (f) => track(/\.(json|csv)$/i.test(f.name) ? uploadTable(f) : computeTable(f))]]) {
    el.addEventListener('dragover', (e) => { e.preventDefault(); el.classList.add('dragover'); });
    el.addEventListener('dragleave', () => el.classList.remove('dragover'));
    el.addEventListener('drop', (e) => {
      e.preventDefault(); el.classList.remove('dragover');
      if (e.dataTransfer.files[0]) onFile(e.dataTransfer.files[0]);
    });
  }
  new ResizeObserver(() => { applyZoom(); layoutScroller(); render(); }).observe($('canvas-wrap'));
  new ResizeObserver(([entry]) => { st.plotWidth = entry.contentRect.width; drawPlot(); }).observe($('plot'));
}

async function main() {
  wire();
  const r = await track(st.engine.call('init', { k: st.k }));
  $('version').textContent = r.version;
  setExamples(r.examples);
  setTable(r.table);
  $('example').value = '0';
  setSequenceText(r.examples[0].text);
  await track(updateCurriculum());
  await track(parseInput());
  drawPlot();
}

// For tests and the curious: state, the last timing, and a promise that resolves when the
// page has no request in flight.
window.__inspector = {
  state: st,
  get timing() { return st.timing; },
  settled: () => new Promise((r) => (st.busy === 0 ? r() : st.idleWaiters.push(r))),
};

track(main()).catch((e) => showMessage(`The inspector failed to start: ${e.message}`));
