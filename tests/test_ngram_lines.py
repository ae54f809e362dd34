"""curate.stages.ngram_lines: lines of repeated content removed by duplicated n-gram coverage."""

from __future__ import annotations

import pyarrow as pa

from curate.stages.ngram_lines import NgramLines, clean

INTRO = "A normal introduction about the weather in spring and what gardeners should plant first."
OUTRO = "A closing sentence that is not repeated anywhere else in this page at all, we hope."


def log_lines(k: int) -> list[str]:
    return [f"Warning: Use of undefined constant FOO_{i} - assumed FOO_{i} in /var/www/site/theme.php on line {100 + i}"
            for i in range(k)]


def test_repeated_log_lines_go_and_the_first_stays():
    text = "\n".join([INTRO, *log_lines(6), OUTRO])
    new, removed = clean(text)
    assert removed == 5
    assert new.split("\n") == [INTRO, log_lines(1)[0], OUTRO]


def test_unique_prose_and_short_lines_stay():
    text = "\n".join([INTRO, OUTRO, "Reply", "Reply", "Quote", "Reply"])
    assert clean(text) == (text, 0)


def test_partly_repeated_line_under_the_coverage_stays():
    a = "the committee met on tuesday to discuss the new budget for the public library"
    b = "the committee met on tuesday to discuss something else entirely, namely the harbour plans and ferries"
    assert clean(f"{a}\n{b}")[1] == 0
    assert clean(f"{a}\n{a}")[1] == 1
    assert clean(f"{a}\n{b}", max_coverage=0.3)[1] == 1


def test_code_and_math_lines_are_never_removed():
    code = "\n".join(["for i in range(10):", *["    total = total + values[i] * weights[i] + bias_term_for_row"] * 4])
    assert clean(code)[1] == 0
    math = "\n".join(["We have $a_n = a_{n-1} + a_{n-2}$ for every n greater than one here."] * 3)
    assert clean(math)[1] == 0


def test_stage_rewrites_text_and_counts():
    docs = ["\n".join([INTRO, *log_lines(4)]), INTRO, None, "", "\n".join([INTRO, INTRO])]
    out = NgramLines().process(pa.table({"text": docs}))
    assert out.num_rows == 5
    assert out.column("ngram_lines_removed").to_pylist() == [3, 0, 0, 0, 1]
    assert out.column("text").to_pylist()[0].count("Warning") == 1
    assert out.column("text").to_pylist()[4] == INTRO
    assert set(out.column_names) == {"text", "ngram_lines_removed"}  # it never rejects
