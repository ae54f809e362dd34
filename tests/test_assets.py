"""curate.assets and `curate assets`: pinned files, a cache, fetch and import."""

from __future__ import annotations

import hashlib

import pytest

from curate import assets
from curate.cli import main


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A registry of two small assets whose sources are files this test writes."""
    src = tmp_path / "upstream"
    src.mkdir()
    files = {"words/en": b"badword\nworse word\n", "words/fr": b"gros mot\n", "hosts/list.txt": b"bad.example\n"}
    for rel, data in files.items():
        (src / rel.replace("/", "_")).write_bytes(data)
    sha = {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    reg = {
        "words": assets.Asset("words", "v1", "CC0", "test words", tuple(
            assets.File(lang, (src / f"words_{lang}").as_uri(), sha[f"words/{lang}"], f"words/{lang}")
            for lang in ("en", "fr"))),
        "hosts": assets.Asset("hosts", "2024", "CC0", "test hosts", (
            assets.File("list.txt", (src / "hosts_list.txt").as_uri(), sha["hosts/list.txt"], "hosts/list.txt"),)),
    }
    monkeypatch.setattr(assets, "REGISTRY", reg)
    monkeypatch.setenv("CURATE_ASSETS_DIR", str(tmp_path / "cache"))
    mirror = tmp_path / "mirror"
    for rel, data in files.items():
        (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
        (mirror / rel).write_bytes(data)
    return mirror


def test_missing_asset_names_itself_and_the_command(registry):
    with pytest.raises(assets.AssetMissing) as e:
        assets.path("words", "en")
    msg = str(e.value)
    assert "'words'" in msg and "curate assets fetch words" in msg and "curate assets import" in msg


def test_import_from_a_mirror_folder(registry):
    assert assets.import_dir(str(registry)) == 3
    with open(assets.path("words", "en"), "rb") as f:
        assert f.read() == b"badword\nworse word\n"
    assert assets.members("words") == ["en", "fr"]
    assert {r["name"]: r["present"] for r in assets.status()} == {"words": 2, "hosts": 1}


def test_partial_mirror_imports_what_it_has(registry):
    (registry / "words" / "fr").unlink()
    seen = []
    assert assets.import_dir(str(registry), log=seen.append) == 2
    assert any("words/fr" in m for m in seen)
    with pytest.raises(assets.AssetMissing):
        assets.path("words", "fr")


def test_a_file_with_another_hash_is_refused(registry):
    (registry / "hosts" / "list.txt").write_bytes(b"tampered.example\n")
    with pytest.raises(assets.AssetError, match="does not match the pinned"):
        assets.import_dir(str(registry), ["hosts"])
    with pytest.raises(assets.AssetMissing):
        assets.path("hosts", "list.txt")


def test_fetch_downloads_verifies_and_skips_cached(registry):
    assert assets.fetch(["words"]) == 2
    assert assets.fetch(["words"]) == 0  # cached
    assert assets.fetch(["words"], force=True) == 2
    assert assets.path("words", "fr").endswith("fr")


def test_fetch_failure_suggests_import(registry, tmp_path):
    (tmp_path / "upstream" / "hosts_list.txt").unlink()
    with pytest.raises(assets.AssetError, match="assets import"):
        assets.fetch(["hosts"])


def test_unknown_asset_and_member(registry):
    with pytest.raises(KeyError, match="unknown asset"):
        assets.path("nope", "x")
    with pytest.raises(KeyError, match="no member"):
        assets.path("words", "de")


def test_cli(registry, capsys):
    assert main(["assets", "list"]) == 0
    assert "0/2" in capsys.readouterr().out
    assert main(["assets", "import", str(registry)]) == 0
    out = capsys.readouterr()
    assert "2/2" in out.out and "imported 3 file(s)" in out.err
    assert main(["assets", "import"]) == 2  # the folder is required
    assert main(["assets", "import", str(registry / "absent")]) == 1
    assert main(["assets", "fetch", "hosts"]) == 0


def test_the_real_registry_matches_the_shared_mirror(shared, tmp_path, monkeypatch):
    """Every pinned file is in ../shared/data/assets with the pinned hash."""
    monkeypatch.setenv("CURATE_ASSETS_DIR", str(tmp_path / "cache"))
    mirror = shared / "data" / "assets"
    if not mirror.is_dir():
        pytest.skip(f"{mirror} absent")
    n = sum(len(a.files) for a in assets.REGISTRY.values())
    assert assets.import_dir(str(mirror)) == n
    assert all(r["present"] == r["files"] for r in assets.status())
