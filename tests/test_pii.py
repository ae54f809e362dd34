"""PII detectors (true positives and true negatives per type), redaction, and the pii stage."""

from __future__ import annotations

import time

import pyarrow as pa
import pytest

from curate import pii
from curate.stages.pii import PII_COUNT, PII_TYPES, Pii


def found(text: str, typ: str, **kw) -> list[str]:
    return [text[s.start:s.end] for s in pii.find_all(text, **kw) if s.type == typ]


# --------------------------------------------------------------------------- email


@pytest.mark.parametrize("addr", [
    "john.doe@example.com", "x.y+tag@sub.example.co.uk", "a_b@c-d.org", "UtaKortig@jourrapide.com",
    "info@müller.de".replace("ü", "ue"), "a" * 64 + "@b.com",
])
def test_email_true_positives(addr):
    assert found(f"Write to {addr}, thanks.", "email") == [addr]


@pytest.mark.parametrize("text", [
    "retina image icon@2x.png in the css", "no tld: user@localhost here", "a" * 65 + "@b.com",
    "two dots a..b@example.com", "twitter handle @example.com is not one", "price 5@3.50 each",
])
def test_email_true_negatives(text):
    assert found(text, "email") == []


def test_email_at_sentence_end_and_in_brackets():
    text = "Mail (jane@example.org). Or <bob@example.net>."
    assert found(text, "email") == ["jane@example.org", "bob@example.net"]


# --------------------------------------------------------------------------- phone


@pytest.mark.parametrize("text,number", [
    ("Call 905-674-3793 now", "905-674-3793"),
    ("call us on (541) 714-1388.", "(541) 714-1388"),
    ("UK: +44 20 7946 0958", "+44 20 7946 0958"),
    ("London 020 7946 0958 office", "020 7946 0958"),
    ("Tel.: +49 30 901820 or", "+49 30 901820"),
    ("Tel. 030 / 2325 7860 bitte", "030 / 2325 7860"),
    ("appelez le 01 42 68 53 00 svp", "01 42 68 53 00"),
    ("Mobile +91 98765 43210 only", "+91 98765 43210"),
    ("Lifeline at 1-800-273-8255.", "1-800-273-8255"),
    ("Japan office +81 3-1234-5678", "+81 3-1234-5678"),  # any country when written with +CC
])
def test_phone_true_positives(text, number):
    assert found(text, "phone") == [number]


@pytest.mark.parametrize("text", [
    "Posted on 02.11.2022 | Hamburg",  # a German date that libphonenumber calls a valid Wuppertal number
    "Updated 2021-05-12 10:30 UTC", "pages 616173-177 of the volume", "In 1999 2000 2001 2002 we grew",
    "ISBN 0-14-014519-2.", "see 978-3-16-148410-0 for the book", "doi:10.1136/bmjopen-2016-011092",
    "Fixed in Bug 1680877 today", "PMC 1697831. PMID 17159151", "pi is 3.14159265358979",
    "Mo Tu We\n1 2 3 4 5 6 7\n8 9 10 11 12 13 14", "https://example.com/posts/2395361813834269",
    "order 12345678 shipped", "population 1,234,567,890",
])
def test_phone_true_negatives(text):
    assert found(text, "phone") == []


def test_phone_regions_are_configurable():
    text = "ligue (11) 91234-5678 agora"  # a São Paulo mobile number in Brazil's national format
    assert found(text, "phone") == []
    assert found(text, "phone", regions=("BR",)) == ["(11) 91234-5678"]


# --------------------------------------------------------------------------- ip


@pytest.mark.parametrize("text,addr", [
    ("server 8.8.8.8 answers", "8.8.8.8"), ("from 106.31.73.20:8080 we", "106.31.73.20"),
    ("ssh root@110.42.230.56:/home", "110.42.230.56"),
    ("host 2a00:1450:4001:81c::200e.", "2a00:1450:4001:81c::200e"),
    ("v6 2606:4700:4700::1111 is public", "2606:4700:4700::1111"),
])
def test_ip_true_positives(text, addr):
    assert found(text, "ip") == [addr]


@pytest.mark.parametrize("text", [
    "router at 192.168.1.1", "10.0.0.1 and 172.16.5.4", "loopback 127.0.0.1", "link-local 169.254.1.1",
    "multicast 224.0.0.251", "CGN 100.64.0.1", "broadcast 255.255.255.255", "unspecified 0.0.0.0",
    "docs 192.0.2.1, 198.51.100.7, 203.0.113.9", "v6 docs 2001:db8::1", "v6 ::1 and fe80::1 and fc00::5",
    "not an ip 256.1.1.1", "leading zero 01.02.03.04", "oid 1.3.6.1.4.1", "time 12:30:45",
    "C++ std::vector<int>", "MAC 00:1a:2b:3c:4d:5e", "version 1.2.3.4 released", "Firmware: 2.0.0.1",
    "unallocated v6 4f8a:c99e:dc86:faf9:5988:5f63:375e:8a2a",
])
def test_ip_true_negatives(text):
    assert found(text, "ip") == []


def test_version_strings_decision():
    """A dotted quad right after a version word is a version; elsewhere a public one is an IP."""
    assert found("Download version 1.2.3.4 now", "ip") == []
    assert found("Our DNS is 1.2.3.4 now", "ip") == ["1.2.3.4"]


# --------------------------------------------------------------------------- card


@pytest.mark.parametrize("number", [
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5500 0000 0000 0004",
    "3782 822463 10005", "378282246310005", "6011 1111 1111 1117", "3530111333300000", "2223000048400011",
])
def test_card_true_positives(number):
    assert found(f"card no. {number} exp 12/27", "card") == [number]


@pytest.mark.parametrize("text", [
    "card 4111 1111 1111 1112 exp",  # Luhn fails
    "id 1620000000000 (a timestamp)",  # Luhn-valid? irrelevant: no issuer starts with 1
    "ref 9111111111111111 x", "4111 11111111 1111 mixed groups with 8",
    "4111-1111 1111-1111 mixed separators", "https://facebook.com/x/posts/4111111111111111",
    "?id=4111111111111111", "12 4111 1111 1111 1111 longer run",
    "4111.1111.1111.1111 dotted",
])
def test_card_true_negatives(text):
    assert found(text, "card") == []


def test_luhn():
    assert pii.luhn_ok("79927398713") and not pii.luhn_ok("79927398710")


# --------------------------------------------------------------------------- iban


@pytest.mark.parametrize("iban", [
    "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32",
    "GB82WEST12345698765432", "FR14 2004 1010 0505 0001 3M02 606", "NL91ABNA0417164300",
    "BE68 5390 0754 7034", "CH93 0076 2011 6238 5295 7",
    "gb82west12345698765432",
])
def test_iban_true_positives(iban):
    assert found(f"IBAN: {iban} bei der Bank", "iban") == [iban]


@pytest.mark.parametrize("text", [
    "IBAN DE89 3704 0044 0532 0130 01 bad checksum", "GB82WEST1234569876543 one short",
    "GB82WEST123456987654321 one long", "XX82WEST12345698765432 no such country",
    "Gb82West12345698765432 mixed case",
    "sha de12a9f3b4c5d6e7f8a9b0c1d2e3f4a5b6c7",
])
def test_iban_true_negatives(text):
    assert found(text, "iban") == []


def test_spaced_iban_stops_at_registry_length():
    text = "IBAN BE68 5390 0754 7034 from the club"
    assert found(text, "iban") == ["BE68 5390 0754 7034"]


# --------------------------------------------------------------------------- ssn


@pytest.mark.parametrize("ssn", ["123-45-6789", "078-05-1120", "899-99-9999", "001-01-0001"])
def test_ssn_true_positives(ssn):
    assert found(f"SSN {ssn}.", "ssn") == [ssn]


@pytest.mark.parametrize("text", [
    "SSN 000-12-3456", "SSN 666-12-3456", "SSN 900-12-3456", "SSN 123-00-4567", "SSN 123-45-0000",
    "part 1-123-45-6789", "tel +81 158-23-2012", "path /123-45-6789", "123 45 6789 (no dashes)",
])
def test_ssn_true_negatives(text):
    assert found(text, "ssn") == []


# --------------------------------------------------------------------------- redaction


def test_redact_placeholders_and_counts():
    text = ("Mail a.b@example.com or call +44 20 7946 0958 from 8.8.8.8; card 4111 1111 1111 1111, "
            "IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789.")
    new, counts = pii.redact(text)
    assert new == ("Mail <EMAIL> or call <PHONE> from <IP>; card <CARD>, IBAN <IBAN>, SSN <SSN>.")
    assert counts == {"email": 1, "phone": 1, "ip": 1, "card": 1, "iban": 1, "ssn": 1}
    assert set(pii.PLACEHOLDERS) == set(pii.TYPES)


def test_redact_only_selected_types():
    new, counts = pii.redact("a@example.com 8.8.8.8", types=("ip",))
    assert new == "a@example.com <IP>" and counts == {"ip": 1}


def test_overlaps_resolved_by_priority_then_length():
    spans = [pii.Span(0, 10, "phone"), pii.Span(2, 8, "card"), pii.Span(9, 20, "phone"),
             pii.Span(30, 35, "ip"), pii.Span(30, 40, "ip")]
    assert pii.resolve(spans) == [pii.Span(2, 8, "card"), pii.Span(9, 20, "phone"), pii.Span(30, 40, "ip")]
    assert pii.resolve(reversed(spans)) == pii.resolve(spans)


def test_no_digit_no_at_is_untouched():
    text = "Plain prose without any numbers or at signs."
    assert pii.redact(text) == (text, {})


@pytest.mark.parametrize("text", [None, "", " ", "\ud800 lone \udfff surrogates 905-674-3793 a@b.com"])
def test_bad_strings_do_not_crash(text):
    new, counts = pii.redact(text)
    if text and "surrogates" in text:
        assert counts == {"phone": 1, "email": 1} and "\ud800" in new
    else:
        assert new == text and counts == {}


@pytest.mark.parametrize("text", [
    "1" * 1_000_000, "a@" * 500_000, "1." * 500_000, "1 " * 500_000, "01 23 45 67 89 " * 66_000,
    "ab:" * 333_333, "DE12" * 250_000,
])
def test_a_megabyte_on_one_line_is_linear(text):
    t0 = time.perf_counter()
    pii.redact(text)
    assert time.perf_counter() - t0 < 20  # seconds; each is 0.01-4 s on one shared core


def test_many_spans_stay_fast():
    text = "Call 905-674-3793 or mail a.b@example.com, ip 8.8.8.8. " * 2000
    t0 = time.perf_counter()
    new, counts = pii.redact(text)
    assert counts == {"phone": 2000, "email": 2000, "ip": 2000}
    assert time.perf_counter() - t0 < 20


# --------------------------------------------------------------------------- stage


def batch(texts) -> pa.Table:
    return pa.table({"id": [f"d{i}" for i in range(len(texts))], "text": pa.array(texts, pa.string()),
                     "drop_reason": pa.array([None] * len(texts), pa.string())})


def test_stage_contract():
    stage = Pii()
    stage.setup()
    texts = ["Mail a@example.com and b@example.org, call 905-674-3793.", None, "", "Nothing here.",
             "x" * 100_000 + " 8.8.8.8", "\ufffd odd \x00 bytes 4111 1111 1111 1111"]
    out = stage.process(batch(texts))
    assert out.num_rows == len(texts)
    assert out.column("id").to_pylist() == [f"d{i}" for i in range(len(texts))]
    for name, typ in Pii.columns.items():
        assert out.schema.field(name).type == typ
    assert out.column(PII_COUNT).to_pylist() == [3, 0, 0, 0, 1, 1]
    assert out.column(PII_TYPES).to_pylist() == ["email:2,phone:1", None, None, None, "ip:1", "card:1"]
    got = out.column("text").to_pylist()
    assert got[0] == "Mail <EMAIL> and <EMAIL>, call <PHONE>." and got[1] is None and got[2] == ""
    assert got[4].endswith(" <IP>")
    assert out.column("drop_reason").to_pylist() == [None] * len(texts)  # it never rejects


def test_stage_params_and_pickle():
    import pickle

    stage = Pii(types=["email"], phone_regions=["us", "gb"])
    assert stage.types == ("email",) and stage.phone_regions == ("US", "GB")
    stage = pickle.loads(pickle.dumps(stage))
    out = stage.process(batch(["a@example.com 8.8.8.8"]))
    assert out.column("text").to_pylist() == ["<EMAIL> 8.8.8.8"]
    with pytest.raises(ValueError, match="unknown"):
        Pii(types=("passport",)).setup()
    with pytest.raises(ValueError, match="regions"):
        Pii(phone_regions=("XX",)).setup()


def test_stage_empty_batch():
    out = Pii().process(batch([]))
    assert out.num_rows == 0 and PII_COUNT in out.column_names
