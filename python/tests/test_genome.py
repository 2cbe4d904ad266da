"""GenomeDataset over a .2bit store: each item is the piece core's rule gives, read back by an
independent reader (py2bit); epochs are permutations of one set of pieces; ranks of a
DistributedSampler and the streaming view's ranks and workers each get every index once."""

import random

import pytest

import cmgems
from conftest import need, random_dna

torch = pytest.importorskip("torch")

from hf_helpers import genome_store  # noqa: E402


def genome_records():
    """Three records with N runs and soft-masked (lower-case) stretches; the held-out one is
    short."""
    rng = random.Random(5)
    a = random_dna(9000, 1)
    a = a[:2000] + "N" * 300 + a[2300:5000].lower() + a[5000:]
    b = "N" * 50 + random_dna(6000, 2) + "N" * 700 + random_dna(3000, 3)
    held = "".join(rng.choice("ACGT") for _ in range(1500))
    return {"chrA": a, "chrB": b, "held": held}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return genome_store(tmp_path_factory.mktemp("genome") / "g.2bit", genome_records())


def settings(**kw):
    return {"seed": 11, "min_tokens": 10, "max_tokens": 200, "held_out": ["held"], **kw}


def test_every_item_is_its_piece_read_back_independently(store):
    try:
        import py2bit
    except ImportError:
        py2bit = None
    need("py2bit (pip install py2bit): the independent .2bit reader", py2bit is not None)
    ds = cmgems.GenomeDataset(store, **settings())
    tok = cmgems.Tokenizer()
    records = genome_records()
    reader = py2bit.open(str(store))
    assert ds.pieces.records == ["chrA", "chrB", "held"] and ds.pieces.nucleotides == sum(map(len, records.values()))
    covered = 0
    for i in range(len(ds)):
        item = ds[i]
        assert item["piece_index"] == i and item["epoch"] == 0
        name, start, tokens = ds.piece(i)
        assert name != "held" and 10 <= tokens <= 200
        letters = reader.sequence(name, start, start + tokens + 5)
        assert letters == records[name][start : start + tokens + 5].upper()
        assert "N" not in letters  # no N in a piece by default
        assert item["input_ids"].tolist() == tok.encode(letters)
        covered += tokens + 5
    assert covered > 0.8 * (len(records["chrA"]) + len(records["chrB"]) - 1050)
    held = cmgems.GenomeDataset(store, split="held_out", **settings())
    assert {held.piece(i)[0] for i in range(len(held))} == {"held"}


def test_epochs_permute_one_set_of_pieces_and_the_seed_fixes_them(store):
    ds = cmgems.GenomeDataset(store, **settings())

    def pieces(d):
        return [d.piece(i) for i in range(len(d))]

    first = pieces(ds)
    ds.set_epoch(1)
    second = pieces(ds)
    assert sorted(first) == sorted(second) and first != second
    assert [x["input_ids"].tolist() for x in ds.__getitems__([3, 0, 5])] == [ds[i]["input_ids"].tolist() for i in (3, 0, 5)]
    assert pieces(cmgems.GenomeDataset(store, epoch=1, **settings())) == second
    assert pieces(cmgems.GenomeDataset(store, **settings(seed=12))) != first
    # Negative indices count from the end, as for a list; past the end is an IndexError.
    assert ds[-1]["piece_index"] == len(ds) - 1
    with pytest.raises(IndexError):
        ds[len(ds)]


@pytest.mark.parametrize("world", [2, 3])
def test_distributed_sampler_shards_cover_each_index_once(store, world):
    from torch.utils.data import DataLoader, DistributedSampler

    ds = cmgems.GenomeDataset(store, **settings())
    seen = []
    for rank in range(world):
        sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=3, drop_last=True)
        sampler.set_epoch(1)
        loader = DataLoader(ds, batch_size=4, sampler=sampler, num_workers=2, collate_fn=lambda b: b)
        seen += [x["piece_index"] for batch in loader for x in batch]
    kept = len(ds) - len(ds) % world
    assert len(seen) == len(set(seen)) == kept
    assert set(seen) <= set(range(len(ds)))


def test_the_stream_gives_each_rank_and_worker_its_own_pieces(store):
    from torch.utils.data import DataLoader

    ds = cmgems.GenomeDataset(store, **settings())
    seen = []
    for rank in range(2):
        loader = DataLoader(ds.stream(epochs=2, rank=rank, world_size=2), batch_size=3, num_workers=2,
                            collate_fn=lambda b: b)
        seen += [(x["epoch"], x["piece_index"]) for batch in loader for x in batch]
    assert sorted(seen) == [(e, i) for e in (0, 1) for i in range(len(ds))]
    first = next(iter(ds.stream(epochs=1)))
    assert first["input_ids"].tolist() == ds[0]["input_ids"].tolist()


def test_bad_stores_and_settings_are_clear_errors(store, tmp_path):
    not_2bit = tmp_path / "g.fa"
    not_2bit.write_text(">a\nACGT\n")
    with pytest.raises(ValueError, match="g.fa"):
        cmgems.GenomeDataset(not_2bit)
    with pytest.raises(OSError, match="missing.2bit"):
        cmgems.GenomeDataset(tmp_path / "missing.2bit")
    with pytest.raises(ValueError, match="split must be 'train' or 'held_out'"):
        cmgems.GenomeDataset(store, split="test")
    with pytest.raises(ValueError, match="chrZ"):
        cmgems.GenomeDataset(store, held_out=["chrZ"])
    with pytest.raises(ValueError, match="epoch must be at least 0"):
        cmgems.GenomeDataset(store).set_epoch(-1)
    with pytest.raises(ValueError, match="min_tokens"):
        cmgems.GenomeDataset(store, min_tokens=300, max_tokens=200)


def test_trainer_refuses_to_drop_the_piece_keys(store, tmp_path, table):
    pytest.importorskip("transformers")
    from hf_helpers import make_trainer

    train = cmgems.GenomeDataset(store, **settings())
    held = cmgems.GenomeDataset(store, split="held_out", **settings())
    trainer, _, _ = make_trainer(tmp_path / "run", table, train, held, strategy="random", steps=2)
    with pytest.raises(ValueError, match="remove_unused_columns=False"):
        trainer.train()
