#!/usr/bin/env python3
"""Benchmark of cmgems.GenomeDataset (issue 21, item 5), not a test.

    python scripts/bench-genome-python.py --work DIR [--mbp 3100] [--pieces 20000] [--out bench/genome_python.csv]

Generates a seeded synthetic genome in DIR (24 records sized like hg38's chromosomes, scaled
to --mbp megabases, with telomere, centromere and scattered N runs and soft-masked stretches;
not committed), then measures, one process and one thread each:
- the time to build the .2bit store (cmgems.build_genome, as `train genome`);
- the time to the first batch: GenomeDataset opened, first batch of 32 collated and masked;
- pieces per second per core (per CPU second of one thread): GenomeDataset (store, Rust decode + tokenize) against a
  pyfaidx sampler (caduceus' way: a faidx-indexed FASTA, one interval fetched per piece,
  here tokenized by the same Rust tokenizer) and HF `datasets` over a pre-chunked text
  file (one piece per line, the same pieces, tokenized alike), all on the same random pieces:
  a first pass over --first-pieces of them (a cold file: page faults, the first reads),
  then --rounds rounds of --pieces others each (the rate a long run settles at, once the
  first pass is long enough to have touched most of the file). In each round every reader
  reads the round's pieces, in a rotated order, so a slow spell of a shared machine falls
  on all readers alike; the ratios are the median of the rounds' ratios, with their range;
- resident memory with 2 ranks x 2 DataLoader workers (DistributedSampler), each process's
  RSS and the part of it that is the shared .2bit mapping (from /proc/PID/smaps), beside
  the RSS of a process that only imported torch, transformers and cmgems (workers are
  forked: their RSS counts pages shared with their rank).
Needs: the cmgems wheel, torch, pyfaidx and datasets. Prints a table and writes the CSV.
"""

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

# hg38's chromosomes 1-22, X, Y in Mbp.
HG38_MBP = [248.96, 242.19, 198.30, 190.21, 181.54, 170.81, 159.35, 145.14, 138.39, 133.80, 135.09,
            133.28, 114.36, 107.04, 101.99, 90.34, 83.26, 80.37, 58.62, 64.44, 46.71, 50.82, 156.04, 57.23]
NAMES = [f"chr{i}" for i in range(1, 23)] + ["chrX", "chrY"]


def synth_record(rng: np.random.Generator, n: int) -> bytes:
    """ACGT, soft-masked runs (about half the letters), N at both telomeres (10 kb each,
    scaled), a centromere (3%) and a few scattered N runs."""
    seq = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, n)].copy()
    lower = np.zeros(n, dtype=bool)
    pos = 0
    while pos < n:
        pos += int(rng.integers(300, 6000))
        run = int(rng.integers(300, 6000))
        lower[pos : pos + run] = True
        pos += run
    seq[lower] += 32  # lower case
    tel = max(1, min(10_000, n // 300))
    seq[:tel] = ord("N")
    seq[n - tel :] = ord("N")
    c = int(n * rng.uniform(0.3, 0.6))
    seq[c : c + n * 3 // 100] = ord("N")
    for _ in range(max(1, n // 5_000_000)):
        s = int(rng.integers(0, n))
        seq[s : s + int(rng.integers(1000, 50_000))] = ord("N")
    return seq.tobytes()


def write_genome(path: Path, mbp: float, seed: int) -> int:
    rng = np.random.default_rng(seed)
    scale = mbp / sum(HG38_MBP)
    total = 0
    with open(path, "wb") as f:
        for name, size in zip(NAMES, HG38_MBP):
            n = max(20_000, int(size * 1e6 * scale))
            seq = synth_record(rng, n)
            f.write(f">{name}\n".encode())
            for i in range(0, n, 60):
                f.write(seq[i : i + 60] + b"\n")
            total += n
    return total


def timed(f):
    """(f(), wall seconds)."""
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def cpu_timed(f):
    """(f(), CPU seconds of this process): per-core rates that other processes on a shared
    machine do not skew (each reader runs on one thread)."""
    t = time.process_time()
    out = f()
    return out, time.process_time() - t


def rate(read, items):
    """Pieces per CPU second of `read(items)`."""
    return len(items) / cpu_timed(lambda: read(items))[1]


def reader_genome(ds):
    def read(indices):
        for i in range(0, len(indices), 64):
            ds.__getitems__(indices[i : i + 64])
    return read


def reader_pyfaidx(fa_path, coords, tok):
    """Reads pieces given by their place in `coords` (record, start, end)."""
    import pyfaidx

    fa = pyfaidx.Fasta(str(fa_path), as_raw=True, sequence_always_upper=True)

    def read(places):
        for p in places:
            name, start, end = coords[p]
            np.asarray(tok.encode(fa[name][start:end]), dtype=np.int64)
    return read


def reader_datasets(text_path, n, tok, cache):
    """Reads pieces given by their line in the pre-chunked text file."""
    import datasets

    datasets.disable_progress_bars()
    d = datasets.load_dataset("text", data_files=str(text_path), split="train", cache_dir=str(cache))
    assert len(d) == n

    def read(lines):
        for i in lines:
            np.asarray(tok.encode(d[int(i)]["text"]), dtype=np.int64)
    return read


def compare(readers, chunks):
    """Each reader's rate on `chunks[0]` (its cold first pass; readers are made one after
    another, each just before its pass, so no setup warms another's file), then on each
    later chunk in rounds (reader order rotated by round): {name: (cold rate, [round
    rates])}. `chunks` holds piece places; readers[name] = (make read, place -> item)."""
    items = {name: [[of(p) for p in c] for c in chunks] for name, (_, of) in readers.items()}
    reads, out = {}, {}
    for name, (make, _) in readers.items():
        reads[name] = make()
        out[name] = (rate(reads[name], items[name][0]), [])
    names = list(readers)
    for r in range(1, len(chunks)):
        for name in names[r % len(names):] + names[: r % len(names)]:
            out[name][1].append(rate(reads[name], items[name][r]))
    return out


BASELINE_CHILD = r"""
import sys, torch
import cmgems, transformers
print("done", flush=True)
sys.stdin.read()
"""

MEMORY_CHILD = r"""
import os, sys, time, torch
torch.set_num_threads(1)
import cmgems
from torch.utils.data import DataLoader, DistributedSampler
store, table, rank, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
ds = cmgems.GenomeDataset(store, seed=1)
c = cmgems.DataCollatorForCmGems(table=cmgems.NpmiTable.load(table), strategy="genemask")
s = DistributedSampler(ds, num_replicas=2, rank=rank, seed=1)
loader = DataLoader(ds, batch_size=32, sampler=s, num_workers=2, persistent_workers=True, collate_fn=c)
end = time.time() + seconds
while time.time() < end:
    for b in loader:
        if time.time() > end:
            break
print("done", flush=True)
time.sleep(3600)
"""


def memory(pid: int, store: str):
    """(RSS, RSS of the .2bit mapping) in MB from /proc/PID/smaps."""
    rss = mapped = 0
    current = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if "-" in parts[0] and len(parts) >= 5:
                current = parts[5] if len(parts) > 5 else ""
            elif parts[0] == "Rss:":
                kb = int(parts[1])
                rss += kb
                if current == store:
                    mapped += kb
    return rss / 1024, mapped / 1024


def children(pid: int):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def baseline_rss() -> float:
    """RSS (MB) of a process that only imported torch, transformers and cmgems."""
    p = subprocess.Popen([sys.executable, "-c", BASELINE_CHILD], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    p.stdout.readline()
    rss = memory(p.pid, "")[0]
    p.kill()
    p.wait()
    return rss


def memory_ranks(store: Path, table: Path, seconds: float):
    procs = [subprocess.Popen([sys.executable, "-c", MEMORY_CHILD, str(store), str(table), str(r), str(seconds)],
                              stdout=subprocess.PIPE, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
             for r in range(2)]
    for p in procs:
        p.stdout.readline()  # "done": loaders warm, workers alive
    rows = []
    for r, p in enumerate(procs):
        for role, pid in [("rank", p.pid)] + [("worker", c) for c in children(p.pid)]:
            rss, mapped = memory(pid, str(store.resolve()))
            rows.append((r, role, pid, rss, mapped))
    for p in procs:
        p.kill()
        p.wait()
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", required=True, type=Path, help="folder for the genome, the store and the text file")
    p.add_argument("--mbp", type=float, default=3100.0, help="genome size in Mbp (hg38: 3100)")
    p.add_argument("--pieces", type=int, default=20_000, help="pieces timed per reader and round")
    p.add_argument("--rounds", type=int, default=5, help="rounds after the first pass")
    p.add_argument("--first-pieces", type=int, default=0,
                   help="pieces of the first pass (default: --pieces); a long first pass maps most of the file, as a long run does")
    p.add_argument("--memory-seconds", type=float, default=20.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("bench/genome_python.csv"))
    a = p.parse_args()
    import torch

    torch.set_num_threads(1)
    import cmgems
    from torch.utils.data import DataLoader

    a.work.mkdir(parents=True, exist_ok=True)
    # The genome is a function of (mbp, seed): one written before is read again, not rewritten.
    fa = a.work / f"synth-{a.mbp:g}mbp-seed{a.seed}.fa"
    store, text = a.work / "synth.2bit", a.work / "pieces.txt"
    results = []

    def note(name, value, unit):
        results.append((name, f"{value:.4g}", unit))
        print(f"{name:<48} {value:>12.4g} {unit}", flush=True)

    if not fa.exists():
        partial = fa.with_suffix(".partial")
        write_genome(partial, a.mbp, a.seed)
        partial.rename(fa)
    if store.exists():
        store.unlink()
    stats, secs = timed(lambda: cmgems.build_genome([str(fa)], str(store)))
    note("genome (Mbp)", stats["nucleotides"] / 1e6, "Mbp")
    note("store built (cmgems.build_genome)", secs, "s")
    table_path = a.work / "table.json"
    table, secs = timed(lambda: cmgems.NpmiTable.count([str(store)], min_count=101, threads=1))
    table.save(str(table_path))
    note("NPMI table counted from the store, 1 thread", secs, "s")

    t0 = time.perf_counter()
    ds = cmgems.GenomeDataset(store, seed=a.seed)
    collator = cmgems.DataCollatorForCmGems(table=cmgems.NpmiTable.load(str(table_path)), strategy="genemask")
    next(iter(DataLoader(ds, batch_size=32, shuffle=True, collate_fn=collator)))
    note("first batch (open store, 32 pieces masked)", time.perf_counter() - t0, "s")
    note("pieces per epoch", len(ds), "pieces")

    # Random pieces: every reader reads the first pass's, then each round's.
    rng = random.Random(a.seed)
    first = a.first_pieces or a.pieces
    idx = [rng.randrange(len(ds)) for _ in range(first + a.rounds * a.pieces)]
    coords = []
    for i in idx:
        name, start, tokens = ds.piece(i)
        coords.append((name, start, start + tokens + 5))
    tok = cmgems.Tokenizer()

    def datasets_reader():
        # The same pieces pre-chunked, one per line (line p: piece place p).
        with open(text, "w") as f:
            import pyfaidx

            ref = pyfaidx.Fasta(str(fa), as_raw=True, sequence_always_upper=True)
            for name, start, end in coords:
                f.write(ref[name][start:end] + "\n")
        return reader_datasets(text, len(coords), tok, a.work / "hf-cache")

    readers = {
        "GenomeDataset": (lambda: reader_genome(ds), lambda p: idx[p]),
        "pyfaidx sampler": (lambda: reader_pyfaidx(fa, coords, tok), lambda p: p),
        "HF datasets (pre-chunked text)": (datasets_reader, lambda p: p),
    }
    # Piece places: the first pass, then one chunk a round; each chunk in a random order.
    places = list(range(len(coords)))
    chunks = [places[:first]] + [places[first + r * a.pieces : first + (r + 1) * a.pieces] for r in range(a.rounds)]
    for c in chunks:
        rng.shuffle(c)
    rates = compare(readers, chunks)
    g_cold, g_rounds = rates["GenomeDataset"]
    for name, (cold, _) in rates.items():
        note(f"{name} pieces/s (1 core), first pass, cold file", cold, "pieces/s")
    for other in ["pyfaidx sampler", "HF datasets (pre-chunked text)"]:
        note(f"GenomeDataset / {other.split(' (')[0]}, first pass, cold file", g_cold / rates[other][0], "x")
    for name, (_, rounds) in rates.items():
        note(f"{name} pieces/s (1 core), median of {a.rounds} rounds", statistics.median(rounds), "pieces/s")
    for other in ["pyfaidx sampler", "HF datasets (pre-chunked text)"]:
        ratios = [g / o for g, o in zip(g_rounds, rates[other][1])]
        short = other.split(" (")[0]
        note(f"GenomeDataset / {short}, median of {a.rounds} rounds", statistics.median(ratios), "x")
        note(f"GenomeDataset / {short}, lowest round", min(ratios), "x")
        note(f"GenomeDataset / {short}, highest round", max(ratios), "x")

    note("RSS of a process with torch, transformers, cmgems imported", baseline_rss(), "MB")
    for r, role, pid, rss, mapped in memory_ranks(store, table_path, a.memory_seconds):
        note(f"rank {r} {role} {pid}: RSS beyond the store mapping", rss - mapped, "MB")
        note(f"rank {r} {role} {pid}: RSS of the store mapping (shared)", mapped, "MB")

    a.out.parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["measure", "value", "unit"])
        w.writerows(results)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
