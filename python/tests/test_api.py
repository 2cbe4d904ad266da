"""The Rust classes: tokenizer ids, table I/O, masker semantics and determinism."""

import numpy as np
import pytest

import cmgems
from conftest import DATA, need, random_dna

IGNORE = -100


def test_tokenizer_reads_raw_dna_and_kmer_text_the_same():
    t = cmgems.Tokenizer(k=6)
    dna = "ACGTACGTTGCA"
    kmers = " ".join(dna[i : i + 6] for i in range(len(dna) - 5))
    ids = t.encode(dna)
    assert ids[0] == 2 and ids[-1] == 3 and len(ids) == len(dna) - 5 + 2
    assert t.encode(kmers) == ids
    assert t.encode(dna.lower()) == ids
    # DNABERT's vocab order: [PAD] [UNK] [CLS] [SEP] [MASK] then AAAAAA, AAAAAT, ...
    assert t.encode("AAAAAA") == [2, 5, 3] and t.encode("AAAAAT") == [2, 6, 3]
    assert t.vocab_txt().splitlines()[5] == "AAAAAA"
    assert t.vocab_size == 4101


def test_encode_batch_pads_like_the_hf_collator():
    t = cmgems.Tokenizer()
    b = t.encode_batch(["ACGTACGTAC", random_dna(40, 1)], pad_to_multiple_of=8)
    assert b["input_ids"].shape == (2, 40) and b["input_ids"].dtype == np.int64
    assert b["attention_mask"].sum(axis=1).tolist() == [7, 37]
    assert (b["input_ids"][0, 7:] == 0).all()


def test_table_json_round_trip_and_top(table, tmp_path):
    path = tmp_path / "t.json"
    table.save(str(path))
    back = cmgems.NpmiTable.load(str(path))
    assert back.to_json() == table.to_json()
    top = table.top(5)
    assert len(top) == 5 and [r for _, r, _ in top] == [1, 2, 3, 4, 5]
    assert all(len(kmer) == 6 for kmer, _, _ in top)
    # The planted repeat GATTACAGGC's 6-mers are frequent and rank high.
    assert any(kmer in "GATTACAGGCGATTACAGGC" for kmer, _, _ in table.top(20))


def test_genemask_csv_table_loads():
    path = DATA / "GeneMask" / "Data-A_norm-pmi-score-ranking.csv"
    need(str(path), path.exists())
    t = cmgems.NpmiTable.from_genemask_csv(str(path))
    assert t.k == 6 and t.scored > 4000
    assert cmgems.NpmiTable.load(str(path)).to_json() == t.to_json()


def batch(n_rows=4, length=300, seed=0):
    t = cmgems.Tokenizer()
    seqs = [random_dna(length - 5 - 7 * r, seed + r) for r in range(n_rows)]
    b = t.encode_batch(seqs)
    return b["input_ids"], b["attention_mask"]


@pytest.mark.parametrize("strategy", ["random", "genemask", "global", "cm-step", "cm-gems", "randommask"])
def test_labels_hold_the_originals_exactly_where_masked(table, strategy):
    ids, attention = batch()
    masked, labels = cmgems.Masker(table, strategy=strategy, seed=3).mask(ids, attention)
    assert masked.shape == ids.shape and labels.dtype == np.int64
    hit = labels != IGNORE
    assert hit.any()
    assert (labels[hit] == ids[hit]).all()
    assert (masked[~hit] == ids[~hit]).all()
    # Never [CLS], [SEP] or padding.
    assert not hit[attention == 0].any() and not hit[:, 0].any()
    # 80% of the masked become [MASK] (id 4): loosely, most.
    assert (masked[hit] == 4).mean() > 0.6


def test_rows_have_their_own_streams_and_the_counter_continues(table):
    ids, attention = batch(n_rows=6)
    whole = cmgems.Masker(table, "genemask", seed=9).mask(ids, attention)
    m = cmgems.Masker(table, "genemask", seed=9)
    first = m.mask(ids[:2], attention[:2])
    assert m.next_row == 2
    rest = m.mask(ids[2:], attention[2:])
    for a, b, c in zip(whole, first, rest):
        assert (a == np.concatenate([b, c])).all()
    again = cmgems.Masker(table, "genemask", seed=9).mask(ids[3:4], attention[3:4], first_row=3)
    assert (again[1] == whole[1][3:4]).all()
    other = cmgems.Masker(table, "genemask", seed=10).mask(ids, attention)
    assert (other[1] != whole[1]).any()


def test_padding_does_not_change_the_masks(table):
    ids, attention = batch(n_rows=1, length=200)
    padded = np.zeros((1, 512), dtype=np.int64)
    padded[0, : ids.shape[1]] = ids[0]
    a = cmgems.Masker(table, "global", seed=1).mask(ids)
    b = cmgems.Masker(table, "global", seed=1).mask(padded)
    assert (b[1][0, : ids.shape[1]] == a[1][0]).all() and (b[1][0, ids.shape[1]:] == IGNORE).all()


def test_global_hides_the_best_ranked_kmer_of_every_row(table):
    ids, attention = batch(n_rows=8, length=500)
    _, g = cmgems.Masker(table, "global", seed=2).mask(ids, attention)
    rank = {kmer: rank for kmer, rank, _ in table.top(4096)}
    vocab = cmgems.Tokenizer().vocab_txt().splitlines()
    for row, labels in zip(ids, g):
        ranks = [rank.get(vocab[i], 10**9) for i in row]
        best = int(np.argmin(ranks))
        assert labels[best] == row[best], "GLOBAL left the best-ranked k-mer unmasked"


def test_curriculum_switches_with_the_core_rule():
    c = cmgems.Curriculum("cm-gems", threshold=1.0)
    assert c.observe_perplexity(10, 50.0) is None
    assert c.observe_perplexity(20, 40.0) is None
    ev = c.observe_perplexity(30, 39.5)
    assert ev == {"step": 30, "previous": 40.0, "current": 39.5}
    assert c.current == "global" and c.switch_step == 30
    back = cmgems.Curriculum.from_json(c.to_json())
    assert back.switch_step == 30
    rel = cmgems.Curriculum("cm-gems", threshold="5%")
    rel.observe_perplexity(1, 100.0)
    assert rel.observe_perplexity(2, 96.0) is not None  # 4 < 5% of 96
    step = cmgems.Curriculum("cm-step", max_steps=100)
    assert step.strategy_for_step(0) == "random" and step.strategy_for_step(100) == "global"
    rm = cmgems.Curriculum("randommask", max_steps=100)
    assert rm.strategy_for_step(99) == "randommask" == rm.current
    assert [rm.widening(s) for s in (0, 24, 25, 50, 75, 500)] == [0, 0, 1, 2, 3, 3]


def test_masking_releases_the_gil(table):
    """A second thread runs Python code while the main thread is inside `mask`, which it
    can only do if `mask` lets go of the GIL.

    With forced switches off (a switch interval far longer than the test), a thread waiting
    for the GIL gets it only when the holder lets go by itself. The main thread wakes the
    other thread (which then waits for the GIL), sets `phase` to "inside" and calls `mask`;
    after the call it sets "after" and waits for the other thread to record what it saw.
    Between the two assignments the main thread lets go of the GIL only if `mask` does: a
    build that holds it records "after" every round, deterministically. A build that lets
    go records "inside" as soon as the other thread is scheduled during one of the calls.
    """
    import sys
    import threading

    ids = np.tile(batch(n_rows=1, length=512)[0], (2000, 1))
    m = cmgems.Masker(table, "genemask")
    m.mask(ids[:1])  # first-call set-up (numpy's C API) out of the measured calls
    rounds = 50
    phase = ["before"]
    seen = []
    go, recorded = threading.Semaphore(0), threading.Semaphore(0)

    def watcher():
        for _ in range(rounds):
            go.acquire()
            seen.append(phase[0])
            recorded.release()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    th = threading.Thread(target=watcher)
    try:
        th.start()
        for _ in range(rounds):
            go.release()
            phase[0] = "inside"
            m.mask(ids)
            phase[0] = "after"
            recorded.acquire()
            if seen[-1] == "inside":
                break
    finally:
        sys.setswitchinterval(interval)
        for _ in range(rounds):
            go.release()
        th.join()
    assert "inside" in seen, f"in {len(seen)} calls of mask the other thread ran only after them"


def _count_in_child(path, queue):
    queue.put(cmgems.NpmiTable.count([path], min_count=1).to_json())


def test_counting_works_in_a_forked_child_after_the_parent_counted(fasta, table):
    # rayon's global pool has no threads in a forked child; count uses its own pool per call.
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_count_in_child, args=(str(fasta), queue))
    child.start()
    got = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0 and got == table.to_json()


def test_derive_seed_is_cores_stream_rule():
    # core's SplitMix mixing (rng::derive_seed), pinned there to the same value.
    assert cmgems.derive_seed(42, 7) == 0x53AD348AF3DDAF4B
    seeds = {cmgems.derive_seed(42, s) for s in range(100)}
    assert len(seeds) == 100 and 42 not in seeds
    with pytest.raises(OverflowError):
        cmgems.derive_seed(-1, 0)


def test_every_module_of_the_package_imports_on_this_python():
    # The suite runs on the oldest CPython the wheel claims, without torch: the collator's
    # modules (numpy only until a batch is asked for as torch tensors) must load there too.
    import importlib
    import importlib.util
    import pkgutil

    names = [m.name for m in pkgutil.iter_modules(cmgems.__path__) if m.name != "_cmgems"]
    assert {"collator", "callback", "padding", "stage", "streams"} <= set(names)
    # Modules that import these at load (the package imports them on first use only).
    needs = {"callback": "transformers", "preemption": "transformers", "genome": "torch"}
    names = [n for n in names if importlib.util.find_spec(needs.get(n, "numpy")) is not None]
    for name in names:
        importlib.import_module(f"cmgems.{name}")
