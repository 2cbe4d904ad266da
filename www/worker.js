// The inspector's engine: cmgems-core compiled to WebAssembly, run off the main thread so
// that tokenizing a long sequence, masking it five ways or counting a dropped FASTA never
// freezes the page. The main thread (app.js and js/) only draws what this worker sends back.
//
// Protocol: the page posts {id, type, ...args}; the worker answers {id, ok, result} or
// {id, ok: false, error}, and long jobs post {id, progress: {done, total, note}} first.
import init, * as cm from './pkg/cmgems_web.js';

const ready = init();

const state = {
  k: 6,
  defaults: new Map(), // k -> built-in SYNTHETIC table
  table: null,
  tableIsDefault: true,
  sequences: null,
  current: null, // TokenizedSequence
  ids: null, // Uint32Array of the current sequence's token ids
};

function defaultTable(k) {
  if (!state.defaults.has(k)) state.defaults.set(k, cm.NpmiTable.synthetic(k));
  return state.defaults.get(k);
}

function tableInfo() {
  const t = state.table;
  const top = t.top(30);
  if (state.ids && state.current && state.current.k === t.k) {
    // Occurrences of each top k-mer in the current sequence, by token id.
    const hist = new Uint32Array(cm.vocabSize(t.k));
    for (const id of state.ids) hist[id]++;
    for (const row of top) row.in_sequence = hist[cm.kmerId(row.kmer)];
  }
  // The authors' CSV has ranks and their own normalised PMI (up to 2.1), but no counts: the
  // page must neither call that score NPMI nor claim a min count.
  const hasCounts = top.some((row) => row.count != null);
  const npmiRange = top.every((row) => row.npmi == null || Math.abs(row.npmi) <= 1);
  return {
    k: t.k, source: t.source, scored: t.scored, minCount: t.minCount,
    isDefault: state.tableIsDefault, top, hasCounts, npmiRange,
  };
}

function sequenceView() {
  const s = state.current;
  state.ids = s.kmerIds();
  const ranks = s.ranks(state.table);
  const nucleotides = s.nucleotides();
  const ids = state.ids.slice();
  return [{
    name: s.name, k: s.k, tokens: s.tokens, inputs: s.inputs, unknown: s.unknown,
    windowTokens: cm.windowTokens(), nucleotides, ranks, ids,
  }, [nucleotides.buffer, ranks.buffer, ids.buffer]];
}

function setTable(table, isDefault) {
  if (state.table && state.table !== table && !state.tableIsDefault) state.table.free();
  state.table = table;
  state.tableIsDefault = isDefault;
}

async function readFileBytes(file, onChunk, progress) {
  // .gz files are inflated by the browser; progress follows the compressed bytes read.
  let read = 0;
  const counter = new TransformStream({
    transform(chunk, ctl) {
      read += chunk.byteLength;
      progress({ done: read, total: file.size });
      ctl.enqueue(chunk);
    },
  });
  let stream = file.stream().pipeThrough(counter);
  if (/\.gz$/i.test(file.name)) stream = stream.pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onChunk(value);
  }
}

const handlers = {
  async init({ k }) {
    state.k = k;
    const t0 = performance.now();
    setTable(defaultTable(k), true);
    return [{ version: cm.version(), table: tableInfo(), examples: cm.examples(k), ms: performance.now() - t0 }];
  },

  async setK({ k }) {
    state.k = k;
    let note = null;
    if (state.table.k !== k) {
      if (!state.tableIsDefault) note = `The uploaded table is for k = ${state.table.k}; using the built-in table for k = ${k}.`;
      setTable(defaultTable(k), true);
    }
    return [{ table: tableInfo(), examples: cm.examples(k), note }];
  },

  async parse({ text }) {
    if (state.sequences) state.sequences.free();
    state.sequences = null;
    state.sequences = new cm.Sequences(text, state.k);
    return [{ records: state.sequences.summaries() }];
  },

  async select({ index }) {
    if (state.current) state.current.free();
    state.current = null;
    state.current = state.sequences.tokenize(index);
    const [view, transfer] = sequenceView();
    view.table = tableInfo();
    return [view, transfer];
  },

  async mask({ strategies, seed, lookup, widening }) {
    const t0 = performance.now();
    const lanes = cm.maskLanes(state.current, state.table, strategies, seed, lookup, widening);
    const flags = [];
    for (let i = 0; i < lanes.length; i++) flags.push(lanes.flags(i));
    const stats = lanes.stats();
    lanes.free();
    return [{ flags, stats, maskMs: performance.now() - t0 }, flags.map((f) => f.buffer)];
  },

  async loadTable({ name, text }) {
    const trimmed = text.trimStart();
    const table = trimmed.startsWith('{') ? cm.NpmiTable.fromJson(text) : cm.NpmiTable.fromGenemaskCsv(text);
    if (table.k !== state.k) {
      const k = table.k;
      table.free();
      throw new Error(`"${name}" is a table for k = ${k}, but k = ${state.k} is selected: choose k = ${k} first.`);
    }
    setTable(table, false);
    return [{ table: tableInfo(), ranks: state.current ? state.current.ranks(state.table) : null }];
  },

  async useDefaultTable() {
    setTable(defaultTable(state.k), true);
    return [{ table: tableInfo(), ranks: state.current ? state.current.ranks(state.table) : null }];
  },

  async tableJson() {
    return [{ json: state.table.toJson() }];
  },

  // Runs in a second instance of this worker, so the engine stays free while it counts.
  async countFasta({ file, k, minCount }, progress) {
    const builder = new cm.TableBuilder(k);
    const t0 = performance.now();
    try {
      await readFileBytes(file, (bytes) => builder.push(bytes), (p) => progress({
        ...p, note: `${(builder.letters() / 1e6).toFixed(1)} M letters in ${builder.records()} records`,
      }));
      const letters = builder.letters();
      const records = builder.records();
      const table = builder.finish(minCount, `${file.name}, counted in the browser (${records} records, ${letters} letters, min count ${minCount})`);
      const json = table.toJson();
      table.free();
      return [{ json, letters, records, ms: performance.now() - t0 }];
    } finally {
      builder.free();
    }
  },

  async cmStep({ maxSteps, step, seed }) {
    const points = [];
    for (let i = 0; i <= 200; i++) points.push(Math.round((maxSteps * i) / 200));
    return [{ draw: cm.cmStepDraw(maxSteps, step, seed), widening: cm.randommaskWidening(maxSteps, step), schedule: { steps: points, p: Array.from(cm.cmStepPGlobal(maxSteps, Float64Array.from(points))) } }];
  },

  async cmGems({ steps, perplexities, threshold }) {
    return [{ switch: cm.cmGemsSwitch(Float64Array.from(steps), Float64Array.from(perplexities), String(threshold), 1) }];
  },
};

self.onmessage = async (e) => {
  const { id, type, ...args } = e.data;
  try {
    await ready;
    const [result, transfer] = await handlers[type](args, (p) => self.postMessage({ id, progress: p }));
    self.postMessage({ id, ok: true, result }, transfer || []);
  } catch (err) {
    self.postMessage({ id, ok: false, error: String((err && err.message) || err) });
  }
};
