"""`DataCollatorForCmGems`: a drop-in for transformers' `DataCollatorForLanguageModeling`
whose masks come from cmgems' Rust maskers.

Shaped like transformers' collators (`DataCollatorMixin`): `__call__` dispatches on
`return_tensors` to `numpy_call` or `torch_call`, and the work is done by small parts:
`padding` (features to arrays), `stage` (the curriculum's stage, shared with DataLoader
workers), `streams` (each row's random stream), `keys` (piece keys: streams of keyed rows),
`maskers` (the maskers, reseeded in workers), `batch_log` (the optional JSONL log). A batch uses the stage in force when it is
*built*: batches already built when the stage changes keep the old masker (see docs/python.md,
"The lag of a switch", for the exact lag).
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Union

from . import batch_log
from ._cmgems import Curriculum, NpmiTable, Tokenizer, piece_seed
from .keys import piece_keys
from .maskers import Maskers
from .padding import pad
from .stage import Stage
from .streams import RowStreams

_STRATEGIES = ("random", "genemask", "global", "cm-step", "cm-gems", "randommask")
_RETURN_TENSORS = ("pt", "np")


class DataCollatorForCmGems:
    """Pads a batch and masks it with a cmgems strategy.

    `features` is what `DataCollatorForLanguageModeling` takes: a list of dicts with
    `input_ids` (and optionally `attention_mask`, `token_type_ids`), or of bare id
    sequences (lists, numpy arrays, torch tensors); or a list of raw DNA / k-mer strings.
    Returns `input_ids`, `attention_mask` and `labels` (-100 where nothing is masked) as
    torch tensors (`return_tensors="np"`: numpy arrays).

    Strategies: random, genemask, global (fixed), cm-step (GLOBAL's share grows with the
    step over `max_steps`), cm-gems (GeneMask until the `CurriculumCallback` switches it to
    GLOBAL), randommask (random span whose spans widen in four stages over `max_steps`,
    arXiv 2310.07644). Masking is 80/10/10. Every DataLoader worker and rank masks on its own random
    streams of `seed`; a worker that is not persistent, restarted every epoch, mixes its
    start's torch seed in, so no epoch repeats the masks of the one before.

    Keyed pieces: dicts that also carry `piece_index` (and `epoch`, as `GenomeDataset`'s
    do) are masked on the piece's own stream, core's `piece_seed(seed, epoch,
    piece_index)`, so their masks do not depend on workers, ranks or resumes. A feature
    without `epoch` takes the epoch the `CurriculumCallback` published (0 without one).
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
        self.strategy = _strategy_name(strategy)
        if tokenizer is None:
            tokenizer = Tokenizer(k=table.k)
        if not isinstance(tokenizer, Tokenizer):
            raise TypeError(f"tokenizer must be a cmgems.Tokenizer, not {type(tokenizer).__name__}")
        if tokenizer.k != table.k:
            raise ValueError(f"the tokenizer is for k = {tokenizer.k}, the table for k = {table.k}")
        if pad_to_multiple_of is not None and pad_to_multiple_of < 1:
            raise ValueError("pad_to_multiple_of must be at least 1")
        _check_return_tensors(return_tensors)
        self.seed = int(seed)
        self.rank_lookup = rank_lookup
        self.max_steps = int(max_steps)
        self.pad_to_multiple_of = pad_to_multiple_of
        self.return_tensors = return_tensors
        self.log_path = os.fspath(log_path) if log_path is not None else None
        self.tokenizer = tokenizer
        self._maskers = Maskers(table, rank_lookup, self.seed, max(self.max_steps, 1))
        self._curriculum = self._new_curriculum()
        self._stage = Stage()
        self._streams = RowStreams()

    # -- the stage, published by CurriculumCallback ------------------------------------

    @property
    def step(self) -> int:
        """The optimizer step the next batch is built for (last published)."""
        return self._stage.step

    @property
    def switch_step(self) -> Optional[int]:
        """CM-GEMS's switch step, once published."""
        return self._stage.switch_step

    def publish_step(self, step: int) -> None:
        self._stage.publish_step(step)

    def publish_switch(self, step: Optional[int]) -> None:
        self._stage.publish_switch(step)

    @property
    def epoch(self) -> int:
        """The training epoch of keyed pieces without their own `epoch` (last published)."""
        return self._stage.epoch

    def publish_epoch(self, epoch: int) -> None:
        self._stage.publish_epoch(epoch)

    def begin_evaluation(self) -> None:
        """Batches built from now on are evaluation batches (one fixed masker and fixed
        streams, so perplexities compare across evaluations and across the switch)."""
        self._stage.begin_evaluation()

    def end_evaluation(self) -> None:
        self._stage.end_evaluation()

    def current_strategy(self, evaluation: bool = False) -> str:
        """The masker a batch built now would use (CM-Step: its block's draw is random)."""
        if self.strategy == "cm-gems":
            switch = self.switch_step
            return "global" if switch is not None and switch <= self.step else "genemask"
        if self.strategy == "cm-step":
            return "random" if evaluation else "cm-step"
        return self.strategy

    # -- collating (transformers' DataCollatorMixin protocol) --------------------------

    def __call__(self, features: Sequence[Any], return_tensors: Optional[str] = None) -> dict:
        return_tensors = self.return_tensors if return_tensors is None else return_tensors
        _check_return_tensors(return_tensors)
        return self.torch_call(features) if return_tensors == "pt" else self.numpy_call(features)

    def torch_call(self, features: Sequence[Any]) -> dict:
        """The batch as torch tensors (sharing memory with `numpy_call`'s arrays)."""
        import torch

        return {k: torch.from_numpy(v) for k, v in self.numpy_call(features).items()}

    def numpy_call(self, features: Sequence[Any]) -> dict:
        """The batch as int64 numpy arrays."""
        ids, attention, extra = pad(features, self.tokenizer, self.pad_to_multiple_of)
        keys = piece_keys(features)
        evaluation = self._streams.is_evaluation(self._stage)
        strategy = self.current_strategy(evaluation)
        if keys is None:
            first_row = self._first_row(evaluation, len(ids))
            masker = self._maskers.evaluation() if evaluation else self._maskers.training()
            streams = {"first_row": first_row}
            batch_seed, batch_stream = masker.seed, first_row
        else:
            indices, epochs = keys
            epochs = [self.epoch if e is None else e for e in epochs]
            first_row, masker = None, self._maskers.keyed()
            streams = {"pieces": indices, "epochs": epochs}
            batch_seed, batch_stream = piece_seed(masker.seed, epochs[0], indices[0]), 0
        if strategy == "cm-step":
            # One draw per batch, as `train pretrain` draws per batch: on the stream of the
            # batch's first row.
            strategy = self._curriculum.strategy_for_step(self.step, batch_seed, batch_stream)
        # The step sets RandomMask's widening; the fixed maskers ignore it.
        masked, labels = masker.mask(ids, attention, step=self.step, strategy=strategy, **streams)
        if self.log_path is not None:
            batch_log.append(
                self.log_path, step=self.step, switch_step=self.switch_step, evaluation=evaluation,
                strategy=strategy, seed=masker.seed, first_row=first_row, rows=len(ids),
                pieces=None if keys is None else indices, epochs=None if keys is None else epochs,
                masks=batch_log.row_digests(masked, labels),
            )
        return {"input_ids": masked, "attention_mask": attention, "labels": labels, **extra}

    def _first_row(self, evaluation: bool, rows: int) -> int:
        return self._streams.first_row(self._stage, evaluation, rows)

    def _new_curriculum(self) -> Curriculum:
        # CM-Step's per-batch draw of a strategy is core's rule.
        return Curriculum("cm-step", max_steps=max(self.max_steps, 1))

    # -- pickling (DataLoader workers started with "spawn") ----------------------------
    # The stage pickles as its shared array and the maskers as the table's JSON; the Rust
    # tokenizer and curriculum are made anew.

    def __getstate__(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("_curriculum", "tokenizer")}
        state["_tokenizer_args"] = (self.tokenizer.k, self.tokenizer.max_len, self.tokenizer.strict)
        return state

    def __setstate__(self, state):
        k, max_len, strict = state.pop("_tokenizer_args")
        self.__dict__.update(state)
        self.tokenizer = Tokenizer(k=k, max_len=max_len, strict=strict)
        self._curriculum = self._new_curriculum()

    def __repr__(self) -> str:
        return (
            f"DataCollatorForCmGems(strategy={self.strategy!r}, seed={self.seed}, k={self.tokenizer.k}, "
            f"rank_lookup={self.rank_lookup!r}, pad_to_multiple_of={self.pad_to_multiple_of})"
        )


def _strategy_name(strategy: str) -> str:
    name = strategy.lower().replace("_", "-")
    if name == "random-span":
        name = "random"
    if name == "random-mask":
        name = "randommask"
    if name not in _STRATEGIES:
        raise ValueError(f"strategy {strategy!r} is not one of {', '.join(_STRATEGIES)}")
    return name


def _check_return_tensors(return_tensors: str) -> None:
    if return_tensors not in _RETURN_TENSORS:
        raise ValueError(f"return_tensors must be 'pt' or 'np', not {return_tensors!r}")
