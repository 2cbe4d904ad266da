"""Type stubs of the Rust extension (python/src/), written by hand: tests/test_stubs.py checks
them against the built module (names, kinds and parameters of every member)."""

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, TypedDict, Union

import numpy as np
import numpy.typing as npt

__version__: str

_Path = Union[str, os.PathLike]
_Ids = npt.NDArray[np.integer]

class SwitchEvent(TypedDict):
    step: int
    previous: float
    current: float

class Tokenizer:
    """Raw DNA or DNABERT k-mer text to ids: `[CLS] k-mer ids [SEP]` (what `train mask` writes)."""

    def __init__(self, k: int = 6, max_len: int = 512, strict: bool = False) -> None: ...
    @property
    def k(self) -> int: ...
    @property
    def max_len(self) -> int: ...
    @property
    def strict(self) -> bool: ...
    @property
    def vocab_size(self) -> int: ...
    def vocab_txt(self) -> str: ...
    def save_pretrained(self, save_directory: _Path, **kwargs: object) -> List[str]: ...
    def encode(self, text: str) -> List[int]: ...
    def encode_windows(self, text: str, window: int = 510, stride: Optional[int] = None) -> List[List[int]]:
        """The model inputs `train mask` cuts a long sequence into."""
    def encode_batch(
        self, texts: Sequence[str], pad_to_multiple_of: Optional[int] = None
    ) -> Dict[str, npt.NDArray[np.int64]]:
        """`input_ids` and `attention_mask`, int64, shape (batch, length)."""

class NpmiTable:
    """NPMI scores and ranks of every k-mer."""

    @staticmethod
    def count(
        fasta_paths: Sequence[_Path], min_count: int = 101, k: int = 6, threads: Optional[int] = None
    ) -> "NpmiTable": ...
    @staticmethod
    def from_genemask_csv(path: _Path) -> "NpmiTable": ...
    @staticmethod
    def load(path: _Path) -> "NpmiTable": ...
    @staticmethod
    def from_json(text: str) -> "NpmiTable": ...
    def save(self, path: _Path) -> None: ...
    def to_json(self) -> str: ...
    def top(self, n: int) -> List[Tuple[str, int, Optional[float]]]: ...
    @property
    def k(self) -> int: ...
    @property
    def scored(self) -> int: ...
    @property
    def min_count(self) -> int: ...
    @property
    def source(self) -> Optional[str]: ...

class Masker:
    """Masks (batch, length) id arrays; row r uses random stream first_row + r of seed."""

    def __init__(
        self,
        table: NpmiTable,
        strategy: str = "genemask",
        rank_lookup: str = "kmer",
        seed: int = 42,
        *,
        random_ids: str = "kmers",
        global_m: Optional[int] = None,
        max_steps: int = 10000,
        switch_step: Optional[int] = None,
    ) -> None: ...
    def mask(
        self,
        input_ids: _Ids,
        attention_mask: Optional[_Ids] = None,
        *,
        step: int = 0,
        first_row: Optional[int] = None,
        strategy: Optional[str] = None,
        pieces: Optional[Sequence[int]] = None,
        epochs: Union[int, Sequence[int]] = 0,
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """`(masked_input_ids, labels)`, labels -100 where nothing is masked. With
        `pieces`, row r is piece pieces[r] of its epoch, on stream piece_seed(seed, epoch, piece)."""
    @property
    def k(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def next_row(self) -> int: ...

class Curriculum:
    """cmgems-core's curriculum state machine (fixed, CM-Step, CM-GEMS, RandomMask)."""

    def __init__(
        self,
        strategy: str = "cm-gems",
        *,
        max_steps: int = 10000,
        threshold: Optional[Union[float, str]] = None,
        patience: Optional[int] = None,
    ) -> None: ...
    def observe_perplexity(self, step: int, perplexity: float) -> Optional[SwitchEvent]: ...
    def strategy_for_step(self, step: int, seed: int = 0, stream: int = 0) -> str: ...
    def widening(self, step: int) -> int: ...
    @property
    def current(self) -> str: ...
    @property
    def switch_step(self) -> Optional[int]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> "Curriculum": ...

class GenomePieces:
    """The pieces of one split of a .2bit genome store; piece i of epoch e is f(seed, e, i)."""

    def __init__(
        self,
        path: _Path,
        seed: int = 0,
        *,
        split: str = "train",
        k: int = 6,
        min_tokens: Optional[int] = None,
        max_tokens: Optional[int] = None,
        full_length_prob: Optional[float] = None,
        max_n_share: Optional[float] = None,
        block_len: Optional[int] = None,
        held_out: Sequence[str] = ...,
        held_out_block_share: Optional[float] = None,
    ) -> None: ...
    def __len__(self, /) -> int: ...
    def piece(self, epoch: int, index: int) -> Tuple[str, int, int]:
        """`(record, start, tokens)`: nucleotides start .. start + tokens + k - 1 of the record."""
    def input_ids(self, epoch: int, index: int) -> npt.NDArray[np.int64]: ...
    def input_ids_many(self, epoch: int, indices: Sequence[int]) -> List[npt.NDArray[np.int64]]: ...
    def items(self, epoch: int, indices: Sequence[int], keys: Tuple[str, str, str]) -> List[Dict[str, Any]]: ...
    @property
    def path(self) -> str: ...
    @property
    def records(self) -> List[str]: ...
    @property
    def nucleotides(self) -> int: ...
    @property
    def split(self) -> str: ...

def build_genome(fasta_paths: Sequence[_Path], out: _Path) -> Dict[str, Union[int, List[str]]]: ...
def derive_seed(seed: int, stream: int) -> int: ...
def piece_seed(seed: int, epoch: int, index: int) -> int: ...
