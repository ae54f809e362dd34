"""curate.stages.dirty_words: boundaries, phrases, case, CJK substrings, languages, the stage contract."""

from __future__ import annotations

import pickle
import sys
import types

import pyarrow as pa
import pytest

from curate import schema
from curate.pipeline import make_stage
from curate.stage import StageSetupError
from curate.stages.dirty_words import DIRTY_WORD_COUNT, DIRTY_WORD_RATIO, DirtyWords, count_units

LISTS = {
    "en": ["anal", "ass", "two girls one cup", "s&m", "g-spot"],
    "fr": ["salope"],
    "fr-CA-u-sd-caqc": ["tabarnak"],
    "zh": ["做爱", "性", "av"],
    "ja": ["エロ", "sm", "女の子"],
    "th": ["หี"],
    "hi": ["चूत"],
    "fil": ["puta"],
}


@pytest.fixture(scope="module")
def words_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("ldnoobw")
    for lang, words in LISTS.items():
        (d / lang).write_text("\n".join(words) + "\n", encoding="utf-8")
    (d / "README.md").write_text("not a list\nanal\n")
    return str(d)


@pytest.fixture(scope="module")
def stage(words_dir):
    s = DirtyWords(words_dir=words_dir)
    s.setup()
    return s


def run(stage, texts, langs):
    batch = pa.table({"id": [str(i) for i in range(len(texts))], "text": pa.array(texts, pa.string()),
                      "lang": pa.array(langs, pa.string())})
    out = stage.process(batch)
    assert out.num_rows == batch.num_rows
    return out.column(DIRTY_WORD_COUNT).to_pylist(), out.column(DIRTY_WORD_RATIO).to_pylist()


def test_word_boundaries_in_english(stage):
    innocent = "An analysis of the class: we passed the assessment and the canal was analogous."
    counts, ratios = run(stage, [innocent, "What an ass.", "anal, ass; (ass) 'anal'", "assanal"], ["en"] * 4)
    assert counts == [0, 1, 4, 0]
    assert ratios[0] == 0.0
    assert ratios[1] == pytest.approx(1 / 3)
    assert ratios[2] == pytest.approx(1.0)


def test_multi_word_entries_and_punctuation_entries(stage):
    text = "Never search for two girls one cup. Also two  girls\none cup, s&m and the g-spot."
    counts, ratios = run(stage, [text, "two girls one cupboard", "s&mx and xg-spot"], ["en"] * 3)
    assert counts[0] == 4
    # units: never search for two girls one cup / also two girls one cup / s m and the g spot = 7 + 5 + 6
    # covered: 4 + 4 + 2 (s&m) + 2 (g-spot) = 12
    assert ratios[0] == pytest.approx(12 / 18)
    assert counts[1:] == [0, 0]


def test_case_insensitive(stage):
    counts, _ = run(stage, ["ANAL Anal aNaL", "Two Girls One Cup", "SALOPE"], ["en", "en", "fr"])
    assert counts == [3, 1, 1]


def test_overlapping_matches_count_once(stage):
    # "ass" is inside no word here, but "anal" and "two girls one cup" do not overlap either
    counts, _ = run(stage, ["ass ass ass"], ["en"])
    assert counts == [3]


def test_cjk_and_thai_substrings(stage):
    texts = ["他们在做爱。", "这是一个关于做爱的网站", "日本のエロ動画", "เว็บไซต์หีโป๊", "性别平等", "我们have一个av网站",
             "女の子の服", "smart sm"]
    counts, ratios = run(stage, texts, ["zh", "zh", "ja", "th", "zh", "zh", "ja", "ja"])
    assert counts[:4] == [1, 1, 1, 1]
    assert ratios[0] == pytest.approx(2 / 5)  # 他们在做爱: five letters, two covered
    assert counts[4] == 0  # 性 is on C4's allowlist for zh
    assert counts[5] == 1  # the Latin entry "av" needs word boundaries: not inside "have"
    assert counts[6] == 0 and counts[7] == 0  # 女の子 and sm are allowlisted for ja


def test_marks_stay_inside_words(stage):
    counts, _ = run(stage, ["वह चूत है", "चूतिया नहीं"], ["hi", "hi"])
    assert counts == [1, 0]  # a vowel sign after the entry continues the word


def test_language_choice_fallback_and_aliases(stage, words_dir):
    text = "salope and ass and tabarnak"
    counts, _ = run(stage, [text] * 6 + ["puta"], ["en", "fr", "und", None, "de", "zz", "tl"])
    assert counts == [1, 2, 1, 1, 0, 0, 1]  # fr includes the fr-CA list; und/None use en; de has no list
    no_fallback = DirtyWords(words_dir=words_dir, fallback="")
    no_fallback.setup()
    counts, ratios = run(no_fallback, [text, text], ["und", None])
    assert counts == [0, 0] and ratios == [0.0, 0.0]


def test_empty_and_null_text(stage):
    counts, ratios = run(stage, ["", None, "   "], ["en", "en", "und"])
    assert counts == [0, 0, 0] and ratios == [0.0, 0.0, 0.0]


def test_units():
    assert count_units("Hello world, two girls one cup") == 6
    assert count_units("这是一个中文句子。") == 8
    assert count_units("日本語のテキストとEnglish words") == 11
    assert count_units("चूंकि मानव परिवार के सभी") == 5
    assert count_units("") == 0


def test_needs_the_lang_column(stage):
    with pytest.raises(ValueError, match="language stage"):
        stage.process(pa.table({"id": ["a"], "text": ["x"]}))


def test_stage_contract(stage, words_dir):
    s = make_stage(DirtyWords, {"words_dir": words_dir, "fallback": "", "resources": {"batch_size": 16}})
    assert (s.fallback, s.resources.batch_size) == ("", 16)
    assert DirtyWords.name == "dirty_words"
    assert DirtyWords.columns == {"dirty_word_count": pa.int32(), "dirty_word_ratio": pa.float32()}
    fresh = DirtyWords(words_dir=words_dir)
    assert not hasattr(fresh, "_matchers")  # nothing loads in __init__
    assert pickle.loads(pickle.dumps(fresh)) == fresh
    assert DirtyWords(words_dir=words_dir, fallback="").fingerprint() != fresh.fingerprint()
    batch = pa.table({"id": ["a", "b"], "text": ["an ass", "fine"], "lang": ["en", "en"],
                      schema.DROP_REASON: pa.array([None, None], pa.string())})
    out = stage.process(batch)
    assert out.column_names == ["id", "text", "lang", schema.DROP_REASON, DIRTY_WORD_COUNT, DIRTY_WORD_RATIO]
    assert out.column(schema.DROP_REASON).to_pylist() == [None, None]  # it never rejects
    assert out.schema.field(DIRTY_WORD_COUNT).type == pa.int32()
    assert out.schema.field(DIRTY_WORD_RATIO).type == pa.float32()
    empty = stage.process(batch.slice(0, 0))
    assert empty.num_rows == 0 and DIRTY_WORD_RATIO in empty.column_names


def test_setup_errors(tmp_path, words_dir):
    with pytest.raises(StageSetupError, match="words_dir"):
        DirtyWords(words_dir=str(tmp_path / "absent")).setup()
    with pytest.raises(StageSetupError, match="fallback"):
        DirtyWords(words_dir=words_dir, fallback="xx").setup()


def test_lists_come_from_the_asset_registry(monkeypatch, words_dir):
    """Without words_dir the stage asks ``curate.assets`` for each member of ``ldnoobw``."""
    import os

    class AssetMissing(FileNotFoundError):
        pass

    asked = []
    missing = set()

    def path(name, member):
        asked.append((name, member))
        if member in missing:
            raise AssetMissing(f"asset {name!r} ({member}) is not in the cache: `curate assets fetch {name}`")
        return os.path.join(words_dir, member)

    fake = types.SimpleNamespace(AssetMissing=AssetMissing, path=path, members=lambda name: sorted(LISTS))
    import curate

    monkeypatch.setitem(sys.modules, "curate.assets", fake)
    monkeypatch.setattr(curate, "assets", fake, raising=False)
    s = DirtyWords()
    s.setup()
    assert sorted(asked) == sorted(("ldnoobw", m) for m in LISTS)
    assert run(s, ["what an ass"], ["en"])[0] == [1]
    missing.add("en")
    with pytest.raises(StageSetupError, match="curate assets fetch ldnoobw"):
        DirtyWords().setup()


def test_real_lists(shared):
    """The 28 LDNOOBW lists of the shared mirror load and score real sentences."""
    folder = shared / "data" / "assets" / "ldnoobw"
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    s = DirtyWords(words_dir=str(folder))
    s.setup()
    counts, _ = run(s, ["The classic assessment of the analysis.", "Watch free porn videos", "免费色情视频"],
                    ["en", "en", "zh"])
    assert counts[0] == 0 and counts[1] >= 1 and counts[2] >= 1
