"""Who is collating: the DataLoader worker (torch's `get_worker_info`, None in the main
process or without torch) and the distributed rank (`RANK`, as torchrun sets it). Row
streams and worker seeds are drawn from these."""

from __future__ import annotations

import os


def worker():
    """This process's DataLoader worker info (`.id`, `.seed`), or None outside a worker."""
    try:
        from torch.utils.data import get_worker_info
    except ImportError:
        return None
    return get_worker_info()


def rank() -> int:
    """The distributed rank of this process (0 when not distributed)."""
    return int(os.environ.get("RANK", "0"))
