"""`PreemptionCallback`: SIGTERM (how SLURM preemption and spot instances end a job) or
SIGINT makes HF Trainer finish its step, write a checkpoint and stop, so a preempted run
loses nothing; `resume_from_checkpoint` then continues it.

Why at a step's end: a signal handler may run between any two bytecodes, in the middle of a
backward pass or an all-reduce. The handler only records the signal; `on_step_end` turns it
into `control.should_save` and `control.should_training_stop`, which Trainer honours right
after (it saves, then leaves its loop).

Under torchrun every rank must save and stop at the same step, or the ranks that go on
wait forever in their next collective: at every step's end the ranks reduce their flags
(an all-reduce of the max, one integer), so one signalled rank stops them all.

DataLoader workers forked after `on_train_begin` inherit the handler (a signal sent to the
whole process group, as Ctrl-C and `scancel` do, reaches them too); in them it does
nothing, so they keep serving batches until the main process stops them. Workers started
with "spawn" have Python's default handlers.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Optional, Sequence

from transformers import TrainerCallback

from .workers import rank

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class PreemptionCallback(TrainerCallback):
    """Saves a checkpoint and stops training at the end of the step during which this
    process (or, under torchrun, any rank) got one of `signals`.

    After `trainer.train()` returns, `signal` is the signal that stopped the run (None if
    none did) and `exit_code` the conventional status to exit with (128 + the signal), so
    that a job scheduler sees the run did not finish. A second signal while the first is
    pending acts as it would without the callback (Ctrl-C twice interrupts at once).
    """

    def __init__(self, signals: Sequence[int] = _SIGNALS, verbose: bool = True) -> None:
        self.signals = tuple(signals)
        self.verbose = verbose
        self.signal: Optional[int] = None
        self._pending: Optional[int] = None
        self._previous: dict = {}
        self._pid = os.getpid()

    @property
    def exit_code(self) -> int:
        """0 when no signal stopped the run, else 128 + its number."""
        return 0 if self.signal is None else 128 + int(self.signal)

    # -- Trainer events ----------------------------------------------------------------

    def on_train_begin(self, args, state, control, **kwargs):
        self.signal = None
        self._pending = None
        self._pid = os.getpid()
        if threading.current_thread() is not threading.main_thread():
            # Python lets only the main thread set handlers; a Trainer run elsewhere is
            # not preemptible through this callback.
            self._say("not in the main thread: SIGTERM/SIGINT will not save a checkpoint")
            return
        for s in self.signals:
            self._previous[s] = signal.signal(s, self._handle)

    def on_step_end(self, args, state, control, **kwargs):
        pending = self._reduce(self._pending, args)
        if pending is None:
            return
        self.signal = pending
        control.should_save = True
        control.should_training_stop = True
        self._say(f"got {signal.Signals(pending).name}: saving a checkpoint at step "
                  f"{state.global_step} and stopping")

    def on_train_end(self, args, state, control, **kwargs):
        self._restore()

    # -- the signal and the ranks --------------------------------------------------------

    def _handle(self, signum, frame):
        if os.getpid() != self._pid:
            return  # a forked DataLoader worker: the main process decides
        if self._pending is not None:
            # A second signal: behave as without the callback.
            self._restore()
            signal.raise_signal(signum)
            return
        self._pending = signum

    def _reduce(self, pending: Optional[int], args) -> Optional[int]:
        """The largest signal number pending on any rank (None: none), every rank alike."""
        import torch.distributed as dist

        if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
            return pending
        import torch

        device = "cpu" if dist.get_backend() == "gloo" else args.device
        flag = torch.tensor([0 if pending is None else int(pending)], device=device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        value = int(flag.item())
        return value or None

    def _restore(self) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous = {}

    def _say(self, message: str) -> None:
        if self.verbose:
            print(f"cmgems rank {rank()}: {message}", file=sys.stderr, flush=True)
