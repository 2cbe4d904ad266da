// The tooltip over the lanes: what the token under the pointer is and who hides it.
import { tokenAt } from './geometry.js';
import { tokenText } from './token.js';
import { $ } from './dom.js';

/** Describes the token under `pointer` ({clientX, clientY}), or hides the tooltip off the tokens. */
export function describeToken(st, pointer) {
  const tip = $('tooltip');
  const v = st.view;
  const rect = $('tracks').getBoundingClientRect();
  const px = pointer.clientX - rect.left;
  const t = v ? tokenAt(px, st.firstToken, st.cellPx) : null;
  if (t == null || t >= v.tokens) { tip.hidden = true; return; }
  tip.textContent = tokenText(v, st.byStrategy, t);
  tip.hidden = false;
  const wrapRect = $('canvas-wrap').getBoundingClientRect();
  tip.style.left = `${Math.min(px + 14, rect.width - 320)}px`;
  tip.style.top = `${pointer.clientY - wrapRect.top + 14}px`;
}

/** The pointer left the lanes. */
export function hideTooltip(st) {
  st.pointer = null;
  $('tooltip').hidden = true;
}
