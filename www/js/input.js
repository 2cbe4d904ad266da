// Hostile inputs, refused before they reach the textarea or the worker. No DOM: works on
// strings and on File/Blob objects.
import { fmt } from './format.js';

// The sequence box shows one region, not a genome: 1 Mb is measured fast, but tens of Mb would
// stall the textarea and every lane. A whole genome is for the table panel (counted streaming).
export const MAX_SEQUENCE_CHARS = 16 * 1024 * 1024;
// A full table JSON for k = 6 is about 0.5 MB; 64 MB is far past any real one.
export const MAX_TABLE_CHARS = 64 * 1024 * 1024;
// A textarea holding megabytes takes seconds per keystroke and per paste, so text longer than
// this is held like a file, not in the box.
export const BOX_MAX_CHARS = 200_000;
const SNIFF_BYTES = 4096;

function tooBig(what, n, unit = 'characters', max = MAX_SEQUENCE_CHARS) {
  return max === MAX_SEQUENCE_CHARS
    ? `${what} is ${fmt(n)} ${unit}; the sequence box takes at most ${fmt(max)} (16 Mb). Cut out the region to inspect; a whole genome can be counted into a table in the NPMI table panel.`
    : `${what} is ${fmt(n)} ${unit}, more than any NPMI table (at most ${fmt(max)}).`;
}

/** Text files have no NUL and few control characters; an image, archive or executable has both. */
export function looksBinary(codes) {
  let control = 0;
  for (const c of codes) {
    if (c === 0 || c === 0xfffd) return true; // NUL, or bytes that are not UTF-8
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11) control++;
  }
  return control > codes.length / 100;
}

const codesOf = (text) => Array.from(text, (ch) => ch.charCodeAt(0));

/** Why `text` cannot go into the sequence box (too long, binary), or null when it can. */
export function textProblem(text, what = 'The pasted text') {
  if (text.length > MAX_SEQUENCE_CHARS) return tooBig(what, text.length);
  if (looksBinary(codesOf(text.slice(0, SNIFF_BYTES)))) return `${what} is not text (FASTA, raw DNA or k-mer text): it holds binary characters.`;
  return null;
}

/**
 * Why `file` cannot be read (too big, binary), or null. The first KBs decide: a PNG or a
 * zip is refused without reading the rest. `gzipOk`: the table panel counts .gz FASTA itself.
 */
export async function fileProblem(file, { maxChars = MAX_SEQUENCE_CHARS, gzipOk = false } = {}) {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  if (gzipOk && head[0] === 0x1f && head[1] === 0x8b) return null;
  if (file.size > maxChars) return tooBig(`"${file.name}"`, file.size, 'bytes', maxChars);
  // A cut may split the last UTF-8 character: drop its bytes rather than call them binary.
  const whole = file.size > head.length ? head.subarray(0, Math.max(0, head.length - 3)) : head;
  if (looksBinary(codesOf(new TextDecoder('utf-8').decode(whole)))) {
    return `"${file.name}" is not a text file (FASTA, raw DNA, k-mer text, table JSON or CSV): it holds binary bytes${gzipOk ? '' : '; a .gz FASTA can be counted in the NPMI table panel'}.`;
  }
  return null;
}

/** Whether a dropped table-panel file is a table to load (else a FASTA to count). */
export const isTableFile = (name) => /\.(json|csv)$/i.test(name);
