"""Filesystem helpers over fsspec: one code path for local disk, s3://, gs://, https:// and memory://."""

from __future__ import annotations

import os
import posixpath

import fsspec
from fsspec.core import url_to_fs


def get_fs(url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem holding ``url`` and the path inside it (absolute for local paths)."""
    if "://" not in url:
        url = os.path.abspath(url)
    return url_to_fs(url)


def is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def join(root: str, *parts: str) -> str:
    if is_local(root) and not root.startswith("file://"):
        return os.path.join(root, *parts)
    return posixpath.join(root, *parts)


def exists(url: str) -> bool:
    fs, path = get_fs(url)
    return fs.exists(path)


def read_text(url: str) -> str:
    fs, path = get_fs(url)
    with fs.open(path, "rt", encoding="utf-8") as f:
        return f.read()


def write_text_atomic(url: str, text: str) -> None:
    """Write ``text`` to ``url`` so that readers see either nothing or the whole file."""
    fs, path = get_fs(url)
    fs.makedirs(posixpath.dirname(path) if not is_local(url) else os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with fs.open(tmp, "wt", encoding="utf-8") as f:
        f.write(text)
    commit(fs, tmp, path)


def commit(fs: fsspec.AbstractFileSystem, tmp: str, final: str) -> None:
    """Move ``tmp`` to ``final``: an atomic rename on local disk, copy-then-delete on object stores."""
    protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    if "file" in protocols or "local" in protocols:
        os.replace(tmp, final)
    else:
        fs.mv(tmp, final)


def remove(url: str) -> None:
    fs, path = get_fs(url)
    if fs.exists(path):
        fs.rm(path)
