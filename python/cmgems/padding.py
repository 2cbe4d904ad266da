"""Padding: a batch of features (dicts with `input_ids`, or bare id sequences: lists, numpy
arrays, torch tensors, as transformers' `DataCollatorForLanguageModeling` takes; or raw DNA /
k-mer strings) to (batch, length) int64 arrays, with clear errors for anything else. Pure
numpy: no torch, no masking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Dict, Optional, Tuple

import numpy as np

from ._cmgems import Tokenizer

PAD_ID = 0
_KINDS = "dicts with input_ids, id sequences (lists, numpy arrays, torch tensors), or DNA strings"


def pad(
    features: Sequence[Any], tokenizer: Tokenizer, pad_to_multiple_of: Optional[int]
) -> Tuple[np.ndarray, np.ndarray, Dict[str, np.ndarray]]:
    """`(input_ids, attention_mask, extra)`: `extra` holds `token_type_ids` when the
    features have them. Strings are encoded by `tokenizer` (it pads them itself); a bare
    id sequence is a row of `input_ids` with every position attended."""
    if isinstance(features, (str, bytes)) or not isinstance(features, Sequence):
        raise TypeError(f"features must be a list of {_KINDS}, not {type(features).__name__}")
    if len(features) == 0:
        raise ValueError("an empty batch: features holds no sequence")
    if all(isinstance(f, str) for f in features):
        enc = tokenizer.encode_batch(list(features), pad_to_multiple_of)
        return enc["input_ids"], enc["attention_mask"], {}
    if not any(isinstance(f, (Mapping, str, bytes)) for f in features):
        features = [{"input_ids": f} for f in features]
    if not all(isinstance(f, Mapping) and "input_ids" in f for f in features):
        raise TypeError(
            "features must all be dicts with input_ids, all id sequences (lists, numpy arrays, "
            "torch tensors) or all DNA strings, not a mix"
        )
    rows = [_row(f["input_ids"], "input_ids", i) for i, f in enumerate(features)]
    longest = max(len(r) for r in rows)
    if longest == 0:
        raise ValueError("every input_ids of the batch is empty")
    m = pad_to_multiple_of
    width = longest if m is None else -(-longest // m) * m
    ids = np.full((len(rows), width), PAD_ID, dtype=np.int64)
    attention = np.zeros((len(rows), width), dtype=np.int64)
    extra = {}
    has_types = "token_type_ids" in features[0]
    types = np.zeros((len(rows), width), dtype=np.int64) if has_types else None
    for i, (f, r) in enumerate(zip(features, rows)):
        ids[i, : len(r)] = r
        a = f.get("attention_mask")
        attention[i, : len(r)] = 1 if a is None else _row(a, "attention_mask", i, len(r))
        if types is not None:
            types[i, : len(r)] = _row(f.get("token_type_ids", [0] * len(r)), "token_type_ids", i, len(r))
    if types is not None:
        extra["token_type_ids"] = types
    return ids, attention, extra


def _row(values: Any, name: str, index: int, length: Optional[int] = None) -> np.ndarray:
    """One feature as a 1-D int64 array; a clear error for anything else."""
    if not isinstance(values, np.ndarray):
        values = np.asarray(values.tolist() if hasattr(values, "tolist") else values)
    a = values
    if a.ndim != 1:
        raise ValueError(f"feature {index}: {name} must be one sequence of ids, not shape {a.shape}")
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"feature {index}: {name} must hold integers, not {a.dtype}")
    if length is not None and len(a) != length:
        raise ValueError(f"feature {index}: {name} has {len(a)} positions, input_ids {length}")
    return a.astype(np.int64, copy=False)
