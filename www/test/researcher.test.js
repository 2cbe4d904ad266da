// The inspector as a researcher meets it (issue 15): one test per defect found by driving
// the page like a new user, in real headless Chromium (Debian's, never downloaded).
//   node --test test/researcher.test.js   (after build.sh; from www/)
// Labels drawn on canvases are read through RECORD_CANVAS_TEXT (see harness.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, settled, pasteInto, setInput, uploadFile, randomDna, RECORD_CANVAS_TEXT, WWW } from './harness.js';

const OUT = path.join(WWW, 'test-output');
let srv, browser, page;
const pageErrors = [];

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  assert.ok(fs.existsSync(path.join(WWW, 'pkg', 'cmgems_web_bg.wasm')), 'run www/build.sh first');
  srv = await serve();
  browser = await launch();
  await browser.context.addInitScript(RECORD_CANVAS_TEXT);
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(srv.url);
  await settled(page);
});

after(async () => {
  assert.deepEqual(pageErrors, []);
  await browser?.close();
  await srv?.close();
});

// ---- helpers ----
const text = (sel) => page.locator(sel).innerText();
const canvasText = (id) => page.evaluate((i) => window.__canvasText(i), id);
const canvasStrings = async (id) => (await canvasText(id)).map((t) => t.text);
const state = (fn, arg) => page.evaluate(fn, arg);
const paste = (value) => pasteInto(page, value);
const setValue = (id, value, event) => setInput(page, id, value, event);
const upload = (id, name, content) => uploadFile(page, id, name, content);
// Every label drawn on the canvas lies inside it (nothing clipped at an edge).
async function assertTextInside(id) {
  for (const t of await canvasText(id)) {
    if (t.rotated) continue;
    assert.ok(t.left >= -0.5 && t.right <= t.width + 0.5, `"${t.text}" on #${id} spans ${t.left.toFixed(1)}..${t.right.toFixed(1)} of ${t.width} px`);
  }
}
const metricsJsonl = (lines) => lines.map((l) => JSON.stringify(l)).join('\n');
// The pixel under token t of the lane `row` (0 = random span) at the current zoom.
const tokenPoint = (t, row = 0) => state(([tok, r]) => {
  const st = window.__inspector.state;
  const rect = document.getElementById('tracks').getBoundingClientRect();
  return { x: rect.left + 210 + (tok - st.firstToken) * st.cellPx + st.cellPx / 2, y: rect.top + 18 + 18 + 20 + 8 + r * 35 + 15 };
}, [t, row]);
// The tooltip's token number and k-mer; fails when the tooltip is hidden.
const tooltip = async () => {
  assert.ok(await page.locator('#tooltip').isVisible(), 'the tooltip is hidden');
  const shown = await text('#tooltip');
  const m = shown.match(/^token ([\d,]+) [\s\S]*\nk-mer ([ACGTN]+) /);
  assert.ok(m, `tooltip text: ${shown}`);
  return { token: Number(m[1].replace(/,/g, '')), kmer: m[2] };
};

test('item 1: the overview names the step the lanes are drawn at', async () => {
  await setValue('step', 9000, 'input');
  assert.ok((await canvasStrings('overview')).includes('CM-Step @ step 9,000'));
  await setValue('step', 10000, 'input');
  const labels = await canvasStrings('overview');
  assert.ok(labels.includes('CM-Step @ step 10,000'), labels.join(' | '));
  assert.ok(labels.includes('CM-GEMS @ step 10,000'), labels.join(' | '));
  assert.ok(!labels.some((l) => /9,000/.test(l)), labels.join(' | '));
  await setValue('step', 5000, 'input');
});

test('item 2: a loaded metrics.jsonl drives the CM-GEMS status and lane at once', async () => {
  // Perplexity keeps falling by more than the threshold: core's CM-GEMS never switches.
  const lines = [];
  for (let s = 50; s <= 300; s += 50) lines.push({ step: s, loss: 6 - s / 100 }, { step: s, eval_perplexity: 400 - s });
  await upload('metrics-file', 'flat-free.jsonl', metricsJsonl(lines));
  assert.match(await text('#metrics-status'), /never switches/);
  const status = await text('#cm-gems-status');
  assert.doesNotMatch(status, /Load a metrics\.jsonl/);
  assert.match(status, /never switches/);
  const lane = (await canvasStrings('tracks')).join(' | ');
  assert.doesNotMatch(lane, /load metrics/);
  assert.match(lane, /no switch in the loaded metrics/);
  // A log that flattens: the status names the switch right after loading, before any
  // other control moves.
  const flat = [];
  [300, 100, 40, 20, 19.5, 19.4].forEach((p, i) => flat.push({ step: 100 * (i + 1), eval_perplexity: p }));
  await upload('metrics-file', 'flattens.jsonl', metricsJsonl(flat));
  assert.match(await text('#cm-gems-status'), /after step 500/);
  assert.match((await canvasStrings('tracks')).join(' | '), /switch @ 500/);
});

test('item 3: the training plot fits a short run and keeps its labels inside', async () => {
  const lines = [];
  for (let s = 10; s <= 300; s += 10) lines.push({ step: s, loss: 8 - s / 60 });
  for (let s = 50; s <= 300; s += 50) lines.push({ step: s, eval_perplexity: 3510 / (s / 50) });
  await upload('metrics-file', 'short-run.jsonl', metricsJsonl(lines));
  assert.equal(await page.inputValue('#max-steps'), '300');
  assert.equal(await page.getAttribute('#step', 'max'), '300');
  const labels = await canvasStrings('plot');
  assert.ok(labels.includes('300'), `x axis ends at the run's last step: ${labels.join(' | ')}`);
  assert.ok(!labels.includes('10,000'), labels.join(' | '));
  assert.ok(!labels.some((l) => /e[+-]\d/.test(l)), `no exponent notation: ${labels.join(' | ')}`);
  await assertTextInside('plot');
  // The curves use the plot's width: the loss line reaches the right half.
  const xs = await state(() => window.__inspector.state.plotExtent);
  assert.ok(xs && xs.lastX > xs.left + 0.9 * (xs.right - xs.left), JSON.stringify(xs));
  await page.locator('#plot-section').screenshot({ path: path.join(OUT, 'plot-300-steps.png') });
});

test('item 4: the tooltip follows the token under the pointer after wheel, go-to and record change', async () => {
  const one = randomDna(3000, 11), two = randomDna(2000, 12);
  await paste(`>one\n${one}\n>two\n${two}\n`);
  await page.locator('#canvas-wrap').scrollIntoViewIfNeeded();
  const p = await tokenPoint(3);
  await page.mouse.move(p.x, p.y);
  // Token n (1-based) is the k-mer at nucleotides n..n+5.
  const kmerOf = (seq, token) => seq.slice(token - 1, token + 5);
  assert.deepEqual(await tooltip(), { token: 4, kmer: kmerOf(one, 4) });
  await page.mouse.wheel(0, 400);
  await settled(page);
  const first = await state(() => window.__inspector.state.firstToken);
  assert.ok(first > 0, 'the wheel scrolled');
  assert.deepEqual(await tooltip(), { token: first + 4, kmer: kmerOf(one, first + 4) }, 'after the wheel');
  await setValue('goto', 1500);
  assert.deepEqual(await tooltip(), { token: 1503, kmer: kmerOf(one, 1503) }, 'after go-to');
  await setValue('record', 1);
  assert.deepEqual(await tooltip(), { token: 4, kmer: kmerOf(two, 4) }, 'after the record change');
});

test('item 6: the viewer bar and the page fit a long header and an 800 px window', async () => {
  const gap = async () => state(() => {
    const l = document.querySelector('label[for=zoom]').getBoundingClientRect();
    const s = document.getElementById('zoom').getBoundingClientRect();
    return { gap: s.left - l.right, dy: Math.abs(s.top + s.height / 2 - (l.top + l.height / 2)) };
  });
  // Headers of every length: the bar wraps somewhere, never between "zoom" and its menu.
  const dna = randomDna(2000, 13);
  for (const width of [1400, 800]) {
    await page.setViewportSize({ width, height: 1000 });
    for (let n = 10; n <= 160; n += 10) {
      await paste(`>${'header '.repeat(40).slice(0, n)}\n${dna}\n`);
      const g = await gap();
      assert.ok(g.gap >= 0 && g.gap < 16 && g.dy < 6, `${width} px, header of ${n}: zoom label to its menu ${JSON.stringify(g)}`);
    }
  }
  await paste(`>${'very long FASTA header with many words '.repeat(8)}\n${dna}\n`);
  try {
    const widths = await state(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(widths.scroll <= widths.client, `the page scrolls sideways: ${JSON.stringify(widths)}`);
    // Plot text is drawn at its CSS size: the canvas is not scaled down.
    const plot = await state(() => { const c = document.getElementById('plot'); return { css: c.getBoundingClientRect().width, px: c.width, dpr: devicePixelRatio }; });
    assert.ok(Math.abs(plot.px / plot.dpr - plot.css) < 2, `plot canvas ${plot.px} px shown at ${plot.css} CSS px`);
    await assertTextInside('plot');
    await page.screenshot({ path: path.join(OUT, 'page-800px.png'), fullPage: true });
  } finally {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await settled(page);
  }
});

test('item 7: counting a small genome at the papers\' c says what happened and suggests a c', async () => {
  const fasta = `>lambda-sized\n${randomDna(48_502, 21).replace(/(.{70})/g, '$1\n')}\n`;
  await setValue('min-count', 101);
  await upload('count-file', 'small.fa', fasta);
  const message = await text('#message');
  assert.doesNotMatch(message, /empty input/);
  assert.match(message, /48,502 letters/);
  assert.match(message, /no 6-mer occurs 101 times/);
  const suggested = Number(message.match(/try min count c = (\d+)/)[1]);
  assert.ok(suggested >= 1 && suggested < 101, message);
  await setValue('min-count', suggested);
  await upload('count-file', 'small.fa', fasta);
  assert.match(await text('#table-status'), new RegExp(`small\\.fa, counted in the browser .*min count ${suggested}`));
  await page.click('#table-default');
  await settled(page);
  await setValue('min-count', 101);
});

test('item 8: the authors\' CSV is labelled by what it holds and claims no counts', async () => {
  const rows = ['ngram,dp.true.pmi,norm_dp_true_pmi,norm_pmi_rank_rel'];
  for (let c = 0; c < 4096; c++) {
    const kmer = Array.from({ length: 6 }, (_, i) => 'ATCG'[(c >> (2 * (5 - i))) & 3]).join('');
    rows.push(`${kmer},${(2.85 - c / 2000).toFixed(4)},${(2.1 - c / 2000).toFixed(4)},${c + 1}`);
  }
  await upload('table-file', 'Data-A_norm-pmi-score-ranking.csv', rows.join('\n') + '\n');
  const status = await text('#table-status');
  assert.doesNotMatch(status, /count ≥/);
  assert.match(status, /no counts/);
  const head = await page.locator('#top thead').innerText();
  assert.doesNotMatch(head, /\bNPMI\b/);
  assert.match(head, /normalised PMI/i);
  assert.equal(await page.locator('#top tbody tr').first().locator('td').nth(2).innerText(), '2.100');
  // A table with counts is still called NPMI, with its min count.
  await page.click('#table-default');
  await settled(page);
  assert.match(await text('#table-status'), /count ≥ 101/);
  assert.match(await page.locator('#top thead').innerText(), /\bNPMI\b/);
});

test('item 9: go-to, the file picker and export follow the sequence shown', async () => {
  await paste(`>first\n${randomDna(4000, 31)}\n`);
  await setValue('goto', 3000);
  await upload('seq-file', 'picked.fa', `>picked\n${randomDna(1200, 32)}\n`);
  assert.equal(await page.inputValue('#goto'), '', 'go to token kept the old number');
  await page.evaluate(() => {
    const el = document.getElementById('seq-input');
    el.value = `>typed\n${'ACGT'.repeat(300)}\n`;
    el.dispatchEvent(new Event('input'));
  });
  await settled(page);
  assert.equal(await page.evaluate(() => document.getElementById('seq-file').files.length), 0, 'the picker still names picked.fa');
  // No sequence shown: export says so instead of doing nothing.
  await paste('MKTAYIAKQRQ');
  await page.click('#export');
  assert.match(await text('#message'), /Nothing to export/);
});

test('item 11: the stats table says why masked shares differ (spans drawn, overlaps)', async () => {
  await page.selectOption('#example', '0');
  await settled(page);
  const s = await state(() => {
    const b = window.__inspector.state.byStrategy;
    return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.stats]));
  });
  for (const [name, x] of Object.entries(s)) {
    assert.ok(x.drawn_tokens >= x.masked, `${name}: drawn ${x.drawn_tokens} < masked ${x.masked}`);
    const cell = await page.locator(`#stats tbody tr[data-strategy="${name}"] td.overlap`).first().innerText();
    assert.match(cell, new RegExp(`${x.drawn_spans.toLocaleString('en-US')} spans? .*${x.drawn_tokens.toLocaleString('en-US')} tokens`), cell);
    assert.match(cell, new RegExp(`${(x.drawn_tokens - x.masked).toLocaleString('en-US')} overlap`), cell);
  }
  // GLOBAL's k-mers cluster: it draws about the same budget as the others, but its spans
  // overlap, so fewer tokens end up hidden.
  const g = s.global;
  assert.ok(g.drawn_tokens <= g.whole_kmers * 11 && g.drawn_tokens > g.whole_kmers * 6, JSON.stringify(g));
  assert.ok(g.drawn_tokens > g.masked, JSON.stringify(g));
  assert.match(await text('#stats-section .note'), /overlap/);
  await page.locator('#stats-section').screenshot({ path: path.join(OUT, 'stats-overlap.png') });
});

const FIVE_MB = 5 * 1024 * 1024;

// How long the paste and a keystroke take is measured by bench/run.js (paste_5mb), not
// asserted here: on a loaded 2-core CI any bound is either flaky or meaningless. This test
// checks what keeps the page responsive: the megabytes never enter the textarea, and a
// keystroke afterwards edits a box that holds one character.
test('item 10: a 5 MB paste is held like a file, not in the textarea, and typing replaces it', async () => {
  const n = FIVE_MB;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  await page.evaluate((len) => {
    let x = 7, s = '';
    const parts = [];
    for (let i = 0; i < len; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; s += 'ACGT'[x & 3]; if (s.length === 65536) { parts.push(s); s = ''; } }
    parts.push(s);
    return navigator.clipboard.writeText(parts.join(''));
  }, n);
  await page.focus('#seq-input');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  await page.waitForFunction((len) => window.__inspector.state.view?.nucleotides.length === len, n, { timeout: 60_000 });
  await settled(page);
  assert.equal(await page.inputValue('#seq-input'), '', 'megabytes landed in the textarea');
  assert.match(await page.getAttribute('#seq-input', 'placeholder'), /5,242,880 characters, held like a file/);
  assert.equal(await page.locator('#seq-input.held').count(), 1, 'the box is not marked as holding text');
  assert.match(await text('#seq-summary'), /5,242,880 nt · 5,242,875 tokens/);
  // A keystroke in the box replaces the held text, as choosing another file would.
  await page.keyboard.type('A');
  await settled(page);
  assert.equal(await page.inputValue('#seq-input'), 'A');
  assert.equal(await page.locator('#seq-input.held').count(), 0);
  assert.doesNotMatch(await page.getAttribute('#seq-input', 'placeholder'), /held like a file/);
  assert.match(await text('#message'), /at least k = 6/);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  await page.waitForFunction((len) => window.__inspector.state.view?.nucleotides.length === len, n, { timeout: 60_000 });
  await settled(page);
});

test('item 5: on 5 Mb the overview\'s labels fit and each zoom shows what its name says', async () => {
  if (await state(() => window.__inspector.state.view?.nucleotides.length) !== FIVE_MB) await paste(randomDna(FIVE_MB, 7));
  await assertTextInside('overview');
  assert.ok((await canvasStrings('overview')).includes('5,242,875'));
  const options = await page.locator('#zoom option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent })));
  const tokens = 5_242_875;
  for (const o of options) {
    await page.selectOption('#zoom', o.value);
    await settled(page);
    const r = await state(() => ({ ...window.__inspector.state.lastRender, cols: document.getElementById('canvas-wrap').clientWidth - 210 }));
    const shown = r.last - r.first;
    const per = o.label.match(/([\d,]+) tokens\/px/);
    if (/whole/.test(o.label)) assert.equal(shown, tokens, `${o.label} shows ${shown} tokens`);
    if (per) {
      const want = Number(per[1].replace(/,/g, '')) * r.cols;
      assert.ok(Math.abs(shown - Math.min(want, tokens)) <= Number(per[1].replace(/,/g, '')), `${o.label} shows ${shown} tokens, ${r.cols} px`);
    }
    await assertTextInside('tracks');
  }
  await page.locator('#viewer').screenshot({ path: path.join(OUT, 'viewer-5mb.png') });
  await page.selectOption('#zoom', '16');
  await settled(page);
});
