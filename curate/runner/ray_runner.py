"""The Ray runner: the one module of curate that imports Ray.

Each shard is one Ray task that chains the phase's stages over the shard's batches. A
stateless CPU stage runs inside that task, set up once per worker process (Ray reuses
workers, and the set-up stage is cached by its configuration). A stage that declares
GPUs or a ``concurrency`` is served by a pool of actors, each set up once; the shard
task sends it batches. A stage that cannot set up fails the run before any shard starts.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable

import ray

from curate.job import Job
from curate.pipeline import Phase
from curate.runner import jobs
from curate.runner.shard import ShardTask, run_shard
from curate.stage import Stage, StageSetupError

_CACHE: dict[str, Stage] = {}


def _set_up(stage: Stage) -> Stage:
    key = stage.fingerprint()
    if key not in _CACHE:
        stage.setup()
        _CACHE[key] = stage
    return _CACHE[key]


@ray.remote
class StageActor:
    """Holds one set-up stage; serves batches from shard tasks."""

    def __init__(self, stage: Stage) -> None:
        stage.setup()
        self.stage = stage

    def ready(self) -> bool:
        return True

    def process(self, batch):
        return self.stage.process(batch)


class _PoolProxy:
    def __init__(self, actors: list) -> None:
        self.actors = actors

    def __call__(self, batch):
        return ray.get(random.choice(self.actors).process.remote(batch))


@ray.remote
def _check_setup(stages: list[Stage]) -> None:
    for stage in stages:
        try:
            _set_up(stage)
        except Exception as e:
            raise StageSetupError(f"stage {stage.name!r} cannot set up: {type(e).__name__}: {e}") from e


@ray.remote(max_retries=2)
def _run_shard(phase: Phase, task: ShardTask, pools: dict[str, list]) -> dict:
    stages = []
    for stage in phase.stages:
        if stage.name in pools:
            stages.append((stage.name, _PoolProxy(pools[stage.name])))
        else:
            stages.append((stage.name, _set_up(stage).process))
    return run_shard(phase, task, stages)


@ray.remote(max_retries=2)
def _job_map(job: Job, out_root: str, shard: str, url: str, index: int) -> int:
    return jobs.run_map(job, out_root, shard, url, index)


@ray.remote(max_retries=2)
def _job_reduce(job: Job, out_root: str, p: int, shards: list[str]) -> int:
    return jobs.run_reduce(job, out_root, p, shards)


class RayExecutor:
    """Runs shards as Ray tasks on a local instance (default) or the cluster at ``address``."""

    def __init__(self, address: str | None = None, num_cpus: int | None = None) -> None:
        self.address = address
        self.num_cpus = num_cpus
        self._started = False
        self._checked: set[int] = set()

    def open(self) -> None:
        if ray.is_initialized():
            return
        # "local" starts a fresh instance; without it ray.init() would join any cluster that
        # `ray start` left running on this machine.
        address = self.address or os.environ.get("RAY_ADDRESS") or "local"
        kwargs = dict(ignore_reinit_error=True, logging_level="WARNING", log_to_driver=True)
        if address == "local":
            kwargs.update(num_cpus=self.num_cpus, include_dashboard=False)
        ray.init(address=address, **kwargs)
        self._started = True

    def close(self) -> None:
        if self._started and ray.is_initialized():
            ray.shutdown()
            self._started = False

    @staticmethod
    def cluster_cpus() -> int:
        return int(ray.cluster_resources().get("CPU", 1))

    def check(self, phases: list[Phase]) -> None:
        """Set up every phase's stages once on the cluster before any shard runs.

        In-task stages set up in a task (cached there by configuration); a pooled stage of a
        later phase sets up in one actor with its resources, stopped once it is ready (the first
        phase's pools start right after this). Raises StageSetupError.
        """
        for i, phase in enumerate(phases):
            self._check_local(phase)
            for stage in phase.stages if i > 0 else ():
                if stage.resources.pooled:
                    actor = self._actor(stage)
                    try:
                        ray.get(actor.ready.remote())
                    except ray.exceptions.RayActorError as e:
                        raise StageSetupError(f"stage {stage.name!r} cannot set up: {_cause(e)}") from None
                    finally:
                        ray.kill(actor)

    def _check_local(self, phase: Phase) -> None:
        local = [s for s in phase.stages if not s.resources.pooled]
        try:
            ray.get(_check_setup.options(num_cpus=max([s.resources.cpus for s in local], default=1)).remote(local))
        except ray.exceptions.RayTaskError as e:
            raise StageSetupError(_cause(e)) from None
        self._checked.add(id(phase))

    @staticmethod
    def _actor(stage: Stage):
        r = stage.resources
        opts = {"num_cpus": r.cpus, "num_gpus": r.gpus}
        if r.memory_gb:
            opts["memory"] = r.memory_gb * 2**30
        return StageActor.options(**opts).remote(stage)

    def run_phase(self, phase: Phase, tasks: Iterable[ShardTask]):
        tasks = list(tasks)
        if not tasks:
            return
        if id(phase) not in self._checked:
            self._check_local(phase)
        local = [s for s in phase.stages if not s.resources.pooled]
        pools = self._start_pools(phase)
        cpus = max([s.resources.cpus for s in local], default=1.0)
        mem = max([s.resources.memory_gb or 0 for s in local], default=0) * 2**30
        opts = {"num_cpus": cpus} | ({"memory": mem} if mem else {})
        in_flight: dict = {}
        pending = list(reversed(tasks))
        limit = max(2, 2 * self.cluster_cpus())
        try:
            while pending or in_flight:
                while pending and len(in_flight) < limit:
                    t = pending.pop()
                    in_flight[_run_shard.options(**opts).remote(phase, t, pools)] = t
                done, _ = ray.wait(list(in_flight), num_returns=1, timeout=1.0)
                for ref in done:
                    t = in_flight.pop(ref)
                    try:
                        yield t, ray.get(ref), None
                    except ray.exceptions.RayError as e:  # task error, worker crash, OOM kill, lost node
                        yield t, None, _cause(e)
                if not done:
                    yield None, None, None
        finally:
            for ref in in_flight:
                ray.cancel(ref, force=True)
            for actors in pools.values():
                for a in actors:
                    ray.kill(a)

    def run_job(self, job: Job, out_root: str, inputs: dict[str, str]) -> int:
        """Map tasks over the input shards, then one reduce task per partition; returns the artifact rows.

        A failed task raises (the job needs every shard); the map files already written are kept,
        so a rerun redoes only what is missing.
        """
        try:
            ray.get([_job_map.remote(job, out_root, s, u, i) for i, (s, u) in enumerate(sorted(inputs.items()))])
            shards = list(inputs)
            return sum(ray.get([_job_reduce.remote(job, out_root, p, shards) for p in range(job.partitions)]))
        except ray.exceptions.RayError as e:
            raise RuntimeError(f"job {job.name!r} failed: {_cause(e)}") from None

    def _start_pools(self, phase: Phase) -> dict[str, list]:
        pools = {}
        for stage in phase.stages:
            r = stage.resources
            if not r.pooled:
                continue
            n = r.concurrency or 1
            actors = [self._actor(stage) for _ in range(n)]
            try:
                ray.get([a.ready.remote() for a in actors])
            except ray.exceptions.RayActorError as e:
                raise StageSetupError(f"stage {stage.name!r} cannot set up: {_cause(e)}") from None
            pools[stage.name] = actors
        return pools


def _cause(e: Exception) -> str:
    cause = getattr(e, "cause", None)
    if cause is not None:
        return f"{type(cause).__name__}: {cause}"
    return str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
