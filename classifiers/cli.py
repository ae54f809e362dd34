"""``curate classifiers train | label | build | list``: the handlers (the parser is in curate/cli.py)."""

from __future__ import annotations

import json
import os
import sys


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def output_dir(name_or_dir: str) -> str:
    """A folder path as given (it holds a path separator), else that name in the model cache."""
    from classifiers.models import cache_dir

    return name_or_dir if os.sep in name_or_dir or name_or_dir.startswith(".") else os.path.join(cache_dir(), name_or_dir)


def read_texts(path: str, column: str = "text", limit: int | None = None) -> list[str]:
    """Texts of a ``.txt`` file (one a line), a JSONL (.gz) file or a Parquet file."""
    if path.endswith(".txt"):
        with open(path, encoding="utf-8") as f:
            texts = [line.rstrip("\n") for line in f if line.strip()]
    else:
        from classifiers.fasttext_model import read_labelled

        texts, _, _ = read_labelled(path, column, column)
    return texts[:limit] if limit else texts


def main(args) -> int:
    return {"train": train, "label": label, "build": build, "list": listing}[args.action](args)


def train(args) -> int:
    if args.kind == "transformer":
        return train_transformer(args)
    from classifiers import fasttext_model as fm

    texts, labels, groups = fm.read_labelled(args.input, args.text_column, args.label_column, args.group_column)
    out = output_dir(args.output)
    params = fm.TrainParams(epoch=args.epoch, lr=args.lr, dim=args.dim, word_ngrams=args.word_ngrams)
    ev = fm.train(texts, labels, out, positive=args.positive, threshold=args.threshold, holdout=args.holdout,
                  groups=groups, params=params, about={"trained_from": os.path.abspath(args.input)})
    print(json.dumps(ev, indent=1))
    _log(f"model: {out}  (eval.json beside it; use it with --set fasttext_quality.model={args.output})")
    return 0


def train_transformer(args) -> int:
    from classifiers import transformer

    cfg = transformer.TrainConfig(epochs=args.epochs, max_length=args.max_length, batch_size=args.batch_size,
                                  lr=args.lr, eval_fraction=args.eval_fraction, task=args.task,
                                  device=args.device, seed=args.seed)
    out = output_dir(args.output)
    try:
        result = transformer.train(args.base, args.input, out, cfg, log=_log)
    except transformer.ModelMissing as e:
        print(f"curate classifiers: error: {e}", file=sys.stderr)
        return 3
    print(json.dumps(result.get("eval", {}), indent=1))
    _log(f"model: {out}   eval: {os.path.join(out, transformer.EVAL_FILE)}")
    return 0


def label(args) -> int:
    from classifiers import teacher

    texts = read_texts(args.input, args.text_column, args.limit)
    if args.classifier:
        scores = teacher.HubClassifier(args.classifier).score(texts)
        labels = [int(s >= args.threshold) for s in scores]
    elif args.task == "category":
        labels, scores = teacher.label_categories(teacher.Encoder(args.model), texts)
    else:
        if not (args.positives and args.negatives):
            raise ValueError("classifiers label --task binary: give --positives and --negatives reference files")
        labels, scores = teacher.label_binary(teacher.Encoder(args.model), texts, read_texts(args.positives),
                                              read_texts(args.negatives), margin=args.threshold)
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for t, y, s in zip(texts, labels, scores):
            f.write(json.dumps({"text": t, "label": y, "teacher_score": round(float(s), 5)}, ensure_ascii=False) + "\n")
    os.replace(tmp, args.output)
    _log(f"labelled {len(texts)} texts -> {args.output}")
    return 0


def build(args) -> int:
    from classifiers.build import build_defaults
    from classifiers.models import cache_dir

    out = args.output or cache_dir()
    build_defaults(out, shared=args.shared, teacher=not args.no_teacher, per_source=args.per_source, log=_log)
    _log(f"models: {out}")
    return 0


def listing(args) -> int:
    from classifiers.models import cache_dir
    from classifiers.models import listing as rows

    print(f"model cache: {cache_dir()}")
    print(f"{'name':<12} {'present':<8} {'labels':<28} held-out")
    for r in rows():
        ev, meta = r["eval"], r["meta"]
        if "auc" in ev and ev["auc"] is not None:
            score = f"AUC {ev['auc']:.3f}, P {ev['precision'] or 0:.3f} R {ev['recall'] or 0:.3f} at {ev['threshold']}"
        elif ev.get("accuracy") is not None:
            score = f"accuracy {ev['accuracy']:.3f}"
        else:
            score = ""
        labels = ",".join(meta.get("labels", []))
        print(f"{r['name']:<12} {'yes' if r['present'] else 'no':<8} {labels[:27]:<28} {score}")
    return 0
