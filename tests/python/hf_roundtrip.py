"""The Python half of cmgems' HuggingFace round-trip tests (native/tests/hf_python.rs).

  hf_roundtrip.py logits DIR mlm|cls IDS_JSON OUT_JSON
      load DIR with transformers and write the logits of the batch in IDS_JSON
  hf_roundtrip.py make DIR
      write tiny random HF models (BertForMaskedLM as safetensors and as pytorch_model.bin,
      BertForSequenceClassification with 3 labels) with their logits, for cmgems to import

IDS_JSON is {"input_ids": [[..]], "attention_mask": [[..]]}; logits are written as nested
lists of floats.
"""
import json
import sys

import torch
from transformers import BertConfig, BertForMaskedLM, BertForSequenceClassification

TINY = dict(
    vocab_size=4101,
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=128,
    max_position_embeddings=128,
    type_vocab_size=2,
    hidden_act="gelu",
    layer_norm_eps=1e-12,
    pad_token_id=0,
)
BATCH = {
    "input_ids": [[2, 10, 500, 4000, 4, 3], [2, 7, 8, 3, 0, 0]],
    "attention_mask": [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]],
}


def logits_of(model, batch):
    model.eval()
    with torch.no_grad():
        out = model(
            input_ids=torch.tensor(batch["input_ids"]),
            attention_mask=torch.tensor(batch["attention_mask"]),
        )
    return out.logits.tolist()


def main():
    cmd = sys.argv[1]
    if cmd == "logits":
        directory, kind, ids_path, out_path = sys.argv[2:6]
        cls = {"mlm": BertForMaskedLM, "cls": BertForSequenceClassification}[kind]
        model = cls.from_pretrained(directory)
        with open(ids_path) as f:
            batch = json.load(f)
        with open(out_path, "w") as f:
            json.dump(logits_of(model, batch), f)
    elif cmd == "make":
        root = sys.argv[2]
        torch.manual_seed(0)
        mlm = BertForMaskedLM(BertConfig(**TINY))
        # Random LayerNorm and bias values, so a mix-up of weight and bias shows.
        with torch.no_grad():
            for name, p in mlm.named_parameters():
                if "LayerNorm" in name or name.endswith("bias"):
                    p.add_(torch.randn_like(p) * 0.1)
        mlm.save_pretrained(f"{root}/mlm_safetensors", safe_serialization=True)
        mlm.save_pretrained(f"{root}/mlm_bin", safe_serialization=False)
        cls = BertForSequenceClassification(BertConfig(num_labels=3, **TINY))
        cls.save_pretrained(f"{root}/cls", safe_serialization=True)
        with open(f"{root}/batch.json", "w") as f:
            json.dump(BATCH, f)
        for name, model in [("mlm", mlm), ("cls", cls)]:
            with open(f"{root}/{name}_logits.json", "w") as f:
                json.dump(logits_of(model, BATCH), f)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
