// Moving through the sequence: the zoom, the scroll bar under the lanes (virtualised: its
// spacer is as wide as the sequence, only the visible tokens are drawn), the wheel, go-to
// and clicks on the overview strip or on a top k-mer.
import { fmt } from './format.js';
import { LABEL_W, clampFirst, fitTokensPerPx, visibleTokens, zoomCellPx } from './geometry.js';
import { kmerTokenId } from './token.js';
import { render, viewWidth } from './view.js';
import { $ } from './dom.js';

// A spacer wider than this is clipped by browsers; the scroll position maps onto tokens.
const MAX_SPACER_PX = 1e7;

const shownTokens = (st) => visibleTokens($('canvas-wrap').clientWidth, st.cellPx);
const maxFirst = (st) => Math.max(0, st.view.tokens - shownTokens(st));

/** Takes the zoom menu's value (px per token, or "fit") and names the fit option's scale. */
export function applyZoom(st) {
  const width = viewWidth();
  const tokens = st.view ? st.view.tokens : null;
  st.cellPx = zoomCellPx($('zoom').value, width, tokens);
  const per = fitTokensPerPx(width, tokens);
  $('zoom').querySelector('option[value=fit]').textContent = per > 1 ? `whole sequence (${fmt(per)} tokens/px)` : 'whole sequence';
}

/** Sizes the scroll bar's spacer to the sequence at the current zoom. */
export function layoutScroller(st) {
  const spacer = $('spacer');
  if (!st.view) { spacer.style.width = '0px'; return; }
  const total = st.view.tokens * st.cellPx;
  spacer.style.width = `${Math.min(total, MAX_SPACER_PX) + $('scroller').clientWidth - shownTokens(st) * st.cellPx}px`;
  syncScroller(st);
}

/** Moves the scroll bar to st.firstToken (marked, so its scroll event is not taken as the user's). */
function syncScroller(st) {
  const s = $('scroller');
  const range = s.scrollWidth - s.clientWidth;
  const mf = maxFirst(st);
  s.dataset.sync = '1';
  s.scrollLeft = mf ? (st.firstToken / mf) * range : 0;
}

/** Shows the sequence from token `t` (0-based, kept in range). */
export function scrollToToken(st, t) {
  if (!st.view) return;
  st.firstToken = clampFirst(t, st.view.tokens, shownTokens(st));
  syncScroller(st);
  render(st);
}

/** Zooms to the menu's value, keeping the token at the centre of the view there. */
export function rezoom(st) {
  const centre = st.firstToken + shownTokens(st) / 2;
  applyZoom(st);
  layoutScroller(st);
  scrollToToken(st, centre - shownTokens(st) / 2);
}

/** The user's scroll: redrawn once per frame. */
export function scrollHandler(st) {
  let framePending = false;
  return () => {
    const s = $('scroller');
    if (s.dataset.sync === '1') { s.dataset.sync = ''; return; }
    if (!st.view) return;
    const range = s.scrollWidth - s.clientWidth;
    st.firstToken = range > 0 ? Math.round((s.scrollLeft / range) * maxFirst(st)) : 0;
    if (!framePending) { framePending = true; requestAnimationFrame(() => { framePending = false; render(st); }); }
  };
}

/** The wheel over the lanes scrolls tokens, about a quarter of the wheel's pixels' worth. */
export function onWheel(st, e) {
  if (!st.view) return;
  e.preventDefault();
  const d = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY;
  scrollToToken(st, st.firstToken + Math.sign(d) * Math.max(1, Math.round(Math.abs(d) / Math.max(st.cellPx, 0.05) / 4)));
}

/** A click (or drag) on the overview strip centres the view on the token under it. */
export function onOverviewClick(st, e) {
  if (!st.view) return;
  const rect = $('overview').getBoundingClientRect();
  const px = e.clientX - rect.left - LABEL_W;
  if (px < 0) return;
  const t = (px / (rect.width - LABEL_W)) * st.view.tokens;
  scrollToToken(st, t - shownTokens(st) / 2);
}

/** Shows the first occurrence of `kmer` in the sequence, a few tokens from the left edge. */
export function jumpToKmer(st, kmer) {
  if (!st.view) return;
  const i = st.view.ids.indexOf(kmerTokenId(kmer));
  if (i >= 0) scrollToToken(st, Math.max(0, i - 5));
}
