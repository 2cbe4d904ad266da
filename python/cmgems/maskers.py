"""The collator's maskers, and worker reseeding.

One masker draws on `seed`: evaluation batches, and training batches built outside
DataLoader workers. A DataLoader worker that is not persistent (PyTorch's default) starts
anew every epoch from the main process's copy of the collator, its row counter at 0: on
the streams of `seed` alone every epoch would mask each row as the epoch before (static
masking). Each start of a worker has its own torch seed (drawn from the loader's
generator, so seeded runs repeat), and its training masks come from `seed` mixed with it
(core's `derive_seed`). Evaluation keeps the streams of `seed`: the same masks at every
evaluation. Keyed pieces (`keys`) are masked on `seed` itself too, wherever they are
collated: their streams are the pieces' own.
"""

from __future__ import annotations

from ._cmgems import Masker, NpmiTable, derive_seed
from .workers import worker


class Maskers:
    """Builds every masker of a collator in one place. Pickles as the table's JSON (the
    Rust maskers do not pickle): an unpickled copy builds its maskers anew."""

    def __init__(self, table: NpmiTable, rank_lookup: str, seed: int, max_steps: int = 10_000) -> None:
        self.rank_lookup = rank_lookup
        self.seed = seed
        self.max_steps = max_steps
        self._table_json = table.to_json()
        self._build(table)

    def evaluation(self) -> Masker:
        """The masker on `seed` itself."""
        return self._masker

    def keyed(self) -> Masker:
        """The masker of keyed pieces, training or evaluation: on `seed` itself."""
        return self._masker

    def training(self) -> Masker:
        """The masker on `seed` outside workers; in a worker, on `seed` mixed with the
        torch seed of this start of the worker."""
        w = worker()
        if w is None:
            return self._masker
        if self._worker_seed != w.seed:
            self._worker_seed = w.seed
            seed = derive_seed(self.seed, w.seed)
            self._worker_masker = self._new(NpmiTable.from_json(self._table_json), seed)
        return self._worker_masker

    def _new(self, table: NpmiTable, seed: int) -> Masker:
        # max_steps: the run RandomMask's widening is scheduled over.
        return Masker(table, "genemask", self.rank_lookup, seed, max_steps=self.max_steps)

    def _build(self, table: NpmiTable) -> None:
        self._masker = self._new(table, self.seed)
        self._worker_seed = None
        self._worker_masker = None

    def __getstate__(self):
        return {
            "rank_lookup": self.rank_lookup,
            "seed": self.seed,
            "max_steps": self.max_steps,
            "_table_json": self._table_json,
        }

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._build(NpmiTable.from_json(self._table_json))
