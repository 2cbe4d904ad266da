"""`DataCollatorForCmGems`: a drop-in for transformers' `DataCollatorForLanguageModeling`
whose masks come from cmgems' Rust maskers.

The curriculum's stage (the current step and CM-GEMS's switch step) lives in a small
shared-memory array created with the collator, so DataLoader worker processes, which hold
copies of the collator (persistent workers too), read the stage the `CurriculumCallback`
of the main process publishes. A batch uses the stage in force when it is *built*: batches
already built when the stage changes keep the old masker (see README, "Using cmgems from
PyTorch", for the exact lag).
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

import numpy as np

from ._cmgems import Curriculum, Masker, NpmiTable, Tokenizer, derive_seed

PAD_ID = 0
_NO_SWITCH = -1
# Slots of the shared stage array.
_STEP, _SWITCH, _EVAL, _EVAL_ROUND = range(4)
# Row stream numbers: training rows of (rank, worker) start at ((rank*256+worker+1) << 40);
# evaluation rows at _EVAL_STREAMS + ((rank*256+worker) << 40), counted from 0 at every
# evaluation, so each evaluation sees the same masks.
_EVAL_STREAMS = 1 << 62
_STRATEGIES = ("random", "genemask", "global", "cm-step", "cm-gems")


class DataCollatorForCmGems:
    """Pads a batch and masks it with a cmgems strategy.

    `features` is a list of dicts with `input_ids` (and optionally `attention_mask`,
    `token_type_ids`), as for `DataCollatorForLanguageModeling`, or a list of raw DNA /
    k-mer strings. Returns `input_ids`, `attention_mask` and `labels` (-100 where nothing
    is masked) as torch tensors (`return_tensors="np"`: numpy arrays).

    Strategies: random, genemask, global (fixed), cm-step (GLOBAL's share grows with the
    step over `max_steps`), cm-gems (GeneMask until the `CurriculumCallback` switches it to
    GLOBAL). Masking is 80/10/10. Every DataLoader worker and rank masks on its own random
    streams of `seed`; a worker that is not persistent, restarted every epoch, mixes its
    start's torch seed in, so no epoch repeats the masks of the one before.
    """

    def __init__(
        self,
        table: Union[NpmiTable, str, os.PathLike],
        strategy: str = "cm-gems",
        seed: int = 42,
        tokenizer: Optional[Tokenizer] = None,
        *,
        rank_lookup: str = "kmer",
        max_steps: int = 10_000,
        pad_to_multiple_of: Optional[int] = None,
        return_tensors: str = "pt",
        log_path: Optional[Union[str, os.PathLike]] = None,
    ) -> None:
        if not isinstance(table, NpmiTable):
            table = NpmiTable.load(os.fspath(table))
        name = strategy.lower().replace("_", "-")
        if name == "random-span":
            name = "random"
        if name not in _STRATEGIES:
            raise ValueError(f"strategy {strategy!r} is not one of {', '.join(_STRATEGIES)}")
        if tokenizer is None:
            tokenizer = Tokenizer(k=table.k)
        if not isinstance(tokenizer, Tokenizer):
            raise TypeError(f"tokenizer must be a cmgems.Tokenizer, not {type(tokenizer).__name__}")
        if tokenizer.k != table.k:
            raise ValueError(f"the tokenizer is for k = {tokenizer.k}, the table for k = {table.k}")
        if pad_to_multiple_of is not None and pad_to_multiple_of < 1:
            raise ValueError("pad_to_multiple_of must be at least 1")
        if return_tensors not in ("pt", "np"):
            raise ValueError(f"return_tensors must be 'pt' or 'np', not {return_tensors!r}")
        self.strategy = name
        self.seed = int(seed)
        self.rank_lookup = rank_lookup
        self.max_steps = int(max_steps)
        self.pad_to_multiple_of = pad_to_multiple_of
        self.return_tensors = return_tensors
        self.log_path = os.fspath(log_path) if log_path is not None else None
        self.tokenizer = tokenizer
        self._table_json = table.to_json()
        self._build(table)
        # Lock-free shared memory: one writer (the callback, main process), readers in workers.
        self._stage = multiprocessing.RawArray("q", 4)
        self._stage[_SWITCH] = _NO_SWITCH
        self._init_counters()

    # -- the stage, published by CurriculumCallback ------------------------------------

    @property
    def step(self) -> int:
        """The optimizer step the next batch is built for (last published)."""
        return int(self._stage[_STEP])

    @property
    def switch_step(self) -> Optional[int]:
        """CM-GEMS's switch step, once published."""
        s = int(self._stage[_SWITCH])
        return None if s == _NO_SWITCH else s

    def publish_step(self, step: int) -> None:
        self._stage[_STEP] = int(step)

    def publish_switch(self, step: Optional[int]) -> None:
        self._stage[_SWITCH] = _NO_SWITCH if step is None else int(step)

    def begin_evaluation(self) -> None:
        """Batches built from now on are evaluation batches (one fixed masker and fixed
        streams, so perplexities compare across evaluations and across the switch)."""
        self._stage[_EVAL_ROUND] += 1
        self._stage[_EVAL] = 1

    def end_evaluation(self) -> None:
        self._stage[_EVAL] = 0

    def current_strategy(self, evaluation: bool = False) -> str:
        """The masker a batch built now would use (CM-Step: its block's draw is random)."""
        if self.strategy == "cm-gems":
            switch = self.switch_step
            return "global" if switch is not None and switch <= self.step else "genemask"
        if self.strategy == "cm-step":
            return "random" if evaluation else "cm-step"
        return self.strategy

    # -- collating ---------------------------------------------------------------------

    def __call__(self, features: Sequence[Any]) -> dict:
        ids, attention, extra = self._pad(features)
        evaluation = self._is_evaluation()
        first_row = self._first_row(evaluation, len(ids))
        masker = self._masker if evaluation else self._training_masker()
        strategy = self.current_strategy(evaluation)
        if strategy == "cm-step":
            # One draw per batch, as `train pretrain` draws per batch.
            strategy = self._curriculum.strategy_for_step(self.step, masker.seed, first_row)
        masked, labels = masker.mask(ids, attention, strategy=strategy, first_row=first_row)
        if self.log_path is not None:
            self._log(strategy, evaluation, first_row, len(ids), masker.seed)
        batch = {"input_ids": masked, "attention_mask": attention, "labels": labels, **extra}
        if self.return_tensors == "pt":
            import torch

            batch = {k: torch.from_numpy(v) for k, v in batch.items()}
        return batch

    def _pad(self, features: Sequence[Any]):
        if isinstance(features, (str, bytes)) or not isinstance(features, Sequence):
            raise TypeError("features must be a list of dicts with input_ids, or of DNA strings")
        if len(features) == 0:
            raise ValueError("an empty batch: features holds no sequence")
        if all(isinstance(f, str) for f in features):
            enc = self.tokenizer.encode_batch(list(features), self.pad_to_multiple_of)
            return enc["input_ids"], enc["attention_mask"], {}
        if not all(isinstance(f, Mapping) and "input_ids" in f for f in features):
            raise TypeError("features must all be dicts with input_ids, or all DNA strings")
        rows = [_row(f["input_ids"], "input_ids", i) for i, f in enumerate(features)]
        longest = max(len(r) for r in rows)
        if longest == 0:
            raise ValueError("every input_ids of the batch is empty")
        m = self.pad_to_multiple_of
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

    def _is_evaluation(self) -> bool:
        # A worker process takes the phase it first sees and keeps it: a DataLoader's
        # workers serve either training or evaluation, and training workers keep building
        # batches ahead while an evaluation runs.
        if _worker() is None:
            return bool(self._stage[_EVAL])
        if self._role is None:
            self._role = bool(self._stage[_EVAL])
        return self._role

    def _training_masker(self) -> Masker:
        # A DataLoader worker that is not persistent (PyTorch's default) starts anew every
        # epoch from the main process's copy of the collator, its row counter at 0: on the
        # streams of `seed` alone every epoch would mask each row as the epoch before
        # (static masking). Each start of a worker has its own torch seed (drawn from the
        # loader's generator, so seeded runs repeat), and its training masks come from
        # `seed` mixed with it. Evaluation keeps the streams of `seed`: the same masks at
        # every evaluation.
        w = _worker()
        if w is None:
            return self._masker
        if self._worker_seed != w.seed:
            self._worker_seed = w.seed
            seed = derive_seed(self.seed, w.seed)
            self._worker_masker = self._new_masker(NpmiTable.from_json(self._table_json), seed)
        return self._worker_masker

    def _first_row(self, evaluation: bool, rows: int) -> int:
        w = _worker()
        who = _rank() * 256 + (0 if w is None else w.id)
        if evaluation:
            if self._eval_round != self._stage[_EVAL_ROUND]:
                self._eval_round = int(self._stage[_EVAL_ROUND])
                self._eval_rows = 0
            first = _EVAL_STREAMS + (who << 40) + self._eval_rows
            self._eval_rows += rows
        else:
            first = ((who + 1) << 40) + self._train_rows
            self._train_rows += rows
        return first

    def _log(self, strategy: str, evaluation: bool, first_row: int, rows: int, seed: int) -> None:
        w = _worker()
        line = json.dumps(
            {
                "rank": _rank(),
                "worker": None if w is None else w.id,
                "pid": os.getpid(),
                "step": self.step,
                "switch_step": self.switch_step,
                "evaluation": evaluation,
                "strategy": strategy,
                "seed": seed,
                "first_row": first_row,
                "rows": rows,
            }
        )
        # One append per line: lines of several processes do not interleave.
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

    # -- construction and pickling (DataLoader workers started with "spawn") -----------

    def _new_masker(self, table: NpmiTable, seed: int) -> Masker:
        return Masker(table, "genemask", self.rank_lookup, seed)

    def _build(self, table: NpmiTable) -> None:
        self._masker = self._new_masker(table, self.seed)
        self._curriculum = Curriculum("cm-step", max_steps=max(self.max_steps, 1))

    def _init_counters(self) -> None:
        self._worker_seed = None
        self._worker_masker = None
        self._role = None
        self._train_rows = 0
        self._eval_rows = 0
        self._eval_round = 0

    def __getstate__(self):
        skip = ("_masker", "_worker_masker", "_curriculum", "tokenizer")
        state = {k: v for k, v in self.__dict__.items() if k not in skip}
        state["_tokenizer_args"] = (self.tokenizer.k, self.tokenizer.max_len, self.tokenizer.strict)
        return state

    def __setstate__(self, state):
        k, max_len, strict = state.pop("_tokenizer_args")
        self.__dict__.update(state)
        self.tokenizer = Tokenizer(k=k, max_len=max_len, strict=strict)
        self._worker_masker = None
        self._build(NpmiTable.from_json(self._table_json))

    def __repr__(self) -> str:
        return (
            f"DataCollatorForCmGems(strategy={self.strategy!r}, seed={self.seed}, k={self.tokenizer.k}, "
            f"rank_lookup={self.rank_lookup!r}, pad_to_multiple_of={self.pad_to_multiple_of})"
        )


def _row(values: Any, name: str, index: int, length: Optional[int] = None) -> np.ndarray:
    """One feature as a 1-D int64 array; a clear error for anything else."""
    a = np.asarray(values.tolist() if hasattr(values, "tolist") else values)
    if a.ndim != 1:
        raise ValueError(f"feature {index}: {name} must be one sequence of ids, not shape {a.shape}")
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"feature {index}: {name} must hold integers, not {a.dtype}")
    if length is not None and len(a) != length:
        raise ValueError(f"feature {index}: {name} has {len(a)} positions, input_ids {length}")
    return a.astype(np.int64, copy=False)


def _worker():
    try:
        from torch.utils.data import get_worker_info
    except ImportError:
        return None
    return get_worker_info()


def _rank() -> int:
    return int(os.environ.get("RANK", "0"))
