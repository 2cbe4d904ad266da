"""Bad input is a ValueError or TypeError with a clear message, never a Rust panic
(pyo3's PanicException derives from BaseException, so `except Exception` would miss it)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cmgems
from conftest import random_dna


@pytest.fixture(scope="module")
def masker(table):
    return cmgems.Masker(table, "genemask", seed=1)


def ids(rows=2, cols=20):
    return cmgems.Tokenizer().encode_batch([random_dna(cols + 3, r) for r in range(rows)])["input_ids"]


@pytest.mark.parametrize(
    "bad, error, words",
    [
        (np.zeros((2, 8), dtype=np.float32), TypeError, "integers"),
        (np.zeros((2, 8), dtype=bool), TypeError, "integers"),
        ([[2, 7, 3]], TypeError, "numpy array"),
        (np.zeros(8, dtype=np.int64), ValueError, "shape"),
        (np.zeros((1, 2, 8), dtype=np.int64), ValueError, "shape"),
        (np.zeros((0, 8), dtype=np.int64), ValueError, "empty"),
        (np.zeros((2, 0), dtype=np.int64), ValueError, "empty"),
        (np.array([[2, 9000, 3]]), ValueError, "id 9000 at row 0, position 1"),
        (np.array([[2, -100, 3]]), ValueError, "-100"),
    ],
)
def test_masker_rejects_bad_arrays(masker, bad, error, words):
    with pytest.raises(error, match=words):
        masker.mask(bad)


def test_attention_of_another_shape(masker):
    with pytest.raises(ValueError, match="attention_mask has shape"):
        masker.mask(ids(), np.ones((2, 3), dtype=np.int64))


def test_table_for_another_k(fasta):
    t4 = cmgems.NpmiTable.count([str(fasta)], min_count=1, k=4)
    six_mer_ids = ids()
    with pytest.raises(ValueError, match="outside the vocabulary of k = 4"):
        cmgems.Masker(t4, "global").mask(six_mer_ids)
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="k = 6.*k = 4"):
        cmgems.DataCollatorForCmGems(table=t4, tokenizer=cmgems.Tokenizer(k=6))


def test_bad_names_and_settings(table):
    for call, words in [
        (lambda: cmgems.Masker(table, strategy="pmi"), "cm-gems"),
        (lambda: cmgems.Masker(table, rank_lookup="row"), "rank"),
        (lambda: cmgems.Masker(table, random_ids="some"), "random_ids"),
        (lambda: cmgems.Masker(table).mask(ids(), strategy="cm-gems"), "strategy"),
        (lambda: cmgems.Curriculum("cm-gems", threshold="-1%"), "threshold"),
        (lambda: cmgems.Curriculum("cm-gems", threshold="lots"), "threshold"),
        (lambda: cmgems.Curriculum("cm-step", max_steps=0), "max_steps"),
        (lambda: cmgems.Curriculum("global", threshold=1.0), "CM-GEMS"),
        (lambda: cmgems.Tokenizer(k=9), "k = 9"),
        (lambda: cmgems.Tokenizer(max_len=2), "max_len"),
    ]:
        with pytest.raises(ValueError, match=words):
            call()
    with pytest.raises(TypeError, match="threshold"):
        cmgems.Curriculum("cm-gems", threshold=[1])


def test_files_that_are_missing_or_wrong(tmp_path):
    with pytest.raises(OSError, match="nope.json"):
        cmgems.NpmiTable.load(str(tmp_path / "nope.json"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "cmgems-npmi", "version": 1, "k": 6')
    with pytest.raises(ValueError, match="bad.json"):
        cmgems.NpmiTable.load(str(bad))
    with pytest.raises(ValueError, match="at least one"):
        cmgems.NpmiTable.count([])
    empty = tmp_path / "empty.fa"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.fa"):
        cmgems.NpmiTable.count([str(empty)])


def test_sequences_with_n_and_short_ones():
    t = cmgems.Tokenizer()
    ids_n = t.encode("ACGTACNGTACGTAC")
    assert ids_n[1:-1].count(1) == 6  # the six 6-mers holding the N are [UNK]
    with pytest.raises(ValueError, match="sequence 1: 6 k-mers hold a letter"):
        cmgems.Tokenizer(strict=True).encode_batch(["ACGTACGT", "ACGTACNGTACGTAC"])
    with pytest.raises(ValueError, match="shorter than one 6-mer"):
        t.encode("ACG")
    with pytest.raises(ValueError, match="k-mer 2"):
        t.encode("ACGTAC CGT")
    with pytest.raises(ValueError, match="at least one"):
        t.encode_batch([])


def test_collator_rejects_bad_features(table):
    pytest.importorskip("torch")
    c = cmgems.DataCollatorForCmGems(table=table, strategy="global")
    for features, error, words in [
        ([], ValueError, "empty batch"),
        ("ACGT", TypeError, "list"),
        ([{"ids": [2, 3]}], TypeError, "input_ids"),
        ([{"input_ids": [[2, 7, 3]]}], ValueError, "one sequence"),
        ([{"input_ids": [2.5, 7.0, 3.0]}], TypeError, "integers"),
        ([{"input_ids": [2, 7, 3], "attention_mask": [1, 1]}], ValueError, "attention_mask has 2"),
        ([{"input_ids": [2, 99999, 3]}], ValueError, "outside the vocabulary"),
        (["ACGTACGT", {"input_ids": [2, 7, 3]}], TypeError, "all"),
        (["AC"], ValueError, "shorter"),
    ]:
        with pytest.raises(error, match=words):
            c(features)
    with pytest.raises(ValueError, match="strategy"):
        cmgems.DataCollatorForCmGems(table=table, strategy="pmi")


int_dtypes = st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64])
any_dtypes = st.one_of(int_dtypes, st.sampled_from([np.float64, np.bool_]))


@settings(max_examples=150, deadline=None)
@given(
    arrays=hnp.arrays(
        dtype=any_dtypes,
        shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=40),
        elements=None,
    ),
    strategy=st.sampled_from(["random", "genemask", "global", "cm-step", "cm-gems"]),
    with_attention=st.booleans(),
)
def test_any_array_masks_or_raises_a_clear_error(table, arrays, strategy, with_attention):
    m = cmgems.Masker(table, strategy, seed=0)
    attention = np.ones(arrays.shape, dtype=np.int64) if with_attention else None
    try:
        masked, labels = m.mask(arrays, attention)
    except (ValueError, TypeError) as e:
        assert str(e)
        return
    assert masked.shape == arrays.shape == labels.shape
    hit = labels != -100
    assert (labels[hit] == arrays[hit]).all()


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60), strict=st.booleans())
def test_any_string_encodes_or_raises_a_clear_error(text, strict):
    t = cmgems.Tokenizer(strict=strict)
    try:
        out = t.encode(text)
    except ValueError as e:
        assert str(e)
        return
    assert out[0] == 2 and out[-1] == 3 and all(0 <= i < 4101 for i in out)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(alphabet="ACGTNacgtn >", max_size=80), max_size=5))
def test_any_string_batch_collates_or_raises_a_clear_error(table, texts):
    pytest.importorskip("torch")
    c = cmgems.DataCollatorForCmGems(table=table, strategy="cm-gems", return_tensors="np")
    try:
        out = c(texts)
    except (ValueError, TypeError) as e:
        assert str(e)
        return
    assert out["input_ids"].shape == out["labels"].shape == (len(texts), out["input_ids"].shape[1])
