"""Domain and URL blocklists as sorted arrays of 64-bit hashes: compile once, mmap, look up in bulk.

The UT1 adult list (``ut1-adult`` asset, as datatrove 0.10.1 ships it) holds 4,558,940
domains (124 MB of text) and 19,587 URLs. datatrove's ``URLFilter`` keeps them in Python
sets of ``str``, built in every worker (hundreds of MB each). Here each normalized entry
becomes one 64-bit hash; the sorted ``uint64`` array (4.56M x 8 B = 36.5 MB, plus a 4 MiB
bucket directory, see ``HashSet``) is written
once per machine next to the cached archive, keyed by the archive's sha256, under a file
lock and an atomic rename, so concurrent workers never race and never see half a file.
Every worker then maps the same file read-only: the pages sit once in the page cache,
shared by all worker processes of the node, and a worker's private memory does not grow
with the list.

Lookup hashes a whole batch of keys at once (``hash_keys``, numpy, no Python loop per key)
and tests them through each list's bucket directory (``HashSet.contains``).

Matching follows squidGuard, the filter UT1 lists are written for (squidGuard
configuration documentation, "Domainlists" and "URLlists"):

- a domain entry matches the domain itself and every subdomain (``playboy.com`` matches
  ``www.what.ever.playboy.com`` but not ``pplayboy.com``): we hash the host and each parent
  domain (``a.b.example.com``, ``b.example.com``, ``example.com``, ``com``);
- a URL entry is ``host/path`` with ``proto://``, a leading ``(www|web|ftp)[0-9]*.`` label
  and ``:port`` taken out, and it matches that URL and everything below it
  (``foo.com/~badguy`` matches ``http://www2.foo.com/~badguy/whatever``): we hash
  ``host/seg1``, ``host/seg1/seg2``, … of the URL's path. Unlike squidGuard we lowercase
  the path on both sides (web paths are mostly case-insensitive in practice and UT1 mixes
  cases: 1,932 of its URLs hold an upper-case letter).

A hash collision can only add a false drop, never a miss. With n entries and a uniform
64-bit hash, one key is falsely found with probability about n / 2**64: for the 4.56M UT1
domains that is 2.5e-13 per key, 6.6e-13 per document of the dev pages (2.65 domain keys
+ 2.63 URL keys each, measured by benchmarks/bench_url_filter.py), so about 0.002
expected false drops over a whole 3-billion-document Common Crawl dump. The 4,558,940
UT1 domains hash to as many distinct values.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import os
import re
import struct
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

import numpy as np

from curate.assets import sha256_file
from curate.hashing import fmix64

#: Bump when ``hash_keys`` or the normalization changes: compiled files are named after it.
FORMAT = 3
MAGIC = b"CURBLK%02d" % FORMAT
#: magic, n_domains, n_urls, directory bits of each; padded to 64 bytes. Then the domain
#: hashes and the URL hashes (uint64), then the two directories (uint32), all little-endian.
_HEADER = struct.Struct("<8sQQII")
HEADER_BYTES = 64
#: URL keys longer than this are not looked up; list entries longer than this are dropped at load.
MAX_URL_KEY = 512
#: A URL's path contributes at most this many prefixes.
MAX_SEGMENTS = 16
_CHUNK = 1 << 16

_GOLD = np.uint64(0x9E3779B97F4A7C15)
_SEED = np.uint64(0x6375726174652D31)  # "curate-1"

_IPV4ISH = re.compile(r"^[0-9.]+$")
_WWWISH = re.compile(r"^(?:www|web|ftp)[0-9]*\.(?=[^.]+\.)")


# --------------------------------------------------------------------------- hashing


_PAD = [b"\0" * i for i in range(8)]


def hash_keys(keys: list[bytes]) -> np.ndarray:
    """A 64-bit hash of each byte string, vectorized: 8 bytes per step, mixed by murmur3's finalizer.

    Stable across processes and machines (it is stored on disk); not cryptographic. Keys
    are sorted by length and zero-padded to 8-byte words in one flat buffer, so that step j
    touches only the keys longer than 8*j bytes; the length seeds the state, so padding
    never makes two keys equal.
    """
    out = np.empty(len(keys), dtype=np.uint64)
    for start in range(0, len(keys), _CHUNK):
        part = keys[start:start + _CHUNK]
        lengths = np.fromiter(map(len, part), dtype=np.int64, count=len(part))
        order = np.argsort(lengths, kind="stable")
        lengths = lengths[order]
        nwords = (lengths + 7) // 8
        flat = np.frombuffer(b"".join([k + _PAD[-len(k) % 8] for k in (part[i] for i in order.tolist())]),
                             dtype="<u8")
        first = np.concatenate(([0], np.cumsum(nwords)[:-1]))
        first_live = np.searchsorted(nwords, np.arange(int(nwords[-1]) if len(part) else 0), side="right")
        with np.errstate(over="ignore"):
            h = _SEED ^ (lengths.astype(np.uint64) * _GOLD)
            for j, k in enumerate(first_live.tolist()):
                h[k:] = fmix64(h[k:] ^ flat[first[k:] + j])
            h = fmix64(h ^ _GOLD)
        out[start + order] = h
    return out


def _encode(keys: Iterable[str]) -> list[bytes]:
    return [k.encode("utf-8", "surrogatepass") for k in keys]


# --------------------------------------------------------------------------- normalization


def _to_ascii(host: str) -> str | None:
    """An internationalized host in punycode (UTS 46 mapping, IDNA 2008), else IDNA 2003; None if neither works."""
    try:
        import idna

        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
        return ".".join(lab if lab.isascii() else idna.alabel(lab).decode("ascii")
                        for lab in mapped.strip(".").split("."))
    except Exception:  # idna absent, IDNAError, lone surrogates, empty labels
        pass
    try:
        return host.encode("idna").decode("ascii")
    except Exception:
        return None


def normalize_host(host: str | None) -> str | None:
    """The lookup form of a host: lowercase, no trailing dot, punycode, canonical IP; None when unusable.

    Strips brackets and zone ids of IPv6 literals (``[fe80::1%eth0]`` -> ``fe80::1``),
    percent-escapes, and the dots around the name. A host that cannot be normalized
    (over 253 characters, an IDN that does not encode) gives None, and then matches nothing.
    """
    if not host:
        return None
    h = host.strip()
    if "%" in h:
        h = unquote(h, errors="replace")
    h = h.lower().strip(".")
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if not h:
        return None
    if ":" in h:
        try:
            return ipaddress.IPv6Address(h.split("%", 1)[0]).compressed
        except ValueError:
            return None
    if _IPV4ISH.match(h):
        try:
            return str(ipaddress.IPv4Address(h))
        except ValueError:
            return h
    if not h.isascii():
        h = _to_ascii(h)
        if h is None:
            return None
        h = h.lower().strip(".")
    if not h or len(h) > 253:
        return None
    return h


def is_ip(host: str) -> bool:
    return ":" in host or bool(_IPV4ISH.match(host))


def domain_keys(host: str) -> list[str]:
    """The normalized host and each parent domain, longest first (an IP literal: itself only)."""
    if is_ip(host):
        return [host]
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels)) if labels[i]]


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


def split_url(url: str | None) -> tuple[str | None, str]:
    """(raw host, path) of a URL; (None, "") when it has no host or does not parse.

    What ``urllib.parse.urlsplit(url).hostname`` and ``.path`` give (userinfo and port
    dropped, IPv6 brackets removed, tabs and newlines removed), with plain string methods:
    ``urlsplit`` costs 5.6 µs on a URL it has not seen (its cache only helps repeats),
    this about 1 µs. Backslashes count as slashes in http(s) URLs, as browsers (WHATWG
    URL) read them. The host is not lowercased here (``normalize_host`` does it).
    """
    if not url:
        return None, ""
    u = url.strip()
    if "\t" in u or "\n" in u or "\r" in u:
        u = u.replace("\t", "").replace("\n", "").replace("\r", "")
    i = u.find("://")
    if i > 0 and _SCHEME.match(u[:i]):
        rest = u[i + 3:]
        if "\\" in rest and u[:4].lower() == "http":
            rest = rest.replace("\\", "/")
    elif u.startswith("//"):
        rest = u[2:]
    else:
        return None, ""
    end = len(rest)
    for sep in "/?#":
        j = rest.find(sep, 0, end)
        if j >= 0:
            end = j
    netloc, tail = rest[:end], rest[end:]
    path = tail.split("?", 1)[0].split("#", 1)[0]
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        close = host.find("]")
        if close < 0:
            return None, ""
        host = host[1:close]
    else:
        host = host.partition(":")[0]
    return (host or None), path


def url_host(host: str) -> str:
    """A normalized host as URL lists write it: without a leading ``www.``/``web2.``/``ftp.`` label."""
    return _WWWISH.sub("", host, count=1)


def url_keys(host: str, path: str) -> list[str]:
    """``host/seg1``, ``host/seg1/seg2``, … for a normalized host and a raw path (lowercased)."""
    keys = []
    acc = url_host(host)
    for seg in path.lower().split("/"):
        if not seg:
            continue
        acc = f"{acc}/{seg}"
        if len(acc) > MAX_URL_KEY or len(keys) >= MAX_SEGMENTS:
            break
        keys.append(acc)
    return keys


def parse_entry(line: str) -> tuple[str, str] | None:
    """One blocklist line -> ("domain", key) or ("url", key); None for blanks, comments, junk.

    Accepts plain domains, ``*.example.com`` / ``.example.com``, hosts-file lines
    (``0.0.0.0 example.com``), ``host/path`` URL entries and full URLs.
    """
    fields = line.split("#", 1)[0].split()
    if not fields:
        return None
    entry = fields[1] if len(fields) > 1 and fields[0] in ("0.0.0.0", "127.0.0.1", "::", "::1") else fields[0]
    if entry.startswith("*."):
        entry = entry[2:]
    if "://" not in entry and "/" in entry:
        entry = "http://" + entry
    if "://" in entry:
        raw, path = split_url(entry)
        host = normalize_host(raw)
        if host is None:
            return None
        segs = [s for s in path.lower().split("/") if s]
        if not segs:
            return "domain", host
        key = "/".join([url_host(host), *segs])
        return ("url", key) if len(segs) <= MAX_SEGMENTS and len(key) <= MAX_URL_KEY else None
    host = normalize_host(entry)
    return ("domain", host) if host else None


# --------------------------------------------------------------------------- lists


def directory_bits(n: int) -> int:
    """Bits of the bucket directory for ``n`` hashes: about 4 hashes per bucket (2**20 buckets for UT1)."""
    return max(1, (max(n, 1) // 4).bit_length() - 1)


def make_directory(hashes: np.ndarray, bits: int) -> np.ndarray:
    """``dir[b]`` = index of the first hash whose top ``bits`` bits are >= b (2**bits + 1 entries, uint32)."""
    counts = np.bincount((hashes >> np.uint64(64 - bits)).astype(np.intp), minlength=1 << bits)
    out = np.zeros((1 << bits) + 1, dtype=np.uint32)
    np.cumsum(counts, out=out[1:])
    return out


@dataclasses.dataclass
class HashSet:
    """Sorted unique 64-bit hashes plus a bucket directory on their top bits.

    A lookup reads the query's bucket bounds from the directory, then compares the few
    hashes of the bucket (about 4): two or three cache lines per query, where a plain
    binary search over 4.56M mapped hashes takes 22 dependent reads (measured 2.7 µs per
    query against 0.1 µs here, batched).
    """

    hashes: np.ndarray
    directory: np.ndarray
    bits: int

    @classmethod
    def of(cls, hashes: np.ndarray) -> HashSet:
        bits = directory_bits(len(hashes))
        return cls(hashes, make_directory(hashes, bits), bits)

    def __len__(self) -> int:
        return len(self.hashes)

    @property
    def nbytes(self) -> int:
        return int(self.hashes.nbytes + self.directory.nbytes)

    def contains(self, queries: np.ndarray) -> np.ndarray:
        """Boolean mask: which ``queries`` are in the set."""
        n = len(self.hashes)
        found = np.zeros(len(queries), dtype=bool)
        if n == 0 or len(queries) == 0:
            return found
        top = (queries >> np.uint64(64 - self.bits)).astype(np.intp)
        lo = self.directory[top].astype(np.intp)
        span = self.directory[top + 1].astype(np.intp) - lo
        for k in range(int(span.max())):
            live = span > k
            found[live] |= np.asarray(self.hashes[lo[live] + k]) == queries[live]
        return found


@dataclasses.dataclass
class HashList:
    """One named list: a HashSet of its domain keys and one of its URL keys."""

    name: str
    domains: HashSet
    urls: HashSet
    path: str | None = None  # the compiled file, when mapped

    @property
    def nbytes(self) -> int:
        return self.domains.nbytes + self.urls.nbytes

    def __len__(self) -> int:
        return len(self.domains) + len(self.urls)


def _sorted_unique(parts: list[np.ndarray]) -> np.ndarray:
    """Sorted, deduplicated concatenation (a sort: numpy 2's hash-based ``unique`` is 10x slower here)."""
    if not parts:
        return np.empty(0, dtype=np.uint64)
    a = np.concatenate(parts)
    a.sort()
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a if keep.all() else a[keep]


#: A line that is already a normalized domain (lowercase ascii, no dot at either end): no parsing needed.
_FAST = re.compile(rb"^[a-z0-9_-](?:[a-z0-9._-]*[a-z0-9_-])?$", re.M)
_OTHER = re.compile(rb"^(?![a-z0-9_-](?:[a-z0-9._-]*[a-z0-9_-])?$)[^\n]+$", re.M)


def build(name: str, lines: Iterable[str | bytes]) -> HashList:
    """A HashList from blocklist lines, in memory (tests, user lists)."""
    data = b"\n".join(x.encode("utf-8", "surrogatepass") if isinstance(x, str) else x for x in lines)
    return _hash_blocks(name, [data])


def _blocks(f, size: int = 1 << 23) -> Iterator[bytes]:
    """Complete-line blocks of about ``size`` bytes from a binary file object."""
    rest = b""
    while True:
        chunk = f.read(size)
        if not chunk:
            break
        chunk = rest + chunk
        cut = chunk.rfind(b"\n") + 1
        rest = chunk[cut:]
        if cut:
            yield chunk[:cut]
        else:
            rest = chunk
    if rest:
        yield rest


def _block_keys(block: bytes) -> tuple[list[bytes], list[bytes]]:
    """(domain keys, URL keys) of a block of lines: a C-speed scan for the common lines, the parser for the rest."""
    block = block.replace(b"\r", b"")
    dkeys = _FAST.findall(block)
    ukeys: list[bytes] = []
    if sum(map(len, dkeys)) + len(dkeys) >= len(block):  # every line was a plain domain
        return dkeys, ukeys
    for raw in _OTHER.findall(block):
        got = parse_entry(raw.decode("utf-8", "replace"))
        if got is not None:
            key = got[1].encode("utf-8", "surrogatepass")
            (dkeys if got[0] == "domain" else ukeys).append(key)
    return dkeys, ukeys


def _hash_blocks(name: str, blocks: Iterable[bytes], path: str | None = None) -> HashList:
    doms: list[np.ndarray] = []
    urls: list[np.ndarray] = []
    for block in blocks:
        dkeys, ukeys = _block_keys(block)
        if dkeys:
            doms.append(hash_keys(dkeys))
        if ukeys:
            urls.append(hash_keys(ukeys))
    return HashList(name, HashSet.of(_sorted_unique(doms)), HashSet.of(_sorted_unique(urls)), path)


def read_file(path: str, name: str | None = None) -> HashList:
    """A user blocklist or allowlist file (one entry per line), held in memory: 8 bytes per entry."""
    with open(path, "rb") as f:
        return _hash_blocks(name or list_name(path), _blocks(f))


def list_name(path: str) -> str:
    """``/x/My Sites.txt`` -> ``my-sites``: the list's name in drop reasons."""
    stem = os.path.basename(path).split(".", 1)[0].lower()
    return re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-") or "user"


# --------------------------------------------------------------------------- UT1 archive, compiled


def _archive_members(tar: tarfile.TarFile) -> tuple[tarfile.TarInfo | None, tarfile.TarInfo | None]:
    """The ``domains`` and ``urls`` members: at the top level, or in an ``adult/`` folder."""
    found: dict[str, tarfile.TarInfo] = {}
    for m in tar.getmembers():
        parts = m.name.strip("/").split("/")
        if m.isfile() and parts[-1] in ("domains", "urls") and (len(parts) == 1 or parts[-2] == "adult"):
            if parts[-1] in found:
                raise ValueError(f"archive holds more than one {parts[-1]!r} member")
            found[parts[-1]] = m
    return found.get("domains"), found.get("urls")


def compile_archive(archive: str, out: str) -> None:
    """Hash a UT1-style ``tar.gz`` (members ``domains``, ``urls``) into the file ``out`` (written atomically)."""
    with tarfile.open(archive, "r:*") as tar:
        dm, um = _archive_members(tar)
        if dm is None and um is None:
            raise ValueError(f"{archive}: no 'domains' or 'urls' member")
        parts = []
        for member in (dm, um):
            if member is not None:
                with tar.extractfile(member) as f:
                    parts.append(_hash_blocks("", _blocks(f)))
    d = HashSet.of(_sorted_unique([p.domains.hashes for p in parts]))
    u = HashSet.of(_sorted_unique([p.urls.hashes for p in parts]))
    directory = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-" + os.path.basename(out))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_HEADER.pack(MAGIC, len(d), len(u), d.bits, u.bits).ljust(HEADER_BYTES, b"\0"))
            for part in (d.hashes.astype("<u8"), u.hashes.astype("<u8"), d.directory.astype("<u4"),
                         u.directory.astype("<u4")):
                f.write(part.tobytes())
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_compiled(path: str, name: str) -> HashList:
    """Map a compiled file read-only; hashes and directories are views of the page cache."""
    with open(path, "rb") as f:
        magic, nd, nu, bd, bu = _HEADER.unpack(f.read(_HEADER.size))
    if magic != MAGIC:
        raise ValueError(f"{path}: not a compiled blocklist of format {FORMAT}")
    dir_d, dir_u = (1 << bd) + 1, (1 << bu) + 1
    if os.path.getsize(path) != HEADER_BYTES + 8 * (nd + nu) + 4 * (dir_d + dir_u):
        raise ValueError(f"{path}: truncated compiled blocklist")
    hashes = np.memmap(path, dtype="<u8", mode="r", offset=HEADER_BYTES, shape=(nd + nu,))
    dirs = np.memmap(path, dtype="<u4", mode="r", offset=HEADER_BYTES + 8 * (nd + nu), shape=(dir_d + dir_u,))
    return HashList(name, HashSet(hashes[:nd], dirs[:dir_d], bd), HashSet(hashes[nd:], dirs[dir_d:], bu), path)


def _writable(directory: str) -> bool:
    return os.path.isdir(directory) and os.access(directory, os.W_OK)


def compiled_path(archive: str, sha256: str, index_dir: str | None = None) -> str:
    """Where the compiled form of ``archive`` lives: ``index_dir``, else beside it, else the asset cache."""
    fname = f"{os.path.basename(archive)}.{sha256[:16]}.v{FORMAT}.u64"
    if index_dir:
        return os.path.join(index_dir, fname)
    beside = os.path.dirname(os.path.abspath(archive))
    if _writable(beside):
        return os.path.join(beside, fname)
    from curate import assets

    return os.path.join(assets.cache_dir(), "compiled", fname)


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    """An exclusive advisory lock on ``path + '.lock'`` (no-op where fcntl is absent)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path + ".lock", "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


_LOADED: dict[tuple, HashList] = {}


def load_archive(archive: str, name: str, index_dir: str | None = None) -> HashList:
    """The compiled, memory-mapped form of a UT1-style archive, compiling it on first use.

    Keyed by the archive's sha256: a new archive version compiles anew, an old compiled
    file is never reused for it. Memoized per process (a Ray actor that sets up twice maps once).
    """
    st = os.stat(archive)
    memo = (os.path.abspath(archive), st.st_size, st.st_mtime_ns, index_dir)
    if memo in _LOADED:
        return _LOADED[memo]
    out = compiled_path(archive, sha256_file(archive), index_dir)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if not os.path.exists(out):
        with _locked(out):
            if not os.path.exists(out):  # another worker may have compiled it while we waited
                compile_archive(archive, out)
    hl = load_compiled(out, name)
    _LOADED[memo] = hl
    return hl


# --------------------------------------------------------------------------- lookup


def rows_hit(hs: HashSet, queries: np.ndarray, row_of: np.ndarray, nrows: int) -> np.ndarray:
    """Per row: does any of its queries (``row_of[i]`` is query i's row) hit the set?"""
    out = np.zeros(nrows, dtype=bool)
    out[row_of[hs.contains(queries)]] = True
    return out
