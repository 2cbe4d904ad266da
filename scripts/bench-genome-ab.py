#!/usr/bin/env python3
"""A/B of two builds of the cmgems wheel on random pieces of a genome store, in one process.

    python scripts/bench-genome-ab.py STORE SITE_A SITE_B [ROUNDS]

SITE_A and SITE_B each hold a build installed with `pip install --no-deps --target SITE
WHEEL`. Both builds' GenomePieces read batches of 64 random pieces (`items`, what
GenomeDataset.__getitems__ calls) in rounds of 50,000, alternating which goes first; each
reads pieces of its own (a second reader of the same pieces would find them in the cache).
Prints each build's median pieces per CPU second and the median of the rounds' B/A ratios:
in one process, on a shared machine, a slow spell falls on both builds alike.
"""

import importlib.util
import random
import statistics
import sys
import time


def load(site):
    spec = importlib.util.spec_from_file_location("_cmgems", f"{site}/cmgems/_cmgems.abi3.so")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    store, sites = sys.argv[1], sys.argv[2:4]
    rounds = int(sys.argv[4]) if len(sys.argv) == 5 else 8
    pieces = [load(site).GenomePieces(store, 1) for site in sites]
    keys = ("input_ids", "index", "epoch")
    rng = random.Random(7)
    n, per = len(pieces[0]), 50_000
    rates = [[], []]
    for r in range(rounds):
        for j in ([0, 1] if r % 2 == 0 else [1, 0]):
            idx = [rng.randrange(n) for _ in range(per)]
            t = time.process_time()
            for i in range(0, per, 64):
                pieces[j].items(0, idx[i : i + 64], keys)
            rates[j].append(per / (time.process_time() - t))
    for site, r in zip(sites, rates):
        print(f"{site}: median {statistics.median(r):.4g} pieces/s ({', '.join(f'{x:.3g}' for x in r)})")
    print(f"B/A, median of the rounds' ratios: {statistics.median(b / a for a, b in zip(*rates)):.3f}")


if __name__ == "__main__":
    main()
