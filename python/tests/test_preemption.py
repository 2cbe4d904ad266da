"""Exact resume and preemption: a Trainer run over keyed pieces that is signalled (SIGTERM)
saves a checkpoint at the end of that step and stops; resumed from it, it masks every piece
as the unbroken run did and reaches the same losses, whatever the DataLoader worker count.
Under torchrun one signalled rank stops both, at the same step."""

import json
import os
import signal
import subprocess
import time

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from transformers import TrainerCallback

import cmgems
from hf_helpers import (
    BIN,
    SCRIPT,
    eval_losses,
    genome_sets,
    genome_store,
    make_trainer,
    piece_masks,
    read_log,
    script_env,
    train_losses,
)


@pytest.fixture(scope="module")
def real_table(lambda_dna, tmp_path_factory):
    fa = tmp_path_factory.mktemp("lambda") / "lambda.fa"
    fa.write_text(">lambda\n" + lambda_dna + "\n")
    return cmgems.NpmiTable.count([str(fa)], min_count=5)


class SignalAt(TrainerCallback):
    """Sends `signum` to this process when step `step` begins (mid-step for the Trainer)."""

    def __init__(self, step, signum=signal.SIGTERM):
        self.step, self.signum = step, signum

    def on_step_begin(self, args, state, control, **kwargs):
        if state.global_step + 1 == self.step:
            os.kill(os.getpid(), self.signum)


def test_a_signalled_run_saves_and_resumes_to_the_unbroken_run(tmp_path, lambda_dna, real_table):
    """A GenomeDataset of ~50 pieces, batches of 8: 14 steps cross into epoch 1. SIGTERM
    during step 8 (in epoch 1) stops the run after saving checkpoint-8; the resumed run and
    the unbroken one mask every piece alike and log the same losses and evaluations,
    though each ran with another number of DataLoader workers."""
    store = genome_store(tmp_path / "g.2bit", {"train": lambda_dna[:5000], "held": lambda_dna[5000:6600]})

    def run(name, workers, callbacks=(), resume=None):
        log = tmp_path / f"{name}.jsonl"
        preempt = cmgems.PreemptionCallback()
        train, evaluation = genome_sets(store)
        trainer, _, _ = make_trainer(
            tmp_path / name, real_table, train, evaluation, strategy="genemask", steps=14,
            eval_every=4, workers=workers, log_path=log, remove_unused_columns=False,
            extra_callbacks=[*callbacks, preempt],
        )
        trainer.train(resume_from_checkpoint=resume)
        return trainer, preempt, read_log(log), len(train)

    whole, whole_preempt, whole_log, pieces = run("whole", workers=2)
    steps_per_epoch = -(-pieces // 8)
    assert steps_per_epoch < 8 <= 14 <= 2 * steps_per_epoch, pieces
    assert whole_preempt.signal is None and whole_preempt.exit_code == 0
    cut, cut_preempt, _, _ = run("cut", workers=0, callbacks=[SignalAt(8)])
    assert cut_preempt.signal == signal.SIGTERM and cut_preempt.exit_code == 128 + signal.SIGTERM
    assert cut.state.global_step == 8
    assert sorted(p.name for p in (tmp_path / "cut").glob("checkpoint-*")) == ["checkpoint-8"]
    # The handler is gone once training ended.
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    resumed, _, resumed_log, _ = run("resumed", workers=1, resume=str(tmp_path / "cut" / "checkpoint-8"))

    # The resumed run's history starts with the checkpoint's (steps 1-8).
    assert len(train_losses(whole)) == 14 and len(train_losses(cut)) == 8
    assert train_losses(resumed) == pytest.approx(train_losses(whole), rel=1e-6)
    (steps, evals), (want_steps, want) = (zip(*eval_losses(r)) for r in (resumed, whole))
    assert steps == want_steps == (4, 8, 12, 14) and evals == pytest.approx(want, rel=1e-6)
    # Every piece the resumed run masked (the rest of epoch 1, on), masked alike.
    whole_masks, resumed_masks = piece_masks(whole_log), piece_masks(resumed_log)
    assert {e for e, _ in resumed_masks} == {(s - 1) // steps_per_epoch for s in range(9, 15)}
    assert len(resumed_masks) >= 5 * 8
    assert all(whole_masks[k] == v for k, v in resumed_masks.items())
    assert piece_masks(resumed_log, evaluation=True) == piece_masks(whole_log, evaluation=True)


def torchrun(out, *args):
    cmd = [BIN / "torchrun", "--standalone", "--nproc-per-node", "2", SCRIPT, "--out", out, *args]
    return subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=script_env())


def test_one_signalled_rank_stops_both_with_a_checkpoint_and_the_resume_is_exact(lambda_dna, tmp_path):
    dna = tmp_path / "lambda.txt"
    dna.write_text(lambda_dna)
    common = ["--dna", dna, "--steps", "12", "--eval-every", "4", "--keyed", "--strategy", "genemask",
              "--workers", "1", "--preemptible"]
    whole = torchrun(tmp_path / "whole", *common)
    cut = torchrun(tmp_path / "cut", *common, "--sleep", "0.5")
    # Once rank 1 has trained 4 steps, SIGTERM it alone.
    losses = tmp_path / "cut" / "steps-1.txt"
    deadline = time.time() + 240
    while cut.poll() is None and time.time() < deadline:
        if losses.exists() and len(losses.read_text().split()) >= 4:
            os.kill(int((tmp_path / "cut" / "pid-1").read_text()), signal.SIGTERM)
            break
        time.sleep(0.1)
    _, err = cut.communicate(timeout=240)
    assert cut.returncode != 0, "the signalled run finished all its steps"
    stops = [int(line.rsplit("at step ", 1)[1].split()[0]) for line in err.splitlines()
             if "saving a checkpoint at step" in line]
    assert len(stops) == 2 and stops[0] == stops[1] and 4 <= stops[0] < 12, err[-3000:]
    step = stops[0]
    ckpt = tmp_path / "cut" / "run" / f"checkpoint-{step}"
    # Both ranks saved their part (the model once, each rank its RNG state) and exited 143.
    assert {p.name for p in ckpt.glob("rng_state_*.pth")} == {"rng_state_0.pth", "rng_state_1.pth"}, err[-3000:]
    for r in (0, 1):
        assert json.loads((tmp_path / "cut" / f"exit-{r}.json").read_text()) == {"signal": "SIGTERM", "code": 143}
    out, werr = whole.communicate(timeout=300)
    assert whole.returncode == 0, werr[-3000:]
    resumed = torchrun(tmp_path / "resumed", *common, "--resume", ckpt)
    _, rerr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, rerr[-3000:]
    for r in (0, 1):
        def losses_of(run):
            return json.loads((tmp_path / run / f"losses-{r}.json").read_text())

        # The resumed run's history starts with the checkpoint's.
        assert len(losses_of("whole")) == 12
        assert losses_of("resumed") == pytest.approx(losses_of("whole"), rel=1e-6)
        whole_masks = piece_masks(read_log(tmp_path / "whole" / f"batches-{r}.jsonl"))
        resumed_masks = piece_masks(read_log(tmp_path / "resumed" / f"batches-{r}.jsonl"))
        assert len(resumed_masks) >= (12 - step) * 8
        assert all(whole_masks[k] == v for k, v in resumed_masks.items())
