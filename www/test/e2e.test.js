// End-to-end test of the inspector in real headless Chromium (Debian's, never downloaded):
// node --test test/e2e.test.js   (after build.sh; from www/)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { serve, launch, settled, pasteInto, setInput, uploadFile, randomDna, WWW } from './harness.js';

const OUT = path.join(WWW, 'test-output');
let srv, browser, page;
const pageErrors = [];
const consoleErrors = [];

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  assert.ok(fs.existsSync(path.join(WWW, 'pkg', 'cmgems_web_bg.wasm')), 'run www/build.sh first');
  srv = await serve();
  browser = await launch();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await page.goto(srv.url);
  await settled(page);
});

after(async () => {
  await browser?.close();
  await srv?.close();
});

// ---- helpers ----
const stats = () => page.evaluate(() => {
  const s = window.__inspector.state.byStrategy;
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.stats]));
});
// A short fingerprint of a lane's flags (which tokens are masked).
const laneKey = (strategy) => page.evaluate((s) => {
  const f = window.__inspector.state.byStrategy[s].flags;
  let h = 0;
  for (let i = 0; i < f.length; i++) if (f[i] & 1) h = (Math.imul(h, 31) + i + 1) | 0;
  return `${f.length}:${h}`;
}, strategy);
const text = (sel) => page.locator(sel).innerText();
const paste = (value) => pasteInto(page, value);
const setValue = (id, value, event) => setInput(page, id, value, event);
const upload = (id, name, content) => uploadFile(page, id, name, content);
const KMER = (code, k) => Array.from({ length: k }, (_, i) => 'ATCG'[(code >> (2 * (k - 1 - i))) & 3]).join('');

// A cmgems-npmi table made by the test: GC-rich k-mers rank first (rank by GC count, ties by code).
function toyTableJson(k = 6) {
  const codes = Array.from({ length: 4 ** k }, (_, c) => c);
  const gc = (c) => [...KMER(c, k)].filter((b) => b === 'G' || b === 'C').length;
  codes.sort((a, b) => gc(b) - gc(a) || a - b);
  const rows = codes.map((c, i) => ({ kmer: KMER(c, k), rank: i + 1, count: null, pmi: null, npmi: 1 - i / 4096 }));
  return JSON.stringify({ format: 'cmgems-npmi', version: 1, k, min_count: 101, source: 'e2e toy table (GC-rich first)', kmers: rows });
}

test('the page loads the built-in SYNTHETIC table and example, with six lanes', async () => {
  assert.match(await text('#table-status'), /SYNTHETIC/);
  assert.match(await text('#seq-summary'), /515 nt · 510 tokens in 1 model input/);
  const rows = await page.locator('#stats tbody tr').count();
  assert.equal(rows, 6);
  assert.match(await text('#stats tbody'), /Random span[\s\S]*GeneMask[\s\S]*GLOBAL[\s\S]*CM-Step[\s\S]*CM-GEMS[\s\S]*RandomMask/);
  assert.ok((await page.locator('#top tbody tr').count()) >= 10);
  assert.deepEqual(pageErrors, []);
});

test('a pasted two-record FASTA is tokenized, masked and summarised per lane', async () => {
  const a = randomDna(1800, 7) + 'TATAAAAGGGGCGGGG'.repeat(4);
  const b = randomDna(700, 9);
  await paste(`>first made-up\n${a}\n>second made-up\n${b}\n`);
  assert.equal(await page.locator('#record option').count(), 2);
  assert.ok(await page.locator('#record').isVisible());
  assert.match(await text('#seq-summary'), new RegExp(`${(a.length - 5).toLocaleString('en-US')} tokens in 4 model inputs`));
  const s = await stats();
  for (const [name, st] of Object.entries(s)) {
    assert.equal(st.maskable, a.length - 5, name);
    assert.ok(st.masked_share > 0.03 && st.masked_share < 0.35, `${name} share ${st.masked_share}`);
  }
  assert.equal(s.random.whole_kmers, 0);
  assert.ok(s.global.whole_kmers > 0 && s.genemask.whole_kmers > 0);
  // GLOBAL picks the best-ranked k-mers of each input, GeneMask the best near its centres.
  assert.ok(s.global.mean_rank_whole_kmers < s.genemask.mean_rank_whole_kmers, JSON.stringify(s));
  assert.ok(s.genemask.mean_rank_whole_kmers < s.global.mean_rank_all, JSON.stringify(s));
  assert.ok(s.global.top1_hidden_share > s.random.top1_hidden_share, JSON.stringify(s));
  // The DOM table shows the same numbers.
  const globalRow = await text('#stats tbody tr[data-strategy="global"]');
  assert.match(globalRow, new RegExp(`${(100 * s.global.masked_share).toFixed(1)}%`));
  // The second record.
  await setValue('record', 1);
  assert.match(await text('#seq-summary'), /second made-up · 700 nt · 695 tokens in 2 model inputs/);
  await setValue('record', 0);
});

test('seeds: resample changes the masks, the same seed gives them back', async () => {
  const before1 = await laneKey('random');
  const g1 = await laneKey('genemask');
  await page.click('#resample');
  await settled(page);
  assert.equal(await page.inputValue('#seed'), '2');
  assert.notEqual(await laneKey('random'), before1);
  assert.notEqual(await laneKey('genemask'), g1);
  await setValue('seed', 1);
  assert.equal(await laneKey('random'), before1);
  assert.equal(await laneKey('genemask'), g1);
});

test('the as-coded rank lookup changes the PMI masks, not random span', async () => {
  const r = await laneKey('random');
  const g = await laneKey('global');
  const described = (await stats()).global;
  await page.check('#as-coded');
  await settled(page);
  assert.equal(await laneKey('random'), r);
  assert.notEqual(await laneKey('global'), g);
  // As coded, GLOBAL no longer aims at the sequence's best k-mers.
  const coded = (await stats()).global;
  assert.ok(coded.mean_rank_whole_kmers > 3 * described.mean_rank_whole_kmers, `${coded.mean_rank_whole_kmers} vs ${described.mean_rank_whole_kmers}`);
  await page.uncheck('#as-coded');
  await settled(page);
  assert.equal(await laneKey('global'), g);
});

test('the step slider switches the CM-Step lane between random span and GLOBAL', async () => {
  await setValue('step', 0, 'input');
  assert.match(await text('#cm-step-status'), /p_global = 0\.00/);
  assert.match(await text('#stats tbody'), /CM-Step @ step 0 → Random span/);
  await setValue('step', 10000, 'input');
  assert.match(await text('#cm-step-status'), /p_global = 1\.00/);
  assert.match(await text('#stats tbody'), /CM-Step @ step 10,000 → GLOBAL/);
  await setValue('step', 5000, 'input');
});

test('the step slider widens the RandomMask lane: random span at step 0, wider at the end', async () => {
  await setValue('step', 0, 'input');
  await settled(page);
  assert.equal(await laneKey('randommask'), await laneKey('random'));
  await setValue('step', 10000, 'input');
  await settled(page);
  assert.notEqual(await laneKey('randommask'), await laneKey('random'));
  await setValue('step', 5000, 'input');
  await settled(page);
});

test('uploaded tables (cmgems JSON, authors\' CSV) re-rank the k-mers and move the PMI masks', async () => {
  const before = await laneKey('global');
  await upload('table-file', 'toy.json', toyTableJson());
  assert.match(await text('#table-status'), /Uploaded[\s\S]*e2e toy table/);
  assert.equal(await page.locator('#top tbody tr td.kmer').first().innerText(), 'CCCCCC');
  assert.notEqual(await laneKey('global'), before);
  // With GC-rich k-mers first, GLOBAL's masked k-mers are GC-rich.
  const gcShare = await page.evaluate(() => {
    const st = window.__inspector.state;
    const f = st.byStrategy.global.flags, v = st.view;
    let gc = 0, n = 0;
    for (let t = 0; t < v.tokens; t++) if (f[t] & 4) for (let j = 0; j < 6; j++) { n++; gc += 'GC'.includes(String.fromCharCode(v.nucleotides[t + j])); }
    return gc / n;
  });
  assert.ok(gcShare > 0.75, `GC share of GLOBAL's whole k-mers ${gcShare}`);
  // The authors' CSV format (header + 4096 rows), AT-rich first this time.
  const rows = ['ngram,norm_pmi_rank_rel'];
  for (let c = 0; c < 4096; c++) rows.push(`${KMER(c, 6)},${c + 1}`);
  await upload('table-file', 'genemask.csv', rows.join('\n') + '\n');
  assert.equal(await page.locator('#top tbody tr td.kmer').first().innerText(), 'AAAAAA');
  // A broken file gets a message and leaves the table as it was.
  await upload('table-file', 'broken.json', '{"format": "cmgems-npmi", "version": 1}');
  assert.match(await text('#message'), /Could not read "broken.json"/);
  await page.click('#table-default');
  await settled(page);
  assert.match(await text('#table-status'), /SYNTHETIC/);
});

test('a gzipped FASTA is counted into a table in a second Web Worker, with progress', async () => {
  let fasta = '';
  for (let r = 0; r < 3; r++) {
    fasta += `>corpus ${r}\n`;
    let seq = '';
    for (let i = 0; i < 400; i++) seq += randomDna(150, 100 * r + i) + (i % 3 ? 'CACACACACACACA' : 'GATAAGGA');
    fasta += seq.replace(/(.{70})/g, '$1\n') + '\n';
  }
  await page.setInputFiles('#count-file', { name: 'corpus.fa.gz', mimeType: 'application/gzip', buffer: zlib.gzipSync(fasta) });
  await page.waitForFunction(() => /Counted/.test(document.getElementById('count-status').textContent), null, { timeout: 60000 });
  await settled(page);
  assert.match(await text('#count-status'), /in 3 records/);
  assert.ok(await page.evaluate(() => window.__inspector.state.countProgress) >= 1, 'progress was reported');
  assert.match(await text('#table-status'), /corpus\.fa\.gz, counted in the browser \(3 records, 194388 letters/);
  const top = await page.locator('#top tbody tr td.kmer').allInnerTexts();
  assert.ok(top.slice(0, 10).some((k) => ['CACACA', 'ACACAC', 'GATAAG', 'ATAAGG', 'TAAGGA'].includes(k)), top.join(' '));
  await page.click('#table-default');
  await settled(page);
});

test('a trainer\'s metrics.jsonl is plotted and CM-GEMS is replayed on it', async () => {
  const lines = [];
  const ppl = [300, 120, 60, 30, 20, 15, 14.5, 14.2, 14.0];
  for (let i = 0; i < ppl.length; i++) {
    for (let s = i * 500 + 100; s < (i + 1) * 500; s += 100) lines.push({ step: s, loss: Math.log(ppl[i]) + 0.1, lr: 8e-4, masker: i < 7 ? 'genemask' : 'global' });
    lines.push({ step: (i + 1) * 500, eval_perplexity: ppl[i] });
  }
  await upload('metrics-file', 'metrics.jsonl', lines.map((l) => JSON.stringify(l)).join('\n'));
  // |15 - 14.5| < 1 at the evaluation of step 3500.
  assert.match(await text('#metrics-status'), /switches at step 3,500; the log records a switch at step 3,600/);
  await setValue('step', 3000, 'input');
  assert.match(await text('#stats tbody'), /CM-GEMS @ step 3,000 → GeneMask/);
  await setValue('step', 4000, 'input');
  assert.match(await text('#stats tbody'), /CM-GEMS @ step 4,000 → GLOBAL/);
});

test('a FASTA file dropped on the sequence box is read', async () => {
  const seq = randomDna(900, 3);
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.fa', { type: 'text/plain' }));
    document.getElementById('seq-input').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, `>dropped record\n${seq}\n`);
  await settled(page);
  assert.match(await text('#seq-summary'), /dropped record · 900 nt · 895 tokens in 2 model inputs/);
  await page.selectOption('#example', '2');
  await settled(page);
  assert.equal(await page.locator('#record option').count(), 2);
});

test('the screenshot shows a researcher the lanes (saved for review)', async () => {
  await page.selectOption('#example', '0');
  await settled(page);
  await setValue('zoom', '6');
  // Start the window a little before GLOBAL's first whole k-mer, so every kind of lane shows.
  const firstGlobal = await page.evaluate(() => window.__inspector.state.byStrategy.global.flags.findIndex((x) => x & 4));
  await setValue('goto', Math.max(1, firstGlobal - 80));
  // Hover GeneMask's first whole k-mer in view so the tooltip is in the picture.
  const hover = await page.evaluate(() => {
    const st = window.__inspector.state;
    const f = st.byStrategy.genemask.flags;
    let t = st.firstToken;
    while (t < f.length && !(f[t] & 4)) t++;
    const r = document.getElementById('tracks').getBoundingClientRect();
    return { x: r.left + 210 + (t - st.firstToken) * st.cellPx + 3, y: r.top + 18 + 18 + 20 + 8 + (30 + 5) + 15 };
  });
  await page.mouse.move(hover.x, hover.y);
  assert.match(await text('#tooltip'), /hidden by: .*GeneMask \(whole k-mer\)/);
  await page.screenshot({ path: path.join(OUT, 'inspector.png'), fullPage: true });
  await page.locator('#viewer').screenshot({ path: path.join(OUT, 'viewer.png') });
  assert.ok(fs.statSync(path.join(OUT, 'inspector.png')).size > 20000);
  await setValue('zoom', '16');
});

test('masks export as JSON that matches the lanes', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const file = path.join(OUT, 'masks.json');
  await download.saveAs(file);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const s = await stats();
  assert.equal(doc.format, 'cmgems-inspector-masks');
  assert.equal(doc.lanes.length, 6);
  assert.equal(doc.lanes[5].strategy, 'randommask');
  assert.equal(doc.lanes[2].strategy, 'global');
  assert.equal(doc.lanes[2].masked_tokens.length, s.global.masked);
  assert.equal(doc.lanes[0].masked_tokens.length, s.random.masked);
  assert.equal(doc.seed, 1);
});

test('input that is not DNA gets a clear message', async () => {
  await paste('MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ');
  assert.ok(await page.locator('#message').isVisible());
  assert.match(await text('#message'), /This is not DNA: line 1, column 6 holds 'I'/);
  await page.screenshot({ path: path.join(OUT, 'not-dna.png') });
  await paste('ACGT');
  assert.match(await text('#message'), /at least k = 6/);
  await paste('ACGTACGTAC');
  assert.ok(!(await page.locator('#message').isVisible()));
});

test('k = 4: the built-in table and the tokens follow k', async () => {
  await paste(`>k test\n${randomDna(1000, 5)}\n`);
  await setValue('k', 4);
  assert.match(await text('#table-status'), /SYNTHETIC[\s\S]*k = 4 ·/);
  assert.match(await text('#seq-summary'), /997 tokens in 2 model inputs/);
  const s = await stats();
  assert.ok(s.global.whole_kmers > 0 && s.global.masked > 0);
  await setValue('k', 6);
  assert.match(await text('#seq-summary'), /995 tokens/);
});

// How fast is for bench/run.js (median and p90 over 21 runs); this test checks that each
// mask + render is measured and that the footer reports that measurement.
test('100 kb: each mask + render is measured, and the footer shows the measurement', async () => {
  await paste(randomDna(100_000, 42));
  assert.match(await text('#seq-summary'), /99,995 tokens in 197 model inputs/);
  for (const [control, strategies] of [['#resample', 4], ['#as-coded', 2]]) {
    await page.evaluate(() => { window.__inspector.state.timing = null; });
    await page.click(control);
    await settled(page);
    const t = await page.evaluate(() => window.__inspector.timing);
    assert.ok(t, `${control}: nothing was measured`);
    assert.equal(t.tokens, 99_995);
    for (const key of ['maskMs', 'roundTripMs', 'renderMs', 'totalMs']) assert.ok(Number.isFinite(t[key]) && t[key] >= 0, `${key} = ${t[key]}`);
    // All on the page's clock: the total spans the round trip and the drawing.
    assert.ok(t.totalMs >= t.roundTripMs && t.totalMs >= t.renderMs, JSON.stringify(t));
    const ms = (x) => x.toFixed(1).replace('.', '\\.');
    assert.match(await text('#timing'), new RegExp(`^mask ${strategies} strategies \\+ render 99,995 tokens: ${ms(t.totalMs)} ms \\(mask in worker ${ms(t.maskMs)} ms, draw ${ms(t.renderMs)} ms\\)$`));
  }
  await page.uncheck('#as-coded');
  await settled(page);
});

test('1 Mb stays responsive: only the visible tokens are drawn', async () => {
  const t0 = Date.now();
  await paste(randomDna(1_000_000, 43));
  const loadMs = Date.now() - t0;
  assert.match(await text('#seq-summary'), /999,995 tokens in 1,961 model inputs/);
  const r = await page.evaluate(async () => {
    const ins = window.__inspector;
    const input = document.getElementById('goto');
    const start = performance.now();
    input.value = '500000';
    input.dispatchEvent(new Event('change'));
    const scrollMs = performance.now() - start;
    return { scrollMs, drawn: ins.state.lastRender, timing: ins.timing };
  });
  assert.equal(r.drawn.first, 499_999);
  assert.ok(r.drawn.last - r.drawn.first < 200, `drew ${r.drawn.last - r.drawn.first} tokens`);
  console.log(`1 Mb: paste-to-settled ${loadMs} ms, mask+render ${r.timing.totalMs.toFixed(1)} ms, scroll redraw ${r.scrollMs.toFixed(1)} ms`);
  await setValue('zoom', '0.05');
  await page.locator('#viewer').screenshot({ path: path.join(OUT, 'viewer-1mb.png') });
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleErrors, []);
});

test('a 50 Mb paste, a 50 MB file and binary files are refused with a message; the page keeps working', async () => {
  await paste(`>before\n${randomDna(300, 3)}\n`);
  const before = await page.inputValue('#seq-input');
  const message = () => text('#message');
  // A real paste event carrying 50 Mb: refused before it lands in the textarea.
  const prevented = await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.setData('text/plain', 'ACGT'.repeat(12_500_000));
    const ev = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
    document.getElementById('seq-input').dispatchEvent(ev);
    return ev.defaultPrevented;
  });
  assert.ok(prevented, 'the paste was let through');
  assert.ok(await page.locator('#message').isVisible());
  assert.match(await message(), /50,000,000 characters; the sequence box takes at most/);
  assert.equal(await page.inputValue('#seq-input'), before);
  // A 50 MB file chosen: refused by its size, never read.
  const big = path.join(OUT, 'big.fa');
  fs.writeFileSync(big, `>big\n${'ACGT'.repeat(12_500_000)}\n`);
  await page.setInputFiles('#seq-file', big);
  await settled(page);
  fs.rmSync(big);
  assert.match(await message(), /"big\.fa" is 50,000,006 bytes/);
  assert.equal(await page.inputValue('#seq-input'), before);
  // A PNG chosen as a sequence file, and as a table.
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000'
    + '1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5a5b70000000049454e44ae426082', 'hex');
  await page.setInputFiles('#seq-file', { name: 'photo.png', mimeType: 'image/png', buffer: png });
  await settled(page);
  assert.match(await message(), /"photo\.png" is not a text file/);
  assert.equal(await page.inputValue('#seq-input'), before);
  await page.setInputFiles('#table-file', { name: 'photo.json', mimeType: 'application/json', buffer: png });
  await settled(page);
  assert.match(await message(), /"photo\.json" is not a text file/);
  // A PNG dropped on the sequence box.
  await page.evaluate((hex) => {
    const bytes = new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16)));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    document.getElementById('seq-input').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, png.toString('hex'));
  await settled(page);
  assert.match(await message(), /"dropped\.png" is not a text file/);
  assert.equal(await page.inputValue('#seq-input'), before);
  // Binary text put straight into the box (no paste event) is refused before the worker.
  await paste(`\u0000\u0001PNG${'\u0000'.repeat(40)}IHDR`);
  assert.match(await message(), /The sequence box is not text/);
  // Still alive: a normal input is inspected as before, the message goes away.
  await paste(`>after\n${randomDna(600, 5)}\n`);
  assert.ok(await page.locator('#message').isHidden());
  assert.match(await text('#seq-summary'), /600 nt · 595 tokens/);
  assert.equal((await stats()).random.maskable, 595);
  assert.deepEqual(pageErrors, []);
});
