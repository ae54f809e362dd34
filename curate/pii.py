"""PII detectors with validation, and typed redaction.

Llama 3 (section 3.1.1, "PII and safety filtering") removes websites with high volumes of
PII and redacts the rest. Each detector here finds candidates with a regular expression
(C speed) and keeps only those that pass a validator, so that precision stays high:

========  ===============  ==============================================================
type      placeholder      what counts
========  ===============  ==============================================================
email     ``<EMAIL>``      ``local@domain.tld``: local part of 1-64 of ``A-Za-z0-9._%+-``
                           (no leading, trailing or double dot), dotted domain labels, an
                           alphabetic TLD of 2-24 letters that is not a file extension
                           (``icon@2x.png`` is an image name, not an address)
phone     ``<PHONE>``      what ``phonenumbers.PhoneNumberMatcher`` (Google's libphonenumber
                           port) accepts at ``Leniency.VALID`` for any of ``regions``
                           (international ``+CC`` numbers for every country), run only on
                           short windows around digit runs that a cheap screen passes
                           (``_phone_regions``), minus what web text means otherwise:
                           dates, ISBNs, URL/DOI parts, bare ids (``_plausible``)
ip        ``<IP>``         IPv4 or IPv6 in global unicast space (``ipaddress``: not private,
                           loopback, link-local, multicast, reserved, unspecified, shared
                           CGN 100.64/10, nor the documentation ranges 192.0.2/24,
                           198.51.100/24, 203.0.113/24, 2001:db8::/32, which are example
                           addresses by definition, RFC 5737 / RFC 3849); IPv6 also inside
                           2000::/3, the only block IANA allocates for global unicast;
                           a dotted quad right after a version word ("version 1.2.3.4",
                           "build", "release", "firmware", …) is a version, not an address
card      ``<CARD>``       13-19 digits, contiguous or in groups (first group of 4, one kind
                           of separator, space or dash), Luhn-valid, with an issuer prefix
                           and length of a real scheme (Visa, Mastercard, Amex, Discover,
                           JCB, Diners, UnionPay, Maestro, RuPay, Mir; see ``_card_ok``),
                           not part of a longer number, a URL path (``/posts/…``) or a
                           query value (``=…``)
iban      ``<IBAN>``       country code + 2 check digits + BBAN, contiguous or in groups of 4,
                           exact length of the SWIFT IBAN registry for that country, ISO
                           7064 mod-97 == 1, one letter case throughout
ssn       ``<SSN>``        US SSN written ``AAA-GG-SSSS``: area not 000, 666 or 900-999,
                           group not 00, serial not 0000 (SSA rules, randomized since 2011),
                           not the tail of a longer number (``+81 158-23-2012``) or a path
========  ===============  ==============================================================

Overlaps are resolved deterministically: spans are taken greedily by type priority
(``iban, card, email, ssn, ip, phone``: checksummed types first, phone last because its
validation is the loosest), then longer first, then earlier first; a span that overlaps
one already taken is dropped.

Cost: text with no digit and no ``@`` returns after one ``re.search``; emails are only
looked for around each ``@`` and IPv6 around each ``::`` or ``:hex:``; one scan finds the
numeric runs, and the other detectors run only on runs long enough for them. Phone
validation (libphonenumber: ~0.1 ms per parse, pure Python) runs only on runs that fit some
region's national number pattern and length, which most digit runs in web text (dates,
decimals, table rows) do not.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

TYPES: tuple[str, ...] = ("email", "phone", "ip", "card", "iban", "ssn")
PLACEHOLDERS: dict[str, str] = {
    "email": "<EMAIL>", "phone": "<PHONE>", "ip": "<IP>", "card": "<CARD>", "iban": "<IBAN>", "ssn": "<SSN>",
}
#: Priority when spans overlap (lower wins).
PRIORITY: dict[str, int] = {"iban": 0, "card": 1, "email": 2, "ssn": 3, "ip": 4, "phone": 5}
#: Default phone regions: national formats of these countries are recognized; numbers
#: written with ``+CC`` or ``00CC``-style international prefixes are recognized for every country.
DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IN")


class Span(NamedTuple):
    start: int
    end: int
    type: str


_ANY = re.compile(r"[0-9@]")

# --------------------------------------------------------------------------- email

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"([A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?)"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}([A-Za-z]{2,24}))"
    r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])")
#: Extensions that follow ``name@2x`` in asset names; none is a top-level domain in use.
_FILE_EXT = frozenset(
    "png jpg jpeg gif svg webp bmp ico tif tiff css js json xml pdf mp4 webm mp3 txt".split())


_LOCAL_TAIL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}$")


def find_emails(text: str) -> list[Span]:
    """Emails, looked for around each ``@``: the local part is the run of local-part
    characters before it (at most 64), then one anchored match."""
    out: list[Span] = []
    at = text.find("@")
    n = len(text)
    prev_end = 0
    while at >= 0:
        nxt = at + 1
        tail = _LOCAL_TAIL.search(text, max(prev_end, at - 64), at)
        m = _EMAIL.match(text, tail.start(), min(n, at + 260)) if tail is not None else None
        if m is not None:
            local = m.group(1)
            if ".." not in local and m.group(3).lower() not in _FILE_EXT:
                out.append(Span(m.start(), m.end(), "email"))
            nxt = prev_end = m.end()
        at = text.find("@", nxt)
    return out


# --------------------------------------------------------------------------- phone

#: A run of phone characters that starts with ``+``, ``(`` or a digit and ends with a digit.
_PHONE_RUN = re.compile(r"[+(0-9](?<![\w+][+(0-9])\(?[0-9 \u00a0().\-/]{5,41}[0-9]")
_GROUPS = re.compile(r"[0-9]+")
_PHONE_MARGIN = 12  # context each side of a run: extensions ("x123"), letters the matcher checks


@functools.cache
def _screen(region: str) -> tuple[str, re.Pattern, frozenset[int]]:
    """(trunk prefix, national number pattern, possible lengths) from libphonenumber's metadata."""
    import phonenumbers

    md = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return (md.national_prefix or "", re.compile(md.general_desc.national_number_pattern),
            frozenset(md.general_desc.possible_length))


#: Whole runs that are dates, year or page ranges, decimals, dotted quads or calendar rows.
_NOT_PHONE = re.compile(
    r"\(?[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}\b"  # ISO date, maybe followed by a time
    r"|[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:[0-9]{4}|[0-9]{2}$)"  # day.month.year, maybe a time
    r"|[0-9]+[-/][0-9]{1,4}$"  # 1994-2020, 2020/2021, pages 616173-177
    r"|[0-9]+\.[0-9]+$"  # a decimal
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}$"  # an IPv4 address
    r"|[0-9]{1,2}(?: [0-9]{1,2}){4,}$")  # a calendar row (French numbers are kept below)


def _phone_regions(run: str, regions: Sequence[str]) -> list[str]:
    """The regions worth giving ``run`` to libphonenumber's matcher: a cheap screen.

    ``phonenumbers.parse`` costs about 0.1 ms and the matcher 0.1-0.4 ms per region, so the
    dates, decimals and table rows that make up most digit runs in web text must not reach
    them. A region passes when some sequence of consecutive digit groups (7-17 digits) is
    international-prefixed (``00``, ``011``) or, less the trunk prefix, has a possible
    length and fits the region's national number pattern (libphonenumber's metadata).
    """
    if _NOT_PHONE.match(run) is not None and not _fr_style(run):
        return []
    if run.isdigit() and not _bare_ok(run):
        return []
    groups = _GROUPS.findall(run)
    if max(map(len, groups)) < 2:  # "1 2 3 4 5 6 7", "1.1.1.1.1": nobody writes a phone digit by digit
        return []
    keep: list[str] = []
    for region in regions:
        prefix, pattern, lengths = _screen(region)
        if _fits(groups, prefix, pattern, lengths):
            keep.append(region)
    return keep


def _fr_style(run: str) -> bool:
    """``01 42 68 53 00``: zero-padded pairs, the French national format."""
    return run[:1] == "0" and all(len(g) == 2 for g in run.split(" "))


def _fits(groups: list[str], prefix: str, pattern: re.Pattern, lengths: frozenset[int]) -> bool:
    for i in range(len(groups)):
        d = ""
        for g in groups[i:]:
            d += g
            if len(d) > 17:
                break
            if len(d) < 7:
                continue
            if d.startswith(("00", "011")):
                return True
            nat = d[len(prefix):] if prefix and d.startswith(prefix) else d
            if len(nat) in lengths and pattern.fullmatch(nat):
                return True
    return False


def find_phones(text: str, regions: Sequence[str] = DEFAULT_REGIONS, lo: int = 0,
                hi: int | None = None) -> list[Span]:
    """Phone numbers that libphonenumber's matcher calls valid, looked for only around digit
    runs (in ``text[lo:hi]``) that pass ``_phone_regions``."""
    import phonenumbers

    leniency = phonenumbers.Leniency.VALID
    found: set[tuple[int, int]] = set()
    n = len(text)
    for run in _PHONE_RUN.finditer(text, lo, n if hi is None else hi):
        s, e = run.span()
        raw = run.group()
        # A run written with "+CC" parses the same for every region: one pass is enough.
        todo = list(regions[:1]) if raw.startswith("+") else _phone_regions(raw, regions)
        if not todo or (s > 0 and text[s - 1] in _BAD_BEFORE) or _isbn(raw):
            continue
        wlo, whi = max(0, s - _PHONE_MARGIN), min(n, e + _PHONE_MARGIN)
        window = text[wlo:whi]
        whole = False
        for region in todo:
            for m in phonenumbers.PhoneNumberMatcher(window, region, leniency=leniency):
                ms, me = wlo + m.start, wlo + m.end
                if me > s and ms < e and _plausible(text, ms, me):
                    found.add((ms, me))
                    whole = whole or (ms <= s and me >= e)
            if whole:  # the run is one number; other regions cannot add to it
                break
    return [Span(s, e, "phone") for s, e in sorted(found)]


_ISBN_BEFORE = re.compile(r"(?i)\bISBN(?:-1[03])?:?\s*$")
_BAD_BEFORE = frozenset("/-._=#&?%@\\")
_BAD_AFTER = frozenset("/-_@\\")


def _plausible(text: str, start: int, end: int) -> bool:
    """Reject what libphonenumber accepts but web text means otherwise.

    The matcher alone, run over whole documents at ``Leniency.VALID``, takes German dates
    (``02.11.2022`` is a valid Wuppertal number), calendar rows, ISBNs, DOI and URL path
    parts, bug and PubMed ids; these rules drop them.
    """
    raw = text[start:end]
    if _NOT_PHONE.match(raw.lstrip("(")) is not None and not _fr_style(raw):
        return False
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in _BAD_BEFORE):
        return False  # part of an identifier, a URL path or a DOI
    if end < len(text) and (text[end].isalnum() or text[end] in _BAD_AFTER):
        return False
    if raw.isdigit() and not _bare_ok(raw):
        return False
    if _ISBN_BEFORE.search(text, max(0, start - 12), start) is not None or _isbn(raw):
        return False
    return True


def _bare_ok(digits: str) -> bool:
    """A phone written as bare digits has a trunk 0 and 7-12 digits, or 10-12 digits;
    shorter or longer bare numbers in web text are ids (bug, PubMed, order numbers)."""
    return (7 if digits[0] == "0" else 10) <= len(digits) <= 12


def _isbn(raw: str) -> bool:
    """A hyphenated ISBN-10 or ISBN-13 with a valid check digit (``0-14-014519-2``)."""
    parts = raw.split("-")
    if len(parts) < 4 or len(parts[-1]) != 1:
        return False
    d = "".join(parts)
    if not d.isdigit():
        return False
    if len(d) == 10:
        return sum((10 - i) * int(c) for i, c in enumerate(d)) % 11 == 0
    if len(d) == 13:
        return sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(d)) % 10 == 0
    return False


# --------------------------------------------------------------------------- ip

_IPV4 = re.compile(r"[0-9](?<![\w.][0-9])[0-9]{0,2}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![\w]|\.[0-9])")
#: Where an IPv6 address may be: "::" or ":hex:"; the candidate is the hex-and-colon run around it.
_IPV6_HINT = re.compile(r"::|:[0-9A-Fa-f]{1,4}:")
_HEXCOLON = frozenset("0123456789abcdefABCDEF:")
_VERSION_WORD = re.compile(
    r"(?i)\b(?:v|ver|version|versions|release|build|firmware|rev|revision|update|patch|driver|kernel)"
    r"\s*[:#]?\s*$")
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")


def public_ip(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``addr`` can identify a host on the public Internet (see the module table)."""
    if (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
            or addr.is_reserved or addr.is_unspecified or not addr.is_global):
        return False
    if addr.version == 4:
        return addr not in _SHARED_V4
    return addr in _GLOBAL_UNICAST_V6


def find_ips(text: str, lo: int = 0, hi: int | None = None, v6: bool = True) -> list[Span]:
    """Public IPv4 addresses in ``text[lo:hi]``, and public IPv6 addresses anywhere (``v6``)."""
    out: list[Span] = []
    for m in _IPV4.finditer(text, lo, len(text) if hi is None else hi):
        try:
            addr = ipaddress.IPv4Address(m.group())
        except ValueError:  # an octet over 255, or a leading zero
            continue
        if public_ip(addr) and not _VERSION_WORD.search(text, max(0, m.start() - 24), m.start()):
            out.append(Span(m.start(), m.end(), "ip"))
    if v6 and ":" in text:
        out += _find_ipv6(text)
    return out


def _find_ipv6(text: str) -> list[Span]:
    out: list[Span] = []
    n = len(text)
    pos = 0
    while True:
        m = _IPV6_HINT.search(text, pos)
        if m is None:
            return out
        s, e = m.start(), m.end()
        while s > 0 and text[s - 1] in _HEXCOLON:
            s -= 1
        while e < n and text[e] in _HEXCOLON:
            e += 1
        pos = e
        if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "._"):
            continue  # std::vector, part of a word or a dotted name
        nxt = text[e] if e < n else " "
        if nxt.isalnum() or nxt == "_" or (nxt == "." and e + 1 < n and text[e + 1].isdigit()):
            continue
        try:
            addr = ipaddress.IPv6Address(text[s:e])
        except ValueError:
            continue
        if public_ip(addr):
            out.append(Span(s, e, "ip"))


# --------------------------------------------------------------------------- card

_CARD = re.compile(
    r"[0-9](?<![\w\-./=][0-9])(?<![0-9][ \-][0-9])"  # not inside a word, a path, a query or a longer number
    r"(?:[ \-]?[0-9]){12,18}(?![\w\-]|[ \-][0-9]|\.[0-9])")
_SEP = re.compile(r"[ \-]")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_ok(digits: str) -> bool:
    """Issuer prefix and length of a real scheme (ISO/IEC 7812 IIN ranges, as listed in
    Wikipedia's "Payment card number" table), then Luhn."""
    n = len(digits)
    p1, p2, p4 = int(digits[0]), int(digits[:2]), int(digits[:4])
    if p1 == 4:  # Visa
        ok = n in (13, 16, 19)
    elif p2 in (34, 37):  # American Express
        ok = n == 15
    elif 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        ok = n == 16
    elif 2200 <= p4 <= 2204:  # Mir
        ok = 16 <= n <= 19
    elif p2 in (30, 36, 38, 39):  # Diners Club
        ok = 14 <= n <= 19
    elif 3528 <= p4 <= 3589:  # JCB
        ok = 16 <= n <= 19
    elif p1 == 6 or p2 == 50 or 56 <= p2 <= 58:  # Discover, UnionPay, RuPay, Maestro
        ok = 13 <= n <= 19
    elif p2 in (81, 82) or p4 == 9792:  # RuPay, Troy
        ok = n == 16
    else:
        ok = False
    return ok and luhn_ok(digits)


def find_cards(text: str, lo: int = 0, hi: int | None = None) -> list[Span]:
    out: list[Span] = []
    for m in _CARD.finditer(text, lo, len(text) if hi is None else hi):
        raw = m.group()
        seps = set(_SEP.findall(raw))
        if len(seps) > 1:
            continue
        if seps:
            groups = raw.split(seps.pop())
            if len(groups[0]) != 4 or any(not 3 <= len(g) <= 6 for g in groups[1:]):
                continue
            digits = "".join(groups)
        else:
            digits = raw
        if _card_ok(digits):
            out.append(Span(m.start(), m.end(), "card"))
    return out


# --------------------------------------------------------------------------- iban

#: IBAN length per country, from the SWIFT IBAN registry (release 98, 2024), plus the
#: French overseas territories that use France's format.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
    **{cc: 27 for cc in ("GF", "GP", "MQ", "RE", "PF", "TF", "YT", "NC", "PM", "WF", "BL", "MF")},
}
_IBAN = re.compile(
    r"(?<![\w\-])[A-Za-z]{2}[0-9]{2}"  # country code, check digits
    # the BBAN, contiguous or in groups of 4
    r"(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)"
    r"(?![\w\-])")


def iban_ok(iban: str) -> bool:
    """Exact registry length and ISO 7064 mod 97-10 check (the rearranged number mod 97 is 1)."""
    iban = iban.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    s = iban[4:] + iban[:4]
    try:
        return int("".join(str(int(c, 36)) for c in s)) % 97 == 1
    except ValueError:
        return False


def find_ibans(text: str, lo: int = 0, hi: int | None = None) -> list[Span]:
    out: list[Span] = []
    for m in _IBAN.finditer(text, lo, len(text) if hi is None else hi):
        raw = m.group()
        want = IBAN_LENGTHS.get(raw[:2].upper())
        if want is None:
            continue
        # Cut at the registry length; spaced IBANs may have caught a following 4-letter word.
        count = 0
        end = None
        for i, ch in enumerate(raw):
            if ch != " ":
                count += 1
                if count == want:
                    end = i + 1
                    break
        if end is None or (end < len(raw) and raw[end] != " "):
            continue
        cand = raw[:end].replace(" ", "")
        if (cand.upper() == cand or cand.lower() == cand) and iban_ok(cand):  # one letter case
            out.append(Span(m.start(), m.start() + end, "iban"))
    return out


# --------------------------------------------------------------------------- ssn

_SSN = re.compile(
    r"([0-9])(?<![\w\-./=][0-9])(?<![0-9][ \-.][0-9])"  # not inside a word, a path or a longer number
    r"([0-9]{2})-([0-9]{2})-([0-9]{4})(?![\w\-]|\.[0-9])")


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """SSA rules: no area 000, 666 or 900-999, no group 00, no serial 0000."""
    a = int(area)
    return a != 0 and a != 666 and a < 900 and group != "00" and serial != "0000"


def find_ssns(text: str, lo: int = 0, hi: int | None = None) -> list[Span]:
    return [Span(m.start(), m.end(), "ssn") for m in _SSN.finditer(text, lo, len(text) if hi is None else hi)
            if ssn_ok(m.group(1) + m.group(2), m.group(3), m.group(4))]


# --------------------------------------------------------------------------- all together


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans in text order: by type priority, then longer, then earlier.

    Spans are grouped into clusters of transitive overlap (one sort); the greedy choice
    only runs inside a cluster, so a page with thousands of spans stays linear.
    """
    out: list[Span] = []
    cluster: list[Span] = []
    end = -1
    for sp in sorted(set(spans)):
        if cluster and sp.start >= end:
            out += _greedy(cluster)
            cluster = []
        cluster.append(sp)
        end = max(end, sp.end) if len(cluster) > 1 else sp.end
    out += _greedy(cluster)
    return out


def _greedy(cluster: list[Span]) -> list[Span]:
    if len(cluster) < 2:
        return cluster
    taken: list[Span] = []
    for sp in sorted(cluster, key=lambda s: (PRIORITY[s.type], s.start - s.end, s.start)):
        if all(sp.end <= t.start or sp.start >= t.end for t in taken):
            taken.append(sp)
    return sorted(taken)


#: Maximal runs of digits and the separators numbers are written with: one scan of the text
#: finds every place a card, SSN, IPv4 address, IBAN check digits or phone number can start.
_NUM_RUN = re.compile(r"[0-9][0-9 \u00a0().\-/]*")
_CONTEXT = 2  # characters after a run that the detectors' lookaheads read
_IBAN_SPAN = 48  # an IBAN is at most 34 characters, plus 8 spaces when grouped


def find_all(text: str | None, types: Iterable[str] = TYPES,
             regions: Sequence[str] = DEFAULT_REGIONS) -> list[Span]:
    """Every PII span of ``types`` in ``text``, overlaps resolved, in text order.

    One regex pass finds the numeric runs; each detector then runs only on the runs long
    enough to hold what it looks for (the ``find_*`` functions, given a window of the whole
    text so that their lookbehinds and lookaheads read the real neighbours).
    """
    if not text or _ANY.search(text) is None:
        return []
    types = frozenset(types)
    spans: list[Span] = []
    if "email" in types and "@" in text:
        spans += find_emails(text)
    if "ip" in types and ":" in text:
        spans += _find_ipv6(text)
    iban, card, ssn, ip, phone = ("iban" in types, "card" in types, "ssn" in types, "ip" in types,
                                  "phone" in types)
    n = len(text)
    iban_from = 0
    for m in _NUM_RUN.finditer(text):
        s, e = m.span()
        if iban and s >= iban_from and s >= 2 and text[s - 1].isalpha() and text[s - 2].isalpha():
            found = find_ibans(text, s - 2, min(n, s - 2 + _IBAN_SPAN))
            if found:
                spans += found
                iban_from = found[-1].end
        if e - s < 7:
            continue
        hi = min(n, e + _CONTEXT)
        if ip:
            spans += find_ips(text, s, hi, v6=False)
        if card and e - s >= 13:
            spans += find_cards(text, s, hi)
        if ssn and e - s >= 11:
            spans += find_ssns(text, s, hi)
        if phone:
            spans += find_phones(text, regions, max(0, s - 2), hi)
    return resolve(spans)


def redact(text: str | None, types: Iterable[str] = TYPES,
           regions: Sequence[str] = DEFAULT_REGIONS) -> tuple[str | None, dict[str, int]]:
    """``text`` with each PII span replaced by its placeholder, and the count per type."""
    spans = find_all(text, types, regions)
    if not spans:
        return text, {}
    counts: dict[str, int] = {}
    parts: list[str] = []
    pos = 0
    for sp in spans:
        parts.append(text[pos:sp.start])
        parts.append(PLACEHOLDERS[sp.type])
        counts[sp.type] = counts.get(sp.type, 0) + 1
        pos = sp.end
    parts.append(text[pos:])
    return "".join(parts), counts
