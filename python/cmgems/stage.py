"""The curriculum's stage, shared with DataLoader workers: the step the next batch is built
for, CM-GEMS's switch step, whether batches are built for an evaluation (and which one),
and the training epoch (the epoch of keyed pieces that carry none).

It lives in a small shared-memory array created with the collator, so worker processes,
which hold copies of the collator (persistent workers too, forked or spawned), read what
the `CurriculumCallback` of the main process publishes. Lock-free: one writer (the
callback, main process), readers in workers; each slot is one aligned 64-bit word.
"""

from __future__ import annotations

import multiprocessing
from typing import Optional

_NO_SWITCH = -1
# Slots of the shared array.
_STEP, _SWITCH, _EVAL, _EVAL_ROUND, _EPOCH = range(5)


class Stage:
    """The shared stage. Pickles (for workers started with "spawn") as the shared array
    itself, so the copies keep reading the main process's values."""

    def __init__(self) -> None:
        self._slots = multiprocessing.RawArray("q", 5)
        self._slots[_SWITCH] = _NO_SWITCH

    @property
    def step(self) -> int:
        return int(self._slots[_STEP])

    @property
    def switch_step(self) -> Optional[int]:
        s = int(self._slots[_SWITCH])
        return None if s == _NO_SWITCH else s

    @property
    def evaluating(self) -> bool:
        """Whether batches built now are evaluation batches (as last published)."""
        return bool(self._slots[_EVAL])

    @property
    def eval_round(self) -> int:
        """How many evaluations have begun."""
        return int(self._slots[_EVAL_ROUND])

    @property
    def epoch(self) -> int:
        """The training epoch, as last published."""
        return int(self._slots[_EPOCH])

    def publish_epoch(self, epoch: int) -> None:
        self._slots[_EPOCH] = int(epoch)

    def publish_step(self, step: int) -> None:
        self._slots[_STEP] = int(step)

    def publish_switch(self, step: Optional[int]) -> None:
        self._slots[_SWITCH] = _NO_SWITCH if step is None else int(step)

    def begin_evaluation(self) -> None:
        self._slots[_EVAL_ROUND] += 1
        self._slots[_EVAL] = 1

    def end_evaluation(self) -> None:
        self._slots[_EVAL] = 0
