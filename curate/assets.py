"""Runtime assets (word lists, blocklists): pinned sources, a local cache, fetch and import.

curate vendors no third-party list. Each asset in ``REGISTRY`` names its source URLs, a
version and the sha256 of every file; ``curate assets fetch`` downloads them into the
cache, ``curate assets import DIR`` copies them from a mirror folder laid out as
``DIR/<mirror path>`` (``$CURATE_SHARED/data/assets`` is one), and a stage calls
``path(asset, member)`` in ``setup()``. A missing asset raises ``AssetMissing``, whose
message names the asset and the command that gets it; the run's preflight turns that into
exit 3 before any shard starts.

The cache is ``$CURATE_ASSETS_DIR`` or ``~/.cache/curate/assets``. On a Ray cluster every
node needs it: point ``CURATE_ASSETS_DIR`` at a shared filesystem, or run the fetch on each
node (the preflight names the node's missing file either way).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
import urllib.request

_LDNOOBW = "https://raw.githubusercontent.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words/master/"
_DATATROVE = "https://raw.githubusercontent.com/huggingface/datatrove/v0.10.1/src/datatrove/assets/"


@dataclasses.dataclass(frozen=True)
class File:
    member: str  # name the stages ask for
    url: str
    sha256: str
    mirror: str  # path under a mirror folder


@dataclasses.dataclass(frozen=True)
class Asset:
    name: str
    version: str
    license: str
    about: str
    files: tuple[File, ...]

    def file(self, member: str) -> File:
        for f in self.files:
            if f.member == member:
                return f
        raise KeyError(f"asset {self.name!r} has no member {member!r}; members: {[f.member for f in self.files]}")


_LDNOOBW_SHA = {
    "ar": "23dbd9c55257bf2a4965f46664dc7eac04b61ff4eb3571e41f7e964c7c3ed96b",
    "cs": "90706df86709bade1ca39cf9f9d9836409c674fc3bffcb7525bdd20e59b596bc",
    "da": "ddb46ab67e955d1a5f49c89c18497d23c3d8d6d2522f3740a5d7583f90e434c6",
    "de": "ebe44d7772897390e27f7bec412fdcdf0efc294e4db157f8487c4cd8d4fabd55",
    "en": "af851ecef1d5f212caba17339b12ac39cc2fef7d78c74876f67237644fcee8bd",
    "eo": "0374d76be1dbc77c61362d6e51305e1e4c546b7f734eb96e0bdbad7fd2a6ace1",
    "es": "073334261cc2e7c08339faefd2f19f9623e8240a0ac18fe2a26c368b897496ce",
    "fa": "85828629b90fd18a3f6f6efb1934c1294103c33d1c28c0653970adfa179169e9",
    "fi": "3e0b35b2533ba22fb526d882bea250ddfad907ee7548aacbe15db17e21034c62",
    "fil": "fb4b43691b1249fee2eca1e66795daedda8e7366d42abcde6553dce611d23d99",
    "fr": "79763a705e08256b393952852bb63aa903f4485e0ef02f70735f5e50efff213c",
    "fr-CA-u-sd-caqc": "4a0ef5d55921c91df26676b214d3ac648deef11cfbc4587159ee9aab4085b09a",
    "hi": "83636e9b7a5260451e09e9e471f81dad9f082d107a82da77047e57d7856ed0cc",
    "hu": "a6943a971496f16e9a9d59ba6fde146d229699600e9636828d8d34ed9160aff5",
    "it": "d413f41018d58aa79d2c4809d0161f29ffd5652c4dc34c5b7b9ade680ee5599a",
    "ja": "f83c4d0843ea6474c17bf171edd72b616b3af403f8613f2cde1bd841faf6f316",
    "kab": "df7be2ce4a0c80ee717cd7134c90645a8a0f0c0c458a61f927934dbd50eac96d",
    "ko": "0dd4b74ffea6e3bb35d658e6d8262b53ee99281eaa48ecb515a2065bfcc7f69d",
    "nl": "8298ba0cdc3ca9a1989c349b8ad0148e4504c2804f2f2fb6c2f52bfb39c5ae71",
    "no": "e55b46bcec1ea288256924523a997d8d99e124c9aa3e61cbbbfaeca294f745b4",
    "pl": "98cf824e3692255645c5a72d5913f26fd4f20930f725683b4c96bb312ca5d9b3",
    "pt": "05ef524b0bb7f83f87257f6ec4dabf70e16b8bb6930f769fb93deaf608ff196d",
    "ru": "2598adabd2b761733d72a68d8ee4fcc1d2c38f2f85b6ff489985c6ce1d93bf75",
    "sv": "77f3f99a89bd3b2bde6a654741bacfcb3acca3f5c804af4d8d3fea11e09ea562",
    "th": "835036d87a3a67738e388cd6de92e3c995c186a1427b4e830fe7b85483c257e7",
    "tlh": "3c19004e338c0d91d19ba419185279145848b75b2327aa0e3a752c604ad9f59d",
    "tr": "6c7ae03baee0f3fdc22eed169030567669005dad9a1923e0b571c4bd4f2f2ab5",
    "zh": "a1d9aa037c8b039ef3b40148b3364ce2ca62ce4a955b7082a16ad99f6cbd1bc0",
}

_URL_WORDS_SHA = {
    "banned_words.txt": "7aae5109ccc4d8357167168fa3a91331fa2fafd8eb8cc9c38cc9147c2610fab0",
    "banned_subwords.txt": "4770445cd8d2b16495efde88bc4efc3a520bdc0f3137d14d85cd3d89b194a232",
    "soft_banned_words.txt": "e5043030accca33b0e368a693997576beea4c58279da641bff40b4e02281b063",
}

REGISTRY: dict[str, Asset] = {a.name: a for a in (
    Asset(
        "ldnoobw", "master-2024", "CC BY 4.0",
        "List of Dirty, Naughty, Obscene and Otherwise Bad Words, 28 languages (dirty-word counting)",
        tuple(File(lang, _LDNOOBW + lang, sha, f"ldnoobw/{lang}") for lang, sha in _LDNOOBW_SHA.items()),
    ),
    Asset(
        "ut1-adult", "2024-12-03", "CC BY-SA 4.0",
        "UT1 blacklist, adult category: 4.56M domains and 19.6k URLs (as datatrove 0.10.1 ships it)",
        (File("adult-blacklists.tar.gz", _DATATROVE + "url_filterblacklistsv0_3_0.tar.gz",
              "b37eefe1f3103dfa46b21b3f407b8b23cec2958ea22028700e6cc44d80f55e9e", "ut1/adult-blacklists.tar.gz"),),
    ),
    Asset(
        "url-words", "datatrove-0.10.1", "Apache-2.0",
        "Banned, banned-subword and soft-banned URL words (RefinedWeb / FineWeb URL filter)",
        tuple(File(n, _DATATROVE + n, sha, f"url-words/{n}") for n, sha in _URL_WORDS_SHA.items()),
    ),
)}


class AssetMissing(FileNotFoundError):
    """An asset file is not in the cache; the message says how to get it."""


class AssetError(RuntimeError):
    """A download or import failed, or a file does not match its pinned sha256."""


def cache_dir() -> str:
    return os.environ.get("CURATE_ASSETS_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "curate", "assets")


def _asset(name: str) -> Asset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown asset {name!r}; known: {sorted(REGISTRY)}") from None


def _cached(asset: Asset, f: File) -> str:
    return os.path.join(cache_dir(), asset.name, asset.version, f.member)


def members(name: str) -> list[str]:
    return [f.member for f in _asset(name).files]


def path(name: str, member: str) -> str:
    """Local path of ``member`` of asset ``name``; raises AssetMissing naming the command that gets it."""
    asset = _asset(name)
    p = _cached(asset, asset.file(member))
    if not os.path.exists(p):
        raise AssetMissing(
            f"asset {name!r} ({member}) is not in the cache {cache_dir()}: get it with `curate assets fetch {name}` "
            f"or, offline, `curate assets import DIR` from a mirror folder (e.g. $CURATE_SHARED/data/assets)")
    return p


def status() -> list[dict]:
    """One row per asset: name, version, licence, files present / total, cache path."""
    rows = []
    for a in REGISTRY.values():
        have = sum(os.path.exists(_cached(a, f)) for f in a.files)
        rows.append({"name": a.name, "version": a.version, "license": a.license, "files": len(a.files),
                     "present": have, "about": a.about, "path": os.path.join(cache_dir(), a.name, a.version)})
    return rows


def sha256_file(p: str) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _install(asset: Asset, f: File, src: str, origin: str) -> str:
    """Verify ``src`` against the pin and move a copy into the cache atomically."""
    got = sha256_file(src)
    if got != f.sha256:
        raise AssetError(f"{origin}: sha256 {got} does not match the pinned {f.sha256} of asset "
                         f"{asset.name!r} ({f.member}); the source changed since version {asset.version}")
    dest = _cached(asset, f)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".tmp-")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def import_dir(src_dir: str, names: list[str] | None = None, log=None) -> int:
    """Copy the registered files found under ``src_dir`` (mirror layout) into the cache; returns the count.

    A file present in the folder but with another sha256 is an error; a file absent is skipped
    (and reported through ``log``), so a partial mirror imports what it has.
    """
    if not os.path.isdir(src_dir):
        raise AssetError(f"{src_dir}: no such folder")
    n = 0
    for name in names or list(REGISTRY):
        asset = _asset(name)
        for f in asset.files:
            src = os.path.join(src_dir, f.mirror)
            if not os.path.exists(src):
                if log:
                    log(f"{name}: {f.mirror} not in {src_dir}")
                continue
            _install(asset, f, src, src)
            n += 1
    return n


def fetch(names: list[str] | None = None, force: bool = False, log=None, timeout: float = 60.0) -> int:
    """Download the files of ``names`` (default all) that are not cached yet; returns the count fetched."""
    n = 0
    for name in names or list(REGISTRY):
        asset = _asset(name)
        for f in asset.files:
            if not force and os.path.exists(_cached(asset, f)):
                continue
            if log:
                log(f"{name}: {f.url}")
            fd, tmp = tempfile.mkstemp(prefix="curate-asset-")
            os.close(fd)
            try:
                try:
                    with urllib.request.urlopen(f.url, timeout=timeout) as r, open(tmp, "wb") as out:
                        shutil.copyfileobj(r, out, 1 << 20)
                except OSError as e:
                    raise AssetError(f"{f.url}: download failed ({e}); offline, use `curate assets import DIR`") from e
                _install(asset, f, tmp, f.url)
            finally:
                os.unlink(tmp)
            n += 1
    return n
