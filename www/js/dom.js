// The page's elements and its message box, shared by every view.

export const $ = (id) => document.getElementById(id);

/** Shows `text` in the message box above the viewer. */
export function showMessage(text) {
  const m = $('message');
  m.textContent = text;
  m.hidden = false;
  m.scrollIntoView({ block: 'nearest' });
}

export function clearMessage() {
  $('message').hidden = true;
  $('message').textContent = '';
}

/** Offers `text` as a file download named `name`. */
export function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

/** Sizes `canvas` to `width` x `height` CSS px at the device's pixel ratio; returns the ratio. */
export function fitCanvas(canvas, width, height) {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.height = `${height}px`;
  }
  return dpr;
}

/** The controls the lanes depend on: the training step and the rank lookup. */
export const laneControls = () => ({ step: Number($('step').value), asCoded: $('as-coded').checked });
