import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRATEGIES } from '../../js/lanes.js';
import { beginMask, clearView, createState, failMask, finishMask, recordTiming, showView, timingText } from '../../js/state.js';

// The worker's answer to a mask request: distinct flags per strategy, so tests can tell them apart.
const answer = (strategies, tag) => ({ flags: strategies.map((s) => `${tag}:${s}`), stats: strategies.map((s) => ({ s, tag })) });

test('the first mask of a view masks every strategy', () => {
  const st = createState();
  showView(st, { tokens: 10 });
  const req = beginMask(st, ['genemask']);
  assert.deepEqual(req.strategies, STRATEGIES, 'nothing kept yet: all are masked');
  assert.equal(st.maskInFlight, true);
  assert.equal(finishMask(st, req, answer(req.strategies, 'a')), true);
  assert.equal(st.maskInFlight, false);
  assert.deepEqual(Object.keys(st.byStrategy), STRATEGIES);
  assert.equal(st.byStrategy.global.flags, 'a:global');
  assert.equal(st.flagsGen, 1);
});

test('a partial remask keeps the other strategies\' masks', () => {
  const st = createState();
  showView(st, { tokens: 10 });
  const first = beginMask(st);
  finishMask(st, first, answer(first.strategies, 'a'));
  const req = beginMask(st, ['genemask', 'global']);
  assert.deepEqual(req.strategies, ['genemask', 'global']);
  finishMask(st, req, answer(req.strategies, 'b'));
  assert.equal(st.byStrategy.random.flags, 'a:random');
  assert.equal(st.byStrategy.genemask.flags, 'b:genemask');
  assert.equal(st.byStrategy.global.flags, 'b:global');
  assert.equal(st.flagsGen, 2);
});

test('after a new view, a partial remask masks everything again', () => {
  const st = createState();
  showView(st, { tokens: 10 });
  const first = beginMask(st);
  finishMask(st, first, answer(first.strategies, 'a'));
  showView(st, { tokens: 20 });
  assert.deepEqual(beginMask(st, ['global']).strategies, STRATEGIES);
});

test('an answer to an older request is dropped; a failure only clears its own request', () => {
  const st = createState();
  showView(st, { tokens: 10 });
  const old = beginMask(st);
  const newer = beginMask(st);
  assert.equal(finishMask(st, old, answer(old.strategies, 'old')), false);
  assert.equal(st.byStrategy, null);
  assert.equal(st.maskInFlight, true, 'the newer request is still in flight');
  failMask(st, old);
  assert.equal(st.maskInFlight, true);
  failMask(st, newer);
  assert.equal(st.maskInFlight, false);
});

test('clearView drops the view and its masks; showView starts at the first token', () => {
  const st = createState();
  st.firstToken = 40;
  showView(st, { tokens: 10 });
  assert.equal(st.firstToken, 0);
  st.byStrategy = {};
  clearView(st);
  assert.equal(st.view, null);
  assert.equal(st.byStrategy, null);
});

test('timing: round trip, draw and total on the page clock, the worker\'s mask time as given', () => {
  const st = createState();
  showView(st, { tokens: 99_995 });
  const text = recordTiming(st, { strategies: STRATEGIES, maskMs: 8.25, t0: 100, t1: 112, r0: 112.5, r1: 120 });
  assert.deepEqual(st.timing, { maskMs: 8.25, roundTripMs: 12, renderMs: 7.5, totalMs: 20, tokens: 99_995 });
  assert.equal(text, 'mask 4 strategies + render 99,995 tokens: 20.0 ms (mask in worker 8.3 ms, draw 7.5 ms)');
  assert.match(timingText(st.timing, 1), /^mask 1 strategy \+/);
});
