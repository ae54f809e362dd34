"""Counts computed from the written files, never from in-memory counters.

Ray may run a task twice (a retried worker), so counters kept while running can count a
document twice; the committed files cannot. Per phase: shards committed and failed,
documents in, kept and rejected, rejections per (stage, reason), records by WARC type,
and time per stage (from the shard markers).
"""

from __future__ import annotations

import collections
import json
from typing import Any

import pyarrow.parquet as pq

from curate import schema
from curate.io import fs as cfs
from curate.io import shards


def phases_in(out_root: str) -> list[str]:
    """Phase folders under ``out_root``, in the order ``run.json``'s run wrote them."""
    run = cfs.join(out_root, "run.json")
    if cfs.exists(run):
        names = json.loads(cfs.read_text(run)).get("phases")
        if names:
            return names
    fs, path = cfs.get_fs(out_root)
    return sorted(p.rsplit("/", 1)[-1] for p in fs.ls(path, detail=False)
                  if fs.isdir(p) and fs.exists(p + "/" + shards.MARKERS))


def compute(out_root: str, phases: list[str] | None = None) -> dict[str, Any]:
    phases = phases or phases_in(out_root)
    return {"out_root": out_root, "phases": {p: phase_stats(out_root, p) for p in phases},
            "jobs": jobs_in(out_root)}


def jobs_in(out_root: str) -> dict[str, dict]:
    """Finished jobs under ``jobs/``: artifact rows, seconds and their one-line summary."""
    fs, path = cfs.get_fs(cfs.join(out_root, "jobs"))
    out = {}
    for p in sorted(fs.glob(f"{path}/*/_SUCCESS.json")):
        with fs.open(p, "rt", encoding="utf-8") as f:
            info = json.load(f)
        out[info["job"]] = {k: info.get(k) for k in ("rows", "seconds", "partitions", "summary")} | {
            "shards": len(info.get("shards", []))}
    return out


def phase_stats(out_root: str, phase: str) -> dict[str, Any]:
    markers = shards.committed(out_root, phase)
    failed = shards.failures(out_root, phase)
    langs: collections.Counter = collections.Counter()
    kept = rejected = 0
    reasons: collections.Counter = collections.Counter()
    records: collections.Counter = collections.Counter()
    stage_seconds: collections.Counter = collections.Counter()
    shard_seconds = 0.0
    for shard, marker in markers.items():
        kept_path = shards.kept_path(out_root, phase, shard)
        kept += _num_rows(kept_path)
        langs.update(_lang_counts(kept_path))
        table = _read(shards.rejected_path(out_root, phase, shard), [schema.DROP_STAGE, schema.DROP_REASON])
        rejected += table.num_rows
        if table.num_rows:
            grouped = table.group_by([schema.DROP_STAGE, schema.DROP_REASON]).aggregate([([], "count_all")])
            for row in grouped.to_pylist():
                reasons[(row[schema.DROP_STAGE], row[schema.DROP_REASON])] += row["count_all"]
        records.update(marker.get("records", {}))
        stage_seconds.update(marker.get("stage_seconds", {}))
        shard_seconds += marker.get("seconds", 0.0)
    docs_in = kept + rejected
    return {
        "shards_committed": len(markers), "shards_failed": len(set(failed) - set(markers)),
        "failed": {k: v.get("error") for k, v in failed.items() if k not in markers},
        "docs_in": docs_in, "kept": kept, "rejected": rejected,
        "rejected_by": [{"stage": s, "reason": r, "count": n} for (s, r), n in reasons.most_common()],
        "languages": dict(langs.most_common()),
        "records": dict(records), "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()},
        "shard_seconds": round(shard_seconds, 3),
        "docs_per_core_second": round(docs_in / shard_seconds, 2) if shard_seconds else None,
    }


def _lang_counts(url: str) -> dict[str, int]:
    """Kept documents per ``lang`` in one file (empty when the phase has no ``lang`` column)."""
    fs, path = cfs.get_fs(url)
    with fs.open(path, "rb") as f:
        pf = pq.ParquetFile(f)
        if "lang" not in pf.schema_arrow.names:
            return {}
        t = pf.read(columns=["lang"])
    if t.num_rows == 0:
        return {}
    g = t.group_by("lang").aggregate([([], "count_all")])
    return {(r["lang"] or "null"): r["count_all"] for r in g.to_pylist()}


def _num_rows(url: str) -> int:
    fs, path = cfs.get_fs(url)
    with fs.open(path, "rb") as f:
        return pq.ParquetFile(f).metadata.num_rows


def _read(url: str, columns: list[str]):
    fs, path = cfs.get_fs(url)
    with fs.open(path, "rb") as f:
        return pq.read_table(f, columns=columns)


def format_summary(st: dict[str, Any]) -> str:
    """A plain-text summary table of ``compute``'s result."""
    lines = []
    last = list(st["phases"])[-1:]
    for phase, p in st["phases"].items():
        lines.append(f"phase {phase}: {p['shards_committed']} shards committed, {p['shards_failed']} failed")
        n = p["docs_in"] or 1
        lines.append(f"  {'documents in':<40}{p['docs_in']:>12,}")
        lines.append(f"  {'kept':<40}{p['kept']:>12,}  {100 * p['kept'] / n:5.1f}%")
        lines.append(f"  {'rejected':<40}{p['rejected']:>12,}  {100 * p['rejected'] / n:5.1f}%")
        for r in p["rejected_by"][:25]:
            label = f"{r['stage']}: {r['reason']}"
            if len(label) > 56:
                label = label[:53] + "..."
            lines.append(f"    {label:<58}{r['count']:>8,}")
        if len(p["rejected_by"]) > 25:
            lines.append(f"    ... {len(p['rejected_by']) - 25} more reasons (curate stats --json)")
        if p.get("languages") and [phase] == last:
            top = list(p["languages"].items())
            shown = ", ".join(f"{k} {v:,}" for k, v in top[:12])
            lines.append(f"  kept by language: {shown}" + (f", ... {len(top) - 12} more" if len(top) > 12 else ""))
        if p["records"]:
            recs = ", ".join(f"{k} {v:,}" for k, v in sorted(p["records"].items()))
            lines.append(f"  WARC records: {recs}")
        if p["stage_seconds"]:
            per = ", ".join(f"{k} {v:,.1f}s" for k, v in p["stage_seconds"].items())
            lines.append(f"  stage time: {per}")
        if p["docs_per_core_second"]:
            lines.append(f"  throughput: {p['docs_per_core_second']:,.1f} docs/s/core "
                         f"({p['shard_seconds']:,.1f} core-seconds)")
        for shard, err in p["failed"].items():
            lines.append(f"  FAILED {shard}: {err}")
    for name, j in st.get("jobs", {}).items():
        lines.append(f"job {name}: {j['summary']} (over {j['shards']} shards, {j['seconds']:,.1f}s)")
    if "wall_seconds" in st:
        lines.append(f"wall time: {st['wall_seconds']:,.1f}s; output: {st['out_root']}")
    return "\n".join(lines)
