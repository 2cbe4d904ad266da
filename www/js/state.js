// The page's state: one object, made by createState and passed to whatever reads or
// changes it, plus the transitions of the mask pipeline. No DOM. window.__inspector.state
// is this object (the tests read view, byStrategy, firstToken, cellPx, lastRender,
// plotExtent and countProgress).
import { fmt, plural } from './format.js';
import { STRATEGIES } from './lanes.js';

export function createState() {
  return {
    k: 6,
    examples: [],
    records: [],
    view: null, // the worker's sequence view: {name, k, tokens, inputs, unknown, windowTokens, nucleotides, ranks, ids}
    table: null, // the worker's table info: {k, source, scored, minCount, isDefault, top, hasCounts, npmiRange}
    byStrategy: null, // strategy -> {flags, stats}
    maskedView: null, // the view byStrategy was masked on
    flagsGen: 0, // counts mask results: keys the overview and the stats table
    maskGen: 0, // counts mask requests: an answer to an older one is dropped
    maskInFlight: false,
    cm: { draw: null, schedule: null, switch: null, widening: 0 },
    metrics: null, // parseMetrics' result
    held: null, // {text, what}: sequence text too long for the box, held like a file
    firstToken: 0,
    cellPx: 16,
    pointer: null, // {clientX, clientY} while the pointer is over the lanes
    dragOverview: false,
    timing: null,
    countProgress: 0,
    plotWidth: null,
    plotExtent: null, // {left, right, lastX}: where the plot drew its step axis and last step
    lastRender: null, // {first, last, lanes}: the tokens and lanes last drawn
  };
}

/** A new sequence is on its way: nothing is shown until it is tokenized and masked. */
export function clearView(st) {
  st.view = null;
  st.byStrategy = null;
}

/** Shows `view` from its first token. */
export function showView(st, view) {
  st.view = view;
  st.firstToken = 0;
}

/**
 * Starts a mask request for strategies `only` (the others keep their masks, unless the view
 * changed since they were drawn: then all are masked). Returns the request, for finishMask.
 */
export function beginMask(st, only = STRATEGIES) {
  const kept = st.byStrategy;
  const strategies = kept && st.maskedView === st.view ? only : STRATEGIES;
  st.maskInFlight = true;
  return { gen: ++st.maskGen, strategies, kept };
}

/**
 * Takes the worker's answer `r` ({flags, stats} per requested strategy) to `request`.
 * False, and nothing changed, when a newer request is on its way.
 */
export function finishMask(st, request, r) {
  if (request.gen !== st.maskGen) return false;
  st.maskInFlight = false;
  st.byStrategy = { ...(request.strategies === STRATEGIES ? {} : request.kept) };
  request.strategies.forEach((s, i) => { st.byStrategy[s] = { flags: r.flags[i], stats: r.stats[i] }; });
  st.flagsGen++;
  st.maskedView = st.view;
  return true;
}

/** A mask request failed: no longer in flight, unless a newer one is. */
export function failMask(st, request) {
  if (request.gen === st.maskGen) st.maskInFlight = false;
}

/**
 * Records the timing of a mask request (page clock: sent t0, answered t1, drawn from r0 to
 * r1; maskMs: the worker's own; strategies: those masked) and returns the footer's sentence about it.
 */
export function recordTiming(st, { strategies, maskMs, t0, t1, r0, r1 }) {
  st.timing = { maskMs, roundTripMs: t1 - t0, renderMs: r1 - r0, totalMs: r1 - t0, tokens: st.view.tokens };
  return timingText(st.timing, strategies.length);
}

/** The footer's sentence about `timing` for `count` strategies masked. */
export const timingText = (t, count) => `mask ${plural(count, 'strategy', 'strategies')} + render ${fmt(t.tokens)} tokens: ${t.totalMs.toFixed(1)} ms (mask in worker ${t.maskMs.toFixed(1)} ms, draw ${t.renderMs.toFixed(1)} ms)`;
