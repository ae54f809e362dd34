"""The in-process runner: every shard in this process, one after another (tests, debugging)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from curate.job import Job
from curate.pipeline import Phase
from curate.runner import jobs
from curate.runner.shard import ShardTask, run_shard
from curate.stage import StageSetupError


def setup_stages(phase: Phase) -> list[tuple[str, Callable]]:
    out = []
    for stage in phase.stages:
        try:
            stage.setup()
        except Exception as e:
            raise StageSetupError(f"stage {stage.name!r} cannot set up: {type(e).__name__}: {e}") from e
        out.append((stage.name, stage.process))
    return out


class LocalExecutor:
    """Runs shards sequentially in this process; yields (task, marker or None, error or None)."""

    def __init__(self) -> None:
        self._ready: dict[int, list[tuple[str, Callable]]] = {}

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def check(self, phases: list[Phase]) -> None:
        """Set up every phase's stages now; raises StageSetupError naming the first that cannot."""
        for phase in phases:
            self._ready[id(phase)] = setup_stages(phase)

    def run_phase(self, phase: Phase, tasks: Iterable[ShardTask]):
        stages = self._ready.pop(id(phase), None)
        if stages is None:
            stages = setup_stages(phase)
        for task in tasks:
            try:
                yield task, run_shard(phase, task, stages), None
            except Exception as e:  # one bad shard must not stop the others
                yield task, None, f"{type(e).__name__}: {e}"

    def run_job(self, job: Job, out_root: str, inputs: dict[str, str]) -> int:
        """Map every input shard, then reduce every partition; returns the artifact rows."""
        for i, (shard, url) in enumerate(sorted(inputs.items())):
            jobs.run_map(job, out_root, shard, url, i)
        return sum(jobs.run_reduce(job, out_root, p, list(inputs)) for p in range(job.partitions))
