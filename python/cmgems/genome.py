"""`GenomeDataset`: a map-style torch Dataset over a `.2bit` genome store.

Item i of epoch e is piece i of epoch e, a pure function of (seed, e, i) in cmgems-core
(`GenomePieces`, the rule `train pretrain` cuts a store by): `{"input_ids", "piece_index",
"epoch"}`, the ids DNABERT's k-mer ids between [CLS] and [SEP]. Nothing depends on ranks,
devices or DataLoader workers, which only choose the indices they ask for: Trainer's
sampler (a `DistributedSampler` under torchrun) shards `range(len(ds))`. The keys make
`DataCollatorForCmGems` mask each piece on its own stream, so masks too are a function of
(seed, epoch, piece) and a resumed run repeats an unbroken one.

No genome lives in Python: the store is memory-mapped, so every rank and worker of a
machine shares one copy through the page cache; decoding runs in Rust without the GIL.
"""

from __future__ import annotations

import multiprocessing
import operator
import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from torch.utils.data import Dataset, IterableDataset, get_worker_info

from ._cmgems import GenomePieces
from .keys import EPOCH, PIECE_INDEX

_KEYS = ("input_ids", PIECE_INDEX, EPOCH)


class GenomeDataset(Dataset):
    """`len(ds)` pieces per epoch of one split of the store at `path`; `ds[i]` is piece i of
    the current epoch (`set_epoch`; `CurriculumCallback` sets it at each epoch's start).

    `split`: "train", or "held_out" (the pieces of the `held_out` records or regions, e.g.
    `["chr21", "chr1:0-5000000"]`, and of a seeded share of blocks,
    `held_out_block_share`; no training piece overlaps them: give both datasets the same
    settings). Piece lengths (`min_tokens`, `max_tokens`, `full_length_prob`), the N share
    a piece may hold (`max_n_share`) and `block_len` default to core's (DNABERT's rule).

    With HF Trainer, pass `TrainingArguments(remove_unused_columns=False)`: Trainer
    otherwise drops `piece_index` and `epoch` before the collator sees them.
    """

    carries_piece_keys = True

    def __init__(
        self,
        path: Union[str, os.PathLike],
        seed: int = 0,
        *,
        split: str = "train",
        epoch: int = 0,
        k: int = 6,
        min_tokens: Optional[int] = None,
        max_tokens: Optional[int] = None,
        full_length_prob: Optional[float] = None,
        max_n_share: Optional[float] = None,
        block_len: Optional[int] = None,
        held_out: Sequence[str] = (),
        held_out_block_share: Optional[float] = None,
    ) -> None:
        if isinstance(held_out, str):
            held_out = [held_out]
        self._args = dict(
            path=os.fspath(path), seed=int(seed), split=split, k=k, min_tokens=min_tokens,
            max_tokens=max_tokens, full_length_prob=full_length_prob, max_n_share=max_n_share,
            block_len=block_len, held_out=list(held_out), held_out_block_share=held_out_block_share,
        )
        self.pieces = _open(self._args)
        # Shared with DataLoader workers (persistent ones too), like the collator's stage.
        self._epoch = multiprocessing.RawValue("q", 0)
        self.set_epoch(epoch)

    # -- epochs --------------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        return int(self._epoch.value)

    def set_epoch(self, epoch: int) -> None:
        """Items are the pieces of `epoch` from now on (in workers too)."""
        epoch = operator.index(epoch)
        if epoch < 0:
            raise ValueError(f"epoch must be at least 0, not {epoch}")
        self._epoch.value = epoch

    # -- map-style access ------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.pieces)

    def __getitem__(self, index: int) -> Dict[str, Any]:
        return self.__getitems__([operator.index(index)])[0]

    def __getitems__(self, indices: Sequence[int]) -> List[Dict[str, Any]]:
        """A batch in one call into Rust, items and all (torch's DataLoader uses it when
        present): `{"input_ids", "piece_index", "epoch"}` each."""
        return self.pieces.items(self.epoch, indices, _KEYS)

    def piece(self, index: int) -> Tuple[str, int, int]:
        """Where item `index` of the current epoch lies: `(record, start, tokens)`, its
        nucleotides `start .. start + tokens + k - 1` of the record (0-based)."""
        return self.pieces.piece(self.epoch, operator.index(index))

    def stream(self, epochs: Optional[int] = None, rank: int = 0, world_size: int = 1) -> "GenomeStream":
        """An iterable view: this rank's share of every epoch's pieces in order, epoch after
        epoch (`epochs` of them, or without end), split again among DataLoader workers."""
        return GenomeStream(self, epochs, rank, world_size)

    # -- pickling (DataLoader workers started with "spawn") ------------------------------
    # The store is mapped anew (the page cache keeps one copy); the epoch stays shared.

    def __getstate__(self):
        return {"_args": self._args, "_epoch": self._epoch}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.pieces = _open(self._args)

    def __repr__(self) -> str:
        a = self._args
        return (f"GenomeDataset({a['path']!r}, seed={a['seed']}, split={a['split']!r}, "
                f"epoch={self.epoch}, pieces={len(self)})")


class GenomeStream(IterableDataset):
    """Pieces `rank, rank + world_size, ...` of each epoch (so the ranks share nothing and
    miss nothing), those split again among DataLoader workers, as `GenomeDataset` items."""

    def __init__(self, dataset: GenomeDataset, epochs: Optional[int], rank: int, world_size: int) -> None:
        if world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is not one of {world_size} ranks")
        self.dataset, self.epochs, self.rank, self.world_size = dataset, epochs, rank, world_size

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        w = get_worker_info()
        workers, worker = (1, 0) if w is None else (w.num_workers, w.id)
        step = self.world_size * workers
        first = self.rank + self.world_size * worker
        start = epoch = self.dataset.epoch
        while self.epochs is None or epoch < start + self.epochs:
            for i in range(first, len(self.dataset), step):
                ids = self.dataset.pieces.input_ids(epoch, i)
                yield {"input_ids": ids, PIECE_INDEX: i, EPOCH: epoch}
            epoch += 1


def _open(args: dict) -> GenomePieces:
    a = dict(args)
    return GenomePieces(a.pop("path"), a.pop("seed"), **a)
