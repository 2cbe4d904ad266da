"""A tiny BertForMaskedLM trained by HF Trainer with the cmgems collator and callback:
shared by the Trainer, resume and two-node tests (the last runs it under torchrun)."""

import json
import os
import random
import sys
from pathlib import Path

import cmgems


def dna_pieces(dna: str, n: int, seed: int, lo: int = 60, hi: int = 140):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        length = rng.randrange(lo, hi)
        start = rng.randrange(0, len(dna) - length)
        out.append(dna[start : start + length])
    return out


SCRIPT = Path(__file__).parent / "train_script.py"
BIN = Path(sys.executable).parent


def script_env():
    """The environment of train_script.py runs: one thread, gloo on loopback, no RANK."""
    e = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME="lo", PYTHONUNBUFFERED="1")
    e.pop("RANK", None)
    return e


def genome_store(path, records):
    """A .2bit store at `path` of `records` ({name: DNA}), built by cmgems."""
    fa = path.with_suffix(".fa")
    fa.write_text("".join(f">{name}\n{dna}\n" for name, dna in records.items()))
    cmgems.build_genome([str(fa)], str(path))
    return path


def genome_sets(store, seed=0):
    """Short pieces (20-120 tokens: a tiny model trains fast) of the store's `train` record,
    and the held-out pieces of its `held` record, as GenomeDatasets."""
    settings = dict(seed=seed, min_tokens=20, max_tokens=120, held_out=["held"])
    return (cmgems.GenomeDataset(store, split="train", **settings),
            cmgems.GenomeDataset(store, split="held_out", **settings))


def piece_masks(lines, evaluation=False):
    """{(epoch, piece): the digest of its masks} over the logged batches of keyed rows;
    fails if one piece was masked two ways."""
    out = {}
    for l in lines:
        if l["evaluation"] != evaluation or l["pieces"] is None:
            continue
        for key, digest in zip(zip(l["epochs"], l["pieces"]), l["masks"]):
            assert out.setdefault(key, digest) == digest, f"piece {key} masked two ways"
    return out


def tiny_bert(seed: int = 0):
    import torch
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=4101,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=512,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    return BertForMaskedLM(config)


def make_trainer(out_dir, table, train, evaluation, *, strategy="cm-gems", threshold=None,
                 steps=40, eval_every=10, workers=0, persistent=False, log_path=None,
                 save_every=None, accumulation=1, seed=42, extra_callbacks=(), lr=3e-3, **args):
    from transformers import Trainer, TrainingArguments

    collator = cmgems.DataCollatorForCmGems(
        table=table, strategy=strategy, seed=seed, pad_to_multiple_of=8, log_path=log_path,
        max_steps=steps,
    )
    callback = cmgems.CurriculumCallback(collator, threshold=threshold)
    targs = TrainingArguments(
        output_dir=str(out_dir),
        max_steps=steps,
        per_device_train_batch_size=8,
        per_device_eval_batch_size=8,
        gradient_accumulation_steps=accumulation,
        learning_rate=lr,
        warmup_steps=2,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=eval_every,
        save_strategy="steps" if save_every else "no",
        save_steps=save_every or 500,
        dataloader_num_workers=workers,
        dataloader_persistent_workers=persistent,
        report_to=[],
        use_cpu=True,
        seed=seed,
        disable_tqdm=True,
        **args,
    )
    trainer = Trainer(
        model=tiny_bert(seed),
        args=targs,
        data_collator=collator,
        train_dataset=train,
        eval_dataset=evaluation,
        callbacks=[callback, *extra_callbacks],
    )
    return trainer, collator, callback


def read_log(path):
    p = Path(path)
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text().splitlines()]


def train_losses(trainer):
    return [e["loss"] for e in trainer.state.log_history if "loss" in e]


def eval_losses(trainer):
    return [(e["step"], e["eval_loss"]) for e in trainer.state.log_history if "eval_loss" in e]


def batch_order(lines, workers):
    """Training lines in the order the Trainer consumed them: in the main process the log
    order; with workers, worker w's j-th batch is batch j*workers + w (in-order loading)."""
    train = [l for l in lines if not l["evaluation"]]
    if workers == 0:
        return train
    per = {w: [l for l in train if l["worker"] == w] for w in range(workers)}
    out = []
    j = 0
    while any(j < len(v) for v in per.values()):
        out += [per[w][j] for w in range(workers) if j < len(per[w])]
        j += 1
    return out
