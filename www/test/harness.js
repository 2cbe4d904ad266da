// Shared by the e2e test and the benchmark: a static server for www/ on 127.0.0.1 and a
// headless Chromium that the test suite never downloads (Debian's /usr/bin/chromium).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
};

export async function serve(root = WWW) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(data);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmgems-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => { await context.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

// Waits until the page has no request in flight (see window.__inspector.settled).
export async function settled(page) {
  await page.waitForFunction(() => window.__inspector !== undefined);
  await page.evaluate(() => window.__inspector.settled());
}

// Puts text in the sequence box as typing would (an input event) and waits for the page.
export async function pasteInto(page, value) {
  await page.evaluate((v) => {
    const el = document.getElementById('seq-input');
    el.value = v;
    el.dispatchEvent(new Event('input'));
  }, value);
  await settled(page);
}

// Sets a control's value, fires `event` (change by default) and waits for the page.
export async function setInput(page, id, value, event = 'change') {
  await page.evaluate(([i, v, e]) => {
    const el = document.getElementById(i);
    el.value = String(v);
    el.dispatchEvent(new Event(e));
  }, [id, value, event]);
  await settled(page);
}

// Chooses a file made of `content` in the file input `id` and waits for the page.
export async function uploadFile(page, id, name, content) {
  await page.setInputFiles(`#${id}`, { name, mimeType: 'text/plain', buffer: Buffer.from(content) });
  await settled(page);
}

// A seeded pseudo-random DNA string (xorshift32), so tests need no data files.
export function randomDna(n, seed = 1) {
  let x = seed >>> 0 || 1;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = 'ACGT'[x & 3];
  }
  return out.join('');
}

// Records the text each canvas shows, so tests can read labels drawn on canvases: for every
// fillText, the string and its horizontal extent in canvas pixels (from textAlign, the
// measured width, maxWidth and the transform). A clearRect from (0, 0) starts the canvas
// afresh; drawImage of another canvas copies that canvas's texts. Read them in the page with
// window.__canvasText('overview').
export const RECORD_CANVAS_TEXT = () => {
  const texts = new WeakMap();
  const of = (canvas) => texts.get(canvas) || texts.set(canvas, []).get(canvas);
  const P = CanvasRenderingContext2D.prototype;
  const { fillText, clearRect, drawImage } = P;
  P.fillText = function (text, x, y, maxWidth) {
    const s = String(text);
    let w = this.measureText(s).width;
    if (maxWidth !== undefined) w = Math.min(w, maxWidth);
    const m = this.getTransform();
    const align = this.textAlign;
    const lx = align === 'center' ? x - w / 2 : align === 'right' || align === 'end' ? x - w : x;
    const rotated = Math.abs(m.b) > 1e-9 || Math.abs(m.c) > 1e-9;
    of(this.canvas).push({ text: s, left: m.a * lx + m.e, right: m.a * (lx + w) + m.e, rotated, font: this.font, scale: m.a });
    return fillText.call(this, text, x, y, ...(maxWidth === undefined ? [] : [maxWidth]));
  };
  P.clearRect = function (x, y, ...rest) {
    if (x === 0 && y === 0) texts.set(this.canvas, []);
    return clearRect.call(this, x, y, ...rest);
  };
  P.drawImage = function (src, ...rest) {
    if (src instanceof HTMLCanvasElement && texts.has(src)) of(this.canvas).push(...texts.get(src));
    return drawImage.call(this, src, ...rest);
  };
  window.__canvasText = (id) => (texts.get(document.getElementById(id)) || []).map((t) => ({ ...t, width: document.getElementById(id).width }));
};
