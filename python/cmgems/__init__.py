"""cmgems for PyTorch: the Rust maskers of cmgems (random span, GeneMask, GLOBAL, CM-Step,
CM-GEMS) as a HuggingFace data collator and Trainer callback.

The classes of the Rust extension (`Tokenizer`, `NpmiTable`, `Masker`, `Curriculum`) need
only numpy, as do `GenomePieces` (a `.2bit` genome store's pieces) and `build_genome`;
`GenomeDataset`, `DataCollatorForCmGems`, `CurriculumCallback` and `PreemptionCallback`
import torch (and transformers) when first used.
"""

from typing import TYPE_CHECKING

from ._cmgems import (
    Curriculum,
    GenomePieces,
    Masker,
    NpmiTable,
    Tokenizer,
    __version__,
    build_genome,
    derive_seed,
    piece_seed,
)

if TYPE_CHECKING:  # for editors; at run time they are imported on first use
    from .callback import CurriculumCallback
    from .collator import DataCollatorForCmGems
    from .genome import GenomeDataset
    from .preemption import PreemptionCallback

__all__ = [
    "Curriculum",
    "CurriculumCallback",
    "DataCollatorForCmGems",
    "GenomeDataset",
    "GenomePieces",
    "Masker",
    "NpmiTable",
    "PreemptionCallback",
    "Tokenizer",
    "__version__",
    "build_genome",
    "derive_seed",
    "piece_seed",
]


def __getattr__(name):
    # torch and transformers are heavy: import them only for the classes that need them.
    if name == "DataCollatorForCmGems":
        from .collator import DataCollatorForCmGems

        return DataCollatorForCmGems
    if name == "CurriculumCallback":
        from .callback import CurriculumCallback

        return CurriculumCallback
    if name == "GenomeDataset":
        from .genome import GenomeDataset

        return GenomeDataset
    if name == "PreemptionCallback":
        from .preemption import PreemptionCallback

        return PreemptionCallback
    raise AttributeError(f"module 'cmgems' has no attribute {name!r}")
