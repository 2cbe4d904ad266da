import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG, STRATEGIES, laneSpecs, laneTitle, lanesKey, positionsWith } from '../../js/lanes.js';

const base = { step: 5000, asCoded: false, draw: null, gemsSwitch: null, metricsLoaded: false };

test('six lanes: the three strategies, then CM-Step, CM-GEMS and RandomMask at the step', () => {
  const lanes = laneSpecs(base);
  assert.deepEqual(lanes.map((l) => l.strategy), ['random', 'genemask', 'global', 'random', 'genemask', 'randommask']);
  assert.deepEqual(lanes.map((l) => l.label), ['Random span', 'GeneMask', 'GLOBAL', 'CM-Step @ step 5,000', 'CM-GEMS @ step 5,000', 'RandomMask @ step 5,000']);
  assert.equal(lanes[4].note, 'GeneMask (no switch: load metrics)');
  assert.equal(lanes[5].note, 'random span (not widened yet)');
  assert.ok(STRATEGIES.includes('randommask'));
});

test('RandomMask names the widening bound the worker computed for the step', () => {
  const lane = laneSpecs({ ...base, widening: 2 })[5];
  assert.equal(lane.note, 'spans widened by 0-2 tokens a side');
  assert.notEqual(lanesKey(laneSpecs(base)), lanesKey(laneSpecs({ ...base, step: 7500 })));
});

test('as coded: the PMI strategies say they rank by position, random span does not', () => {
  const notes = laneSpecs({ ...base, asCoded: true }).map((l) => l.note);
  assert.notEqual(notes[0], 'AS CODED: rank by position');
  assert.equal(notes[1], 'AS CODED: rank by position');
  assert.equal(notes[2], 'AS CODED: rank by position');
});

test('CM-Step draws what the worker replayed', () => {
  const lane = laneSpecs({ ...base, draw: { strategy: 'global', p_global: 0.734 } })[3];
  assert.equal(lane.strategy, 'global');
  assert.equal(lane.note, 'drew GLOBAL (p_global 0.73)');
});

test('CM-GEMS is GeneMask up to its switch step and GLOBAL after it', () => {
  const sw = { step: 3500, previous: 15, current: 14.5 };
  const at = (step) => laneSpecs({ ...base, step, gemsSwitch: sw, metricsLoaded: true })[4];
  assert.equal(at(3500).strategy, 'genemask');
  assert.equal(at(3500).note, 'GeneMask until switch @ 3,500');
  assert.equal(at(3501).strategy, 'global');
  assert.equal(at(3501).note, 'GLOBAL since switch @ 3,500');
  const none = laneSpecs({ ...base, metricsLoaded: true })[4];
  assert.equal(none.note, 'GeneMask (no switch in the loaded metrics)');
});

test('a curriculum lane names the strategy it drew; keys change with labels', () => {
  const lanes = laneSpecs({ ...base, draw: { strategy: 'global', p_global: 1 } });
  assert.equal(laneTitle(lanes[0]), 'Random span');
  assert.equal(laneTitle(lanes[3]), 'CM-Step @ step 5,000 → GLOBAL');
  assert.notEqual(lanesKey(lanes), lanesKey(laneSpecs({ ...base, step: 5001, draw: { strategy: 'global', p_global: 1 } })));
  assert.equal(lanesKey(lanes), lanesKey(laneSpecs({ ...base, draw: { strategy: 'global', p_global: 1 } })));
});

test('positionsWith lists the tokens whose flags carry a bit', () => {
  const flags = Uint8Array.from([0, FLAG.MASKED, FLAG.MASKED | FLAG.WHOLE_KMER, FLAG.CENTRE, FLAG.MASKED | FLAG.IN_SPAN]);
  assert.deepEqual(positionsWith(flags, FLAG.MASKED), [1, 2, 4]);
  assert.deepEqual(positionsWith(flags, FLAG.WHOLE_KMER), [2]);
  assert.deepEqual(positionsWith(flags, FLAG.CENTRE), [3]);
  assert.deepEqual(positionsWith(new Uint8Array(0), FLAG.MASKED), []);
});
