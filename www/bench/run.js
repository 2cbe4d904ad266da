// Times mask + render in the inspector page, in real headless Chromium, and writes
// bench/results.json. Run from www/ after build.sh:   node bench/run.js
// The page measures itself with performance.now(): from posting the mask request to the
// worker (3 strategies over every 510-token model input) to the end of drawing the
// visible tokens, the overview strip and the stats table.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, settled, randomDna, WWW } from '../test/harness.js';

const RUNS = Number(process.env.RUNS || 21);

// via 'click': a real mouse click on "Resample" (includes the browser's own frame work for
// the click); via 'seed-change': the seed field's change event alone.
async function measure(page, nt, seed, via) {
  await page.evaluate((v) => {
    const el = document.getElementById('seq-input');
    el.value = v;
    el.dispatchEvent(new Event('input'));
  }, randomDna(nt, seed));
  await settled(page);
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    if (via === 'click') {
      await page.click('#resample');
    } else {
      await page.evaluate(() => {
        const s = document.getElementById('seed');
        s.value = String(Number(s.value) + 1);
        s.dispatchEvent(new Event('change'));
      });
    }
    await settled(page);
    runs.push(await page.evaluate(() => window.__inspector.timing));
  }
  const pick = (key, q) => {
    const xs = runs.map((r) => r[key]).sort((a, b) => a - b);
    return Math.round(xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] * 10) / 10;
  };
  return {
    nucleotides: nt, tokens: runs[0].tokens, via, runs: RUNS,
    total_ms: { median: pick('totalMs', 0.5), p90: pick('totalMs', 0.9) },
    mask_in_worker_ms: { median: pick('maskMs', 0.5), p90: pick('maskMs', 0.9) },
    render_ms: { median: pick('renderMs', 0.5), p90: pick('renderMs', 0.9) },
  };
}

const srv = await serve();
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.goto(srv.url);
  await settled(page);
  const version = execFileSync(process.env.CHROMIUM || '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim();
  const results = [];
  for (const [nt, seed] of [[100_000, 42], [1_000_000, 43]]) {
    for (const via of ['click', 'seed-change']) results.push(await measure(page, nt, seed, via));
  }
  const doc = {
    what: 'inspector page: mask (random span, GeneMask, GLOBAL over all 510-token inputs, in the Web Worker) + render (visible tokens, overview, stats), performance.now() in the page; goal < 100 ms at 100 kb',
    command: 'bash www/build.sh && cd www && node bench/run.js',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, chromium: version, node: process.version },
    results,
  };
  fs.mkdirSync(path.join(WWW, 'bench'), { recursive: true });
  fs.writeFileSync(path.join(WWW, 'bench', 'results.json'), JSON.stringify(doc, null, 2) + '\n');
  console.log(JSON.stringify(doc, null, 2));
} finally {
  await browser.close();
  await srv.close();
}
