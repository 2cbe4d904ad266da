// From text to lanes, through the worker: parse the sequence box, select a record, mask it
// with every strategy, and load or count NPMI tables. Each step takes `app`: the page's
// state `st`, its `engine` (the worker client) and its `activity` (what is in flight).
import { fmt, duration } from './format.js';
import { STRATEGIES } from './lanes.js';
import { MAX_TABLE_CHARS, fileProblem, textProblem } from './input.js';
import { beginMask, clearView, failMask, finishMask, recordTiming, showView } from './state.js';
import { sequenceText, setSequenceText } from './sequence-box.js';
import { render, redrawLegend } from './view.js';
import { setTable } from './tables-view.js';
import { applyZoom, layoutScroller } from './scroll.js';
import { $, clearMessage, showMessage } from './dom.js';

/** Parses the sequence box (or held text) into records and shows the first. */
export async function parseInput(app) {
  const { st, engine, activity } = app;
  const text = sequenceText(st);
  clearView(st);
  const problem = textProblem(text, 'The sequence box');
  if (problem) {
    st.records = [];
    showMessage(problem);
    render(st);
    return;
  }
  try {
    const { records } = await activity.track(engine.call('parse', { text }));
    clearMessage();
    st.records = records;
    const sel = $('record');
    sel.innerHTML = '';
    records.forEach((r, i) => sel.add(new Option(`${r.name} (${fmt(r.length)} nt)`, String(i))));
    $('record-row').hidden = records.length < 2;
    await selectRecord(app, 0);
  } catch (e) {
    st.records = [];
    showMessage(e.message);
    render(st);
  }
}

/** Tokenizes record `index` in the worker, shows it from its start and masks it. */
export async function selectRecord(app, index) {
  const { st, engine, activity } = app;
  try {
    const view = await activity.track(engine.call('select', { index }));
    showView(st, view);
    setTable(st, view.table);
    $('goto').value = '';
    applyZoom(st);
    layoutScroller(st);
    clearMessage();
    await remask(app);
  } catch (e) {
    st.view = null;
    showMessage(e.message);
    render(st);
  }
}

/**
 * Masks the lanes again. `only`: the strategies whose masks can have changed (the rank
 * lookup leaves random span as it was); the others keep theirs.
 */
export async function remask(app, only = STRATEGIES) {
  const { st, engine, activity } = app;
  if (!st.view) { render(st); return; }
  const t0 = performance.now();
  const request = beginMask(st, only);
  const seed = Number($('seed').value);
  const lookup = $('as-coded').checked ? 'position' : 'kmer';
  try {
    const widening = st.cm.widening ?? 0;
    const r = await activity.track(engine.call('mask', { strategies: request.strategies, seed, lookup, widening }));
    const t1 = performance.now();
    if (!finishMask(st, request, r)) return; // a newer request is on its way
    const r0 = performance.now();
    render(st);
    const r1 = performance.now();
    $('timing').textContent = recordTiming(st, { strategies: request.strategies, maskMs: r.maskMs, t0, t1, r0, r1 });
  } catch (e) {
    failMask(st, request);
    showMessage(e.message);
  }
}

/** Shows a table the worker loaded (`r.table`; `r.ranks`: the sequence's ranks in it) and masks again. */
export async function applyTable(app, r) {
  const { st } = app;
  setTable(st, r.table);
  if (st.view && r.ranks) st.view.ranks = r.ranks;
  redrawLegend(st);
  await remask(app);
}

/** Loads an NPMI table file (cmgems JSON or the authors' CSV). */
export async function uploadTable(app, file) {
  const problem = await fileProblem(file, { maxChars: MAX_TABLE_CHARS });
  if (problem) { showMessage(problem); return; }
  try {
    const text = await file.text();
    const r = await app.activity.track(app.engine.call('loadTable', { name: file.name, text }));
    clearMessage();
    await applyTable(app, r);
  } catch (e) {
    showMessage(`Could not read "${file.name}" as an NPMI table: ${e.message}`);
  }
}

/** Counts a FASTA (.gz too) into a table in a second worker, with progress, and loads it. */
export async function computeTable(app, file) {
  const { st, activity } = app;
  const problem = await fileProblem(file, { maxChars: Infinity, gzipOk: true });
  if (problem) { showMessage(problem); return; }
  const counter = app.counter();
  const bar = $('count-progress');
  const status = $('count-status');
  bar.hidden = false; bar.value = 0;
  status.textContent = `Counting ${file.name}…`;
  const minCount = Math.max(1, Number($('min-count').value) || 101);
  try {
    st.countProgress = 0;
    const r = await activity.track(counter.call('countFasta', { file, k: st.k, minCount }, (p) => {
      st.countProgress++;
      bar.value = p.total ? p.done / p.total : 0;
      status.textContent = `Counting ${file.name}: ${(100 * bar.value).toFixed(0)}% · ${p.note || ''}`;
    }));
    bar.value = 1;
    status.textContent = `Counted ${fmt(r.letters)} letters in ${fmt(r.records)} records in ${duration(r.ms)}.`;
    await applyTable(app, await activity.track(app.engine.call('loadTable', { name: file.name, text: r.json })));
  } catch (e) {
    status.textContent = '';
    showMessage(`Could not count "${file.name}": ${e.message}`);
  } finally {
    setTimeout(() => { bar.hidden = true; }, 300);
  }
}

/** Reads a sequence file into the box (or holds it) and inspects it. */
export async function readSequenceFile(app, file) {
  const problem = await fileProblem(file);
  if (problem) { showMessage(problem); return; }
  setSequenceText(app.st, await file.text(), `"${file.name}"`);
  $('example').value = '';
  await parseInput(app);
}
