"""PII redaction: replace emails, phones, public IPs, cards, IBANs and SSNs by typed placeholders.

Llama 3 (section 3.1.1) "removes websites with high volumes of PII" and redacts the rest.
This stage does the per-document half: it rewrites ``text`` with ``curate.pii.redact``
(placeholders ``<EMAIL>``, ``<PHONE>``, ``<IP>``, ``<CARD>``, ``<IBAN>``, ``<SSN>``) and
writes how many spans it replaced, in total (``pii_count``) and per type (``pii_types``, e.g.
``"email:2,phone:1"``, types in ``curate.pii.TYPES`` order; null when none). It never
rejects a document: the per-website job aggregates ``pii_count`` by host and drops sites.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pyarrow as pa

from curate import pii, schema
from curate.stage import Resources, Stage, set_column

PII_COUNT = "pii_count"
PII_TYPES = "pii_types"


@dataclasses.dataclass
class Pii(Stage):
    """Redact PII in ``text``.

    ``types``: which of ``curate.pii.TYPES`` to redact (default all).
    ``phone_regions``: ISO 3166 regions whose national phone formats are recognized;
    ``+CC`` international numbers are recognized for every country.
    """

    types: tuple[str, ...] = pii.TYPES
    phone_regions: tuple[str, ...] = pii.DEFAULT_REGIONS
    resources: Resources = dataclasses.field(default_factory=lambda: Resources(batch_size=512))

    name: ClassVar[str] = "pii"
    columns: ClassVar[dict[str, pa.DataType]] = {
        schema.TEXT: pa.string(), PII_COUNT: pa.int32(), PII_TYPES: pa.string()}

    def __post_init__(self) -> None:
        self.types = tuple(self.types)
        self.phone_regions = tuple(r.upper() for r in self.phone_regions)

    def setup(self) -> None:
        unknown = set(self.types) - set(pii.TYPES)
        if unknown:
            raise ValueError(f"pii.types: unknown {sorted(unknown)}; known: {list(pii.TYPES)}")
        if "phone" in self.types:
            import phonenumbers

            bad = [r for r in self.phone_regions if r not in phonenumbers.SUPPORTED_REGIONS]
            if bad:
                raise ValueError(f"pii.phone_regions: unknown regions {bad}")
        self._ready = True

    def process(self, batch: pa.Table) -> pa.Table:
        if not getattr(self, "_ready", False):
            self.setup()
        texts: list[str | None] = []
        counts: list[int] = []
        kinds: list[str | None] = []
        for text in batch.column(schema.TEXT).to_pylist():
            new, by_type = pii.redact(text, self.types, self.phone_regions)
            texts.append(new)
            counts.append(sum(by_type.values()))
            kinds.append(",".join(f"{t}:{by_type[t]}" for t in pii.TYPES if t in by_type) or None)
        batch = set_column(batch, schema.TEXT, texts, pa.string())
        batch = set_column(batch, PII_COUNT, counts, pa.int32())
        return set_column(batch, PII_TYPES, kinds, pa.string())
