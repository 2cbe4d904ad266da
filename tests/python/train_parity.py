"""The Python half of cmgems' training-parity test (native/tests/training_parity.rs).

  train_parity.py HF_DIR RUN_JSON OUT_JSON

Loads the BertForMaskedLM that cmgems exported to HF_DIR (its initial weights), trains it on
the masked micro-batches of RUN_JSON with torch's AdamW and transformers' linear warmup/decay
schedule, as cmgems' Trainer does, and writes the loss of every optimizer step to OUT_JSON.

RUN_JSON is {"trainer": cmgems' TrainerConfig ({"optimizer": {"lr", "beta_1", "beta_2",
"epsilon", "weight_decay", "warmup_steps", "max_grad_norm"}, "total_steps", "accumulation"}),
"batches":
[{"input_ids", "attention_mask", "labels"} as [batch][seq] lists, labels -100 where none]};
step s uses batches [s * accumulation, (s + 1) * accumulation).
"""
import json
import sys

import torch
from transformers import BertForMaskedLM, get_linear_schedule_with_warmup

# HF's (and DNABERT's run_pretrain.py's) parameters without weight decay.
NO_DECAY = ("bias", "LayerNorm.weight")


def load_model(directory):
    model = BertForMaskedLM.from_pretrained(directory, dtype=torch.float32)
    # Without dropout the two trainings are deterministic; train() keeps HF's training path.
    if model.config.hidden_dropout_prob or model.config.attention_probs_dropout_prob:
        raise SystemExit(f"{directory}/config.json: parity needs dropout 0")
    model.train()
    decoder = model.cls.predictions.decoder.weight
    if decoder is not model.bert.embeddings.word_embeddings.weight:
        raise SystemExit("the decoder is not tied to the word embeddings, as cmgems' is")
    return model


def optimizer_and_schedule(model, trainer):
    o = trainer["optimizer"]
    named = list(model.named_parameters())  # a tied parameter appears once
    groups = [
        {"params": [p for n, p in named if not n.endswith(NO_DECAY)],
         "weight_decay": o["weight_decay"]},
        {"params": [p for n, p in named if n.endswith(NO_DECAY)], "weight_decay": 0.0},
    ]
    adamw = torch.optim.AdamW(
        groups, lr=o["lr"], betas=(o["beta_1"], o["beta_2"]), eps=o["epsilon"]
    )
    schedule = get_linear_schedule_with_warmup(
        adamw, o["warmup_steps"], trainer["total_steps"]
    )
    return adamw, schedule


def micro_loss(model, batch):
    out = model(**{k: torch.tensor(batch[k]) for k in ("input_ids", "attention_mask", "labels")})
    return out.loss


def train(model, trainer, batches):
    """Per-step losses: the mean of the micro-batch losses, each divided by their count before
    backward so that the summed gradient is that of the mean (cmgems' Trainer::train_step)."""
    adamw, schedule = optimizer_and_schedule(model, trainer)
    n = trainer["accumulation"]
    losses = []
    for start in range(0, len(batches), n):
        adamw.zero_grad()
        step_loss = 0.0
        for batch in batches[start:start + n]:
            loss = micro_loss(model, batch) / n
            loss.backward()
            step_loss += loss.item()
        max_norm = trainer["optimizer"].get("max_grad_norm")
        if max_norm is not None:
            # HF Trainer's clipping: the global norm of all gradients (max_grad_norm).
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        adamw.step()
        schedule.step()
        losses.append(step_loss)
    return losses


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    directory, run_path, out_path = sys.argv[1:4]
    torch.manual_seed(0)
    with open(run_path) as f:
        run = json.load(f)
    model = load_model(directory)
    losses = train(model, run["trainer"], run["batches"])
    with open(out_path, "w") as f:
        json.dump(losses, f)


if __name__ == "__main__":
    main()
