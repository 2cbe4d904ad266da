"""`CurriculumCallback`: drives CM-Step by `state.global_step` and CM-GEMS by the evaluation
perplexity, exp(eval_loss), with cmgems-core's curriculum state machine.

Why every rank decides the same: HF Trainer computes `eval_loss` from the losses of all
ranks gathered (`accelerator.gather_for_metrics`) and calls `on_evaluate` on every rank with
that same number, so each rank feeds the same (step, perplexity) sequence to the same
deterministic state machine and switches at the same step, without a message between ranks.

Epochs: at each epoch's start the callback publishes the epoch to the collator (the epoch of
keyed pieces that carry none) and hands it to the training set's `set_epoch` (a
`GenomeDataset` draws each epoch's pieces anew). accelerate forwards `set_epoch` to a dataset
only when no sampler takes it (not under torchrun), so the callback does it on every rank.

Resume: the curriculum is a pure function of the evaluations, and the Trainer keeps them in
`state.log_history`, which a checkpoint restores before `on_train_begin`; the callback
replays them there, so a resumed run continues in the stage it had reached.
"""

from __future__ import annotations

import math
import sys
from typing import Optional, Union

from transformers import TrainerCallback

from ._cmgems import Curriculum
from .collator import DataCollatorForCmGems
from .workers import rank


class CurriculumCallback(TrainerCallback):
    """Publishes the step and CM-GEMS's switch to `collator` (and its DataLoader workers).

    `threshold`: CM-GEMS switches when |ppl_i - ppl_{i-1}| < threshold (default 1.0, the
    authors'), for `patience` consecutive pairs of evaluations (default 1).
    """

    def __init__(
        self,
        collator: DataCollatorForCmGems,
        threshold: Optional[Union[float, str]] = None,
        patience: Optional[int] = None,
        verbose: bool = True,
    ) -> None:
        if not isinstance(collator, DataCollatorForCmGems):
            raise TypeError(f"collator must be a DataCollatorForCmGems, not {type(collator).__name__}")
        self.collator = collator
        self.threshold = threshold
        self.patience = patience
        self.verbose = verbose
        self.events: list = []
        self.curriculum = self._fresh()

    def _fresh(self) -> Curriculum:
        if self.collator.strategy != "cm-gems":
            if self.threshold is not None or self.patience is not None:
                raise ValueError(f"threshold and patience are CM-GEMS settings, not {self.collator.strategy!r}'s")
            return Curriculum("random")
        return Curriculum("cm-gems", threshold=self.threshold, patience=self.patience)

    # -- Trainer events ----------------------------------------------------------------

    def on_train_begin(self, args, state, control, train_dataloader=None, **kwargs):
        dataset = getattr(train_dataloader, "dataset", None)
        if getattr(dataset, "carries_piece_keys", False) and args.remove_unused_columns:
            raise ValueError(
                f"{type(dataset).__name__} gives piece_index and epoch, which Trainer drops "
                "before the collator sees them (and masks would depend on workers and resumes): "
                "pass TrainingArguments(remove_unused_columns=False)"
            )
        # A resumed Trainer has restored log_history from the checkpoint: replay it.
        self.curriculum = self._fresh()
        self.events = []
        for entry in state.log_history:
            if "eval_loss" in entry and "step" in entry:
                self._observe(int(entry["step"]), entry["eval_loss"], replay=True)
        self.collator.publish_switch(self.curriculum.switch_step)
        self.collator.publish_step(state.global_step)
        if args.eval_on_start:
            self.collator.begin_evaluation()
        else:
            self.collator.end_evaluation()
        if self.verbose and state.global_step > 0:
            stage = self.collator.current_strategy()
            self._say(f"resumed at step {state.global_step} in stage {stage}")

    def on_epoch_begin(self, args, state, control, train_dataloader=None, **kwargs):
        # state.epoch is the epochs done (whole at an epoch's start; with its fraction when
        # resumed within one): its floor is the epoch now beginning.
        epoch = int(state.epoch or 0)
        self.collator.publish_epoch(epoch)
        dataset = getattr(train_dataloader, "dataset", None)
        if hasattr(dataset, "set_epoch"):
            dataset.set_epoch(epoch)

    def on_step_end(self, args, state, control, **kwargs):
        self.collator.publish_step(state.global_step)
        if control.should_evaluate:
            self.collator.begin_evaluation()

    def on_epoch_end(self, args, state, control, **kwargs):
        if control.should_evaluate:
            self.collator.begin_evaluation()

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        self.collator.end_evaluation()
        if metrics and "eval_loss" in metrics:
            self._observe(state.global_step, metrics["eval_loss"], replay=False)

    # -- the rule is core's ------------------------------------------------------------

    def _observe(self, step: int, loss: float, replay: bool) -> None:
        perplexity = math.exp(loss) if loss < 700 else math.inf
        event = self.curriculum.observe_perplexity(step, perplexity)
        if event is None:
            return
        self.events.append(event)
        self.collator.publish_switch(event["step"])
        if self.verbose and not replay:
            self._say(
                f"CM-GEMS switched to GLOBAL at step {event['step']} "
                f"(perplexity {event['previous']:.4f} -> {event['current']:.4f})"
            )

    def _say(self, message: str) -> None:
        print(f"cmgems rank {rank()}: {message}", file=sys.stderr, flush=True)
