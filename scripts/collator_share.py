#!/usr/bin/env python3
"""The share of a training step that DataCollatorForCmGems takes, on a torch device.

Times the collator (CPU, one thread, as a DataLoader worker runs it) on batches of real or
synthetic DNA, and a full training step (forward, backward, AdamW) of transformers'
BertForMaskedLM at one of `train bench`'s presets on --device (cuda or cpu) with the
collated batch moved there; prints one JSON line: milliseconds of each and the collator's
share of (collator + step), the figure that says whether the collator can keep a GPU busy
without workers.

    python scripts/collator_share.py --fasta corpus.fa --preset logo --device cuda

Needs the cmgems wheel, torch and transformers.
"""

import argparse
import json
import os
import random
import sys
import time

import torch

import cmgems

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(here, "..", "python", "bench")]
from bench_torch import PRESETS  # noqa: E402  (the same presets as `train bench`)
from collator import read_dna  # noqa: E402  (python/bench/collator.py, the CPU benchmark)


def features(dna, rows, nt, seed):
    """`rows` random windows of `nt` nucleotides, tokenized."""
    rng = random.Random(seed)
    tok = cmgems.Tokenizer()
    return [
        {"input_ids": tok.encode(dna[s : s + nt])}
        for s in (rng.randrange(0, len(dna) - nt) for _ in range(rows))
    ]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--fasta", required=True)
    p.add_argument("--preset", default="logo", choices=sorted(PRESETS))
    p.add_argument("--device", default="cuda")
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--seq-len", type=int, default=512)
    p.add_argument("--steps", type=int, default=5, help="timed steps (and collated batches x 4)")
    a = p.parse_args()
    torch.set_num_threads(1)
    dna = read_dna(a.fasta)
    table = cmgems.NpmiTable.count([a.fasta], min_count=5, threads=1)
    nt = a.seq_len - 2 + 5  # 6-mers plus [CLS] and [SEP] fill seq_len positions
    batches = [features(dna, a.batch_size, nt, s) for s in range(4 * a.steps)]
    collator = cmgems.DataCollatorForCmGems(table=table, strategy="cm-gems", seed=1)
    collator(batches[0])
    t0 = time.perf_counter()
    collated = [collator(b) for b in batches]
    collate_s = (time.perf_counter() - t0) / len(batches)

    from transformers import BertConfig, BertForMaskedLM

    device = torch.device(a.device)
    torch.manual_seed(1)
    model = BertForMaskedLM(BertConfig(**PRESETS[a.preset])).train().to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step(batch):
        batch = {k: v.to(device) for k, v in batch.items()}
        loss = model(**batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item()  # waits for the device

    step(collated[0])
    t0 = time.perf_counter()
    for b in collated[: a.steps]:
        step(b)
    step_s = (time.perf_counter() - t0) / a.steps
    print(
        json.dumps(
            {
                "preset": a.preset,
                "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
                "batch_size": a.batch_size,
                "seq_len": a.seq_len,
                "collator_ms": collate_s * 1000,
                "step_ms": step_s * 1000,
                "collator_share": collate_s / (collate_s + step_s),
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
