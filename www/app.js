// The inspector page's entry point: makes the state, the worker client and the activity
// tracker, wires the controls to the pipeline (js/pipeline.js, js/curriculum.js) and the
// views (js/view.js, js/scroll.js, js/plot.js), and starts. Every computation on sequences
// and tables happens in cmgems-core (WebAssembly) inside worker.js; the page only asks for
// results and draws the part of the sequence that is on screen, so 1 Mb stays responsive.
import { createActivity } from './js/activity.js';
import { startEngine } from './js/engine.js';
import { createState } from './js/state.js';
import { BOX_MAX_CHARS, isTableFile, textProblem } from './js/input.js';
import { masksDocument, masksFileName } from './js/export.js';
import { applyTable, computeTable, parseInput, readSequenceFile, remask, selectRecord, uploadTable } from './js/pipeline.js';
import { loadMetrics, replayGems, updateCurriculum } from './js/curriculum.js';
import { releaseHeld, setSequenceText } from './js/sequence-box.js';
import { render, shownLanes } from './js/view.js';
import { setTable } from './js/tables-view.js';
import { applyZoom, jumpToKmer, layoutScroller, onOverviewClick, onWheel, rezoom, scrollHandler, scrollToToken } from './js/scroll.js';
import { drawPlot } from './js/plot.js';
import { describeToken, hideTooltip } from './js/tooltip.js';
import { $, download, laneControls, showMessage } from './js/dom.js';

const st = createState();
const activity = createActivity();
let counter = null; // a second worker for counting tables, started on first use
const app = {
  st,
  activity,
  engine: startEngine(showMessage),
  counter: () => (counter ??= startEngine(showMessage)),
};

function setExamples(examples) {
  st.examples = examples;
  const sel = $('example');
  const keep = sel.value;
  sel.innerHTML = '';
  sel.add(new Option('— choose an example —', ''));
  examples.forEach((e, i) => { const o = new Option(e.name, String(i)); o.title = e.description; sel.add(o); });
  sel.value = keep;
}

function exportMasks() {
  if (!st.view || !st.byStrategy) {
    showMessage('Nothing to export: no sequence is shown. Paste one, choose a file or pick an example first.');
    return;
  }
  const { step, asCoded } = laneControls();
  const seed = Number($('seed').value);
  const doc = masksDocument({ view: st.view, byStrategy: st.byStrategy, table: st.table, lanes: shownLanes(st), seed, asCoded, step });
  download(masksFileName(st.view.name, seed), JSON.stringify(doc), 'application/json');
}

/** The sequence box: typing, pasting, examples, files and records. */
function wireSequence(on) {
  const onInput = activity.debounced(() => parseInput(app), 250);
  // Typing replaces text held outside the box, as a new file would; the picker no longer
  // names the sequence shown.
  $('seq-input').addEventListener('input', () => { releaseHeld(st); $('example').value = ''; $('seq-file').value = ''; onInput(); });
  // A huge or binary paste never lands in the textarea (which would freeze the page); a long
  // one replaces the box's text and is held like a file.
  $('seq-input').addEventListener('paste', (e) => {
    const text = e.clipboardData?.getData('text/plain') ?? '';
    const problem = textProblem(text);
    if (problem) { e.preventDefault(); showMessage(problem); return; }
    if (text.length <= BOX_MAX_CHARS) return;
    e.preventDefault();
    setSequenceText(st, text);
    $('example').value = ''; $('seq-file').value = '';
    activity.track(parseInput(app));
  });
  $('example').addEventListener('change', () => {
    const ex = st.examples[Number($('example').value)];
    if (!ex) return;
    setSequenceText(st, ex.text);
    $('seq-file').value = '';
    activity.track(parseInput(app));
  });
  $('seq-file').addEventListener('change', (e) => e.target.files[0] && activity.track(readSequenceFile(app, e.target.files[0])));
  $('record').addEventListener('change', () => activity.track(selectRecord(app, Number($('record').value))));
  on('k', 'change', async () => {
    st.k = Number($('k').value);
    const r = await app.engine.call('setK', { k: st.k });
    setExamples(r.examples);
    setTable(st, r.table);
    await parseInput(app);
    if (r.note) showMessage(r.note);
  });
}

/** Seed, rank lookup, the curriculum controls and metrics. */
function wireMasking(on) {
  const scheduleCurriculum = activity.coalesced(() => updateCurriculum(app));
  const reseed = async () => { scheduleCurriculum(); await remask(app); };
  on('seed', 'change', reseed);
  on('resample', 'click', () => { $('seed').value = String(Number($('seed').value) + 1); return reseed(); });
  on('as-coded', 'change', () => remask(app, ['genemask', 'global']));
  $('step').addEventListener('input', scheduleCurriculum);
  $('max-steps').addEventListener('change', scheduleCurriculum);
  on('threshold', 'change', () => (st.metrics ? replayGems(app) : updateCurriculum(app)));
  on('metrics-file', 'change', (e) => e.target.files[0] && loadMetrics(app, e.target.files[0]));
}

/** The table panel: upload, count, back to built-in, download. */
function wireTables(on) {
  on('table-file', 'change', (e) => e.target.files[0] && uploadTable(app, e.target.files[0]));
  on('count-file', 'change', (e) => e.target.files[0] && computeTable(app, e.target.files[0]));
  on('table-default', 'click', async () => applyTable(app, await app.engine.call('useDefaultTable')));
  on('table-download', 'click', async () => {
    const { json } = await app.engine.call('tableJson');
    download(`npmi-k${st.k}.json`, json, 'application/json');
  });
  $('top').tBodies[0].addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-kmer]');
    if (row) jumpToKmer(st, row.dataset.kmer);
  });
}

/** Zoom, scrolling, go-to, the overview strip and the tooltip. */
function wireViewer() {
  $('zoom').addEventListener('change', () => rezoom(st));
  $('goto').addEventListener('change', () => scrollToToken(st, Number($('goto').value) - 1));
  $('scroller').addEventListener('scroll', scrollHandler(st));
  $('tracks').addEventListener('wheel', (e) => onWheel(st, e), { passive: false });
  $('tracks').addEventListener('mousemove', (e) => {
    st.pointer = { clientX: e.clientX, clientY: e.clientY };
    describeToken(st, st.pointer);
  });
  $('tracks').addEventListener('mouseleave', () => hideTooltip(st));
  $('overview').addEventListener('mousedown', (e) => { onOverviewClick(st, e); st.dragOverview = true; });
  $('overview').addEventListener('mousemove', (e) => { if (st.dragOverview && e.buttons) onOverviewClick(st, e); });
  window.addEventListener('mouseup', () => { st.dragOverview = false; });
  new ResizeObserver(() => { applyZoom(st); layoutScroller(st); render(st); }).observe($('canvas-wrap'));
  new ResizeObserver(([entry]) => { st.plotWidth = entry.contentRect.width; drawPlot(st); }).observe($('plot'));
}

/** Drop a FASTA on the sequence box to inspect it, on the table panel to count a table. */
function wireDrops() {
  const targets = [
    [$('seq-input'), (f) => activity.track(readSequenceFile(app, f))],
    [$('panel-table'), (f) => activity.track(isTableFile(f.name) ? uploadTable(app, f) : computeTable(app, f))],
  ];
  for (const [el, onFile] of targets) {
    el.addEventListener('dragover', (e) => { e.preventDefault(); el.classList.add('dragover'); });
    el.addEventListener('dragleave', () => el.classList.remove('dragover'));
    el.addEventListener('drop', (e) => {
      e.preventDefault(); el.classList.remove('dragover');
      if (e.dataTransfer.files[0]) onFile(e.dataTransfer.files[0]);
    });
  }
}

function wire() {
  // Each handler is tracked as a whole, so window.__inspector.settled() waits for all its steps.
  const on = (id, ev, fn) => $(id).addEventListener(ev, (e) => { activity.track(fn(e)).catch((err) => showMessage(err.message)); });
  wireSequence(on);
  wireMasking(on);
  wireTables(on);
  wireViewer();
  wireDrops();
  $('export').addEventListener('click', exportMasks);
}

async function main() {
  wire();
  const r = await activity.track(app.engine.call('init', { k: st.k }));
  $('version').textContent = r.version;
  setExamples(r.examples);
  setTable(st, r.table);
  $('example').value = '0';
  setSequenceText(st, r.examples[0].text);
  await activity.track(updateCurriculum(app));
  await activity.track(parseInput(app));
  drawPlot(st);
}

// For tests and the curious: state, the last timing, and a promise that resolves when the
// page has no request in flight.
window.__inspector = {
  state: st,
  get timing() { return st.timing; },
  settled: activity.settled,
};

activity.track(main()).catch((e) => showMessage(`The inspector failed to start: ${e.message}`));
