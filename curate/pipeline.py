"""Phases and recipes: what runs, in which order. The runner decides where.

A recipe is a Python module in ``pipelines/`` with a ``build(params) -> list[Phase]``
function and a TOML file of the same name holding its default parameters. Phases run
in the listed order; each phase reads the shards the previous one committed (the first
reads WARC files) and chains its stages over every shard, streaming batch by batch.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import importlib.util
import os
from typing import Any

import pyarrow as pa
import tomllib

from curate import schema
from curate.io.warc import WarcReader
from curate.job import Job
from curate.stage import Resources, Stage


@dataclasses.dataclass
class Phase:
    """An ordered list of stages run over all shards, after the jobs they wait for.

    ``reader`` is set on the first phase (WARC input); later phases read the kept
    documents of the phase before them. ``jobs`` run over those documents before the
    phase's stages (which receive the artifacts they name in ``needs``); a phase with jobs
    starts only once every shard of the phase before it has committed. ``keep_html`` keeps
    the raw HTML column in the written files (off by default: it is most of the bytes).
    """

    name: str
    stages: list[Stage]
    reader: WarcReader | None = None
    keep_html: bool = False
    jobs: list[Job] = dataclasses.field(default_factory=list)

    def bind(self, artifacts: dict[str, str]) -> Phase:
        """A copy whose stages that need a job get ``artifacts`` = {job name: artifact folder}."""
        stages = [dataclasses.replace(s, artifacts={j: artifacts[j] for j in s.needs if j in artifacts})
                  if s.needs else s for s in self.stages]
        return dataclasses.replace(self, stages=stages)

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        dropped: tuple[str, ...] = ()
        if not self.keep_html:
            dropped = tuple(c for s in self.stages for c in s.consumes)
        return schema.output_schema(input_schema, [s.columns for s in self.stages], drop=dropped)


def recipe_path(name: str) -> str:
    """Path of a recipe module: a file path, or a name under the ``pipelines`` package."""
    if name.endswith(".py") and os.path.exists(name):
        return os.path.abspath(name)
    if name.endswith(".py") or os.sep in name:
        raise FileNotFoundError(f"no recipe file {name!r}")
    try:
        spec = importlib.util.find_spec(f"pipelines.{name}")
    except ImportError:  # a dotted name whose parent is no module
        spec = None
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"no recipe {name!r}: give a pipelines/ module name or a .py file")
    return spec.origin


def load_recipe(name: str):
    path = recipe_path(name)
    spec = importlib.util.spec_from_file_location(f"curate_recipe_{os.path.basename(path)[:-3]}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "build"):
        raise AttributeError(f"recipe {path} has no build(params) function")
    return module


def load_params(recipe: str, config: str | None = None, overrides: list[str] = ()) -> dict[str, Any]:
    """The recipe's default TOML, updated by ``config`` (a TOML file) and ``key.sub=value`` overrides."""
    params: dict[str, Any] = {}
    default = recipe_path(recipe)[:-3] + ".toml"
    if os.path.exists(default):
        with open(default, "rb") as f:
            params = tomllib.load(f)
    if config:
        with open(config, "rb") as f:
            _merge(params, tomllib.load(f))
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"--set {item!r}: expected KEY=VALUE, e.g. extract.timeout_s=5")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        node = params
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return params


def _merge(base: dict, new: dict) -> None:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = copy.deepcopy(v)


def make_stage(cls: type, params: dict[str, Any] | None) -> Stage:
    """Build a stage dataclass from its parameter table; ``resources`` is a sub-table."""
    params = dict(params or {})
    res = params.pop("resources", None)
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = set(params) - fields
    if unknown:
        raise ValueError(f"unknown parameter(s) for stage {cls.name!r}: {sorted(unknown)}; "
                         f"known: {sorted(fields - {'resources'})}")
    stage = cls(**params)
    if res:
        stage.resources = dataclasses.replace(stage.resources, **res)
    return stage


def build_phases(recipe: str, params: dict[str, Any]) -> list[Phase]:
    phases = load_recipe(recipe).build(params)
    names = [p.name for p in phases]
    if len(set(names)) != len(names):
        raise ValueError(f"recipe {recipe}: phase names repeat: {names}")
    if not phases or phases[0].reader is None:
        raise ValueError(f"recipe {recipe}: the first phase must read WARC (reader=WarcReader(...))")
    if phases[0].jobs:
        raise ValueError(f"recipe {recipe}: jobs read a phase's output, so the first phase cannot have jobs")
    for phase in phases:
        have = {j.name for j in phase.jobs} | {n for j in phase.jobs for n in j.produces}
        for s in phase.stages:
            if set(s.needs) - have:
                raise ValueError(f"recipe {recipe}: stage {s.name!r} needs job(s) {sorted(set(s.needs) - have)} "
                                 f"that phase {phase.name!r} does not run")
    return phases


__all__ = ["Job", "Phase", "Resources", "build_phases", "load_params", "load_recipe", "make_stage"]
