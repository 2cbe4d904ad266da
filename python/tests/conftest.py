"""Shared fixtures: a seeded random-DNA table (no data needed), real DNA from
../shared/data (skipped when absent), the `train` binary (CMGEMS_TRAIN)."""

import gzip
import os
import random
import subprocess
from pathlib import Path

import pytest

import cmgems

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
IN_CI = os.environ.get("CI") == "true"

try:  # One thread per torch process: the tiny models are faster so on a shared 2-core machine.
    import torch

    torch.set_num_threads(1)
except ImportError:
    pass


def need(what: str, ok: bool):
    """Skip with a message when something optional is missing; under CI=true it must exist."""
    if not ok:
        if IN_CI:
            pytest.fail(f"{what} is required under CI=true")
        pytest.skip(f"{what} is absent")


def random_dna(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("ACGT") for _ in range(n))


@pytest.fixture(scope="session")
def fasta(tmp_path_factory) -> Path:
    """A seeded random FASTA of 3 records with planted repeats (so NPMI ranks differ)."""
    path = tmp_path_factory.mktemp("fasta") / "random.fa"
    motif = "GATTACAGGC"
    records = []
    for r in range(3):
        s = random_dna(6000, r)
        s = s[:1000] + motif * 40 + s[1400:]
        records.append(f">rec{r}\n{s}\n")
    path.write_text("".join(records))
    return path


@pytest.fixture(scope="session")
def table(fasta) -> "cmgems.NpmiTable":
    return cmgems.NpmiTable.count([str(fasta)], min_count=1)


def real_dna() -> str:
    """Phage lambda's genome (48.5 kbp), from ../shared/data."""
    path = DATA / "corpora" / "lambda_virus.fa.gz"
    need(f"{path} (real DNA)", path.exists())
    with gzip.open(path, "rt") as f:
        return "".join(line.strip() for line in f if not line.startswith(">")).upper()


@pytest.fixture(scope="session")
def lambda_dna() -> str:
    return real_dna()


@pytest.fixture(scope="session")
def train_bin() -> Path:
    """The `train` binary: $CMGEMS_TRAIN, else target/release/train of $CARGO_TARGET_DIR."""
    env = os.environ.get("CMGEMS_TRAIN")
    if env:
        path = Path(env)
    else:
        target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
        path = target / "release" / "train"
    need(f"the train binary ({path}; set CMGEMS_TRAIN)", path.exists())
    return path


def run(cmd, **kw) -> subprocess.CompletedProcess:
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert p.returncode == 0, f"{cmd} failed:\n{p.stdout}\n{p.stderr}"
    return p


__all__ = ["DATA", "REPO", "need", "random_dna", "run"]
