import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisNum, duration, fmt, niceTick, pct, plural } from '../../js/format.js';

test('fmt groups thousands the same way on every machine', () => {
  assert.equal(fmt(0), '0');
  assert.equal(fmt(999), '999');
  assert.equal(fmt(5_242_875), '5,242,875');
});

test('pct gives one decimal, and a dash for no data', () => {
  assert.equal(pct(0.1234), '12.3%');
  assert.equal(pct(0), '0.0%');
  assert.equal(pct(1), '100.0%');
  assert.equal(pct(null), '–');
  assert.equal(pct(undefined), '–');
});

test('axis numbers keep three significant digits and never an exponent', () => {
  assert.equal(axisNum(3510), '3,510');
  assert.equal(axisNum(0.01234), '0.0123');
  assert.equal(axisNum(123456789), '123,000,000');
  assert.doesNotMatch(axisNum(1e-7), /e/i);
});

test('duration: milliseconds under a second, else seconds', () => {
  assert.equal(duration(12.4), '12 ms');
  assert.equal(duration(999.4), '999 ms');
  assert.equal(duration(1000), '1.0 s');
  assert.equal(duration(12_345), '12.3 s');
});

test('niceTick rounds up to 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceTick(0.3), 1);
  assert.equal(niceTick(1), 1);
  assert.equal(niceTick(3.75), 5);
  assert.equal(niceTick(6), 10);
  assert.equal(niceTick(15), 20);
  assert.equal(niceTick(1200), 2000);
  assert.equal(niceTick(60 / 0.05), 2000);
});

test('plural picks the noun by the count', () => {
  assert.equal(plural(1, 'span', 'spans'), '1 span');
  assert.equal(plural(0, 'span', 'spans'), '0 spans');
  assert.equal(plural(1234, 'span', 'spans'), '1,234 spans');
});
