"""Pretrain a DNABERT-style BERT with HuggingFace Trainer and cmgems' CM-GEMS curriculum.

FASTA in: counts the NPMI table with cmgems, cuts training pieces from the records, and runs
Trainer with DataCollatorForCmGems and CurriculumCallback. Ready for torchrun, e.g. two
machines with one GPU each:

    torchrun --nnodes 2 --nproc-per-node 1 --node-rank 0 --rdzv-endpoint HOST:29500 \\
        examples/hf_pretrain.py --fasta genome.fa.gz --out run1
    (the same with --node-rank 1 on the other machine)

One process on a laptop: python examples/hf_pretrain.py --fasta genome.fa.gz --out run1 --steps 200
Needs: pip install ./python torch transformers accelerate
"""

import argparse
import gzip
import os
import random

import cmgems


def read_records(paths):
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            seq = []
            for line in f:
                if line.startswith(">"):
                    if seq:
                        yield "".join(seq)
                    seq = []
                else:
                    seq.append(line.strip())
            if seq:
                yield "".join(seq)


def pieces(records, n, seed, max_nt=515):
    """n random pieces of 5..max_nt nucleotides (half full length, as DNABERT cut them),
    from stretches without N."""
    rng = random.Random(seed)
    runs = [r for rec in records for r in rec.upper().replace("N", " ").split() if len(r) >= max_nt]
    if not runs:
        raise SystemExit(f"no stretch of {max_nt} nt without N in the FASTA")
    out = []
    for _ in range(n):
        run = rng.choice(runs)
        length = max_nt if rng.random() < 0.5 else rng.randint(10, max_nt)
        start = rng.randrange(0, len(run) - length + 1)
        out.append(run[start : start + length])
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fasta", nargs="+", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--table", help="an NPMI table (train npmi's JSON or the GeneMask CSV); default: count one")
    p.add_argument("--min-count", type=int, default=101, help="NPMI minimum count (the authors': 101)")
    p.add_argument("--strategy", default="cm-gems", help="random, genemask, global, cm-step or cm-gems")
    p.add_argument("--threshold", default="1.0", help='CM-GEMS switch: perplexity points ("1.0") or a share ("0.5%%")')
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--accumulation", type=int, default=25)
    p.add_argument("--pieces", type=int, default=100_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    a = p.parse_args()

    from transformers import BertConfig, BertForMaskedLM, Trainer, TrainingArguments

    os.makedirs(a.out, exist_ok=True)
    table_path = os.path.join(a.out, "table.json")
    rank = int(os.environ.get("RANK", "0"))
    if a.table:
        table = cmgems.NpmiTable.load(a.table)
    elif os.path.exists(table_path):
        table = cmgems.NpmiTable.load(table_path)
    else:
        # Every rank counts the same files: the same table without a file to wait for.
        table = cmgems.NpmiTable.count(a.fasta, min_count=a.min_count)
        if rank == 0:
            table.save(table_path)
    records = list(read_records(a.fasta))
    every = pieces(records, a.pieces, a.seed)
    held_out = len(every) // 10
    train, evaluation = every[held_out:], every[:held_out][:2000]

    collator = cmgems.DataCollatorForCmGems(table=table, strategy=a.strategy, seed=a.seed,
                                            pad_to_multiple_of=8, max_steps=a.steps)
    threshold = a.threshold if a.strategy == "cm-gems" else None
    callback = cmgems.CurriculumCallback(collator, threshold=threshold)
    # The LOGO-style model of the CM-GEMS paper (2 layers, hidden 256, 8 heads); DNABERT's
    # 6-mer vocabulary.
    model = BertForMaskedLM(BertConfig(vocab_size=4101, hidden_size=256, num_hidden_layers=2,
                                       num_attention_heads=8, intermediate_size=1024,
                                       max_position_embeddings=512))
    args = TrainingArguments(
        output_dir=a.out, max_steps=a.steps, per_device_train_batch_size=a.batch_size,
        per_device_eval_batch_size=a.batch_size, gradient_accumulation_steps=a.accumulation,
        learning_rate=8e-4, adam_beta1=0.9, adam_beta2=0.98, adam_epsilon=1e-6, weight_decay=0.01,
        warmup_steps=min(500, a.steps // 10), eval_strategy="steps", eval_steps=a.eval_every,
        save_steps=a.eval_every * 2, logging_steps=50, dataloader_num_workers=a.workers,
        dataloader_persistent_workers=a.workers > 0, report_to=[], seed=a.seed,
    )
    trainer = Trainer(model=model, args=args, data_collator=collator, train_dataset=train,
                      eval_dataset=evaluation, callbacks=[callback])
    trainer.train(resume_from_checkpoint=True if a.resume else None)
    trainer.save_model(os.path.join(a.out, "model"))  # loads in `train finetune --init`
    if rank == 0:
        print(f"switch step: {collator.switch_step}; model in {os.path.join(a.out, 'model')}")


if __name__ == "__main__":
    main()
