import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmStepStatus, gemsStatus, hasSeries, metricsStatus, parseMetrics } from '../../js/metrics.js';

const jsonl = (rows) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

test('losses and perplexities are read under every name trainers use', () => {
  const m = parseMetrics(jsonl([
    { step: 10, loss: 5 }, { global_step: 20, train_loss: 4 }, { step: 30, mlm_loss: 3 },
    { step: 40, eval_perplexity: 90 }, { step: 50, eval_ppl: 80 }, { step: 60, ppl: 70 },
    { step: 70, perplexity: 60 }, { step: 80, eval_loss: Math.log(50) },
  ]));
  assert.deepEqual(m.steps, [10, 20, 30]);
  assert.deepEqual(m.loss, [5, 4, 3]);
  assert.deepEqual(m.pplSteps, [40, 50, 60, 70, 80]);
  assert.deepEqual(m.ppl.slice(0, 4), [90, 80, 70, 60]);
  assert.ok(Math.abs(m.ppl[4] - 50) < 1e-9);
  assert.equal(m.firstStep, 10);
  assert.equal(m.lastStep, 80);
  assert.equal(m.lines, 8);
  assert.equal(m.bad, 0);
  assert.ok(hasSeries(m));
});

test('blank lines are skipped; broken JSON and lines without a step are counted as bad', () => {
  const m = parseMetrics(`{"step": 1, "loss": 2}\n\n   \nnot json\n{"loss": 3}\nnull\r\n{"step": "7", "loss": 1}\n`);
  assert.equal(m.lines, 5);
  assert.equal(m.bad, 4);
  assert.deepEqual(m.steps, [1]);
  assert.equal(hasSeries(parseMetrics('{"step": 1}\n{"step": 2, "lr": 0.1}')), false);
  assert.equal(parseMetrics('').lastStep, null);
});

test('a switch event repeats the perplexity before it: not read again', () => {
  const m = parseMetrics(jsonl([{ step: 500, eval_perplexity: 15 }, { step: 500, event: 'cm_gems_switch', perplexity: 15 }]));
  assert.deepEqual(m.pplSteps, [500]);
  assert.equal(m.loggedSwitch, 500);
});

test('the logged switch: a switch_step, an event, or the masker turning to global', () => {
  assert.equal(parseMetrics(jsonl([{ step: 900, switch_step: 700 }])).loggedSwitch, 700);
  assert.equal(parseMetrics(jsonl([{ step: 100, kind: 'Switch' }])).loggedSwitch, 100);
  const byMasker = parseMetrics(jsonl([
    { step: 100, loss: 3, masker: 'GeneMask' }, { step: 200, loss: 2, masker: 'genemask' }, { step: 300, loss: 1, masker: 'global' },
    { step: 400, loss: 1, masker: 'genemask' }, { step: 500, loss: 1, masker: 'global' },
  ]));
  assert.equal(byMasker.loggedSwitch, 300, 'the first turn only');
  assert.equal(parseMetrics(jsonl([{ step: 1, loss: 1, masker: 'random' }, { step: 2, loss: 1, masker: 'global' }])).loggedSwitch, null);
});

test('a long run\'s steps do not overflow the call stack', () => {
  const rows = Array.from({ length: 200_000 }, (_, i) => `{"step":${i + 1},"loss":1}`).join('\n');
  assert.equal(parseMetrics(rows).lastStep, 200_000);
});

test('the CM-GEMS status says what the replay found, or what loading metrics would do', () => {
  const sw = { step: 3500, previous: 15, current: 14.5 };
  assert.match(gemsStatus(4000, sw, null, '1'), /after step 3,500 \(perplexity 15\.000 → 14\.500, change < 1\); at step 4,000 it uses GLOBAL/);
  assert.match(gemsStatus(3500, sw, null, '1'), /at step 3,500 it uses GeneMask/);
  assert.match(gemsStatus(10, null, null, '1'), /Load a metrics\.jsonl/);
  assert.match(gemsStatus(10, null, parseMetrics('{"step":1,"loss":2}'), '1'), /no held-out perplexity/);
  assert.match(gemsStatus(10, null, parseMetrics('{"step":1,"ppl":2}\n{"step":2,"ppl":1}'), '0.5'), /2 held-out perplexities\), it never switches: .* less than 0\.5/);
});

test('the metrics status names lines, steps, series, skipped lines and both switches', () => {
  const m = parseMetrics(`{"step":100,"loss":2}\n{"step":3600,"eval_perplexity":9,"switch_step":3600}\nbad\n`);
  assert.equal(metricsStatus(m, { step: 3500 }),
    "metrics.jsonl: 3 lines, steps 100–3,600 (max steps set to the run's 3,600), 1 losses, 1 held-out perplexities, 1 lines skipped. "
    + "Core's CM-GEMS replayed on them switches at step 3,500; the log records a switch at step 3,600.");
  assert.match(metricsStatus(parseMetrics('{"step":1,"loss":1}'), null), /never switches; the log records no switch\.$/);
});

test('the CM-Step status gives p_global, the draw and the GLOBAL count so far', () => {
  assert.equal(cmStepStatus({ p_global: 0.5, global_draws: 1234 }, 5000, 7, 'GLOBAL'),
    "CM-Step: p_global = 0.50 at step 5,000; this step's draw (replayed from seed 7 with core's curriculum) is GLOBAL. 1,234 of 5,001 steps so far drew GLOBAL.");
});
