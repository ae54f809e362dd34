"""Heuristic score stages and the threshold stage (issue 6)."""

from __future__ import annotations

import glob
import os
import random

import pyarrow as pa
import pytest
from conftest import WORDS

from curate import schema
from curate.stages.heuristics import (
    C4Quality,
    CodeMath,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
    HeuristicFilter,
)

PROSE = ("The history of the river valley is long and varied. Farmers settled there with their cattle "
         "and built small villages of stone. Over the centuries the town grew into a market that traded "
         "wool, grain and salt with the coast. Travellers wrote that the bridge was the finest they had seen. "
         "Today the museum keeps the old records, and the school teaches children to read them. ")
_RNG = random.Random(6)
_VOCAB = tuple(WORDS) + ("the", "of", "and", "with", "that", "to", "have", "be")


def _sentence(vocab=_VOCAB) -> str:
    return " ".join(_RNG.choice(vocab) for _ in range(14)).capitalize() + "."


GOOD = "\n".join(" ".join(_sentence() for _ in range(4)) for _ in range(6))
CODE = GOOD + "\nHere is the loop we use to count the records:\n" + "\n".join([
    "for (int i = 0; i < n; i++) {", "    total += records[i].count;", "    if (total > limit) {",
    "        break;", "    }", "}", "printf(\"%d\\n\", total);"])
MATH = GOOD + "\nThe area follows from $A = \\pi r^2$ and the sum $$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$ {so}."


def run(texts, lang="en", dirty=0.0, **kw):
    t = pa.table({"id": [str(i) for i in range(len(texts))], schema.TEXT: pa.array(texts, pa.string()),
                  "lang": [lang] * len(texts), "dirty_word_ratio": pa.array([dirty] * len(texts), pa.float32())})
    for s in (GopherRepetition(), GopherQuality(), C4Quality(), FineWebQuality(), CodeMath()):
        out = s.process(t)
        assert out.num_rows == t.num_rows and out.column("id").equals(t.column("id"))
        for name, typ in s.columns.items():
            assert out.schema.field(name).type == typ, name
        t = out
    return HeuristicFilter(**kw).process(t)


def reasons(texts, **kw):
    return run(texts, **kw).column(schema.DROP_REASON).to_pylist()


def test_good_prose_kept():
    assert reasons([GOOD]) == [None]


@pytest.mark.parametrize("text,reason", [
    ("\n\n".join(["Click here to see more of the news."] * 5 + [GOOD]), "gopher_rep:dup_para_frac"),
    ("\n".join([PROSE] + ["Error: connection refused by host."] * 30), "gopher_rep:dup_line_frac"),
    (" ".join(["error code seven at the gate"] * 60), "gopher_rep:top_2_gram"),
    ("Too short to be a document, with the and of.", "gopher_quality:too_few_words"),
    (GOOD + "\n" + " ".join(f"#tag{i}" for i in range(60)) + ".", "gopher_quality:hash_ratio"),
    ("\n".join("- " + PROSE[i * 40:i * 40 + 40] for i in range(12)), "gopher_quality:bullet_lines"),
    (GOOD + "\n" + "\n".join(_sentence()[:-1] + "…" for _ in range(4)), "gopher_quality:ellipsis_lines"),
    ("\n".join(" ".join(_sentence(WORDS) for _ in range(4)) for _ in range(6)), "gopher_quality:stop_words"),
    (GOOD + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.", "c4:lorem_ipsum"),
    (GOOD + "\nThe set {a, b} holds the two values we need.", "c4:curly_bracket"),
    ("\n".join(_sentence()[:-1] for _ in range(40)), "c4:too_few_sentences"),
    (GOOD + "\n" + "\n".join(_sentence()[:-1] for _ in range(60)), "fineweb:line_punct_ratio"),
])
def test_rules_trigger(text, reason):
    assert reasons([text]) == [reason]


def test_dirty_words_default_and_override():
    assert reasons([GOOD], dirty=0.05) == ["dirty_words"]
    assert reasons([GOOD], dirty=0.01) == [None]
    assert reasons([GOOD], dirty=0.05, dirty_word_ratios={"en": 0.1}) == [None]


def test_code_and_latex_survive_prose_rules():
    assert reasons([CODE, MATH]) == [None, None]
    # the same texts with the exemption off are dropped by the prose rules ({ in a C4 line)
    assert reasons([MATH], min_math_spans=10**6) == ["c4:curly_bracket"]
    # the code document is exempt from C4's curly bracket and from FineWeb's punctuation rule
    code = "\n".join(["def f(x):", "    return {x: 1}", "for i in range(3):", "    print(f(i));"] * 3) + "\n" + GOOD
    assert reasons([code]) == [None]
    assert reasons([code], min_code_lines=10**6) != [None]


def test_code_math_detector_counts():
    t = CodeMath().process(pa.table({schema.TEXT: [CODE, MATH, GOOD, "It costs $5 and $10 in the shop."]}))
    assert t.column("code_math_code_lines").to_pylist()[0] >= 5
    assert t.column("code_math_math_spans").to_pylist() == [0, 2, 0, 0]
    assert t.column("code_math_code_lines").to_pylist()[2:] == [0, 0]


def test_non_english_only_language_independent_rules():
    short_de = "Ein kurzer Satz ohne Punkt"
    assert reasons([short_de], lang="de") == [None]          # no word-count / C4 / FineWeb rules
    assert reasons([short_de], lang="en") != [None]
    rep = "\n".join(["Fehler: Verbindung abgelehnt."] * 30)
    assert reasons([rep], lang="de") == ["gopher_rep:dup_line_frac"]
    zh = "\n".join(["这是一个很长的中文句子，讲述了河谷的历史。" * 3 + str(i) for i in range(20)])
    assert reasons([zh], lang="zh") == [None]


def test_empty_and_null_text():
    r = reasons(["", None, "   \n  "] + [GOOD])
    assert r == ["heuristics:empty"] * 3 + [None]
    assert reasons([""], lang="de") == ["heuristics:empty"]


def test_disable_and_missing_columns():
    t = pa.table({schema.TEXT: [GOOD], "lang": ["en"]})
    with pytest.raises(ValueError, match="missing"):
        HeuristicFilter().process(t)
    assert HeuristicFilter(disable=["dirty_words", "gopher_rep", "gopher_quality", "c4", "fineweb"]).process(t) \
        .column(schema.DROP_REASON).to_pylist() == [None]
    with pytest.raises(ValueError, match="unknown"):
        HeuristicFilter(disable=["nope"]).setup()
    assert reasons([GOOD + "\nThe set {a, b} holds the two values we need."], disable=["c4:curly_bracket"]) == [None]


def test_keeps_earlier_drop_reason():
    t = run([GOOD])
    t = t.set_column(t.schema.get_field_index(schema.DROP_REASON), schema.DROP_REASON, pa.array(["earlier"]))
    assert HeuristicFilter().process(t).column(schema.DROP_REASON).to_pylist() == ["earlier"]


def test_matches_datatrove_repetition_on_logs():
    from curate.heuristics import repetition

    text = "\n".join(f"2020-01-01 12:00:{i:02d} INFO worker started task queue" for i in range(30))
    s = repetition.scores(pa.array([text]))
    assert s["dup_5_gram"][0] > 0.3 and s["top_2_gram"][0] > 0.2


def test_mathcode_extractions_detected(shared):
    from curate.html.main_text import extract_text

    pages = [f for f in glob.glob(os.path.join(shared, "data", "mathcode", "*", "*.html"))
             if os.path.getsize(f) > 5000]
    assert pages
    texts = [extract_text(open(f, encoding="utf-8", errors="replace").read()).text or "" for f in pages]
    t = CodeMath().process(pa.table({schema.TEXT: texts}))
    flagged = [c >= 3 or m >= 2 for c, m in zip(t.column("code_math_code_lines").to_pylist(),
                                               t.column("code_math_math_spans").to_pylist())]
    assert sum(flagged) / len(flagged) >= 0.8


def test_repetition_scores_the_prose_not_the_code_or_math():
    from curate.heuristics.mathcode import prose_only
    from curate.stages.heuristics import GopherRepetition

    prose = "The results below were measured on a quiet machine with the default settings of the tool."
    code = "\n".join(["    total = total + values[i] * weights[i]"] * 12)
    math = " ".join(["$x_i^2 + y_i^2$"] * 30)
    texts = [prose + "\n" + code, prose + " " + math, "$x+\\sqrt{1-x^2}$\n$$E=mc^2$$", "a b a b a b a b"]
    assert prose_only(pa.array(texts[:1])).to_pylist() == [prose]
    out = GopherRepetition().process(pa.table({"text": texts}))
    assert out.column("gopher_rep_dup_line_frac").to_pylist()[0] == 0.0  # the repeated code line is not prose
    assert out.column("dup_ngram_ratio").to_pylist()[1] == 0.0  # nor the repeated formula
    assert out.column("gopher_rep_top_2_gram").to_pylist()[2] == 0.0  # only math: nothing to judge
    assert out.column("gopher_rep_top_2_gram").to_pylist()[3] > 0.5  # prose repetition still counts
    raw = GopherRepetition(prose_only=False).process(pa.table({"text": texts}))
    assert raw.column("gopher_rep_dup_line_frac").to_pylist()[0] > 0.5


def test_main_recipe_spares_a_thread_of_short_repeated_lines_but_not_repeated_content():
    """llama3.toml leaves out the count of duplicate lines: a forum thread's short repeated UI lines
    ("Reply", "Quote") pass, while a page whose text is mostly repeated lines is still removed."""
    from curate.pipeline import load_params

    recipe = {k: v for k, v in load_params("llama3")["heuristic_filter"].items() if k != "resources"}
    posts = [" ".join(_sentence() for _ in range(3)) for _ in range(12)]
    thread = "\n".join(line for p in posts for line in (p, "Reply", "Quote"))
    log = "\n".join([PROSE] + ["Error: connection refused by host 10.0.0.1 while reading the index."] * 30)
    assert run([thread]).column("gopher_rep_dup_line_frac").to_pylist()[0] > 0.3  # the peers' rule fires
    assert reasons([thread]) == ["gopher_rep:dup_line_frac"]
    assert reasons([thread, log], **recipe) == [None, "gopher_rep:dup_line_char_frac"]
