"""Run a recipe's phases over all shards: resolve inputs, skip committed shards, report.

``run`` is what ``curate run`` calls. It writes ``run.json`` first, runs each phase on
the chosen executor (Ray by default, in-process for tests and debugging), records a
failed shard's error in ``<phase>/_failed/`` while the other shards commit, and ends by
computing ``stats.json`` from the written files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import json
import platform
import sys
import time
from typing import Any

from curate import __version__, stats
from curate.io import fs as cfs
from curate.io import shards
from curate.io.inputs import shard_id
from curate.pipeline import Phase, build_phases
from curate.runner import jobs as jobs_io
from curate.runner.local import LocalExecutor
from curate.runner.progress import Progress
from curate.runner.shard import ShardTask

PACKAGES = ("ray", "pyarrow", "fastwarc", "trafilatura", "resiliparse", "fsspec", "lxml",
            "fasttext", "tiktoken", "datasketch", "transformers", "torch")


@dataclasses.dataclass
class RunResult:
    out_root: str
    failed: dict[str, dict[str, str]]
    stats: dict[str, Any]
    seconds: float

    @property
    def ok(self) -> bool:
        return not any(self.failed.values())


def versions() -> dict[str, str]:
    out = {"curate": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def make_executor(runner: str, ray_address: str | None = None, num_cpus: int | None = None):
    if runner == "local":
        return LocalExecutor()
    if runner == "ray":
        from curate.runner.ray_runner import RayExecutor

        return RayExecutor(address=ray_address, num_cpus=num_cpus)
    raise ValueError(f"unknown runner {runner!r}: use 'ray' or 'local'")


def plan_tasks(phases: list[Phase], index: int, inputs: list[str], out_root: str) -> list[ShardTask]:
    phase = phases[index]
    if index == 0:
        return [ShardTask(phase.name, shard_id(u), u, out_root) for u in inputs]
    prev = phases[index - 1].name
    return [ShardTask(phase.name, s, shards.kept_path(out_root, prev, s), out_root)
            for s in sorted(shards.committed(out_root, prev))]


def run(inputs: list[str], out_root: str, recipe: str = "llama3", params: dict | None = None,
        runner: str = "ray", ray_address: str | None = None, num_cpus: int | None = None,
        argv: list[str] | None = None, log=None, wait_for_failed: bool = False) -> RunResult:
    """Run ``recipe`` over ``inputs`` into ``out_root``; committed shards are skipped.

    A phase with jobs runs them over the committed shards of the phase before it. Where some of
    those shards failed (a corrupt input file fails for good), the jobs go on without them and
    say so, unless ``wait_for_failed``, which stops before the phase until every shard committed.
    When a rerun changes a job's inputs (a failed shard committed, inputs were added) or its
    configuration, the job runs again and the outputs that depended on it (its phase and the
    later phases, with their jobs) are computed anew, so no committed shard uses a stale artifact.
    """
    t0 = time.time()
    log = log if log is not None else sys.stderr  # looked up per call: sys.stderr may be replaced
    params = params or {}
    phases = build_phases(recipe, params)
    _write_run_json(out_root, recipe, params, inputs, runner, ray_address, argv, log,
                    [p.name for p in phases])
    executor = make_executor(runner, ray_address, num_cpus)
    failed: dict[str, dict[str, str]] = {}
    executor.open()
    try:
        executor.check(phases)  # every stage of every phase sets up before the first shard runs
        for i, phase in enumerate(phases):
            if phase.jobs:
                prev = phases[i - 1].name
                waiting = _unfinished(out_root, phases, i, inputs, failed)
                if waiting and wait_for_failed:
                    log.write(f"[{phase.name}] waits for {waiting} shard(s) of phase {prev!r} that failed; "
                              "the jobs need every shard: rerun the same command to retry them\n")
                    break
                if waiting:
                    log.write(f"[{phase.name}] {waiting} shard(s) of phase {prev!r} failed: the jobs run without "
                              "them (a rerun that commits them runs the jobs and the phases after them again)\n")
                try:
                    dirs, ran = _run_jobs(executor, phase, out_root, prev, log)
                    if ran:
                        _invalidate(out_root, phases[i:], phase.name, log)
                    phase = phase.bind(dirs)
                except Exception as e:  # the phase cannot start; committed shards stay for a rerun
                    failed[phase.name] = {"_jobs": f"{type(e).__name__}: {e}"}
                    log.write(f"[{phase.name}] job failed: {type(e).__name__}: {e}\n")
                    break
            tasks = plan_tasks(phases, i, inputs, out_root)
            done = set(shards.committed(out_root, phase.name))
            todo = [t for t in tasks if t.shard not in done]
            progress = Progress(phase.name, len(tasks), skipped=len(tasks) - len(todo), stream=log)
            failed[phase.name] = {}
            for task, marker, err in executor.run_phase(phase, todo):
                if task is None:
                    progress.show()
                elif err is not None:
                    failed[phase.name][task.shard] = err
                    shards.write_failure(out_root, phase.name, task.shard, {
                        "shard": task.shard, "input": task.input, "error": err,
                        "time": dt.datetime.now(dt.timezone.utc).isoformat()})
                    log.write(f"\n[{phase.name}] shard {task.shard} failed ({task.input}): {err}\n")
                    progress.update(failed=True)
                else:
                    progress.update(docs=marker["rows_in"])
            progress.close()
    finally:
        executor.close()
    result_stats = stats.compute(out_root, [p.name for p in phases])
    result_stats["wall_seconds"] = round(time.time() - t0, 3)
    cfs.write_text_atomic(cfs.join(out_root, "stats.json"), json.dumps(result_stats, indent=1))
    return RunResult(out_root, failed, result_stats, time.time() - t0)


def _unfinished(out_root: str, phases: list[Phase], i: int, inputs: list[str], failed: dict) -> int:
    """Shards of the phase before ``i`` that are not committed (failed now or earlier)."""
    prev = phases[i - 1].name
    expected = len(plan_tasks(phases, i - 1, inputs, out_root))
    return max(len(failed.get(prev, {})), expected - len(shards.committed(out_root, prev)))


def _invalidate(out_root: str, later: list[Phase], phase: str, log) -> None:
    """Remove what was computed from a job artifact that just changed: the committed shards of
    ``later`` (this phase and the ones after it) and the jobs those later phases ran."""
    names = {p.name for p in later}
    stale = [p for p in names if shards.committed(out_root, p)]
    for name in stale:
        fs, path = cfs.get_fs(cfs.join(out_root, name))
        if fs.exists(path):
            fs.rm(path, recursive=True)
    for job, job_phase in jobs_io.job_phases(out_root).items():
        if job_phase in names - {phase}:
            jobs_io.remove(out_root, job)
            stale.append(f"jobs/{job}")
    if stale:
        log.write(f"[{phase}] the jobs' inputs or settings changed: recomputing {', '.join(sorted(stale))}\n")


def _run_jobs(executor, phase: Phase, out_root: str, prev: str, log) -> tuple[dict[str, str], bool]:
    """Run ``phase``'s jobs (and the rounds they ask for) over the committed shards of ``prev``.

    A job with a ``source`` reads that job's artifact instead. Finished jobs are skipped. Returns
    the artifact folders and whether any job ran.
    """
    shard_inputs = {s: shards.kept_path(out_root, prev, s) for s in sorted(shards.committed(out_root, prev))}
    dirs = {}
    ran = False
    queue = list(phase.jobs)
    while queue:
        job = queue.pop(0)
        inputs = jobs_io.job_inputs(out_root, job, shard_inputs)
        dirs[job.name] = jobs_io.job_dir(out_root, job.name)
        info = jobs_io.done(out_root, job, list(inputs))
        if info is None:
            t0 = time.time()
            log.write(f"[{phase.name}] job {job.name}: {len(inputs)} input(s) -> {job.partitions} partition(s)\n")
            jobs_io.prepare(out_root, job, list(inputs), phase.name)
            rows = executor.run_job(job, out_root, inputs)
            ran = True
            info = jobs_io.write_success(out_root, job, list(inputs), rows, time.time() - t0)
        log.write(f"[{phase.name}] job {job.name}: {info['summary']} ({info['seconds']:.1f} s)\n")
        nxt = job.follow(out_root, dirs[job.name])
        if nxt is not None:
            queue.insert(0, nxt)
    return dirs, ran


def _write_run_json(out_root, recipe, params, inputs, runner, ray_address, argv, log, phase_names) -> None:
    path = cfs.join(out_root, "run.json")
    if cfs.exists(path):
        try:
            before = json.loads(cfs.read_text(path))
        except (OSError, ValueError):
            before = {}
        if before.get("params") not in (None, params) or before.get("recipe") not in (None, recipe):
            log.write(f"warning: {out_root} holds a run with another recipe or parameters; committed "
                      "shards are kept as they are. Use a new --output to start over.\n")
    info = {
        "recipe": recipe, "phases": phase_names, "params": params, "inputs": inputs, "runner": runner,
        "ray_address": ray_address, "argv": argv, "versions": versions(),
        "started": dt.datetime.now(dt.timezone.utc).isoformat(), "host": platform.node(),
    }
    cfs.write_text_atomic(path, json.dumps(info, indent=1, default=str))
