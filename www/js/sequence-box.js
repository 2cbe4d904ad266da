// The sequence box: short text lives in the textarea, long text is held like a file (a
// textarea holding megabytes takes seconds per keystroke and per paste), and the box shows
// a one-line summary of it as its placeholder.
import { fmt } from './format.js';
import { BOX_MAX_CHARS } from './input.js';
import { $ } from './dom.js';

// The box's own placeholder, put back when held text is released.
let boxPlaceholder = null;

/** The sequence text to inspect: held text, else the box's. */
export const sequenceText = (st) => (st.held ? st.held.text : $('seq-input').value);

/** Puts `text` in the box, or holds it when longer than BOX_MAX_CHARS (`what`: its source). */
export function setSequenceText(st, text, what = 'Pasted text') {
  const box = $('seq-input');
  boxPlaceholder ??= box.placeholder;
  if (text.length <= BOX_MAX_CHARS) {
    releaseHeld(st);
    box.value = text;
    return;
  }
  st.held = { text, what };
  box.value = '';
  box.placeholder = `${what}: ${fmt(text.length)} characters, held like a file (too long to show here; the lanes below show it). Type or paste here to replace it.`;
  box.classList.add('held');
}

/** Drops held text: the box's own text is the sequence again. */
export function releaseHeld(st) {
  if (!st.held) return;
  st.held = null;
  $('seq-input').placeholder = boxPlaceholder;
  $('seq-input').classList.remove('held');
}
