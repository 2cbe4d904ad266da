"""HF Trainer pretrains a tiny BertForMaskedLM with the collator on real DNA; the stage
reaches DataLoader workers; the exact lag of a switch; evaluation masks stay fixed."""

import os

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import numpy as np

import cmgems
from hf_helpers import batch_order, dna_pieces, eval_losses, make_trainer, read_log, train_losses


@pytest.fixture(scope="module")
def corpus(lambda_dna):
    return dna_pieces(lambda_dna, 400, seed=1), dna_pieces(lambda_dna, 32, seed=2)


@pytest.fixture(scope="module")
def real_table(lambda_dna, tmp_path_factory):
    fa = tmp_path_factory.mktemp("lambda") / "lambda.fa"
    fa.write_text(">lambda\n" + lambda_dna + "\n")
    return cmgems.NpmiTable.count([str(fa)], min_count=5)


def test_trainer_pretrains_on_real_dna_and_the_loss_falls(tmp_path, corpus, real_table):
    train, evaluation = corpus
    log = tmp_path / "batches.jsonl"
    trainer, collator, callback = make_trainer(
        tmp_path / "run", real_table, train, evaluation, strategy="random", steps=60,
        eval_every=20, log_path=log,
    )
    trainer.train()
    losses = train_losses(trainer)
    assert len(losses) == 60
    # DNA 6-mers are near uniform (ln 4101 = 8.32 at start): 60 steps of a tiny model learn
    # the k-mer frequencies and start on the overlaps; the fall is small but steady.
    first, last = np.mean(losses[:5]), np.mean(losses[-10:])
    assert last < first - 0.05, f"loss {first:.3f} -> {last:.3f}"
    evals = [l for _, l in eval_losses(trainer)]
    assert len(evals) == 3 and evals[0] > evals[1] > evals[2], evals
    lines = read_log(log)
    assert {l["strategy"] for l in lines} == {"random"}


def test_cm_gems_switch_reaches_persistent_workers_and_the_lag_is_bounded(tmp_path, corpus, real_table):
    train, evaluation = corpus
    log = tmp_path / "batches.jsonl"
    workers = 2
    # A threshold no drop can reach: the switch fires on the second evaluation (step 8).
    trainer, collator, callback = make_trainer(
        tmp_path / "run", real_table, train, evaluation, threshold="1000%", steps=24,
        eval_every=4, workers=workers, persistent=True, log_path=log,
    )
    trainer.train()
    assert callback.curriculum.switch_step == 8 and collator.switch_step == 8
    lines = read_log(log)
    worker_lines = [l for l in lines if l["worker"] is not None]
    # Workers are other processes than this one (the Trainer's), and persistent: each
    # worker of each loader built all its batches in one process, the evaluation workers
    # across all six evaluations (workers that are not persistent start anew for each).
    assert worker_lines and all(l["pid"] != os.getpid() for l in worker_lines)
    pids = {}
    for l in worker_lines:
        pids.setdefault((l["evaluation"], l["worker"]), set()).add(l["pid"])
    assert sorted(pids) == [(e, w) for e in (False, True) for w in range(workers)], pids
    assert all(len(p) == 1 for p in pids.values()), pids
    assert len({l["step"] for l in worker_lines if l["evaluation"]}) == 6
    # Every batch used the stage its worker saw when building it.
    for l in lines:
        if not l["evaluation"]:
            want = "global" if l["switch_step"] is not None and l["switch_step"] <= l["step"] else "genemask"
            assert l["strategy"] == want, l
    order = batch_order(lines, workers)
    first_global = next(i for i, l in enumerate(order) if l["strategy"] == "global")
    assert all(l["strategy"] == "global" for l in order[first_global:])
    # Batch i is consumed by step i (0-based); batches already built when the switch was
    # published keep GeneMask: at most workers * prefetch_factor + the one accelerate reads ahead.
    lag = first_global - 8
    assert 0 <= lag <= workers * 2 + 1, lag
    # Evaluations: GeneMask until the switch (the switching evaluation included), then GLOBAL.
    evals = [l for l in lines if l["evaluation"]]
    assert {l["strategy"] for l in evals if l["step"] <= 8} == {"genemask"}
    assert {l["strategy"] for l in evals if l["step"] > 8} == {"global"}


def test_without_workers_the_lag_is_exactly_the_batch_accelerate_read_ahead(tmp_path, corpus, real_table):
    train, evaluation = corpus
    log = tmp_path / "batches.jsonl"
    trainer, collator, callback = make_trainer(
        tmp_path / "run", real_table, train, evaluation, threshold="1000%", steps=16,
        eval_every=4, log_path=log,
    )
    trainer.train()
    assert collator.switch_step == 8
    order = batch_order(read_log(log), 0)
    strategies = [l["strategy"] for l in order]
    # Batches 0..8 GeneMask (batch 8, for step 9, was read before the evaluation at step 8),
    # from batch 9 on GLOBAL; batch 16 was read ahead past the last step and never used.
    assert strategies == ["genemask"] * 9 + ["global"] * 8
    # Every evaluation masked the same held-out rows on the same streams.
    evals = [l for l in read_log(log) if l["evaluation"]]
    per_eval = [tuple(l["first_row"] for l in evals[i : i + 4]) for i in range(0, len(evals), 4)]
    assert len(set(per_eval)) == 1 and len(per_eval) == 4


def test_collator_is_a_drop_in_for_dicts_and_strings(real_table, corpus):
    import torch

    train, _ = corpus
    c = cmgems.DataCollatorForCmGems(table=real_table, strategy="global", pad_to_multiple_of=8)
    tok = cmgems.Tokenizer()
    features = [{"input_ids": tok.encode(s)} for s in train[:4]]
    from_dicts = c(features)
    assert set(from_dicts) == {"input_ids", "attention_mask", "labels"}
    assert all(v.dtype == torch.int64 for v in from_dicts.values())
    assert from_dicts["input_ids"].shape[1] % 8 == 0
    from_strings = c(train[:4])
    assert from_strings["input_ids"].shape == from_dicts["input_ids"].shape
    # Tensors as features (what HF datasets with format "torch" give) work too.
    c([{"input_ids": torch.tensor(f["input_ids"])} for f in features])


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_the_stage_reaches_worker_processes_of_any_start_method(real_table, corpus, tmp_path, context):
    from torch.utils.data import DataLoader

    train, _ = corpus
    log = tmp_path / "batches.jsonl"
    c = cmgems.DataCollatorForCmGems(table=real_table, strategy="cm-gems", log_path=log)
    loader = DataLoader(train[:160], batch_size=4, num_workers=1, persistent_workers=True,
                        prefetch_factor=2, multiprocessing_context=context, collate_fn=c)
    it = iter(loader)
    for _ in range(5):
        next(it)
    c.publish_step(5)
    c.publish_switch(5)
    rest = [next(it) for _ in range(10)]
    assert all(b["labels"].shape[0] == 4 for b in rest)
    strategies = [l["strategy"] for l in read_log(log) if l["worker"] == 0]
    # Built before the switch: the 5 consumed and up to 2 prefetched; every later one GLOBAL.
    assert strategies[:5] == ["genemask"] * 5
    first_global = strategies.index("global")
    assert first_global <= 5 + 2 and set(strategies[first_global:]) == {"global"}
    del it, loader


def test_cm_step_follows_the_published_step(real_table, corpus):
    train, _ = corpus
    c = cmgems.DataCollatorForCmGems(table=real_table, strategy="cm-step", max_steps=100, return_tensors="np")
    m = cmgems.Masker(real_table, "random")
    batch = train[:4]

    def strategy_of(out):
        # Which fixed masker gave these labels: compare with each on the same streams.
        enc = cmgems.Tokenizer().encode_batch(batch)
        for s in ("random", "global"):
            _, labels = m.mask(enc["input_ids"], enc["attention_mask"], strategy=s, first_row=out_row[0])
            if (labels == out["labels"]).all():
                return s

    out_row = [c._first_row(False, 0)]  # the stream the next batch starts at
    c.publish_step(0)
    assert strategy_of(c(batch)) == "random"  # p_global = 0
    out_row = [c._first_row(False, 0)]
    c.publish_step(100)
    assert strategy_of(c(batch)) == "global"  # p_global = 1


def test_randommask_widens_with_the_published_step(real_table, corpus):
    """At step 0 RandomMask is random span on the same streams; at the last stage it hides
    a superset of random span's positions (the same centres, widened), as core's masker
    does at that step."""
    train, _ = corpus
    c = cmgems.DataCollatorForCmGems(table=real_table, strategy="randommask", max_steps=100, return_tensors="np")
    m = cmgems.Masker(real_table, "random")
    batch = train[:4]
    enc = cmgems.Tokenizer().encode_batch(batch)
    ids, attention = enc["input_ids"], enc["attention_mask"]
    row = c._first_row(False, 0)
    c.publish_step(0)
    early = c(batch)
    assert (early["labels"] == m.mask(ids, attention, first_row=row)[1]).all()
    row = c._first_row(False, 0)
    c.publish_step(100)
    late = c(batch)
    _, random_labels = m.mask(ids, attention, first_row=row)
    over_100 = cmgems.Masker(real_table, "random", max_steps=100)
    _, core_labels = over_100.mask(ids, attention, step=100, strategy="randommask", first_row=row)
    assert (late["labels"] == core_labels).all()
    hit, random_hit = late["labels"] != -100, random_labels != -100
    assert (hit | ~random_hit).all() and hit.sum() > random_hit.sum()


def test_each_epoch_masks_afresh_in_workers_that_are_restarted(real_table, corpus):
    """PyTorch starts workers that are not persistent anew every epoch, from the main
    process's collator (row counters at 0). Their masks must still change from epoch to
    epoch (dynamic masking, as DNABERT's), and repeat when the run is repeated."""
    import torch
    from torch.utils.data import DataLoader

    train, _ = corpus

    def two_epochs(persistent, generator_seed=0):
        c = cmgems.DataCollatorForCmGems(table=real_table, strategy="random", seed=1)
        loader = DataLoader(train[:16], batch_size=4, num_workers=1, persistent_workers=persistent,
                            collate_fn=c, generator=torch.Generator().manual_seed(generator_seed))
        return [[b["labels"].numpy() for b in loader] for _ in range(2)]

    def same(a, b):
        return all(x.shape == y.shape and (x == y).all() for x, y in zip(a, b))

    for persistent in (False, True):
        first, second = two_epochs(persistent)
        assert not same(first, second), f"persistent={persistent}: epoch 2 masked as epoch 1"
        assert same(first, two_epochs(persistent)[0]), "a repeated run masked otherwise"
    assert not same(two_epochs(False)[0], two_epochs(False, generator_seed=1)[0])
