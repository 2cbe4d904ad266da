"""Benchmark (not a test): sequences per second per core of DataCollatorForCmGems for each
strategy against transformers' DataCollatorForLanguageModeling (random token masking), at
batch 10 x 512, and the collator's share of a tiny BertForMaskedLM's training step.

    python python/bench/collator.py --dna ../shared/data/corpora/lambda_virus.fa.gz --out bench/python_collator.csv

Everything runs on one thread (torch.set_num_threads(1)), so the figures are per core.
"""

import argparse
import datetime
import gzip
import os
import random
import sys
import tempfile
import time

import torch

import cmgems

BATCH, LEN = 10, 512


def read_dna(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return "".join(l.strip() for l in f if not l.startswith(">")).upper()


def features(dna, n, seed):
    rng = random.Random(seed)
    tok = cmgems.Tokenizer()
    out = []
    for _ in range(n):
        start = rng.randrange(0, len(dna) - 520)
        out.append({"input_ids": tok.encode(dna[start : start + LEN - 2 + 5])})
    return out


def per_second(collate, batches, min_seconds):
    """Sequences per second, over repeats of `batches` lasting at least min_seconds."""
    collate(batches[0])
    done, t0 = 0, time.perf_counter()
    while True:
        for b in batches:
            collate(b)
            done += len(b)
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds:
            return done / elapsed


def step_seconds(batch, steps=5):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from hf_helpers import tiny_bert

    model = tiny_bert()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    def step():
        loss = model(**batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dna", required=True, help="FASTA(.gz) of real DNA")
    p.add_argument("--out", required=True, help="CSV to write")
    p.add_argument("--seconds", type=float, default=3.0)
    a = p.parse_args()
    torch.set_num_threads(1)
    dna = read_dna(a.dna)
    with tempfile.TemporaryDirectory() as tmp:
        fa = os.path.join(tmp, "corpus.fa")
        with open(fa, "w") as f:
            f.write(">c\n" + dna + "\n")
        table = cmgems.NpmiTable.count([fa], min_count=5, threads=1)
        vocab = os.path.join(tmp, "vocab.txt")
        cmgems.Tokenizer().save_pretrained(tmp)
        from transformers import BertTokenizerFast, DataCollatorForLanguageModeling

        hf_tok = BertTokenizerFast(vocab_file=vocab, do_lower_case=False)
    batches = [features(dna, BATCH, s) for s in range(20)]
    hf = DataCollatorForLanguageModeling(hf_tok, mlm=True, mlm_probability=0.15, return_tensors="pt")
    base = per_second(hf, batches, a.seconds)
    rows = [("transformers DataCollatorForLanguageModeling", "random tokens", base)]
    for s in ["random", "genemask", "global", "cm-step", "cm-gems"]:
        c = cmgems.DataCollatorForCmGems(table=table, strategy=s, seed=1)
        c.publish_step(5000)
        rows.append(("cmgems DataCollatorForCmGems", s, per_second(c, batches, a.seconds)))
    step = step_seconds(cmgems.DataCollatorForCmGems(table=table, strategy="genemask")(batches[0]))
    date = datetime.date.today().isoformat()
    with open(a.out, "w") as f:
        f.write(f"# batch {BATCH} x {LEN}, lambda phage DNA, one thread (per core), {date}, 2 shared cores; "
                f"tiny BertForMaskedLM (hidden 64, 2 layers) training step {step * 1000:.1f} ms\n")
        f.write(f"# command: python python/bench/collator.py --dna {a.dna} --out {a.out}\n")
        f.write("collator,strategy,seqs_per_s_per_core,x_hf,ms_per_batch,share_of_tiny_step\n")
        for name, s, rate in rows:
            ms = BATCH / rate * 1000
            f.write(f"{name},{s},{rate:.0f},{rate / base:.1f},{ms:.3f},{ms / (step * 1000 + ms):.4f}\n")
    print(open(a.out).read())


if __name__ == "__main__":
    main()
