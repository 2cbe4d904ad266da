// Draws the page from the state: the lanes, the overview strip, the summary and status
// lines, the stats table and the tooltip. render(st) is the one entry point; the views it
// calls keep their own caches, so a scroll redraws only what moved.
import { laneSpecs } from './lanes.js';
import { windowText } from './stats.js';
import { drawLegend } from './legend.js';
import { drawNoSequence, drawTracks } from './lanes-view.js';
import { drawOverview } from './overview.js';
import { fillStats, fillTopTable, showSummary } from './tables-view.js';
import { describeToken } from './tooltip.js';
import { $, laneControls } from './dom.js';

// The k the legend's heat scale was drawn for.
let legendK = null;

/** The lanes shown now: the controls' step and lookup, and the state's curricula. */
export const shownLanes = (st) => laneSpecs({ ...laneControls(), draw: st.cm.draw, gemsSwitch: st.cm.switch, metricsLoaded: !!st.metrics, widening: st.cm.widening });

/** Width of the sequence view in CSS px (1200 before layout). */
export const viewWidth = () => $('canvas-wrap').clientWidth || 1200;

/** Redraws the legend (a new table changes its heat scale). */
export function redrawLegend(st) {
  legendK = st.view?.k ?? null;
  drawLegend(st.view, st.table);
}

/** Draws everything that shows st. */
export function render(st) {
  const width = viewWidth();
  $('overview').hidden = !st.view;
  $('scroller').hidden = !st.view;
  if (!st.view) { renderEmpty(st, width); return; }
  if (legendK !== st.view.k) redrawLegend(st);
  const lanes = shownLanes(st);
  const { first, last, perCol } = drawTracks(st, lanes, width);
  showSummary(st.view);
  $('window-status').textContent = windowText(first, last, st.view.windowTokens, st.view.inputs, perCol);
  fillStats(st, lanes);
  drawOverview(st, lanes, first, last, width);
  st.lastRender = { first, last, lanes: lanes.map((l) => l.strategy) };
  // The pointer now rests on another token (wheel, go-to, new record): say which.
  if (st.pointer) describeToken(st, st.pointer);
}

function renderEmpty(st, width) {
  drawNoSequence(width);
  showSummary(null);
  $('window-status').textContent = '';
  $('timing').textContent = '';
  fillStats(st, shownLanes(st));
  fillTopTable(st);
}
