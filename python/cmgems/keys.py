"""Piece keys: a feature that carries `piece_index` (and optionally `epoch`) is piece
`piece_index` of epoch `epoch` of its dataset (`GenomeDataset` gives both), and the collator
masks it on that piece's own random stream, core's `piece_seed(seed, epoch, piece_index)`.
Its masks then depend on nothing else: not on the batch it lands in, the DataLoader worker
or rank that collates it, nor on whether the run was resumed."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any, List, Optional, Sequence, Tuple

PIECE_INDEX = "piece_index"
EPOCH = "epoch"


def piece_keys(features: Sequence[Any]) -> Optional[Tuple[List[int], List[Optional[int]]]]:
    """`(indices, epochs)` of a batch whose every feature has a `piece_index` (an epoch is
    None where the feature has none); None when no feature has one. A batch that mixes
    keyed and unkeyed rows is an error: its masks would depend on where the unkeyed rows
    fall."""
    keyed = [isinstance(f, Mapping) and PIECE_INDEX in f for f in features]
    if not any(keyed):
        return None
    if not all(keyed):
        raise ValueError(
            f"feature {keyed.index(False)} has no {PIECE_INDEX} but feature {keyed.index(True)} "
            f"has one: give every feature of a batch its {PIECE_INDEX}, or none"
        )
    indices = [_key(f[PIECE_INDEX], PIECE_INDEX, i) for i, f in enumerate(features)]
    epochs = [_key(f[EPOCH], EPOCH, i) if EPOCH in f else None for i, f in enumerate(features)]
    return indices, epochs


def _key(value: Any, name: str, index: int) -> int:
    """A non-negative integer (int, numpy integer, one-element integer tensor)."""
    try:
        key = operator.index(value)
    except TypeError:
        raise TypeError(f"feature {index}: {name} must be an integer, not {value!r}") from None
    if not 0 <= key < 1 << 64:
        raise ValueError(f"feature {index}: {name} must be in 0..2^64, not {key}")
    return key
