"""Pretrain a DNABERT-style BERT with HuggingFace Trainer and cmgems' CM-GEMS curriculum.

A genome store in (`.2bit`: UCSC's format, e.g. hg38.2bit as downloaded, or built from FASTA
by `train genome --fasta hg38.fa.gz --out genome.2bit`, or by --fasta here): counts the NPMI
table with cmgems, and trains on `cmgems.GenomeDataset`, whose piece i of epoch e is a pure
function of (seed, e, i), read from the memory-mapped store (no genome in Python strings;
every rank and worker of a machine shares one copy through the page cache). Held-out
pieces come from the --held-out records or regions. DataCollatorForCmGems masks each piece
on its own stream, CurriculumCallback drives CM-GEMS, and PreemptionCallback turns SIGTERM
(SLURM, spot instances) into a checkpoint; --resume then continues exactly. Ready for
torchrun, e.g. two machines with one GPU each:

    torchrun --nnodes 2 --nproc-per-node 1 --node-rank 0 --rdzv-endpoint HOST:29500 \\
        examples/hf_pretrain.py --genome genome.2bit --held-out chr21 --out run1
    (the same with --node-rank 1 on the other machine)

One process on a laptop:
    python examples/hf_pretrain.py --fasta genome.fa.gz --genome genome.2bit --out run1 --steps 200
Needs: pip install ./python torch transformers accelerate
"""

import argparse
import os
import sys

import cmgems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--genome", required=True, help="the .2bit genome store")
    p.add_argument("--fasta", nargs="+", help="FASTA (gzipped or not) to build --genome from when it does not exist")
    p.add_argument("--held-out", nargs="*", default=None,
                   help="held-out records or regions (name or name:start-end); default: the last record")
    p.add_argument("--out", required=True)
    p.add_argument("--table", help="an NPMI table (train npmi's JSON or the GeneMask CSV); default: count one")
    p.add_argument("--min-count", type=int, default=101, help="NPMI minimum count (the authors': 101)")
    p.add_argument("--strategy", default="cm-gems", help="random, genemask, global, cm-step or cm-gems")
    p.add_argument("--threshold", default="1.0", help='CM-GEMS switch: perplexity points ("1.0") or a share ("0.5%%")')
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--eval-pieces", type=int, default=2000, help="held-out pieces per evaluation")
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--accumulation", type=int, default=25)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    a = p.parse_args()

    import torch
    from transformers import BertConfig, BertForMaskedLM, Trainer, TrainingArguments

    os.makedirs(a.out, exist_ok=True)
    rank = int(os.environ.get("RANK", "0"))
    if not os.path.exists(a.genome):
        if not a.fasta or "WORLD_SIZE" in os.environ:
            raise SystemExit(f"{a.genome} does not exist: build it first with "
                             f"`train genome --fasta FILES... --out {a.genome}` (or --fasta here, in one process)")
        print(cmgems.build_genome(a.fasta, a.genome), file=sys.stderr)
    table_path = os.path.join(a.out, "table.json")
    if a.table:
        table = cmgems.NpmiTable.load(a.table)
    elif os.path.exists(table_path):
        table = cmgems.NpmiTable.load(table_path)
    else:
        # Every rank counts the same store: the same table without a file to wait for.
        table = cmgems.NpmiTable.count([a.genome], min_count=a.min_count)
        if rank == 0:
            table.save(table_path)
    held_out = a.held_out
    if held_out is None:
        held_out = cmgems.GenomePieces(a.genome).records[-1:]
    pieces = dict(seed=a.seed, held_out=held_out)
    train = cmgems.GenomeDataset(a.genome, split="train", **pieces)
    held = cmgems.GenomeDataset(a.genome, split="held_out", **pieces)
    evaluation = torch.utils.data.Subset(held, range(min(a.eval_pieces, len(held))))

    collator = cmgems.DataCollatorForCmGems(table=table, strategy=a.strategy, seed=a.seed,
                                            pad_to_multiple_of=8, max_steps=a.steps)
    threshold = a.threshold if a.strategy == "cm-gems" else None
    curriculum = cmgems.CurriculumCallback(collator, threshold=threshold)
    preemption = cmgems.PreemptionCallback()
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
        # The pieces' keys (piece_index, epoch) must reach the collator.
        remove_unused_columns=False,
    )
    trainer = Trainer(model=model, args=args, data_collator=collator, train_dataset=train,
                      eval_dataset=evaluation, callbacks=[curriculum, preemption])
    trainer.train(resume_from_checkpoint=True if a.resume else None)
    if preemption.signal is not None:
        # A checkpoint was written; the scheduler sees the job did not finish.
        sys.exit(preemption.exit_code)
    trainer.save_model(os.path.join(a.out, "model"))  # loads in `train finetune --init`
    if rank == 0:
        print(f"switch step: {collator.switch_step}; model in {os.path.join(a.out, 'model')}")


if __name__ == "__main__":
    main()
