import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../js/engine.js';

// A worker that records what it was sent; the test answers as worker.js would.
function fakeWorker() {
  return { sent: [], postMessage(m) { this.sent.push(m); }, answer(data) { this.onmessage({ data }); } };
}

test('calls carry an id, their type and arguments; answers resolve the matching call', async () => {
  const w = fakeWorker();
  const engine = new Engine(w);
  const a = engine.call('parse', { text: 'ACGT' });
  const b = engine.call('mask', { seed: 1 });
  assert.deepEqual(w.sent, [{ id: 1, type: 'parse', text: 'ACGT' }, { id: 2, type: 'mask', seed: 1 }]);
  w.answer({ id: 2, ok: true, result: 'masks' });
  w.answer({ id: 1, ok: true, result: 'records' });
  assert.equal(await a, 'records');
  assert.equal(await b, 'masks');
  assert.equal(engine.pending.size, 0);
});

test('an error answer rejects with the worker\'s message', async () => {
  const w = fakeWorker();
  const engine = new Engine(w);
  const call = engine.call('loadTable', {});
  w.answer({ id: 1, ok: false, error: 'line 3: not a k-mer' });
  await assert.rejects(call, { message: 'line 3: not a k-mer' });
});

test('progress goes to the call\'s listener and leaves it pending; unknown ids are ignored', async () => {
  const w = fakeWorker();
  const engine = new Engine(w);
  const seen = [];
  const call = engine.call('countFasta', {}, (p) => seen.push(p.done));
  w.answer({ id: 1, progress: { done: 1, total: 4 } });
  w.answer({ id: 1, progress: { done: 3, total: 4 } });
  w.answer({ id: 99, ok: true, result: 'stray' });
  assert.deepEqual(seen, [1, 3]);
  assert.equal(engine.pending.size, 1);
  w.answer({ id: 1, ok: true, result: 'table' });
  assert.equal(await call, 'table');
  // Progress without a listener is dropped.
  const quiet = engine.call('countFasta', {});
  w.answer({ id: 2, progress: { done: 1, total: 2 } });
  w.answer({ id: 2, ok: true, result: 'ok' });
  assert.equal(await quiet, 'ok');
});

test('a worker that fails to start is reported, naming the build', () => {
  const w = fakeWorker();
  const reports = [];
  new Engine(w, (text) => reports.push(text));
  w.onerror({ message: 'pkg/cmgems_web.js: 404' });
  assert.equal(reports.length, 1);
  assert.match(reports[0], /The WebAssembly worker failed to start: pkg\/cmgems_web\.js: 404\. Was the page built \(www\/build\.sh\)\?/);
});
