"""Row streams: which random stream of the seed each row of a batch is masked on, so that
no two rows of a run (across ranks, DataLoader workers and batches) share one, and every
evaluation masks its rows as the evaluation before.

Training rows of (rank, worker) start at ((rank*256 + worker + 1) << 40) and count on;
evaluation rows start at _EVAL_STREAMS + ((rank*256 + worker) << 40), counted from 0 again
at every evaluation. The counters are this process's (a worker counts its own rows).
"""

from __future__ import annotations

from .stage import Stage
from .workers import rank, worker

_EVAL_STREAMS = 1 << 62


class RowStreams:
    """This process's row counters and phase. A copy made for a worker (fork or pickle)
    starts from the counters of the collator it was copied from."""

    def __init__(self) -> None:
        self._role = None
        self._train_rows = 0
        self._eval_rows = 0
        self._eval_round = 0

    def is_evaluation(self, stage: Stage) -> bool:
        """Whether the batch built now is an evaluation batch. A worker process takes the
        phase it first sees and keeps it: a DataLoader's workers serve either training or
        evaluation, and training workers keep building batches ahead while an evaluation
        runs."""
        if worker() is None:
            return stage.evaluating
        if self._role is None:
            self._role = stage.evaluating
        return self._role

    def first_row(self, stage: Stage, evaluation: bool, rows: int) -> int:
        """The stream of the batch's first row; the next `rows` streams are its rows'."""
        w = worker()
        who = rank() * 256 + (0 if w is None else w.id)
        if evaluation:
            if self._eval_round != stage.eval_round:
                self._eval_round = stage.eval_round
                self._eval_rows = 0
            first = _EVAL_STREAMS + (who << 40) + self._eval_rows
            self._eval_rows += rows
        else:
            first = ((who + 1) << 40) + self._train_rows
            self._train_rows += rows
        return first
