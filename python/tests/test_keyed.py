"""Keyed pieces: rows that carry `piece_index` (and `epoch`) are masked on core's piece
streams, so their masks depend neither on batches, DataLoader workers nor resumes; and the
collator takes what `DataCollatorForLanguageModeling` takes (bare id lists, arrays,
tensors)."""

import numpy as np
import pytest

import cmgems
from conftest import random_dna

IGNORE = -100


def encoded(n_rows, seed=0, length=200):
    t = cmgems.Tokenizer()
    return [t.encode(random_dna(length - 7 * r, seed + r)) for r in range(n_rows)]


def as_batch(rows):
    width = max(len(r) for r in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
    return ids, (ids != 0).astype(np.int64)


def test_piece_seed_is_cores_rule():
    # Pinned in core (mask::pieces) to the same value.
    assert cmgems.piece_seed(42, 0, 7) == 0xDB48A9D2DEB41BD7
    seeds = {cmgems.piece_seed(42, e, i) for e in range(3) for i in range(50)}
    assert len(seeds) == 150
    assert cmgems.piece_seed(42, 0, 7) != cmgems.derive_seed(42, 7)


def test_a_keyed_row_masks_alike_in_any_batch_at_any_row(table):
    rows = encoded(5)
    m = cmgems.Masker(table, "genemask", seed=3)
    ids, attention = as_batch(rows)
    _, whole = m.mask(ids, attention, pieces=[10, 11, 12, 13, 14], epochs=2)
    assert m.next_row == 0  # keyed rows do not use the row counter
    # Rows 3 and 1 alone, in another order, another width: the same masks.
    ids2, att2 = as_batch([rows[3], rows[1]])
    _, part = m.mask(ids2, att2, pieces=[13, 11], epochs=[2, 2])
    for src, dst in ((3, 0), (1, 1)):
        n = len(rows[src])
        assert (part[dst, :n] == whole[src, :n]).all()
    # Another epoch, another seed or the numbered streams mask otherwise.
    _, other_epoch = m.mask(ids, attention, pieces=[10, 11, 12, 13, 14], epochs=3)
    _, other_seed = cmgems.Masker(table, "genemask", seed=4).mask(ids, attention, pieces=[10, 11, 12, 13, 14], epochs=2)
    _, numbered = m.mask(ids, attention, first_row=10)
    for other in (other_epoch, other_seed, numbered):
        assert (other != whole).any()


def test_keyed_masking_rejects_bad_keys(table):
    ids, attention = as_batch(encoded(2))
    m = cmgems.Masker(table, "random")
    with pytest.raises(ValueError, match="1 piece keys for a batch of 2 rows"):
        m.mask(ids, attention, pieces=[1])
    with pytest.raises(ValueError, match="3 epochs for 2 pieces"):
        m.mask(ids, attention, pieces=[1, 2], epochs=[0, 0, 0])
    with pytest.raises(ValueError, match="not both"):
        m.mask(ids, attention, pieces=[1, 2], first_row=4)
    with pytest.raises(OverflowError):
        m.mask(ids, attention, pieces=[-1, 2])


def test_collator_takes_bare_id_lists_arrays_and_tensors(table):
    torch = pytest.importorskip("torch")
    rows = encoded(3)
    c = cmgems.DataCollatorForCmGems(table=table, strategy="global", pad_to_multiple_of=8, return_tensors="np")

    def collate(features, first_row=0):
        c._streams._train_rows = first_row  # the same streams for each form
        return c(features)

    want = collate([{"input_ids": r} for r in rows])
    for features in (
        rows,
        [np.array(r, dtype=np.int32) for r in rows],
        [torch.tensor(r) for r in rows],
        tuple(rows),
    ):
        got = collate(features)
        assert set(got) == {"input_ids", "attention_mask", "labels"}
        for k in got:
            assert (got[k] == want[k]).all(), (type(features[0]), k)
    assert isinstance(cmgems.DataCollatorForCmGems(table=table)(rows)["labels"], torch.Tensor)


def test_collator_masks_keyed_features_on_their_piece_streams(table):
    pytest.importorskip("torch")
    rows = encoded(4)
    c = cmgems.DataCollatorForCmGems(table=table, strategy="genemask", seed=5, return_tensors="np")
    out = c([{"input_ids": r, "piece_index": 20 + i, "epoch": 1} for i, r in enumerate(rows)])
    assert set(out) == {"input_ids", "attention_mask", "labels"}  # the keys stay out of the batch
    ids, attention = as_batch(rows)
    _, labels = cmgems.Masker(table, "genemask", seed=5).mask(ids, attention, pieces=[20, 21, 22, 23], epochs=1)
    assert (out["labels"] == labels).all()
    # Without an epoch, the one the callback published.
    c.publish_epoch(1)
    again = c([{"input_ids": r, "piece_index": 20 + i} for i, r in enumerate(rows)])
    assert (again["labels"] == labels).all()


def test_a_batch_mixing_keyed_and_unkeyed_features_is_an_error(table):
    pytest.importorskip("torch")
    rows = encoded(2)
    c = cmgems.DataCollatorForCmGems(table=table, strategy="random")
    with pytest.raises(ValueError, match="feature 1 has no piece_index but feature 0 has one"):
        c([{"input_ids": rows[0], "piece_index": 3}, {"input_ids": rows[1]}])
    with pytest.raises(TypeError, match="feature 0: piece_index must be an integer"):
        c([{"input_ids": rows[0], "piece_index": "3"}])
    with pytest.raises(ValueError, match="feature 0: epoch must be in 0..2"):
        c([{"input_ids": rows[0], "piece_index": 3, "epoch": -1}])


@pytest.mark.parametrize("persistent", [False, True])
def test_keyed_masks_are_the_same_with_0_1_and_2_workers(lambda_dna, table, persistent, tmp_path):
    """Every piece of two epochs of a GenomeDataset masked alike whatever the worker count;
    the batch size (which rows share a batch) and the order do not matter either."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    from hf_helpers import genome_sets, genome_store

    store = genome_store(tmp_path / "g.2bit", {"train": lambda_dna[:2500], "held": lambda_dna[2500:3000]})
    data, _ = genome_sets(store, seed=1)

    def masks(workers, batch_size=4):
        c = cmgems.DataCollatorForCmGems(table=table, strategy="random", seed=7)
        loader = DataLoader(data, batch_size=batch_size, shuffle=True, num_workers=workers,
                            persistent_workers=persistent and workers > 0, collate_fn=c,
                            generator=torch.Generator().manual_seed(workers))
        out = {}
        for epoch in (0, 1):
            data.set_epoch(epoch)  # persistent workers see it too
            for b in loader:
                for ids, labels in zip(b["input_ids"], b["labels"]):
                    n = int((ids != 0).sum())
                    out.setdefault(epoch, []).append((tuple(ids[:n].tolist()), tuple(labels[:n].tolist())))
        data.set_epoch(0)
        return {e: sorted(v) for e, v in out.items()}

    runs = [masks(0), masks(1), masks(2), masks(2, batch_size=5)]
    assert len(runs[0][0]) == len(data) > 15
    assert all(r == runs[0] for r in runs[1:])
    assert runs[0][0] != runs[0][1]  # each epoch its own pieces and masks
