"""Pretrains the tiny BERT with HF Trainer, the cmgems collator and callback; run as a plain
process (resume test) or under torchrun (two-node and preemption tests). Not collected by
pytest. Writes into --out, per rank: its pid, the steps done, the evaluations and losses,
the collator's batch log, and how a preempted run ended."""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import torch
from transformers import TrainerCallback

import cmgems
from hf_helpers import dna_pieces, genome_sets, genome_store, make_trainer, train_losses


class Progress(TrainerCallback):
    """Appends each step done to `path` and sleeps `seconds` after it, so a test can
    signal or kill the run between two steps or checkpoints."""

    def __init__(self, path, seconds):
        self.path, self.seconds = path, seconds

    def on_step_end(self, args, state, control, **kwargs):
        with open(self.path, "a") as f:
            f.write(f"{state.global_step}\n")
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
    p.add_argument("--strategy", default="cm-gems")
    p.add_argument("--keyed", action="store_true", help="a GenomeDataset (keyed pieces), not strings")
    p.add_argument("--preemptible", action="store_true", help="with cmgems.PreemptionCallback")
    a = p.parse_args()
    torch.set_num_threads(1)
    dna = Path(a.dna).read_text().strip()
    out = Path(a.out)
    rank = int(os.environ.get("RANK", "0"))
    fa = out / f"corpus-{rank}.fa"
    out.mkdir(parents=True, exist_ok=True)
    fa.write_text(">corpus\n" + dna + "\n")
    (out / f"pid-{rank}").write_text(str(os.getpid()))
    table = cmgems.NpmiTable.count([str(fa)], min_count=5)
    extra = {"ddp_backend": "gloo"} if "WORLD_SIZE" in os.environ else {}
    train, evaluation = dna_pieces(dna, 400, 1), dna_pieces(dna, 32, 2)
    if a.keyed:
        # A genome store: ~160 pieces, 10 steps an epoch on 2 ranks (12 steps cross into
        # epoch 1), and ~16 held-out pieces.
        store = genome_store(out / f"genome-{rank}.2bit", {"train": dna[:16000], "held": dna[16000:17600]})
        train, evaluation = genome_sets(store)
        extra["remove_unused_columns"] = False
    preempt = cmgems.PreemptionCallback() if a.preemptible else None
    callbacks = [Progress(out / f"steps-{rank}.txt", a.sleep)] + ([preempt] if preempt else [])
    trainer, collator, callback = make_trainer(
        out / "run", table, train, evaluation, strategy=a.strategy,
        threshold=a.threshold if a.strategy == "cm-gems" else None, steps=a.steps,
        eval_every=a.eval_every, save_every=a.save_every, workers=a.workers,
        persistent=a.workers > 0, log_path=out / f"batches-{rank}.jsonl",
        extra_callbacks=callbacks, **extra,
    )
    trainer.train(resume_from_checkpoint=a.resume)
    evals = [[e["step"], e["eval_loss"]] for e in trainer.state.log_history if "eval_loss" in e]
    (out / f"evals-{rank}.json").write_text(json.dumps(evals))
    (out / f"losses-{rank}.json").write_text(json.dumps(train_losses(trainer)))
    print(f"rank {rank} done: switch_step={collator.switch_step}", file=sys.stderr, flush=True)
    if a.save_model:
        trainer.save_model(a.save_model)
    if preempt and preempt.signal is not None:
        code = {"signal": signal.Signals(preempt.signal).name, "code": preempt.exit_code}
        (out / f"exit-{rank}.json").write_text(json.dumps(code))
        sys.exit(preempt.exit_code)


if __name__ == "__main__":
    main()
