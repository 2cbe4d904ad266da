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

// Every other interaction on the loaded sequence: from dispatching the event in the page to
// the page having no request in flight (worker round trips, drawing, tables, plot).
const INTERACTIONS = {
  'as-coded toggle': () => { const el = document.getElementById('as-coded'); el.checked = !el.checked; el.dispatchEvent(new Event('change')); },
  'step slider': (i) => { const el = document.getElementById('step'); el.value = String(1000 + 379 * i); el.dispatchEvent(new Event('input')); },
  'zoom change': (i) => { const el = document.getElementById('zoom'); el.value = ['6', '0.05', '2', '16'][i % 4]; el.dispatchEvent(new Event('change')); },
  'go to token': (i) => { const el = document.getElementById('goto'); el.value = String(1 + ((i * 48_611) % 900_000)); el.dispatchEvent(new Event('change')); },
  'wheel scroll': () => { document.getElementById('tracks').dispatchEvent(new WheelEvent('wheel', { deltaY: 400, bubbles: true, cancelable: true })); },
  hover: (i) => { const r = document.getElementById('tracks').getBoundingClientRect(); document.getElementById('tracks').dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + 220 + 16 * (i % 50), clientY: r.top + 100, bubbles: true })); },
};

async function interactions(page) {
  const out = [];
  for (const [name, fn] of Object.entries(INTERACTIONS)) {
    const ms = [];
    for (let i = 0; i < RUNS; i++) {
      ms.push(await page.evaluate(async ([src, n]) => {
        const act = (0, eval)(`(${src})`);
        const t0 = performance.now();
        act(n);
        await window.__inspector.settled();
        return performance.now() - t0;
      }, [fn.toString(), i]));
    }
    ms.sort((a, b) => a - b);
    const q = (x) => Math.round(ms[Math.min(ms.length - 1, Math.floor(x * ms.length))] * 10) / 10;
    out.push({ interaction: name, nucleotides: 1_000_000, runs: RUNS, ms: { median: q(0.5), p90: q(0.9) } });
  }
  return out;
}

// A 5 MB paste through the clipboard (a real Ctrl+V): time until the lanes show it, the
// longest stall of the main thread meanwhile (timer ticks every 10 ms), and one keystroke.
async function paste5mb(page, url) {
  const n = 5 * 1024 * 1024;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  await page.evaluate((text) => navigator.clipboard.writeText(text), randomDna(n, 44));
  await page.focus('#seq-input');
  await page.keyboard.press('Control+A');
  await page.evaluate(() => {
    window.__gaps = { last: performance.now(), max: 0 };
    window.__tick = setInterval(() => { const t = performance.now(); window.__gaps.max = Math.max(window.__gaps.max, t - window.__gaps.last); window.__gaps.last = t; }, 10);
  });
  const t0 = Date.now();
  await page.keyboard.press('Control+V');
  await page.waitForFunction((len) => window.__inspector.state.view?.nucleotides.length === len, n, { timeout: 120_000, polling: 20 });
  await settled(page);
  const lanesMs = Date.now() - t0;
  const stall = await page.evaluate(() => { clearInterval(window.__tick); return window.__gaps.max; });
  // A real keystroke, until the frame after it.
  const k0 = Date.now();
  await page.keyboard.type('A');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  const keyMs = Date.now() - k0;
  await settled(page);
  return { nucleotides: n, paste_to_lanes_ms: lanesMs, longest_main_thread_stall_ms: Math.round(stall), keystroke_after_ms: keyMs };
}

// BENCH_WWW: another built copy of the page (e.g. the previous commit's) to measure the
// same way; BENCH_OUT: the file under bench/ to write (default results.json).
const srv = await serve(process.env.BENCH_WWW ? path.resolve(process.env.BENCH_WWW) : WWW);
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
  // The 1 Mb sequence from the last measure is still loaded.
  const more = await interactions(page);
  const paste = await paste5mb(page, srv.url);
  const doc = {
    what: 'inspector page: mask (random span, GeneMask, GLOBAL over all 510-token inputs, in the Web Worker) + render (visible tokens, overview, stats), performance.now() in the page; other interactions on 1 Mb from the event to a settled page; a 5 MB clipboard paste; goal < 100 ms per interaction on 1 Mb',
    command: 'bash www/build.sh && cd www && node bench/run.js',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, chromium: version, node: process.version },
    results,
    interactions_1mb: more,
    paste_5mb: paste,
  };
  fs.mkdirSync(path.join(WWW, 'bench'), { recursive: true });
  fs.writeFileSync(path.resolve(WWW, 'bench', process.env.BENCH_OUT || 'results.json'), JSON.stringify(doc, null, 2) + '\n');
  console.log(JSON.stringify(doc, null, 2));
} finally {
  await browser.close();
  await srv.close();
}
