import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SEQUENCE_CHARS, MAX_TABLE_CHARS, fileProblem, isTableFile, looksBinary, textProblem } from '../../js/input.js';

const codes = (s) => Array.from(s, (c) => c.charCodeAt(0));
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

test('looksBinary: text with tabs and line ends is text; NUL, U+FFFD or many controls are not', () => {
  assert.equal(looksBinary(codes('>seq 1\r\nACGT\tacgt\n')), false);
  assert.equal(looksBinary(codes('ACGT\u0000ACGT')), true);
  assert.equal(looksBinary(codes('ACGT\ufffdACGT')), true);
  assert.equal(looksBinary(codes(`${'A'.repeat(99)}\u0001`)), false, 'one control character in 100 is tolerated');
  assert.equal(looksBinary(codes(`${'A'.repeat(98)}\u0001\u0002`)), true);
});

test('textProblem refuses binary and over-long text, naming what it was', () => {
  assert.equal(textProblem('>x\nACGTACGT\n'), null);
  assert.match(textProblem('\u0000\u0001PNG', 'The sequence box'), /^The sequence box is not text/);
  // Only the length is read for the size check, so a sparse string stands in for 16 Mb.
  const long = { length: MAX_SEQUENCE_CHARS + 1, slice: () => '' };
  assert.match(textProblem(long), /^The pasted text is 16,777,217 characters; the sequence box takes at most 16,777,216 \(16 Mb\)/);
});

test('fileProblem sniffs the head of a file and checks its size', async () => {
  const file = (bytes, name) => new File([bytes], name);
  assert.equal(await fileProblem(file('>a\nACGT\n', 'a.fa')), null);
  assert.match(await fileProblem(file(PNG, 'photo.png')), /^"photo\.png" is not a text file .*a \.gz FASTA can be counted/);
  // gzip is refused as a sequence, taken by the table counter.
  const gz = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  assert.match(await fileProblem(file(gz, 'x.fa.gz')), /not a text file/);
  assert.equal(await fileProblem(file(gz, 'x.fa.gz'), { maxChars: Infinity, gzipOk: true }), null);
  // Too big by size alone: a table file over the table limit.
  const big = { name: 'big.json', size: MAX_TABLE_CHARS + 1, slice: () => new Blob(['{}']) };
  assert.match(await fileProblem(big, { maxChars: MAX_TABLE_CHARS }), /^"big\.json" is 67,108,865 bytes, more than any NPMI table/);
});

test('a UTF-8 character cut at the sniffed head is not taken for binary', async () => {
  // 4095 ASCII bytes then "é" (2 bytes): the 4096-byte head ends inside it.
  const text = `${'A'.repeat(4095)}é${'C'.repeat(100)}`;
  assert.equal(await fileProblem(new File([text], 'cut.fa')), null);
});

test('a dropped .json or .csv is a table; anything else is a FASTA to count', () => {
  assert.equal(isTableFile('npmi.JSON'), true);
  assert.equal(isTableFile('ranking.csv'), true);
  assert.equal(isTableFile('genome.fa.gz'), false);
  assert.equal(isTableFile('json.fa'), false);
});
