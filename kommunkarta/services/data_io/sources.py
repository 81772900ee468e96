"""Outside data sets that initiatives are taken from, and how each initiative credits its own.

An initiative taken from another data set keeps its case there in `external_ref`
("pstw:1234": the source's key, a colon, the case's id) and the source's name and licence in
`source` and `licence`; our own initiatives have none of the three. The initiative's page and
the exports show the attribution that the licence asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

CC_BY_4 = "CC BY 4.0"
CC_BY_4_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Source:
    key: str  # the prefix of `external_ref`
    name: str
    url: str
    licence: str
    licence_url: str
    case_label: str  # what the source calls its ids


PSTW = Source(
    key="pstw",
    name="EU Public Sector Tech Watch",
    url="https://interoperable-europe.ec.europa.eu/collection/public-sector-tech-watch",
    licence=CC_BY_4,
    licence_url=CC_BY_4_URL,
    case_label="PSTW ID",
)
KNOWN = {PSTW.key: PSTW}
LICENCE_URLS = {CC_BY_4: CC_BY_4_URL}


def external_ref(source: Source, case: str) -> str:
    return f"{source.key}:{case}"


@dataclass(frozen=True)
class Attribution:
    """What an initiative's page shows about where it came from."""

    name: str
    url: str | None
    case_label: str
    case: str
    licence: str
    licence_url: str | None


class Credited(Protocol):
    """What an attribution is made of: an initiative, or an export's record of one."""

    @property
    def source(self) -> str: ...
    @property
    def licence(self) -> str: ...
    @property
    def external_ref(self) -> str | None: ...


def attribution(initiative: Credited) -> Attribution | None:
    """The credit an initiative from an outside data set carries; None for our own."""
    if not initiative.source:
        return None
    key, _, case = (initiative.external_ref or "").partition(":")
    known = KNOWN.get(key)
    return Attribution(
        name=initiative.source,
        url=known.url if known else None,
        case_label=known.case_label if known else "",
        case=case,
        licence=initiative.licence,
        licence_url=LICENCE_URLS.get(initiative.licence),
    )


def attribution_text(initiative: Credited) -> str:
    """The attribution as one line for a spreadsheet cell; empty for our own initiatives,
    e.g. "EU Public Sector Tech Watch, PSTW ID 1234, CC BY 4.0"."""
    credit = attribution(initiative)
    if credit is None:
        return ""
    parts = [credit.name]
    if credit.case:
        parts.append(f"{credit.case_label} {credit.case}".strip())
    if credit.licence:
        parts.append(credit.licence)
    return ", ".join(parts)


def from_attribution(text: str) -> dict[str, str]:
    """The source, licence and external reference that `attribution_text` wrote, read back
    from an export's `source` cell, so that moving initiatives between instances keeps their
    credit; {} for an empty cell (our own initiatives)."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts:
        return {}
    values = {"source": parts[0][:200]}
    known = next((s for s in KNOWN.values() if s.name == parts[0]), None)
    for part in parts[1:]:
        if part in LICENCE_URLS:
            values["licence"] = part
        elif known and part.startswith(known.case_label + " "):
            case = part[len(known.case_label) + 1 :].strip()
            if case:
                values["external_ref"] = external_ref(known, case)[:100]
    return values
