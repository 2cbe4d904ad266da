"""The collator's JSONL log: one line per batch built (by whom, for which step and stage,
with which strategy, seed and streams), appended by every process that collates."""

from __future__ import annotations

import json
import os
import zlib

import numpy as np

from .workers import rank, worker


def append(path: str, **fields) -> None:
    """Appends one line: `fields` after who built the batch (rank, worker, pid). One
    write per line, with O_APPEND: lines of several processes do not interleave."""
    w = worker()
    record = {"rank": rank(), "worker": None if w is None else w.id, "pid": os.getpid(), **fields}
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(record) + "\n").encode())
    finally:
        os.close(fd)


def row_digests(masked: np.ndarray, labels: np.ndarray) -> list:
    """One CRC-32 per row of the masked ids and labels: two runs masked a row alike when
    its digests are equal (tests compare runs by them)."""
    return [zlib.crc32(m.tobytes() + l.tobytes()) for m, l in zip(masked, labels)]
