"""PII detection quality on labelled synthetic sentences, and stage speed on real text.

    python benchmarks/bench_pii.py                      # both sets, all 1,381 dev pages for speed
    python benchmarks/bench_pii.py --limit 300 --json benchmarks/results/pii.json

1. **Precision and recall per type** on presidio-research's synthetic sentences
   (``$CURATE_SHARED/data/pii/synth_dataset_v2.json`` and ``generated_large.json``: a list
   of ``{"full_text", "spans": [{"entity_type", "start_position", "end_position"}]}``, made
   with Faker templates; MIT licence). Labels used: ``EMAIL_ADDRESS`` → email,
   ``PHONE_NUMBER`` → phone, ``IP_ADDRESS`` → ip, ``CREDIT_CARD`` → card, ``IBAN_CODE`` →
   iban, ``US_SSN`` → ssn. **Span matching**: a predicted span is a true positive when it
   overlaps (shares at least one character with) a gold span of the same type; precision =
   such predictions / all predictions of the type; recall = gold spans overlapped by some
   prediction of the type / all gold spans of the type. A prediction over text labelled as
   something else (a driver's licence read as a phone) is a false positive. ``exact`` is the
   share of true-positive predictions whose boundaries equal the gold span's.
   curate runs ``curate.pii.find_all`` with its defaults (all types, phone regions US, GB,
   DE, FR, IN; overlaps resolved). datatrove 0.10.1 runs the email and IP regexes of its
   ``PIIFormatter`` (``datatrove/pipeline/formatters/pii.py``), IPs with its default
   ``only_remove_public_ips=True`` validator, on the same sentences.
2. **Speed**: docs/s on one core (``os.sched_setaffinity``) of ``curate.stages.pii.Pii``
   over the main text of ``dev-pages.warc.gz`` (``WarcReader`` → ``Extract`` with its
   defaults, run once and cached in ``$TMPDIR/curate-bench-pii-texts-<n>.parquet``), in
   batches of the stage's batch size; datatrove's ``PIIFormatter.format`` (emails and IPs
   only) over the same texts for scale. Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import common  # noqa: E402

LABELS = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "IP_ADDRESS": "ip", "CREDIT_CARD": "card",
          "IBAN_CODE": "iban", "US_SSN": "ssn"}
SETS = ("synth_dataset_v2.json", "generated_large.json")


def load_set(path: str) -> list[tuple[str, list[tuple[int, int, str]]]]:
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)
    out = []
    for r in rows:
        gold = [(s["start_position"], s["end_position"], LABELS[s["entity_type"]])
                for s in r["spans"] if s["entity_type"] in LABELS]
        out.append((r["full_text"], gold))
    return out


def datatrove_detectors():
    """datatrove's email and IP regexes with its validator, as span finders."""
    from datatrove.pipeline.formatters.pii import PIIFormatter, public_ip_validator

    fmt = PIIFormatter()
    email_re, ip_re = fmt.emails_replacer.regex, fmt.ip_replacer.regex

    def find(text: str) -> list[tuple[int, int, str]]:
        spans = [(m.start(), m.end(), "email") for m in email_re.finditer(text)]
        spans += [(m.start(), m.end(), "ip") for m in ip_re.finditer(text) if public_ip_validator(m.group(0))]
        return spans

    return find, fmt


def score(data, find, types) -> dict[str, dict]:
    pred_n, pred_tp, exact, gold_n, gold_tp = (collections.Counter() for _ in range(5))
    for text, gold in data:
        pred = find(text)
        for g in gold:
            gold_n[g[2]] += 1
            if any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for p in pred):
                gold_tp[g[2]] += 1
        for p in pred:
            pred_n[p[2]] += 1
            hit = [g for g in gold if g[2] == p[2] and p[0] < g[1] and g[0] < p[1]]
            if hit:
                pred_tp[p[2]] += 1
                exact[p[2]] += any(g[0] == p[0] and g[1] == p[1] for g in hit)
    out = {}
    for t in types:
        out[t] = {"gold": gold_n[t], "pred": pred_n[t],
                  "precision": pred_tp[t] / pred_n[t] if pred_n[t] else None,
                  "recall": gold_tp[t] / gold_n[t] if gold_n[t] else None,
                  "exact": exact[t] / pred_tp[t] if pred_tp[t] else None}
    return out


def real_texts(limit: int | None) -> list[str]:
    """Main text of dev-pages.warc.gz (``common.extracted``), the first ``limit`` pages."""
    texts = [t for t in common.extracted(common.dev_pages_or_exit()).column("text").to_pylist() if t]
    return texts[:limit] if limit is not None else texts


def speed(texts: list[str], repeat: int, dt_fmt) -> dict:
    import pyarrow as pa

    from curate.stages.pii import PII_COUNT, Pii

    stage = Pii()
    stage.setup()
    bs = stage.resources.batch_size
    batches = [pa.table({"text": pa.array(texts[i:i + bs], pa.string())}) for i in range(0, len(texts), bs)]
    stage.process(batches[0])  # imports, metadata caches
    best, spans = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        spans = sum(sum(stage.process(b).column(PII_COUNT).to_pylist()) for b in batches)
        best = min(best, time.perf_counter() - t0)
    dt_best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            dt_fmt.format(t)
        dt_best = min(dt_best, time.perf_counter() - t0)
    chars = sum(map(len, texts))
    return {"docs": len(texts), "mean_chars": chars / len(texts), "pii_spans": spans,
            "curate_seconds": best, "curate_docs_per_s": len(texts) / best,
            "curate_mb_per_s": chars / best / 1e6,
            "datatrove_seconds": dt_best, "datatrove_docs_per_s": len(texts) / dt_best}


def fmt(v) -> str:
    return "-" if v is None else f"{v:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="first N extracted pages for the speed run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default=None, help="write the results here")
    args = ap.parse_args()

    root = os.path.join(common.shared_dir(), "data", "pii")
    if not all(os.path.exists(os.path.join(root, s)) for s in SETS):
        print(f"SKIP: {root}/{{{','.join(SETS)}}} not found (set CURATE_SHARED)", file=sys.stderr)
        sys.exit(0)
    core = common.pin_one_core()
    from curate import pii

    dt_find, dt_fmt = datatrove_detectors()
    ours = lambda text: [tuple(s) for s in pii.find_all(text)]  # noqa: E731
    types = list(pii.TYPES)
    quality = {}
    rows = []
    for name in SETS:
        data = load_set(os.path.join(root, name))
        q = {"curate": score(data, ours, types), "datatrove": score(data, dt_find, ["email", "ip"]),
             "sentences": len(data)}
        quality[name] = q
        for t in types:
            c, d = q["curate"][t], q["datatrove"].get(t)
            rows.append([name.removesuffix(".json"), t, c["gold"], c["pred"], fmt(c["precision"]),
                         fmt(c["recall"]), fmt(c["exact"]),
                         fmt(d["precision"]) if d else "n/a", fmt(d["recall"]) if d else "n/a"])
    print(common.markdown_table(["set", "type", "gold", "curate pred", "curate P", "curate R", "curate exact",
                                 "datatrove P", "datatrove R"], rows))
    sp = speed(real_texts(args.limit), args.repeat, dt_fmt)
    print()
    print(common.markdown_table(
        ["docs", "mean chars", "PII spans", "curate pii stage docs/s/core", "curate MB/s",
         "datatrove PIIFormatter docs/s/core (email+IP only)"],
        [[sp["docs"], round(sp["mean_chars"]), sp["pii_spans"], sp["curate_docs_per_s"],
          sp["curate_mb_per_s"], sp["datatrove_docs_per_s"]]]))
    common.write_json(args.json, {"machine": common.machine_info(), "core": core, "quality": quality,
                                  "speed": sp, "args": vars(args)})


if __name__ == "__main__":
    main()
