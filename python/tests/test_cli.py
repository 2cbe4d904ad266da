"""The same masks everywhere: Python's Masker and `train mask` agree byte for byte; a model
pretrained by HF Trainer with the collator loads in `train finetune --init`."""

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cmgems
from conftest import random_dna, run
from hf_helpers import dna_pieces

CASES = {
    "random": ([], {}),
    "genemask": ([], {}),
    "global": ([], {}),
    "global-fixed-m-all-ids": (["--global-m", "3", "--random-ids", "all"], {"global_m": 3, "random_ids": "all-ids"}),
    "genemask-position": (["--rank-lookup", "position"], {"rank_lookup": "position"}),
    "cm-step": (["--step", "5000", "--max-steps", "10000"], {"max_steps": 10000, "step": 5000}),
    "cm-gems-before": (["--step", "4", "--switch-step", "5"], {"switch_step": 5, "step": 4}),
    "cm-gems-after": (["--step", "5", "--switch-step", "5"], {"switch_step": 5, "step": 5}),
    # Step 8000 of 10000: stage 3, spans widened by up to 3 tokens a side.
    "randommask": (["--step", "8000", "--max-steps", "10000"], {"max_steps": 10000, "step": 8000}),
}


@pytest.fixture(scope="module")
def sequences(lambda_dna):
    seqs = dna_pieces(lambda_dna, 14, seed=3, lo=7, hi=700)  # some longer than 512 tokens
    seqs.append(lambda_dna[100:160].lower())
    seqs.append(lambda_dna[200:300] + "NNNN" + lambda_dna[300:380])
    return seqs


@pytest.mark.parametrize("case", sorted(CASES))
def test_python_masks_equal_train_mask_byte_for_byte(train_bin, table, sequences, tmp_path, case):
    flags, kwargs = CASES[case]
    strategy = case.split("-fixed")[0].replace("-position", "").replace("-before", "").replace("-after", "")
    fasta = tmp_path / "in.fa"
    fasta.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(sequences)))
    table_path = tmp_path / "table.json"
    table.save(str(table_path))
    out = tmp_path / "masks.jsonl"
    run([train_bin, "mask", "--table", table_path, "--strategy", strategy, "--seed", "7",
         *flags, "--out", out, fasta])
    lines = out.read_text().splitlines()

    step = kwargs.pop("step", 0)
    masker = cmgems.Masker(cmgems.NpmiTable.load(str(table_path)), strategy=strategy, seed=7, **kwargs)
    # train mask cuts records longer than one model input into windows; input g of the
    # file is row g here.
    tok = cmgems.Tokenizer()
    rows = [w for s in sequences for w in tok.encode_windows(s)]
    assert len(lines) == len(rows) > len(sequences)
    ids = np.zeros((len(rows), 512), dtype=np.int64)
    for r, w in enumerate(rows):
        ids[r, : len(w)] = w
    masked, labels = masker.mask(ids, (ids != 0).astype(np.int64), step=step)
    compact = lambda xs: json.dumps([int(x) for x in xs], separators=(",", ":"))
    for r, line in enumerate(lines):
        n = len(rows[r])
        for field, ours in [("input_ids", ids[r, :n]),
                            ("masked_input_ids", masked[r, :n]), ("labels", labels[r, :n])]:
            assert f'"{field}":{compact(ours)}' in line, f"row {r}, {field} differs"
        assert (labels[r, n:] == -100).all()


def test_hf_trainer_model_loads_in_train_finetune(train_bin, lambda_dna, tmp_path):
    pytest.importorskip("transformers")
    dna = tmp_path / "lambda.txt"
    dna.write_text(lambda_dna)
    model = tmp_path / "hf-model"
    script = Path(__file__).parent / "train_script.py"
    run([sys.executable, script, "--dna", dna, "--out", tmp_path / "pre", "--steps", "4",
         "--eval-every", "2", "--save-model", model])
    assert (model / "config.json").exists() and (model / "vocab.txt").exists()
    task = tmp_path / "task"
    task.mkdir()
    rng = random.Random(1)
    for split in ("train", "dev", "test"):
        rows = ["sequence,label"]
        for i in range(40):
            s = random_dna(40, rng.randrange(10**9))
            if i % 2:
                s = s[:10] + "TATAAAAGGCGC" + s[22:]
            rows.append(f"{s},{i % 2}")
        (task / f"{split}.csv").write_text("\n".join(rows) + "\n")
    p = run([train_bin, "finetune", "--data", task, "--recipe", "fewshot:10", "--init", model,
             "--backend", "cpu", "--epochs", "1", "--out", tmp_path / "ft"])
    text = p.stdout + p.stderr
    assert "test: accuracy" in text, text
    fresh = [l for l in text.splitlines() if l.startswith("newly initialised")]
    # Only the classifier head is new: embeddings and encoder came from the HF model.
    assert not any("encoder" in l or "embeddings" in l for l in fresh), fresh
