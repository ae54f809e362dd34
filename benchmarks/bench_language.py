"""Language id (issue 4): lid.176 accuracy on UDHR paragraphs, and the stage's docs/s/core.

Accuracy. ``$CURATE_SHARED/data/corpora/nltk/udhr.zip`` (NLTK's copy of the Universal
Declaration of Human Rights in ~300 languages) is read in place. ``UDHR_FILES`` maps one
file per language to the ISO code lid.176 uses; only languages lid.176 knows are scored.
Paragraphs: each file's text after its title lines, split at blank lines (files without
blank lines: at line breaks), whitespace collapsed; a paragraph counts when it has at
least ``--min-chars`` (default 40) non-space characters, and the first ``--per-lang``
(default 30) such paragraphs of each language are used, uncut (the stage's own
``max_chars`` applies). Article headings ("Article 12") are too short to count. The
paragraphs are the same text in every language, so the per-language numbers compare.
Reported: accuracy over all paragraphs (micro), per language, the macro average over
languages, top-1 accuracy without the threshold, and the share tagged ``und`` at the
stage's default thresholds.

Speed. Real extracted text: ``dev-pages.warc.gz`` read with ``WarcReader`` and extracted
once with the ``Extract`` stage (defaults); the texts are cached in
``$TMPDIR/curate-bench/`` (keyed by the WARC's size and mtime). The ``Language`` stage then
runs in-process over Arrow batches of its ``batch_size`` on one pinned core, best of
``--repeat`` rounds, model load timed apart.

``--truncation`` also measures ``max_chars`` (how much of each document the model sees):
agreement with the whole-document label on the real pages, UDHR accuracy, and speed.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

UDHR_ZIP = os.path.join("data", "corpora", "nltk", "udhr.zip")

#: UDHR file (NLTK names: language_Autonym-Encoding) → lid.176 label. One file per
#: language, UTF-8 where the corpus has it. Left out because the file is not faithful text,
#: so it would measure the corpus rather than the model: legacy-font files (Amharic,
#: Armenian, Azeri, Tigrinya, Burmese, Kazakh, Mongolian, Latvian, Lithuanian: mojibake in
#: every code page) and Cyrillic files typed with Latin look-alike letters (Macedonian,
#: Serbian). The Punjabi file is in Shahmukhi (Arabic script): lid.176's ``pnb``.
UDHR_FILES: dict[str, str] = {
    "Afrikaans-Latin1": "af", "Albanian_Shqip-Latin1": "sq", "Arabic_Alarabia-Arabic": "ar",
    "Asturian_Bable-Latin1": "ast", "Basque_Euskara-Latin1": "eu", "Belorus_Belaruski-UTF8": "be",
    "Bengali-UTF8": "bn", "Bikol_Bicolano-Latin1": "bcl", "Bosnian_Bosanski-Latin2": "bs",
    "Breton-Latin1": "br", "Bulgarian_Balgarski-UTF8": "bg", "Catalan-Latin1": "ca",
    "Cebuano-Latin1": "ceb", "Chinese_Mandarin-UTF8": "zh", "Corsican-Latin1": "co",
    "Croatian_Hrvatski-Latin2": "hr", "Czech-UTF8": "cs", "Danish_Dansk-Latin1": "da",
    "Dutch_Nederlands-Latin1": "nl", "English-Latin1": "en", "Esperanto-UTF8": "eo",
    "Estonian_Eesti-Latin1": "et", "Farsi_Persian-UTF8": "fa", "Filipino_Tagalog-Latin1": "tl",
    "Finnish_Suomi-Latin1": "fi", "French_Francais-Latin1": "fr", "Frisian-Latin1": "fy",
    "Galician_Galego-Latin1": "gl", "German_Deutsch-Latin1": "de", "Greek_Ellinika-UTF8": "el",
    "Guarani-Latin1": "gn", "Gujarati-UTF8": "gu", "HaitianCreole_Kreyol-Latin1": "ht",
    "Hebrew_Ivrit-UTF8": "he", "Hindi-UTF8": "hi", "Hungarian_Magyar-UTF8": "hu",
    "Icelandic_Yslenska-Latin1": "is", "Ido-Latin1": "io", "Iloko_Ilocano-Latin1": "ilo",
    "Indonesian-Latin1": "id", "Interlingua-Latin1": "ia", "IrishGaelic_Gaeilge-Latin1": "ga",
    "Italian-Latin1": "it", "Japanese_Nihongo-UTF8": "ja", "Javanese-Latin1": "jv", "Kannada-UTF8": "kn",
    "Kapampangan-Latin1": "pam", "Korean_Hankuko-UTF8": "ko", "Kurdish-UTF8": "ku", "Lao-UTF8": "lo",
    "Latin_Latina-Latin1": "la", "Luxembourgish_Letzebuergeusch-Latin1": "lb", "Malagasy-Latin1": "mg",
    "Malay_BahasaMelayu-Latin1": "ms", "Maltese-UTF8": "mt", "Marathi-UTF8": "mr",
    "Minangkabau-Latin1": "min", "Nahuatl-Latin1": "nah", "Nepali-UTF8": "ne",
    "Norwegian_Norsk-Bokmal-Latin1": "no", "Norwegian_Norsk-Nynorsk-Latin1": "nn",
    "OccitanLanguedocien-Latin1": "oc", "Osetin_Ossetian-UTF8": "os", "Polish-Latin2": "pl",
    "Portuguese_Portugues-Latin1": "pt", "Punjabi_Panjabi-UTF8": "pnb", "Quechua-Latin1": "qu",
    "Rhaeto-Romance_Rumantsch-Latin1": "rm", "Romanian-Latin2": "ro", "Russian-UTF8": "ru",
    "Sanskrit-UTF8": "sa", "Sardinian-Latin1": "sc", "ScottishGaelic_GaidhligAlbanach-Latin1": "gd",
    "Sinhala-UTF8": "si", "Slovak-Latin2": "sk", "Slovenian_Slovenscina-Latin2": "sl",
    "Somali-Latin1": "so", "Sorbian-Latin2": "hsb", "Spanish-Latin1": "es", "Sundanese-Latin1": "su",
    "Swahili_Kiswahili-Latin1": "sw", "Swedish_Svenska-Latin1": "sv", "Tamil-UTF8": "ta",
    "Turkish_Turkce-UTF8": "tr", "Uighur_Uyghur-UTF8": "ug", "Ukrainian-UTF8": "uk", "Uzbek-Latin1": "uz",
    "Vietnamese-UTF8": "vi", "Walloon_Wallon-Latin1": "wa", "Waray-Latin1": "war",
    "Welsh_Cymraeg-Latin1": "cy", "Yoruba-UTF8": "yo",
}

#: Encodings of the file-name suffixes used above ("Latin2" files are Windows-1250: they hold
#: bytes 0x80-0x9f, e.g. Polish ś, Slovak ž, that ISO 8859-2 leaves as control characters).
_ENCODINGS = {"Latin1": "latin-1", "Latin2": "cp1250", "UTF8": "utf-8", "Arabic": "cp1256"}
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]) (?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])")


# ----------------------------------------------------------------------------- data

def udhr_paragraphs(zpath: str, min_chars: int = 40, per_lang: int = 30) -> dict[str, list[str]]:
    """{lid.176 code: paragraphs} from the NLTK UDHR zip (see the module docstring)."""
    out: dict[str, list[str]] = {}
    with zipfile.ZipFile(zpath) as z:
        for name, lang in UDHR_FILES.items():
            enc = _ENCODINGS[name.rsplit("-", 1)[1]]
            raw = z.read(f"udhr/{name}").decode(enc, errors="replace").replace("\r\n", "\n")
            body = raw.split("\n", 2)[2] if raw.count("\n") >= 2 else raw  # title, "Preamble"
            blocks = []
            for b in re.split(r"\n\s*\n", body):  # paragraphs at blank lines; files without
                blocks += b.split("\n") if len(b) > 1500 else [b]  # them: at line breaks
            paras = []
            for b in blocks:
                p = " ".join(b.split())
                if lang in ("zh", "ja"):
                    p = _CJK_SPACE.sub("", p)  # the Chinese file puts a space between characters
                if sum(not c.isspace() for c in p) >= min_chars:
                    paras.append(p)
                if len(paras) == per_lang:
                    break
            out[lang] = paras
    return out


def dev_texts(path: str, verbose: bool = True) -> list[str]:
    """Extracted texts of ``dev-pages.warc.gz`` (Extract stage defaults; ``common.extracted``'s cache)."""
    return common.extracted(path, verbose).column("text").to_pylist()


def text_table(texts: list[str]):
    import pyarrow as pa

    return pa.table({"id": [str(i) for i in range(len(texts))], "text": pa.array(texts, pa.string())})


def batches(table, size: int):
    return [table.slice(i, size) for i in range(0, table.num_rows, size)]


def time_stage(stage, table, repeat: int) -> dict:
    """Best-of-``repeat`` wall time of ``stage.process`` over ``table`` in batches of its batch_size."""
    with common.timed() as t_setup:
        stage.setup()
    parts = batches(table, stage.resources.batch_size)
    walls = []
    out = None
    for _ in range(repeat):
        with common.timed() as t:
            out = [stage.process(b) for b in parts]
        walls.append(t.wall)
    import pyarrow as pa

    best = min(walls)
    return {"docs": table.num_rows, "setup_s": t_setup.wall, "walls": walls, "wall_s": best,
            "docs_per_s": table.num_rows / best, "out": pa.concat_tables(out)}


# ----------------------------------------------------------------------------- measures

def accuracy(paras: dict[str, list[str]], stage) -> dict:
    """Per-language and overall accuracy of ``stage`` (its thresholds) on ``paras``."""
    import pyarrow as pa

    langs = [lang for lang, ps in paras.items() for _ in ps]
    texts = [p for ps in paras.values() for p in ps]
    out = stage.process(pa.table({"id": [str(i) for i in range(len(texts))], "text": texts}))
    pred = out.column("lang").to_pylist()
    # top-1 without threshold: the model's label before the stage's threshold
    raw, _ = stage._model.predict(texts)
    per: dict[str, dict] = {}
    confusions: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for gold, p, r in zip(langs, pred, raw):
        d = per.setdefault(gold, {"n": 0, "correct": 0, "und": 0, "top1": 0})
        d["n"] += 1
        d["correct"] += p == gold
        d["und"] += p == "und"
        d["top1"] += r == gold
        if r != gold:
            confusions[gold][r] += 1
    for gold, d in per.items():
        d["accuracy"] = d["correct"] / d["n"]
        d["top1_accuracy"] = d["top1"] / d["n"]
        d["und_share"] = d["und"] / d["n"]
        d["confused_with"] = dict(confusions[gold].most_common(3))
    n = len(langs)
    return {
        "languages": len(per), "paragraphs": n,
        "accuracy": sum(d["correct"] for d in per.values()) / n,
        "macro_accuracy": sum(d["accuracy"] for d in per.values()) / len(per),
        "top1_accuracy": sum(d["top1"] for d in per.values()) / n,
        "macro_top1_accuracy": sum(d["top1_accuracy"] for d in per.values()) / len(per),
        "und_share": sum(d["und"] for d in per.values()) / n,
        "per_language": per,
    }


def threshold_sweep(paras: dict[str, list[str]], model, thresholds: list[float]) -> list[dict]:
    """Accuracy, und share and precision of the labels given, for one threshold over all languages."""
    gold = [lang for lang, ps in paras.items() for _ in ps]
    raw, scores = model.predict([p for ps in paras.values() for p in ps])
    rows = []
    for thr in thresholds:
        pred = [r if sc >= thr and sc > 0 else "und" for r, sc in zip(raw, scores)]
        per = collections.defaultdict(lambda: [0, 0])
        for g, p in zip(gold, pred):
            per[g][0] += 1
            per[g][1] += g == p
        labelled = [(g, p) for g, p in zip(gold, pred) if p != "und"]
        rows.append({"threshold": thr, "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(gold),
                     "macro_accuracy": sum(c / n for n, c in per.values()) / len(per),
                     "und_share": 1 - len(labelled) / len(gold),
                     "precision": sum(g == p for g, p in labelled) / len(labelled) if labelled else None})
    return rows


def truncation(paras: dict[str, list[str]], texts: list[str], lengths: list[int], repeat: int = 3) -> list[dict]:
    from classifiers.language import LanguageId

    full_model = LanguageId(max_chars=None)
    full, _ = full_model.predict(texts)
    gold = [lang for lang, ps in paras.items() for _ in ps]
    ptexts = [p for ps in paras.values() for p in ps]
    long_idx = [i for i, t in enumerate(texts) if len(t) > 2000]
    rows = []
    for n in lengths:
        m = LanguageId(max_chars=n or None)
        walls = []
        for _ in range(repeat):  # best of ``repeat``: this VM drifts
            t0 = time.perf_counter()
            pred, _ = m.predict(texts)
            walls.append(time.perf_counter() - t0)
        wall = min(walls)
        upred, _ = m.predict(ptexts)
        rows.append({
            "max_chars": n or "all",
            "agree_with_full": sum(a == b for a, b in zip(pred, full)) / len(texts),
            "agree_long_docs": (sum(pred[i] == full[i] for i in long_idx) / len(long_idx)) if long_idx else None,
            "udhr_top1": sum(a == b for a, b in zip(upred, gold)) / len(gold),
            "predict_s": wall, "docs_per_s": len(texts) / wall,
        })
    return rows


# ----------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--repeat", type=int, default=3, help="speed rounds (best is reported)")
    ap.add_argument("--min-chars", type=int, default=40)
    ap.add_argument("--per-lang", type=int, default=30)
    ap.add_argument("--core", type=int, default=None)
    ap.add_argument("--truncation", action="store_true", help="also measure max_chars settings")
    ap.add_argument("--per-language-table", action="store_true", help="print every language's row")
    args = ap.parse_args()

    from curate.stages.language import Language

    root = common.shared_dir()
    zpath = os.path.join(root, UDHR_ZIP)
    warc = common.dev_pages_or_exit()
    info = common.machine_info()
    core = common.pin_one_core(args.core)
    result: dict = {"machine": info, "core": core}

    stage = Language()
    stage.setup()
    if os.path.exists(zpath):
        paras = udhr_paragraphs(zpath, args.min_chars, args.per_lang)
        acc = accuracy(paras, stage)
        result["udhr"] = {k: v for k, v in acc.items()}
        result["udhr_selection"] = {"min_chars": args.min_chars, "per_lang": args.per_lang,
                                    "files": UDHR_FILES}
        print(f"\n## UDHR paragraphs, Language() defaults (threshold {stage.threshold}, "
              f"max_chars {stage.max_chars})\n")
        print(common.markdown_table(
            ["languages", "paragraphs", "accuracy", "macro accuracy", "und share", "top-1 (no threshold)",
             "macro top-1"],
            [[acc["languages"], acc["paragraphs"], f"{acc['accuracy']:.3f}", f"{acc['macro_accuracy']:.3f}",
              f"{acc['und_share']:.3f}", f"{acc['top1_accuracy']:.3f}", f"{acc['macro_top1_accuracy']:.3f}"]]))
        per = acc["per_language"]
        rows = sorted(per.items(), key=lambda kv: (kv[1]["accuracy"], kv[0]))
        if not args.per_language_table:
            rows = [r for r in rows if r[1]["accuracy"] < 0.9]
            print(f"\nLanguages under 0.9 ({len(rows)} of {len(per)}):\n")
        else:
            print()
        print(common.markdown_table(
            ["lang", "n", "accuracy", "und", "top-1", "top-1 errors (label: n)"],
            [[k, d["n"], f"{d['accuracy']:.2f}", d["und"], f"{d['top1_accuracy']:.2f}",
              ", ".join(f"{a}: {b}" for a, b in d["confused_with"].items())] for k, d in rows]))
        sweep = threshold_sweep(paras, stage._model, [0.0, 0.3, 0.5, 0.65, 0.8])
        result["udhr_thresholds"] = sweep
        print("\nOne threshold for every language (precision = correct share of the paragraphs given a label):\n")
        print(common.markdown_table(
            ["threshold", "accuracy", "macro accuracy", "und share", "precision"],
            [[r["threshold"], f"{r['accuracy']:.3f}", f"{r['macro_accuracy']:.3f}", f"{r['und_share']:.3f}",
              f"{r['precision']:.3f}"] for r in sweep]))
        good = sum(1 for d in per.values() if d["top1_accuracy"] >= 0.9)
        print(f"\n{good} of {len(per)} languages have top-1 accuracy >= 0.9")
        result["udhr_languages_top1_ge_0.9"] = good
        for name in ("en",):
            for thr in (0.65,):
                s2 = Language(thresholds={name: thr})
                s2.setup()
                a2 = accuracy({name: paras[name]}, s2)
                print(f"\n{name} at FineWeb's {thr}: accuracy {a2['accuracy']:.3f}, und {a2['und_share']:.3f}")
                result.setdefault("udhr_fineweb_en", a2["accuracy"])
    else:
        print(f"SKIP accuracy: {zpath} not found", file=sys.stderr)

    texts = dev_texts(warc)
    table = text_table(texts)
    lengths = [len(t) for t in texts]
    sp = time_stage(Language(), table, args.repeat)
    out = sp.pop("out")
    langs = collections.Counter(out.column("lang").to_pylist())
    result["speed"] = sp | {"chars_mean": sum(lengths) / len(lengths), "langs": dict(langs.most_common())}
    print(f"\n## Language stage speed, one core (core {core}), {len(texts)} extracted dev pages "
          f"(mean {sum(lengths) / len(lengths):,.0f} chars)\n")
    print(common.markdown_table(
        ["stage", "docs", "setup s", "wall s (best of rounds)", "docs/s/core"],
        [["Language() defaults", sp["docs"], f"{sp['setup_s']:.3f}",
          f"{sp['wall_s']:.3f} ({', '.join(f'{w:.3f}' for w in sp['walls'])})", f"{sp['docs_per_s']:,.0f}"]]))
    print(f"\nlang on dev pages: und {langs.get('und', 0)} of {len(texts)} "
          f"({langs.get('und', 0) / len(texts):.3f}); top: "
          + ", ".join(f"{k} {v}" for k, v in langs.most_common(12)))

    if args.truncation and "udhr" in result:
        rows = truncation(paras, texts, [80, 200, 500, 1000, 2000, 5000, 0], args.repeat)
        result["truncation"] = rows
        n_long = sum(1 for t in texts if len(t) > 2000)
        print(f"\n## max_chars: agreement with the whole-document label ({len(texts)} dev pages, "
              f"{n_long} longer than 2,000 chars), UDHR top-1, speed\n")
        print(common.markdown_table(
            ["max_chars", "agree (all pages)", "agree (pages > 2,000 chars)", "UDHR top-1", "predict docs/s/core (best of rounds)"],
            [[r["max_chars"], f"{r['agree_with_full']:.3f}",
              f"{r['agree_long_docs']:.3f}" if r["agree_long_docs"] is not None else "-",
              f"{r['udhr_top1']:.3f}", f"{r['docs_per_s']:,.0f}"] for r in rows]))
    common.write_json(args.json, result)


if __name__ == "__main__":
    main()
