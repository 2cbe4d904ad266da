"""Bad input is a ValueError or TypeError with a clear message, never a Rust panic
(pyo3's PanicException derives from BaseException, so `except Exception` would miss it)."""

import re

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
    strategy=st.sampled_from(["random", "genemask", "global", "cm-step", "cm-gems", "randommask"]),
    with_attention=st.booleans(),
)
def test_any_array_masks_or_raises_a_clear_error(table, arrays, strategy, with_attention):
    m = cmgems.Masker(table, strategy, seed=0)
    attention = np.ones(arrays.shape, dtype=np.int64) if with_attention else None
    try:
        masked, labels = m.mask(arrays, attention)
    except (ValueError, TypeError) as e:
        check_array_error(e, arrays, vocab_size=5 + 4**table.k)
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
        check_sequence_error(str(e), 0, text)
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
        if not texts:
            assert isinstance(e, ValueError) and str(e) == "an empty batch: features holds no sequence"
            return
        # The first text that does not encode alone is the one named.
        bad = next(i for i, text in enumerate(texts) if not encodes(text))
        check_sequence_error(str(e), bad, texts[bad])
        return
    assert out["input_ids"].shape == out["labels"].shape == (len(texts), out["input_ids"].shape[1])


def check_array_error(e, arrays, vocab_size):
    """The message names what is wrong and where: the dtype or shape given, or the bad id
    with its row and position: the first one in row-major order, ids that are no token id
    at all (negative, over 32 bits) before ids outside the vocabulary."""
    msg = str(e)
    if isinstance(e, TypeError):
        assert msg == f"input_ids must hold integers, not {arrays.dtype}"
        return
    if arrays.ndim != 2:
        assert msg == f"input_ids must have shape (batch, length), not {list(arrays.shape)}"
        return
    if arrays.size == 0:
        assert msg == "empty input: a batch needs at least one row and one position"
        return
    m = re.search(r"id (-?\d+) at row (\d+), position (\d+) (is not a token id|is outside the vocabulary)", msg)
    assert m, msg
    value, row, position = (int(g) for g in m.groups()[:3])
    assert int(arrays[row, position]) == value, msg
    flat = [int(x) for x in arrays.reshape(-1)]
    not_ids = [i for i, x in enumerate(flat) if not 0 <= x < 2**32]
    outside = [i for i, x in enumerate(flat) if x >= vocab_size]
    first = not_ids[0] if not_ids else outside[0]
    assert divmod(first, arrays.shape[1]) == (row, position), msg
    assert m.group(4) == ("is not a token id" if not_ids else "is outside the vocabulary"), msg


def encodes(text: str) -> bool:
    try:
        cmgems.Tokenizer(strict=False).encode(text)
        return True
    except ValueError:
        return False


# What core strips and splits on: Rust's trim (Unicode White_Space) and ASCII whitespace.
RUST_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
ASCII_WHITESPACE = re.compile("[ \t\n\x0c\r]+")


def core_text(text: str) -> str:
    """The text core encodes: trimmed, then one pair of surrounding double quotes dropped."""
    t = text.strip(RUST_WHITESPACE)
    return t[1:-1] if len(t) >= 2 and t[0] == t[-1] == '"' else t


def check_sequence_error(msg: str, index: int, text: str):
    """A text that does not encode: the message names the sequence (its index in the
    request) and, where one is to blame, the position: the first [UNK] (strict=True) or
    the k-mer word of the wrong length."""
    k = 6
    if msg == f"sequence {index} is shorter than one {k}-mer":
        assert len(ASCII_WHITESPACE.sub("", core_text(text)).encode()) < k, msg
        return
    m = re.fullmatch(
        rf"sequence {index}: (\d+) k-mers hold a letter other than A, C, G, T, the first at position "
        r"(\d+) \(strict=True; strict=False encodes them as \[UNK\]\)",
        msg,
    )
    if m:
        ids = cmgems.Tokenizer(strict=False).encode(text)
        unknown = [i for i, x in enumerate(ids) if x == 1]
        assert (len(unknown), unknown[0]) == (int(m.group(1)), int(m.group(2))), msg
        return
    m = re.fullmatch(rf"sequence {index}: line 1, field `k-mer (\d+)`: .* is not a {k}-mer", msg, re.S)
    assert m, msg
    words = [w for w in ASCII_WHITESPACE.split(core_text(text)) if w]
    word = words[int(m.group(1)) - 1]
    assert len(word.encode()) != k and word != "[UNK]", msg
