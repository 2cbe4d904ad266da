"""Pretrains the tiny BERT with HF Trainer, the cmgems collator and callback; run as a plain
process (resume test) or under torchrun (two-node test). Not collected by pytest."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import torch
from transformers import TrainerCallback

import cmgems
from hf_helpers import dna_pieces, make_trainer


class Slow(TrainerCallback):
    """Sleeps after every step, so a test can kill the run between two checkpoints."""

    def __init__(self, seconds):
        self.seconds = seconds

    def on_step_end(self, args, state, control, **kwargs):
        time.sleep(self.seconds)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dna", required=True, help="a text file holding one DNA string")
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=24)
    p.add_argument("--eval-every", type=int, default=4)
    p.add_argument("--save-every", type=int, default=0)
    p.add_argument("--threshold", default="1000%")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--sleep", type=float, default=0.0)
    p.add_argument("--resume", default=None)
    p.add_argument("--save-model", default=None)
    a = p.parse_args()
    torch.set_num_threads(1)
    dna = Path(a.dna).read_text().strip()
    out = Path(a.out)
    rank = int(os.environ.get("RANK", "0"))
    fa = out / f"corpus-{rank}.fa"
    out.mkdir(parents=True, exist_ok=True)
    fa.write_text(">corpus\n" + dna + "\n")
    table = cmgems.NpmiTable.count([str(fa)], min_count=5)
    extra = {"ddp_backend": "gloo"} if "WORLD_SIZE" in os.environ else {}
    trainer, collator, callback = make_trainer(
        out / "run", table, dna_pieces(dna, 400, 1), dna_pieces(dna, 32, 2),
        threshold=a.threshold, steps=a.steps, eval_every=a.eval_every, save_every=a.save_every,
        workers=a.workers, persistent=a.workers > 0, log_path=out / f"batches-{rank}.jsonl",
        extra_callbacks=[Slow(a.sleep)] if a.sleep else [], **extra,
    )
    trainer.train(resume_from_checkpoint=a.resume)
    evals = [[e["step"], e["eval_loss"]] for e in trainer.state.log_history if "eval_loss" in e]
    (out / f"evals-{rank}.json").write_text(json.dumps(evals))
    print(f"rank {rank} done: switch_step={collator.switch_step}", file=sys.stderr, flush=True)
    if a.save_model:
        trainer.save_model(a.save_model)


if __name__ == "__main__":
    main()
