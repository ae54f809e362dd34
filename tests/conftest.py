"""Shared fixtures and helpers: hand-written WARC files, the real-data root, one Ray per session.

WARC files are written here byte by byte (WARC/1.1, one gzip member per record, request
records before responses, as Common Crawl writes them) so that every test knows exactly
what its input holds. Real archives under ``$CURATE_SHARED/data/warc`` are read in place
and skipped cleanly when absent.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import os
import random
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- real data


def shared_root() -> Path:
    return Path(os.environ.get("CURATE_SHARED") or REPO.parent / "shared")


@pytest.fixture(scope="session")
def shared() -> Path:
    """``$CURATE_SHARED`` (default ``../shared``), holding ``data/warc``; skips when absent."""
    root = shared_root()
    if not (root / "data" / "warc").is_dir():
        pytest.skip(f"real data absent: {root / 'data' / 'warc'} does not exist (set CURATE_SHARED)")
    return root


@pytest.fixture(scope="session", autouse=True)
def asset_cache() -> Path:
    """The suite's own asset cache (never the user's), set before Ray starts so workers share it.

    With ``$CURATE_SHARED/data/assets`` present, the real mirror is imported (pinned hashes).
    Without it, small lists written here take the registered files' places in a separate
    cache, so the main recipe still runs offline; tests that need the real lists ask for
    ``assets_ready`` and skip.
    """
    from curate import assets

    mirror = shared_root() / "data" / "assets"
    if mirror.is_dir():
        cache = REPO / "build" / "test-assets"
        os.environ["CURATE_ASSETS_DIR"] = str(cache)
        assets.import_dir(str(mirror))
    else:
        cache = REPO / "build" / "test-assets-selfmade"
        os.environ["CURATE_ASSETS_DIR"] = str(cache)
        _write_selfmade_assets(assets)
    return cache


#: Stand-ins for the registered assets when the mirror is absent (written by this suite).
SELFMADE_WORDS = {"en": "badword\nworse phrase\n", "de": "schimpfwort\n", "zh": "坏词\n"}
SELFMADE_URL_WORDS = {"banned_words.txt": "forbiddenword\n", "banned_subwords.txt": "forbiddensub\n",
                      "soft_banned_words.txt": "softa\nsoftb\nsoftc\n"}
SELFMADE_UT1 = {"domains": "adult-site.example\n", "urls": "mixed-site.example/adult/\n"}


def _write_selfmade_assets(assets) -> None:
    import tarfile

    def put(name: str, member: str, data: bytes) -> None:
        a = assets.REGISTRY[name]
        path = Path(assets.cache_dir()) / a.name / a.version / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    for lang in assets.members("ldnoobw"):
        put("ldnoobw", lang, SELFMADE_WORDS.get(lang, "").encode())
    for member, text in SELFMADE_URL_WORDS.items():
        put("url-words", member, text.encode())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in SELFMADE_UT1.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))
    put("ut1-adult", "adult-blacklists.tar.gz", buf.getvalue())


@pytest.fixture(scope="session", autouse=True)
def model_cache() -> Path:
    """The suite's own model cache with the recipe's default models, set before Ray starts.

    Small students trained on the project's own sample pages, labelled by page kind (no
    teacher: seconds), so the main recipe's ``quality`` phase runs in every test that runs it.
    """
    from classifiers import build, fasttext_model

    cache = REPO / "build" / "test-models"
    os.environ["CURATE_MODELS_DIR"] = str(cache)
    build.build_defaults(str(cache), shared=None, teacher=False, log=lambda msg: None,
                         params=fasttext_model.TrainParams(dim=32, bucket=50_000, epoch=10))
    return cache


def real_assets() -> bool:
    return (shared_root() / "data" / "assets").is_dir()


@pytest.fixture
def assets_ready(asset_cache) -> Path:
    """Skips unless the real (pinned) assets are in the suite's cache."""
    if not real_assets():
        pytest.skip(f"real assets absent: {shared_root() / 'data' / 'assets'} does not exist (set CURATE_SHARED)")
    return asset_cache


# --------------------------------------------------------------------------- Ray


@pytest.fixture(scope="session")
def ray_session():
    """One local Ray instance for the whole session (tests marked ``ray`` ask for it).

    ``address="local"`` starts a fresh instance even when another cluster runs on this
    machine; curate's RayExecutor sees ``ray.is_initialized()`` and reuses it.
    """
    ray = pytest.importorskip("ray")
    started = False
    if not ray.is_initialized():
        ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING",
                 log_to_driver=False)
        started = True
    yield ray
    if started:
        ray.shutdown()


# --------------------------------------------------------------------------- WARC writing

WORDS = ("river mountain garden library science history music market winter summer bridge "
         "village teacher student engine window harbor forest ocean letter museum painting "
         "kitchen recipe journey station theory method network signal planet climate energy "
         "language culture economy policy health water bread coffee morning evening island").split()


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def article_html(i: int, paragraphs: int = 6, title: str | None = None, seed: int = 0) -> str:
    """An article page: navigation and footer boilerplate around a main text of ``paragraphs``."""
    rng = random.Random(seed * 100_003 + i)
    title = title or f"Article {i}: {' '.join(rng.choice(WORDS) for _ in range(3))}"
    body = "\n".join(f"<p>{' '.join(sentence(rng) for _ in range(4))}</p>" for _ in range(paragraphs))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li><li><a href="/contact">Contact</a></li></ul></nav>
<main><article><h1>{title}</h1>
{body}
</article></main>
<footer><p>Copyright 2024 Example Site. All rights reserved.</p></footer>
</body></html>"""


#: A page with no main text (scripts, styles and a copyright footer): extraction yields nothing.
BOILERPLATE_HTML = """<!DOCTYPE html><html><head><title>Nothing here</title>
<script>window.dataLayer = window.dataLayer || [];</script><style>body { margin: 0 }</style></head><body>
<script>document.write("loading")</script>
<footer><p>Copyright 2024 Example Site. All rights reserved.</p></footer></body></html>"""


def http_block(body: bytes, status: int = 200, content_type: str | None = "text/html; charset=utf-8",
               headers: dict[str, str] | None = None, newline: bytes = b"\r\n",
               content_length: bool = True) -> bytes:
    """An HTTP/1.1 response: status line, headers, blank line, body."""
    reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 500: "Server Error"}
    lines = [f"HTTP/1.1 {status} {reason.get(status, 'Status')}".encode()]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}".encode())
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}".encode("latin-1"))
    if content_length and not any(k.lower() == "content-length" for k in (headers or {})):
        lines.append(f"Content-Length: {len(body)}".encode())
    return newline.join(lines) + newline + newline + body


@dataclasses.dataclass
class Rec:
    """One WARC record to write. ``block`` defaults to an HTTP response around ``body``."""

    url: str
    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] | None = None
    type: str = "response"
    block: bytes | None = None
    record_id: str | None = None
    date: str = "2024-05-20T10:00:00Z"
    warc_content_type: str | None = None

    def id(self) -> str:
        return self.record_id or f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.type + ':' + self.url)}>"

    def payload(self) -> bytes:
        if self.block is not None:
            return self.block
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        if self.type in ("response", "revisit"):
            return http_block(body, self.status, self.content_type, self.headers)
        return body


def warc_record(rtype: str, block: bytes, headers: dict[str, str]) -> bytes:
    head = [b"WARC/1.1", f"WARC-Type: {rtype}".encode()]
    head += [f"{k}: {v}".encode() for k, v in headers.items()]
    head.append(f"Content-Length: {len(block)}".encode())
    return b"\r\n".join(head) + b"\r\n\r\n" + block + b"\r\n\r\n"


def warc_bytes(records: list[Rec], requests: bool = True, warcinfo: bool = True) -> list[bytes]:
    """The uncompressed records of a WARC file, one bytes object per record."""
    out = []
    if warcinfo:
        out.append(warc_record("warcinfo", b"software: curate-tests\r\nformat: WARC File Format 1.1\r\n", {
            "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>", "WARC-Date": "2024-05-20T10:00:00Z",
            "Content-Type": "application/warc-fields"}))
    for rec in records:
        if requests and rec.type in ("response", "revisit"):
            req = f"GET / HTTP/1.1\r\nHost: {rec.url.split('/')[2] if '://' in rec.url else 'x'}\r\n\r\n".encode()
            out.append(warc_record("request", req, {
                "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'request:' + rec.url)}>",
                "WARC-Date": rec.date, "WARC-Target-URI": rec.url,
                "Content-Type": "application/http; msgtype=request"}))
        headers = {"WARC-Record-ID": rec.id(), "WARC-Date": rec.date, "WARC-Target-URI": rec.url}
        if rec.type in ("response", "revisit"):
            headers["Content-Type"] = rec.warc_content_type or "application/http; msgtype=response"
        else:
            headers["Content-Type"] = rec.warc_content_type or (rec.content_type or "text/html")
        if rec.type == "revisit":
            headers["WARC-Profile"] = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
            headers["WARC-Refers-To-Target-URI"] = rec.url
        out.append(warc_record(rec.type, rec.payload(), headers))
    return out


def write_warc(path: str | os.PathLike, records: list[Rec], gz: bool = True, requests: bool = True,
               warcinfo: bool = True) -> Path:
    """Write ``records`` as a WARC file: one gzip member per record (``gz``), else plain."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        for raw in warc_bytes(records, requests=requests, warcinfo=warcinfo):
            f.write(gzip.compress(raw, mtime=0) if gz else raw)
    return path


def articles(n: int, prefix: str = "https://example.org/post", start: int = 0, paragraphs: int = 6,
             seed: int = 0) -> list[Rec]:
    return [Rec(f"{prefix}/{i}", article_html(i, paragraphs, seed=seed)) for i in range(start, start + n)]


@pytest.fixture
def make_warc(tmp_path):
    """``make_warc(name, records, **kw) -> Path`` under this test's ``tmp_path``."""

    def make(name: str, records: list[Rec], **kw) -> Path:
        return write_warc(tmp_path / name, records, **kw)

    return make


@pytest.fixture
def small_warc(tmp_path) -> Path:
    """Eight articles, a 404, a JSON response, a PNG, a revisit and a boilerplate-only page."""
    recs = articles(8, "https://news.example.com/story")
    recs += [
        Rec("https://news.example.com/missing", "<html><body>gone</body></html>", status=404),
        Rec("https://api.example.com/v1/items", '{"items": [1, 2, 3]}', content_type="application/json"),
        Rec("https://news.example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png"),
        Rec("https://news.example.com/story/0", b"", type="revisit", record_id="<urn:uuid:revisit-0>"),
        Rec("https://news.example.com/empty", BOILERPLATE_HTML),
    ]
    return write_warc(tmp_path / "in" / "small.warc.gz", recs)


# --------------------------------------------------------------------------- reading outputs


def read_parquet(path: str | os.PathLike, columns: list[str] | None = None) -> pa.Table:
    return pq.read_table(str(path), columns=columns)


def phase_tables(out_root: str | os.PathLike, phase: str = "extract") -> tuple[pa.Table, pa.Table]:
    """Kept and rejected rows of every committed shard of ``phase`` (found through the markers)."""
    from curate.io import shards

    out_root = str(out_root)
    kept, rejected = [], []
    for shard in sorted(shards.committed(out_root, phase)):
        kept.append(_read_any(shards.kept_path(out_root, phase, shard)))
        rejected.append(_read_any(shards.rejected_path(out_root, phase, shard)))
    if not kept:
        return pa.table({}), pa.table({})
    return pa.concat_tables(kept), pa.concat_tables(rejected)


def _read_any(url: str) -> pa.Table:
    from curate.io import fs as cfs

    fs, path = cfs.get_fs(url)
    with fs.open(path, "rb") as f:
        return pq.read_table(io.BytesIO(f.read()))


def all_ids(out_root: str | os.PathLike, phase: str = "extract") -> list[str]:
    kept, rejected = phase_tables(out_root, phase)
    ids = []
    for t in (kept, rejected):
        if t.num_columns:
            ids += t.column("id").to_pylist()
    return ids


def write_recipe(path: Path, body: str) -> Path:
    """A recipe module in ``path`` (a ``.py`` file): ``body`` defines ``build(params)``."""
    path.write_text(body)
    return path
