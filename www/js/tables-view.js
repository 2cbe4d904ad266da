// The page's HTML tables and text lines: the per-lane stats, the top k-mers, the table
// panel's status and the record summary. Each is rebuilt only when what it shows changed:
// a new table costs the page a layout.
import { STRATEGY_INFO, laneTitle, lanesKey } from './lanes.js';
import { STATS_COLUMNS, sequenceNumbers, statsCells, tableStatus, topHeaders, topRowCells } from './stats.js';
import { $ } from './dom.js';

// What each element shows now: the views' own caches, keyed by what they were built from.
const shown = { stats: null, summary: null };

/** The stats table for `lanes` of st.view's masks (emptied while none are in). */
export function fillStats(st, lanes) {
  const key = st.view && st.byStrategy ? [st.flagsGen, st.view.name, lanesKey(lanes)].join('|') : null;
  if (key && key === shown.stats) return;
  shown.stats = key;
  const body = $('stats').tBodies[0];
  body.innerHTML = '';
  if (!key) return;
  for (const lane of lanes) {
    const tr = body.insertRow();
    tr.dataset.strategy = lane.strategy;
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = STRATEGY_INFO[lane.strategy].color;
    tr.insertCell().append(sw, document.createTextNode(laneTitle(lane)));
    statsCells(st.byStrategy[lane.strategy].stats).forEach((c, i) => {
      const td = tr.insertCell();
      td.textContent = c;
      td.className = STATS_COLUMNS[i];
    });
  }
}

/** The top k-mers of st.table; a row's data-kmer names its k-mer (a click jumps to it). */
export function fillTopTable(st) {
  const body = $('top').tBodies[0];
  body.innerHTML = '';
  const head = topHeaders(st.table);
  const th = $('top').tHead.rows[0].cells;
  th[2].textContent = head.score;
  th[2].title = head.scoreTitle;
  th[3].textContent = head.count;
  if (!st.table) return;
  for (const r of st.table.top.slice(0, 20)) {
    const tr = body.insertRow();
    topRowCells(r, !!st.view).forEach((v, i) => { const td = tr.insertCell(); td.textContent = v; if (i === 1) td.className = 'kmer'; });
    tr.title = 'Click to jump to its first occurrence';
    tr.dataset.kmer = r.kmer;
  }
}

/** Takes the worker's table info: the panel's status line and the top k-mers. */
export function setTable(st, info) {
  st.table = info;
  const { kind, rest } = tableStatus(info);
  const b = document.createElement('b');
  b.textContent = kind;
  $('table-status').replaceChildren(b, document.createTextNode(rest));
  fillTopTable(st);
}

/** The record's name (cut with an ellipsis when long, in full as its title) and its numbers; `v` null: none. */
export function showSummary(v) {
  const key = v ? `${v.name}|${v.tokens}` : null;
  if (!key) { $('seq-summary').textContent = ''; shown.summary = null; return; }
  if (shown.summary === key && $('seq-summary').childNodes.length) return;
  shown.summary = key;
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = name.title = v.name;
  $('seq-summary').replaceChildren(name, document.createTextNode(sequenceNumbers(v)));
}
