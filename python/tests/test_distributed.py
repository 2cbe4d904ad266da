"""Two nodes on one machine (torchrun twice, gloo, 127.0.0.1): both ranks switch to GLOBAL
at the same step and mask with GLOBAL after it. A run killed after a checkpoint and resumed
continues in its stage."""

import json
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from hf_helpers import BIN, SCRIPT, batch_order, read_log, script_env


@pytest.fixture(scope="module")
def dna_file(lambda_dna, tmp_path_factory):
    p = tmp_path_factory.mktemp("dna") / "lambda.txt"
    p.write_text(lambda_dna)
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def switch_steps(stderr: str):
    return [int(s) for s in re.findall(r"switched to GLOBAL at step (\d+)", stderr)]


def test_two_nodes_switch_at_the_same_step_and_mask_with_global_after(dna_file, tmp_path):
    port = free_port()
    nodes = []
    for node in (0, 1):
        cmd = [
            BIN / "torchrun", "--nnodes", "2", "--nproc-per-node", "1", "--node-rank", str(node),
            "--rdzv-endpoint", f"127.0.0.1:{port}", SCRIPT, "--dna", dna_file,
            "--out", tmp_path, "--steps", "16", "--eval-every", "4", "--workers", "1",
        ]
        nodes.append(subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=script_env()))
    outputs = [n.communicate(timeout=300) for n in nodes]
    for n, (out, err) in zip(nodes, outputs):
        assert n.returncode == 0, f"node failed:\n{out}\n{err[-4000:]}"
    steps = [switch_steps(err) for _, err in outputs]
    # Each node logs its own rank's switch, once, at the same step.
    assert steps[0] == steps[1] and len(steps[0]) == 1, steps
    switch = steps[0][0]
    assert switch == 8
    # Why they agree: each rank evaluates its own shard, and Trainer gathers the losses of
    # all ranks before on_evaluate, so both fed the very same perplexities to the curriculum.
    evals = [json.loads((tmp_path / f"evals-{r}.json").read_text()) for r in (0, 1)]
    assert evals[0] == evals[1] and len(evals[0]) == 4, evals
    for rank in (0, 1):
        lines = read_log(tmp_path / f"batches-{rank}.jsonl")
        assert {l["rank"] for l in lines} == {rank}
        order = batch_order(lines, 1)
        first_global = next(i for i, l in enumerate(order) if l["strategy"] == "global")
        assert all(l["strategy"] == "global" for l in order[first_global:])
        assert 0 <= first_global - switch <= 3, (rank, first_global)
        evals = [l for l in lines if l["evaluation"]]
        assert {l["strategy"] for l in evals if l["step"] > switch} == {"global"}
    # The ranks masked different rows (their own streams), not copies of each other.
    r0, r1 = (read_log(tmp_path / f"batches-{r}.jsonl") for r in (0, 1))
    assert {l["first_row"] for l in r0}.isdisjoint({l["first_row"] for l in r1})


def test_a_killed_run_resumes_in_its_stage(dna_file, tmp_path):
    cmd = [sys.executable, SCRIPT, "--dna", dna_file, "--out", tmp_path, "--steps", "24",
           "--eval-every", "4", "--save-every", "4", "--sleep", "0.3"]
    cmd = [str(c) for c in cmd]
    run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=script_env())
    ckpt = tmp_path / "run" / "checkpoint-16" / "trainer_state.json"
    deadline = time.time() + 240
    while not ckpt.exists() and run.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    run.send_signal(signal.SIGKILL)
    _, err = run.communicate()
    assert run.returncode == -signal.SIGKILL, f"the run ended before it could be killed:\n{err[-3000:]}"
    assert switch_steps(err) == [8]
    # Trainer saved the collator's tokenizer (DNABERT's vocab.txt) with each checkpoint.
    assert (tmp_path / "run" / "checkpoint-12" / "vocab.txt").read_text().startswith("[PAD]\n[UNK]")
    before = len(read_log(tmp_path / "batches-0.jsonl"))
    resumed = subprocess.run(cmd + ["--resume", str(tmp_path / "run" / "checkpoint-12")],
                             capture_output=True, text=True, env=script_env(), timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resumed at step 12 in stage global" in resumed.stderr
    assert switch_steps(resumed.stderr) == []  # no second switch
    assert "switch_step=8" in resumed.stderr
    after = read_log(tmp_path / "batches-0.jsonl")[before:]
    train = [l for l in after if not l["evaluation"]]
    assert len(train) >= 12 and {l["strategy"] for l in train} == {"global"}
