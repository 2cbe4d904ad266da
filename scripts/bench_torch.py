#!/usr/bin/env python3
"""PyTorch + transformers counterpart of `train bench`: tokens/s of a full training step.

Builds `transformers.BertForMaskedLM` from the same preset as `train bench` (tiny, logo,
dnabert6; native/src/model/config.rs), the same random batch (native/src/bin/train/commands/bench.rs
`random_batch`, reproduced draw for draw with the same Xoshiro256++ stream, seed 7), AdamW
with the same hyper-parameters and HF no-decay group, times `--warmup` untimed steps and then
`--steps` timed ones, and prints one JSON line with `train bench`'s fields plus `threads`.

`--logits all` (default) is the stock `model(input_ids, attention_mask=..., labels=...)` call
(logits at every position, as DNABERT's run_pretrain.py and the HF Trainer compute them);
`--logits labelled` runs the MLM head only at the labelled positions, as cmgems does
(`BertForMaskedLM::forward_at`), so both frameworks do the same arithmetic.

Needs `pip install torch transformers` (the CPU wheel is enough:
`pip install torch --index-url https://download.pytorch.org/whl/cpu`).
"""

import argparse
import json
import os
import sys
import time

MASK64 = (1 << 64) - 1

# Mirrors native/src/model/config.rs: BERT-base with the DNABERT-6 vocabulary, and the presets.
BASE = dict(
    vocab_size=4101,
    hidden_size=768,
    num_hidden_layers=12,
    num_attention_heads=12,
    intermediate_size=3072,
    hidden_act="gelu",
    hidden_dropout_prob=0.1,
    attention_probs_dropout_prob=0.1,
    max_position_embeddings=512,
    type_vocab_size=2,
    initializer_range=0.02,
    layer_norm_eps=1e-12,
    pad_token_id=0,
    tie_word_embeddings=True,
)
PRESETS = {
    "tiny": dict(
        BASE,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=128,
    ),
    "logo": dict(
        BASE,
        hidden_size=256,
        num_hidden_layers=2,
        num_attention_heads=8,
        intermediate_size=3072,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    ),
    "dnabert6": dict(BASE),
}

# native/src/optim.rs OptimizerConfig::default(); commands/bench.rs sets warmup_steps 0.
LR, BETAS, EPS, WEIGHT_DECAY, TOTAL_STEPS = 8e-4, (0.9, 0.98), 1e-6, 0.01, 10_000
IGNORE_LABEL = -100


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


class SeededRng:
    """cmgems_core::SeededRng: rand_xoshiro's Xoshiro256++ seeded through SplitMix64."""

    def __init__(self, seed):
        x, s = seed & MASK64, []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            s.append(z ^ (z >> 31))
        self.s = s

    def next_u64(self):
        s = self.s
        result = (_rotl((s[0] + s[3]) & MASK64, 23) + s[0]) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def below(self, n):
        return (self.next_u64() * n) >> 64

    def bernoulli(self, p):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53)) < p


def random_batch(rows, seq, vocab):
    """commands/bench.rs `random_batch`: random k-mer ids, 15% of inner positions masked."""
    rng = SeededRng(7)
    input_ids, labels = [], []
    for i in range(rows * seq):
        kmer = 5 + rng.below(vocab - 5)
        inner = i % seq != 0 and i % seq != seq - 1
        if inner and rng.bernoulli(0.15):
            input_ids.append(4)
            labels.append(kmer)
        else:
            input_ids.append(2 if i % seq == 0 else kmer)
            labels.append(IGNORE_LABEL)
    return input_ids, labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="logo", choices=sorted(PRESETS))
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--seq-len", type=int, default=512)
    parser.add_argument("--steps", type=int, default=5, help="timed steps")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=0, help="0: all cores")
    parser.add_argument("--logits", choices=["all", "labelled"], default="all")
    parser.add_argument("--device", default="cpu", help="torch device: cpu (default) or cuda")
    args = parser.parse_args()

    try:
        import torch
        import transformers
        from transformers import BertConfig, BertForMaskedLM
    except ImportError as e:
        sys.exit(f"bench_torch.py needs torch and transformers ({e}): pip install torch transformers")

    threads = args.threads or os.cpu_count()
    torch.set_num_threads(threads)
    config = BertConfig(**PRESETS[args.preset])
    if args.seq_len > config.max_position_embeddings:
        sys.exit(
            f"seq_len {args.seq_len} exceeds the preset's {config.max_position_embeddings} positions"
        )
    torch.manual_seed(1)
    device = torch.device(args.device)
    model = BertForMaskedLM(config).train().to(device)

    # HF's no_decay = ["bias", "LayerNorm.weight"] (DNABERT's run_pretrain.py, the HF Trainer).
    no_decay = ("bias", "LayerNorm.weight")
    named = list(model.named_parameters())
    groups = [
        {"params": [p for n, p in named if not any(k in n for k in no_decay)], "weight_decay": WEIGHT_DECAY},
        {"params": [p for n, p in named if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=LR, betas=BETAS, eps=EPS)
    # get_linear_schedule_with_warmup(0 warmup, TOTAL_STEPS), as the burn side's schedule.
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda done: max(0.0, (TOTAL_STEPS - done) / TOTAL_STEPS)
    )

    ids, labs = random_batch(args.batch_size, args.seq_len, config.vocab_size)
    shape = (args.batch_size, args.seq_len)
    input_ids = torch.tensor(ids, dtype=torch.long).reshape(shape).to(device)
    labels = torch.tensor(labs, dtype=torch.long).reshape(shape).to(device)
    attention_mask = torch.ones(shape, dtype=torch.long, device=device)
    positions = (labels.reshape(-1) != IGNORE_LABEL).nonzero().squeeze(1)
    targets = labels.reshape(-1)[positions]

    def step():
        optimizer.zero_grad(set_to_none=True)
        if args.logits == "all":
            loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
        else:
            hidden = model.bert(input_ids=input_ids, attention_mask=attention_mask)[0]
            logits = model.cls(hidden.reshape(-1, config.hidden_size)[positions])
            loss = torch.nn.functional.cross_entropy(logits, targets)
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss.item()  # like train_step, read the loss back

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    secs = time.perf_counter() - start
    tokens = args.batch_size * args.seq_len * args.steps
    print(
        json.dumps(
            {
                "framework": f"torch {torch.__version__} / transformers {transformers.__version__}",
                "backend": device.type,
                "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
                "logits": args.logits,
                "preset": args.preset,
                "batch_size": args.batch_size,
                "seq_len": args.seq_len,
                "steps": args.steps,
                "seconds": secs,
                "threads": threads,
                "tokens_per_s": tokens / secs,
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
