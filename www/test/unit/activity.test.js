import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActivity } from '../../js/activity.js';

// A promise and its resolve, to finish work when a test says so.
function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}
const tick = () => new Promise((r) => setImmediate(r));

test('settled resolves at once when idle, and after the last tracked promise otherwise', async () => {
  const a = createActivity();
  await a.settled();
  const one = deferred(), two = deferred();
  const t1 = a.track(one.promise), t2 = a.track(two.promise);
  let done = false;
  a.settled().then(() => { done = true; });
  one.resolve(1);
  assert.equal(await t1, 1);
  await tick();
  assert.equal(done, false, 'one request is still in flight');
  assert.equal(a.busy, 1);
  two.resolve(2);
  await t2;
  await tick();
  assert.equal(done, true);
  assert.equal(a.busy, 0);
});

test('a rejected promise is no longer in flight', async () => {
  const a = createActivity();
  await assert.rejects(a.track(Promise.reject(new Error('worker said no'))), /worker said no/);
  assert.equal(a.busy, 0);
});

test('debounced work runs once after the last call, and counts as busy from the first', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const a = createActivity();
  let runs = 0;
  const run = a.debounced(() => { runs++; }, 250);
  run();
  t.mock.timers.tick(200);
  run();
  assert.equal(a.busy, 1);
  t.mock.timers.tick(249);
  assert.equal(runs, 0);
  t.mock.timers.tick(1);
  await tick();
  assert.equal(runs, 1);
  assert.equal(a.busy, 0);
});

test('coalesced work runs once more after a run with calls made during it, not once per call', async () => {
  const a = createActivity();
  const gates = [];
  let runs = 0;
  const run = a.coalesced(async () => { runs++; const d = deferred(); gates.push(d); await d.promise; });
  run();
  run(); run(); run();
  assert.equal(runs, 1);
  assert.equal(a.busy, 1);
  gates[0].resolve();
  await tick();
  assert.equal(runs, 2, 'the calls during the first run made one more');
  gates[1].resolve();
  await tick();
  assert.equal(runs, 2);
  await a.settled();
  assert.equal(a.busy, 0);
});
