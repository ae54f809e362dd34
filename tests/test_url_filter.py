"""url_filter stage and the hashed blocklist lookup (curate/blocklist.py).

Every test writes its own small lists (a UT1-style tar.gz, word files, user lists) and
passes their paths to the stage; one test reads the real UT1 asset and skips without it.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import tarfile

import numpy as np
import pyarrow as pa
import pytest

from curate import blocklist as bl
from curate import schema
from curate.stages.url_filter import UrlFilter, read_words

DOMAINS = ["adult.example", "xxx-site.com", "bücher-sex.de", "10.0.0.66", "shop.mixed.org"]
URLS = ["mixed.org/adult", "tumblr.example/post/123/", "CaseSite.com/Tag/Slut"]


def write_ut1(path, domains=DOMAINS, urls=URLS, folder: str = "") -> str:
    with tarfile.open(path, "w:gz") as tar:
        for member, lines in (("domains", domains), ("urls", urls)):
            data = ("\n".join(lines) + "\n").encode()
            info = tarfile.TarInfo(folder + member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return str(path)


@pytest.fixture
def lists(tmp_path):
    ut1 = write_ut1(tmp_path / "ut1.tar.gz")
    words = tmp_path / "words"
    words.mkdir()
    (words / "banned_words.txt").write_text("#comment\nporn\nxxx\nbig tits\n!!!\n")
    (words / "banned_subwords.txt").write_text("#c\nhardcoresex\nbig boobs\n")
    (words / "soft_banned_words.txt").write_text("sexy\nbabes\ncams\nnude\n")
    return {"ut1_archive": ut1, "words_dir": str(words), "index_dir": str(tmp_path / "idx")}


def reasons(stage: UrlFilter, urls, hosts=None):
    return stage.reasons(list(urls), list(hosts) if hosts is not None else [None] * len(urls))


# --------------------------------------------------------------------------- normalization


@pytest.mark.parametrize("raw, want", [
    ("Example.COM", "example.com"),
    ("example.com.", "example.com"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("BÜCHER。example", "xn--bcher-kva.example"),  # ideographic full stop, upper case
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("[::1]", "::1"),
    ("fe80:0:0::1%eth0", "fe80::1"),
    ("1.2.3.4", "1.2.3.4"),
    ("%65xample.com", "example.com"),
    ("under_score.blogspot.com", "under_score.blogspot.com"),
    ("", None),
    (None, None),
    (".", None),
    ("[::zz]", None),
    ("a" * 300 + ".com", None),
    ("\ud800.com", None),
])
def test_normalize_host(raw, want):
    assert bl.normalize_host(raw) == want


@pytest.mark.parametrize("url, host, path", [
    ("https://user:pw@Example.com:8443/a/b?q=1#f", "Example.com", "/a/b"),
    ("http://[2001:db8::1]:80/x", "2001:db8::1", "/x"),
    ("http://evil.example\\@good.example/", "evil.example", "/@good.example/"),
    ("http://[::1/", None, ""),
    ("mailto:someone@example.com", None, ""),
    ("//Example.com/x#frag", "Example.com", "/x"),
    ("http://a.example\t.com/p\n/q", "a.example.com", "/p/q"),
    ("", None, ""),
    (None, None, ""),
])
def test_split_url(url, host, path):
    assert bl.split_url(url) == (host, path)


def test_domain_and_url_keys():
    assert bl.domain_keys("a.b.example.com") == ["a.b.example.com", "b.example.com", "example.com", "com"]
    assert bl.domain_keys("10.0.0.66") == ["10.0.0.66"]
    assert bl.domain_keys("::1") == ["::1"]
    # squidGuard: the (www|web|ftp)[0-9]* label goes, a two-label host keeps it
    assert bl.url_keys("www2.foo.com", "/~Bad//guy/x.html") == ["foo.com/~bad", "foo.com/~bad/guy",
                                                                 "foo.com/~bad/guy/x.html"]
    assert bl.url_keys("web.de", "/a") == ["web.de/a"]
    assert len(bl.url_keys("x.com", "/a" * 100)) == bl.MAX_SEGMENTS


@pytest.mark.parametrize("line, want", [
    ("example.com", ("domain", "example.com")),
    ("  *.Example.com  # trailing comment", ("domain", "example.com")),
    (".example.com", ("domain", "example.com")),
    ("0.0.0.0 tracker.example", ("domain", "tracker.example")),
    ("127.0.0.1", ("domain", "127.0.0.1")),
    ("www.foo.com/Bad/", ("url", "foo.com/bad")),
    ("https://www.foo.com:8080/a/b", ("url", "foo.com/a/b")),
    ("https://foo.com/", ("domain", "foo.com")),
    ("# comment", None),
    ("   ", None),
])
def test_parse_entry(line, want):
    assert bl.parse_entry(line) == want


# --------------------------------------------------------------------------- hashing and lists


def test_hash_is_stable_and_independent_of_the_batch():
    keys = [b"", b"a", b"a\x00", b"abcdefgh", b"abcdefghi", b"www.example.com", b"x" * 300]
    h = bl.hash_keys(keys)
    assert len(set(h.tolist())) == len(keys)  # zero padding and length are told apart
    for i, k in enumerate(keys):  # a key's hash does not depend on its neighbours
        assert bl.hash_keys([b"z" * 77, k])[1] == h[i]
    # pinned: compiled files on disk depend on it (bump blocklist.FORMAT when this changes)
    assert int(bl.hash_keys([b"example.com"])[0]) == int(bl.hash_keys([b"example.com"] * 3)[2])
    assert hex(int(bl.hash_keys([b"www.example.com"])[0])) == "0xb77da8c2de4649c0"  # FORMAT 3: murmur3's fmix64


def test_hash_spreads_over_many_keys():
    keys = [f"site{i}.example.com".encode() for i in range(200_000)]
    h = bl.hash_keys(keys)
    assert len(np.unique(h)) == len(keys)
    top = (h >> np.uint64(60)).astype(np.int64)  # the top 4 bits are about uniform
    counts = np.bincount(top, minlength=16)
    assert counts.min() > 0.9 * len(keys) / 16


def test_build_and_contains():
    hl = bl.build("t", ["Example.com", "*.other.org", "foo.com/bad/path", "# c", ""])
    assert len(hl.domains) == 2 and len(hl.urls) == 1
    q = bl.hash_keys([b"example.com", b"other.org", b"nothere.com", b"foo.com/bad/path"])
    assert hl.domains.contains(q).tolist() == [True, True, False, False]
    assert hl.urls.contains(q).tolist() == [False, False, False, True]
    assert bl.HashSet.of(np.empty(0, np.uint64)).contains(q).tolist() == [False] * 4


@pytest.mark.parametrize("n", [1, 3, 100, 50_000])
def test_hashset_contains_equals_isin(n):
    rng = np.random.default_rng(n)
    hashes = np.unique(rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True))
    hs = bl.HashSet.of(hashes)
    assert hs.directory[-1] == len(hashes) and np.all(np.diff(hs.directory.astype(np.int64)) >= 0)
    q = np.concatenate([rng.choice(hashes, 500), rng.integers(0, 2**64 - 1, 500, dtype=np.uint64),
                        np.array([0, 2**64 - 1], dtype=np.uint64), hashes[:1] + np.uint64(1)])
    assert hs.contains(q).tolist() == np.isin(q, hashes).tolist()


def test_compile_archive_is_keyed_by_sha_and_memory_mapped(tmp_path):
    arc = write_ut1(tmp_path / "a.tar.gz", folder="adult/")
    idx = tmp_path / "idx"
    hl = bl.load_archive(arc, "ut1", str(idx))
    assert isinstance(hl.domains.hashes.base, np.memmap) or isinstance(hl.domains.hashes, np.memmap)
    assert (len(hl.domains), len(hl.urls)) == (len(DOMAINS), len(URLS))
    assert list(hl.domains.hashes) == sorted(hl.domains.hashes)
    files = sorted(os.listdir(idx))
    assert [f for f in files if f.endswith(".u64")] == [f"a.tar.gz.{bl.sha256_file(arc)[:16]}.v{bl.FORMAT}.u64"]
    assert not [f for f in files if f.startswith(".tmp")]
    # a new version of the archive compiles to a new file; the old one is not reused
    write_ut1(tmp_path / "a.tar.gz", domains=["only.example"], urls=[])
    os.utime(arc, ns=(1, 1))
    hl2 = bl.load_archive(arc, "ut1", str(idx))
    assert (len(hl2.domains), len(hl2.urls)) == (1, 0)
    assert len([f for f in os.listdir(idx) if f.endswith(".u64")]) == 2


def test_compile_refuses_an_archive_without_lists(tmp_path):
    p = tmp_path / "bad.tar.gz"
    with tarfile.open(p, "w:gz") as tar:
        info = tarfile.TarInfo("README")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(ValueError, match="no 'domains' or 'urls'"):
        bl.load_archive(str(p), "x", str(tmp_path / "idx"))


def _load_in_child(args):
    arc, idx = args
    hl = bl.load_archive(arc, "ut1", idx)
    return len(hl.domains), len(hl.urls), hl.path


def test_concurrent_workers_compile_once_and_agree(tmp_path):
    arc = write_ut1(tmp_path / "c.tar.gz", domains=[f"d{i}.example" for i in range(50_000)])
    idx = str(tmp_path / "idx")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        got = pool.map(_load_in_child, [(arc, idx)] * 8)
    assert len(set(got)) == 1 and got[0][:2] == (50_000, len(URLS))
    assert sorted(f for f in os.listdir(idx) if not f.endswith(".lock")) == [os.path.basename(got[0][2])]


def test_truncated_compiled_file_is_refused(tmp_path):
    arc = write_ut1(tmp_path / "t.tar.gz")
    hl = bl.load_archive(arc, "ut1", str(tmp_path / "idx"))
    with open(hl.path, "r+b") as f:
        f.truncate(os.path.getsize(hl.path) - 4)
    with pytest.raises(ValueError, match="truncated"):
        bl.load_compiled(hl.path, "ut1")


# --------------------------------------------------------------------------- the stage


def test_each_list_gives_its_reason(lists):
    st = UrlFilter(**lists)
    urls = [
        "https://adult.example/",                      # UT1 domain
        "https://www.Videos.ADULT.example./x",          # a subdomain of it, upper case, trailing dot
        "http://notadult.example/",                     # a suffix that is not a parent domain
        "http://bücher-sex.de/",                        # IDN host vs its punycode entry
        "http://10.0.0.66:8080/",                       # IPv4 literal with a port
        "https://shop.mixed.org/",                      # listed subdomain
        "https://mixed.org/",                           # its parent is not listed
        "https://www.mixed.org/adult/page?x=1",         # URL prefix entry
        "https://mixed.org/adultery",                   # not a path-segment prefix
        "http://tumblr.example/post/123",               # entry written with a trailing slash
        "http://casesite.com/tag/slut/2",               # URL entries compare lowercased
        "http://example.com/free-PORN-videos",          # banned word, upper case
        "http://example.com/porno",                     # banned word is not a token here
        "http://example.com/%78xx",                     # percent-encoded token
        "http://example.com/sexy/babes",                # two soft words
        "http://example.com/sexy-stuff",                # one soft word
        "http://example.com/xhardcore-sexy",            # subword "hardcoresex" across a dash
        "http://example.com/big-boobs",                 # multi-word subword
        "http://example.com/big-tits",                  # multi-word banned entry becomes token "bigtits": no
    ]
    assert reasons(st, urls) == [
        "blocklist:ut1-adult:domain", "blocklist:ut1-adult:domain", None, "blocklist:ut1-adult:domain",
        "blocklist:ut1-adult:domain", "blocklist:ut1-adult:domain", None, "blocklist:ut1-adult:url", None,
        "blocklist:ut1-adult:url", "blocklist:ut1-adult:url", "url_words:banned", None, "url_words:banned",
        "url_words:soft", None, "url_words:subword", "url_words:subword", None,
    ]


def test_switches_turn_each_list_off(lists):
    urls = ["https://adult.example/", "https://mixed.org/adult", "http://e.com/porn", "http://e.com/sexy-babes",
            "http://e.com/hardcoresex"]
    on = reasons(UrlFilter(**lists), urls)
    assert all(on)
    for param, idx in (("ut1_domains", 0), ("ut1_urls", 1), ("banned_words", 2), ("soft_banned_words", 3),
                       ("banned_subwords", 4)):
        got = reasons(UrlFilter(**lists, **{param: False}), urls)
        assert got[idx] is None, param
        assert [g for i, g in enumerate(got) if i != idx] == [g for i, g in enumerate(on) if i != idx], param
    assert reasons(UrlFilter(**lists, soft_threshold=3), urls)[3] is None


def test_lists_off_need_no_assets(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_ASSETS_DIR", str(tmp_path / "empty"))
    st = UrlFilter(ut1_domains=False, ut1_urls=False, banned_words=False, banned_subwords=False,
                   soft_banned_words=False)
    assert reasons(st, ["http://porn.example/"]) == [None]
    from curate.assets import AssetMissing

    with pytest.raises(AssetMissing):
        UrlFilter().setup()


def test_user_blocklists_and_allowlist(lists, tmp_path):
    (tmp_path / "My Sites.txt").write_text("# mine\nbad.example\n0.0.0.0 tracker.example\nnews.example/opinion\n")
    (tmp_path / "allow.txt").write_text("shop.mixed.org\nfine.example\n")
    st = UrlFilter(**lists, blocklists=[str(tmp_path / "My Sites.txt")], allowlists=[str(tmp_path / "allow.txt")])
    urls = ["http://a.bad.example/", "http://tracker.example/x", "http://news.example/opinion/1",
            "http://news.example/sport", "https://shop.mixed.org/", "https://www.shop.mixed.org/porn",
            "https://fine.example/xxx", "https://adult.example/"]
    assert reasons(st, urls) == ["blocklist:my-sites:domain", "blocklist:my-sites:domain", "blocklist:my-sites:url",
                                 None, None, None, None, "blocklist:ut1-adult:domain"]


def test_process_on_arrow_keeps_rows_and_earlier_reasons(lists):
    st = UrlFilter(**lists)
    batch = pa.table({
        schema.ID: ["a", "b", "c", "d", "e"],
        schema.URL: ["https://adult.example/", "https://ok.example/", None, "", "https://ok.example/porn"],
        schema.HOST: ["adult.example", "ok.example", "adult.example", None, "ok.example"],
        schema.DROP_REASON: [None, "earlier", None, None, None],
    })
    out = st.process(batch)
    assert out.column(schema.ID).to_pylist() == ["a", "b", "c", "d", "e"]
    # a null url falls back to the host column
    assert out.column(schema.DROP_REASON).to_pylist() == [
        "blocklist:ut1-adult:domain", "earlier", "blocklist:ut1-adult:domain", None, "url_words:banned"]
    # without url/host columns nothing is dropped and nothing crashes
    assert st.process(pa.table({schema.ID: ["x"]})).column(schema.DROP_REASON).to_pylist() == [None]
    assert st.process(batch.slice(0, 0)).num_rows == 0


def test_bad_input_never_crashes(lists):
    st = UrlFilter(**lists)
    urls = [None, "", " ", "http://", "http://[::1", "http://[::1]/porn", "http://\ud800.adult.example/",
            "http://x.example/\udcffporn", "https://adult.example:99999/", "javascript:alert(1)", "//adult.example/x",
            "http://" + "a." * 200 + "adult.example/", 42, b"http://adult.example/", "http://adult.example\x00/"]
    got = reasons(st, urls)
    assert got[:5] == [None] * 5
    assert got[5] == "url_words:banned"            # an IPv6 host, a word in the path
    assert got[7] == "url_words:banned"            # a lone surrogate in the path
    assert got[8] == "blocklist:ut1-adult:domain"  # an invalid port does not hide the host
    assert got[10] == "blocklist:ut1-adult:domain"  # scheme-relative URL
    assert got[11] is None                          # a host over 253 characters is unusable
    assert got[12] is None and got[13] is None      # not strings


def test_fingerprint_and_pickle(lists):
    import pickle

    st = UrlFilter(**lists)
    assert "url_filter" in st.fingerprint()
    assert UrlFilter(**lists, soft_threshold=3).fingerprint() != st.fingerprint()
    st.setup()
    clone = pickle.loads(pickle.dumps(UrlFilter(**lists)))
    assert reasons(clone, ["https://adult.example/"]) == ["blocklist:ut1-adult:domain"]
    with pytest.raises(ValueError, match="soft_threshold"):
        UrlFilter(**lists, soft_threshold=0).setup()


def test_read_words_normalizes_like_datatrove(tmp_path):
    p = tmp_path / "w.txt"
    p.write_text("#skip\nBig Tits\n2 girls 1 cup\n---\n\nporn\n")
    assert read_words(str(p)) == {"bigtits", "2girls1cup", "porn"}


def _datatrove_filter(words: str):
    url_filter = pytest.importorskip("datatrove.pipeline.filters.url_filter")
    from datatrove.data import Document
    from tldextract import TLDExtract

    def lines(name):
        with open(os.path.join(words, name)) as f:
            return f.readlines()

    dt = url_filter.URLFilter(banned_words=lines("banned_words.txt"), banned_subwords=lines("banned_subwords.txt"),
                              soft_banned_words=lines("soft_banned_words.txt"), use_integrated_lists=False)
    dt.tldextractor = TLDExtract(suffix_list_urls=())  # offline: the bundled suffix list
    names = {"hard_blacklisted": "url_words:banned", "soft_blacklisted": "url_words:soft",
             "blacklisted_subword": "url_words:subword"}

    def verdict(url):
        v = dt.filter(Document(text="", id="x", metadata={"url": url}))
        return None if v is True else names[v[1]]

    return verdict


def test_word_rules_agree_with_datatrove(tmp_path):
    """On lowercase URLs without %-escapes our word rules give datatrove 0.10.1's verdicts."""
    words = tmp_path / "words"
    words.mkdir()
    (words / "banned_words.txt").write_text("#comment\nporn\nxxx\nbig tits\n")
    (words / "banned_subwords.txt").write_text("#c\nhardcoresex\nbig boobs\n")
    (words / "soft_banned_words.txt").write_text("sexy\nbabes\ncams\nnude\n")
    theirs = _datatrove_filter(str(words))
    ours = UrlFilter(ut1_domains=False, ut1_urls=False, words_dir=str(words))
    urls = ["http://e.com/porn", "http://e.com/pornography", "http://xxx.e.com/", "http://e.com/a?q=sexy&p=nude",
            "http://e.com/sexy", "http://e.com/hardcoresex-videos", "http://hardcore-sex.e.com/", "http://e.com/bigboobs",
            "http://e.com/big_boobs", "http://e.com/ok/", "https://www.wikipedia.org/wiki/Essex"]
    assert reasons(ours, urls) == [theirs(u) for u in urls]
    assert reasons(ours, ["http://e.com/PORN"]) == ["url_words:banned"]  # case: we lowercase, datatrove does not
    assert theirs("http://e.com/PORN") is None


def test_a_punctuation_only_word_does_not_ban_every_url(lists):
    """datatrove keeps the empty word that "!!!" normalizes to, and bans any URL with an empty token."""
    ours = UrlFilter(ut1_domains=False, ut1_urls=False, words_dir=lists["words_dir"])
    assert reasons(ours, ["http://e.com/ok/"]) == [None]
    assert _datatrove_filter(lists["words_dir"])("http://e.com/ok/") == "url_words:banned"


def test_real_ut1_asset(tmp_path, assets_ready):
    """The pinned UT1 archive: sizes, a few listed and unlisted hosts, the compiled file beside it."""
    from curate import assets

    archive = assets.path("ut1-adult", "adult-blacklists.tar.gz")
    st = UrlFilter()
    st.setup()
    ut1 = st._deny[0][0]
    assert (len(ut1.domains), len(ut1.urls)) == (4_558_940, 19_587)  # every entry distinct: no collision
    assert ut1.domains.hashes.nbytes == 8 * 4_558_940 and ut1.domains.bits == 20
    assert os.path.dirname(ut1.path) in (os.path.dirname(archive), os.path.join(assets.cache_dir(), "compiled"))
    got = reasons(st, ["https://0-1avsex.com/", "https://www.0-1avsex.com/x", "https://0b1-bofa.org/bofa/wb/1",
                       "https://en.wikipedia.org/wiki/Main_Page", "https://www.bbc.co.uk/news",
                       "https://github.com/huggingface/datatrove"])
    assert got == ["blocklist:ut1-adult:domain", "blocklist:ut1-adult:domain", "blocklist:ut1-adult:url",
                   None, None, None]
