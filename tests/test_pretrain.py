"""Pretraining: the document mask, the tokenizer check, loss on real curated text, kill and resume.

The mix is built by ``curate mix`` from real text when ``$CURATE_SHARED`` is present (the dev
WARC's ground-truth main texts, GSM8K problems with worked answers, Python standard-library
source), else from the text of the project's own sample pages. The tiny config runs with
``trim_vocab`` (see ``curate.train.loop.trimmed_vocab``) and one thread (OpenMP threads that
spin on a shared, busy machine made steps six times slower), so a few hundred CPU steps take
seconds.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest
import torch
from conftest import REPO, shared_root
from test_data_mix import write_run

from curate.train.data import TokenizerMismatch, check_tokenizer
from curate.train.loop import TrainConfig, train
from curate.train.model import Transformer, preset
from data_mix.build import build
from data_mix.plan import MixConfig, make_plan, write_plan


def real_texts() -> list[tuple[str, str]]:
    """(text, mix_bucket) of real documents, or of the sample pages when the shared data is absent."""
    data = shared_root() / "data"
    if (data / "warc" / "dev-pages.groundtruth.jsonl.gz").exists():
        docs = []
        with gzip.open(data / "warc" / "dev-pages.groundtruth.jsonl.gz", "rt", encoding="utf-8") as f:
            docs += [(d["text"], "general") for d in map(json.loads, f) if d.get("text")]
        with open(data / "corpora" / "gsm8k" / "train.jsonl", encoding="utf-8") as f:
            docs += [(f"{d['question']}\n{d['answer']}", "math") for d in map(json.loads, f.readlines()[:400])]
        stdlib = Path(os.__file__).parent
        for p in sorted(stdlib.glob("[a-f]*.py"))[:40]:
            docs.append((p.read_text(encoding="utf-8", errors="replace")[:6000], "code"))
        return docs
    import lxml.html

    from curate.sample.catalog import sample

    out = []
    for page in sample().pages:
        if page.html and page.content_type == "text/html":
            tree = lxml.html.fromstring(page.html)
            for el in tree.xpath("//script|//style"):
                el.drop_tree()
            text = tree.text_content().strip()[:20_000]
            if len(text) > 200:
                out.append((text, "general"))
    return out


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def mix_dir(tmp_path_factory) -> Path:
    docs = real_texts()
    table = pa.Table.from_pylist([{"id": f"doc-{i}", "text": t, "lang": "en", "mix_bucket": b}
                                  for i, (t, b) in enumerate(docs)])
    root = write_run(tmp_path_factory.mktemp("curated"), [table])
    targets = {b: 1.0 for b in {b for _, b in docs}}
    write_plan(str(root), make_plan(str(root), MixConfig(budget_tokens=120_000, targets=targets, seed=1,
                                                         val_fraction=0.03, selection="random")))
    build(str(root))
    return root / "mix"


def tiny_run(mix_dir: Path, out: Path, steps: int, **kw) -> TrainConfig:
    base = dict(mix=str(mix_dir), out=str(out), model="tiny", steps=steps, batch_size=4, seq_len=64, lr=3e-3,
                warmup_steps=20, eval_every=100, eval_batches=4, ckpt_every=10, log_every=50, trim_vocab=True)
    return TrainConfig(**(base | kw))


def test_document_mask_blocks_attention_across_documents():
    torch.manual_seed(0)
    model = Transformer(preset("tiny", attention="sdpa", vocab_size=512)).eval()
    doc_ids = torch.tensor([[0] * 5 + [1] * 7 + [2] * 4])
    tokens = torch.randint(0, 512, (1, 16))
    other = tokens.clone()
    other[0, :5] = torch.randint(0, 512, (5,))  # the documents before and after document 1 change
    other[0, 12:] = torch.randint(0, 512, (4,))
    with torch.no_grad():
        a, b = model(tokens, doc_ids), model(other, doc_ids)
        assert torch.equal(a[0, 5:12], b[0, 5:12])
        assert not torch.allclose(a[0, 12:], b[0, 12:])
        causal = Transformer(preset("tiny", attention="causal", vocab_size=512)).eval()
        causal.load_state_dict(model.state_dict())
        assert not torch.allclose(causal(tokens)[0, 5:12], causal(other)[0, 5:12])  # no mask: it leaks
        assert torch.allclose(causal(tokens)[0, :5], a[0, :5], atol=1e-5)  # the first document agrees


@pytest.mark.gpu
def test_flex_attention_matches_the_sdpa_mask_on_gpu():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    torch.manual_seed(0)
    model = Transformer(preset("tiny", attention="sdpa", vocab_size=512)).cuda().eval()
    flex = Transformer(preset("tiny", attention="flex", vocab_size=512)).cuda().eval()
    flex.load_state_dict(model.state_dict())
    doc_ids = torch.cat([torch.zeros(1, 100), torch.ones(1, 60), torch.full((1, 96), 2)], 1).long().cuda()
    tokens = torch.randint(0, 512, (1, 256), device="cuda")
    with torch.no_grad():
        torch.testing.assert_close(flex(tokens, doc_ids), model(tokens, doc_ids), atol=2e-4, rtol=1e-3)


def test_a_mix_of_another_tokenizer_is_refused(mix_dir, tmp_path):
    manifest = json.loads((mix_dir / "manifest.json").read_text())
    manifest_sha = manifest["tokenizer"]["sha256"]
    check_tokenizer(manifest, 128_256, {"sha256": manifest_sha})
    with pytest.raises(TokenizerMismatch, match="vocab_size"):
        check_tokenizer(manifest, 32_000)
    other = tmp_path / "mix"
    other.mkdir()
    for split in ("train", "val"):
        (other / split).symlink_to(mix_dir / split)
    manifest["tokenizer"] |= {"name": "gpt2", "sha256": "0" * 64, "vocab_size": 50_257}
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(TokenizerMismatch, match="does not match"):
        train(tiny_run(other, tmp_path / "out", steps=1))
    with pytest.raises(TokenizerMismatch, match="sha256"):
        train(tiny_run(mix_dir, tmp_path / "out2", steps=1, tokenizer_sha256="f" * 64))
    from pipelines.pretrain import (
        local_tokenizer_sha256,  # the entrypoint's default: the tokenizer installed here
    )

    assert local_tokenizer_sha256() == manifest_sha


def test_tiny_model_loss_falls_on_real_text(mix_dir, tmp_path):
    hist = train(tiny_run(mix_dir, tmp_path / "run", steps=300, eval_every=150, batch_size=2), log=lambda _: None)
    losses = [h["loss"] for h in hist]
    first, last = sum(losses[:10]) / 10, sum(losses[-20:]) / 20
    evals = [h["eval_loss"] for h in hist if "eval_loss" in h]
    print(f"loss {first:.2f} (first 10 steps) -> {last:.2f} (last 20), eval {evals[0]:.2f} -> {evals[1]:.2f}")
    assert last < first - 1.5, (first, last)
    assert len(evals) == 2 and evals[1] < evals[0] < first
    assert (tmp_path / "run" / "metrics.jsonl").read_text().count("\n") == 300


def test_killed_run_resumes_on_the_same_loss_curve(mix_dir, tmp_path):
    steps = 40
    straight = {h["step"]: h["loss"] for h in train(tiny_run(mix_dir, tmp_path / "a", steps), log=lambda _: None)}
    out = tmp_path / "b"
    cmd = [sys.executable, str(REPO / "pipelines" / "pretrain.py"), "--mix", str(mix_dir), "--out", str(out),
           "--model", "tiny", "--steps", str(steps), "--batch-size", "4", "--seq-len", "64", "--lr", "3e-3",
           "--warmup-steps", "20", "--ckpt-every", "10", "--eval-every", "100", "--trim-vocab"]
    env = os.environ | {"PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while not list((out / "ckpt").glob("step-0000020.pt")) and time.time() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # mid-run, no clean shutdown
    proc.wait()
    ckpts = sorted((out / "ckpt").glob("step-*.pt"))
    resumed_at = int(ckpts[-1].stem.split("-")[1])
    assert 20 <= resumed_at < steps
    logs = []
    resumed = train(tiny_run(mix_dir, out, steps), log=logs.append)
    assert logs[0].startswith("resumed from") and resumed[0]["step"] == resumed_at + 1
    logged = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert logged == list(range(1, steps + 1))  # the steps logged after the checkpoint were dropped, then redone
    diff = max(abs(h["loss"] - straight[h["step"]]) for h in resumed)
    print(f"killed after the step-{resumed_at} checkpoint; steps {resumed_at + 1}-{steps} resumed, "
          f"max |loss difference| {diff:.3g}")
    for h in resumed:
        assert h["loss"] == pytest.approx(straight[h["step"]], rel=1e-5, abs=1e-5), h["step"]


@pytest.mark.slow
def test_ddp_and_fsdp2_on_two_ranks_agree_and_resume(mix_dir, tmp_path):
    """Two CPU ranks under torchrun (gloo): DDP and FSDP2 give the same losses; FSDP2 resumes on the curve."""
    def run(out: Path, parallel: str, steps: int, kill_at: int | None = None) -> dict[int, float]:
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2",
               str(REPO / "pipelines" / "pretrain.py"), "--mix", str(mix_dir), "--out", str(out), "--model", "tiny",
               "--steps", str(steps), "--batch-size", "2", "--seq-len", "64", "--warmup-steps", "5",
               "--ckpt-every", "5", "--trim-vocab", "--parallel", parallel]
        env = os.environ | {"PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
        return {r["step"]: r["loss"] for r in map(json.loads, (out / "metrics.jsonl").read_text().splitlines())}

    ddp = run(tmp_path / "ddp", "ddp", 10)
    fsdp = run(tmp_path / "fsdp", "fsdp", 5)  # stops at step 5 with a checkpoint
    fsdp |= run(tmp_path / "fsdp", "fsdp", 10)  # resumes from it
    assert sorted(fsdp) == list(range(1, 11))
    for step, loss in ddp.items():
        assert fsdp[step] == pytest.approx(loss, rel=1e-4), step
