import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG, UNK_RANK } from '../../js/lanes.js';
import { kmerTokenId, tokenText } from '../../js/token.js';

const seq = 'ACGTACGTAANCCC';
const view = {
  k: 6, windowTokens: 4, nucleotides: Uint8Array.from(seq, (c) => c.charCodeAt(0)),
  ranks: Uint16Array.from([1, 41, 42, 2000, UNK_RANK, 7, 8, 9, 10]),
};

test('the tooltip names the token, its input and position, its k-mer and NPMI rank', () => {
  assert.equal(tokenText(view, null, 0),
    'token 1 · input 1, position 1\nk-mer ACGTAC (nucleotides 1–6)\nNPMI rank 1 of 4,096 (top 1%)\nhidden by: none');
  assert.match(tokenText(view, null, 1), /NPMI rank 41 of 4,096 \(top 1%\)/);
  assert.match(tokenText(view, null, 2), /NPMI rank 42 of 4,096\n/, 'the top 1% of 4096 is 41 k-mers');
  assert.match(tokenText(view, null, 5), /^token 6 · input 2, position 2\n/);
  assert.match(tokenText(view, null, 4), /\[UNK\]: holds a letter other than A\/C\/G\/T/);
});

test('the tooltip lists the strategies that hide the token, and whole-k-mer spans', () => {
  const flags = (f) => ({ flags: Uint8Array.from([f]) });
  const by = { random: flags(FLAG.MASKED), genemask: flags(FLAG.MASKED | FLAG.IN_SPAN), global: flags(FLAG.CENTRE), randommask: flags(0) };
  assert.match(tokenText(view, by, 0), /hidden by: Random span, GeneMask \(whole k-mer\)$/);
});

test('k-mer token ids: 5 special tokens, then A, T, C, G order', () => {
  assert.equal(kmerTokenId('AAAAAA'), 5);
  assert.equal(kmerTokenId('AAAAAT'), 6);
  assert.equal(kmerTokenId('GGGGGG'), 5 + 4095);
  assert.equal(kmerTokenId('ATCG'), 5 + 0b00011011);
});
