"""Which municipalities an organisation's name means, as other data sets write it.

A cell may name several organisations ("Ale kommun, Lerums kommun och Region Västra
Götaland"); each is resolved on its own:

- English and Swedish forms are reduced to the place's name: "Municipality of X",
  "X municipality", "City of X", "X Kommun", "X stad", the genitive "Xs kommun", and for
  counties "Region X", "X County Council", "Xs läns landsting", "X-regionen";
- names are compared without case, accents or punctuation ("Vaxjo", "Malung Salen"), with the
  transliterations ae, oe, aa for ä, ö, å ("Malmoe") and the exonym "Gothenburg";
- what is still not found is matched with rapidfuzz (an Indel ratio) against the 290 names,
  and taken only above THRESHOLD and MARGIN points ahead of the next name.

Nothing is guessed: a name that looks like a municipality (it says so, or comes close to
one) but is not found, or fits two (Habo and Håbo), is unresolved and comes back with its
closest candidates. A county is noted, not a participant; Region Gotland is the municipality
of Gotland, since the county has no other. Anything else (a university, a company) is noted
as another organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kommunkarta.services.data_io.pstw_mapping import fold

THRESHOLD = 85  # rapidfuzz ratio (0-100) from which a near name is taken
MARGIN = 5  # ... when no other municipality's name is this close to it
CANDIDATE_FLOOR = 75  # from here an unmarked name counts as a possible municipality
CANDIDATES = 3  # how many closest names an unresolved one is shown with

SEPARATORS = re.compile(r"\s*(?:[;|/,&+\n]|\band\b|\boch\b|\bsamt\b)\s*", re.IGNORECASE)
# organisations whose names hold a separator, kept whole (and never a municipality)
KNOWN_OTHERS = re.compile(r"(Sveriges Kommuner och Regioner)", re.IGNORECASE)
MUNICIPAL_PREFIXES = (
    "the municipality of",
    "municipality of",
    "municipalities of",
    "the city of",
    "city of",
    "town of",
)
MUNICIPAL_SUFFIXES = (
    "municipal council",
    "city council",
    "municipality",
    "municipalities",
    "kommunen",
    "kommuner",
    "kommun",
    "staden",
    "stad",
    "city",
    "town",
)
REGION_PREFIXES = ("region", "county council of", "county of")
REGION_SUFFIXES = (
    "läns landsting",
    "lans landsting",
    "landstinget",
    "landsting",
    "county council",
    "county",
    "regionen",
    "region",
    "län",
    "lan",
)
GLUED_REGION = re.compile(r"(.+?)s?regionen")  # Västra Götalandsregionen
# Names other languages give places (folded), for exact matches and, with the places' own
# names, the table that near names are matched against.
EXONYMS = {
    "gothenburg": "goteborg",
    "gotenburg": "goteborg",
    "gotheborg": "goteborg",
    "upsala": "uppsala",
    "scania": "skane",
    "dalecarlia": "dalarna",
}
TRANSLITERATIONS = (("ae", "a"), ("oe", "o"), ("aa", "a"))


def plain(text: str) -> str:
    """Lower case, punctuation as single spaces, accents kept."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


@dataclass(frozen=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    score: int


@dataclass(frozen=True)
class Unresolved:
    text: str  # the organisation as the cell names it
    candidates: tuple[Candidate, ...]  # closest municipalities, best first
    ambiguous: bool  # several municipalities fit equally well


@dataclass
class Resolution:
    municipalities: list[str] = field(default_factory=list)  # codes, in the cell's order
    regions: list[str] = field(default_factory=list)  # counties, as named
    others: list[str] = field(default_factory=list)  # other organisations, as named
    unresolved: list[Unresolved] = field(default_factory=list)


def _strip(core: str, prefixes: Iterable[str], suffixes: Iterable[str]) -> tuple[str, bool]:
    """The name without one of the prefixes and one of the suffixes; whether any was there."""
    marked = False
    for prefix in prefixes:
        if core.startswith(prefix + " "):
            core, marked = core[len(prefix) + 1 :], True
            break
    for suffix in suffixes:
        if core.endswith(" " + suffix):
            core, marked = core[: -len(suffix) - 1], True
            break
    return core, marked


def _genitives(core: str) -> list[str]:
    """The name, then without a genitive s (Göteborgs stad, Lerums kommun)."""
    return [core, core[:-1]] if core.endswith("s") else [core]


def _variants(folded: str) -> list[str]:
    """The ways a folded name may stand for a place's folded name, most literal first."""
    found = _genitives(folded)
    for name in list(found):
        for digraph, letter in TRANSLITERATIONS:
            name = name.replace(digraph, letter)
        found.append(name)
    found.extend(EXONYMS[v] for v in list(found) if v in EXONYMS)
    return list(dict.fromkeys(found))


class Resolver:
    """Resolves organisation cells against the municipalities and counties; loaded once and
    reused for every row (results are kept per organisation)."""

    def __init__(
        self,
        municipalities: Iterable[Place],
        regions: Iterable[Place],
        region_of: dict[str, str],
        aliases: dict[str, str | None] | None = None,
    ) -> None:
        self.municipalities = list(municipalities)
        self.exact = {plain(m.name): m.code for m in self.municipalities}
        self.by_fold: dict[str, list[str]] = {}
        for m in self.municipalities:
            self.by_fold.setdefault(fold(m.name), []).append(m.code)
        self.folded_names = [fold(m.name) for m in self.municipalities]
        # the known names, each with its code: every place's own name, without å, ä, ö, and
        # the exonyms of it, which near names are matched against
        self.known: list[tuple[str, str]] = [(fold(m.name), m.code) for m in self.municipalities]
        for exonym, name in EXONYMS.items():
            for code in self.by_fold.get(name, []):
                self.known.append((exonym, code))
        self.aliases = dict(aliases or {})
        self.region_names: dict[str, Place] = {}
        for region in regions:
            core, _ = _strip(plain(region.name), (), REGION_SUFFIXES)
            for variant in _variants(fold(core)):
                self.region_names.setdefault(variant, region)
        members: dict[str, list[str]] = {}
        for code, region_code in region_of.items():
            members.setdefault(region_code, []).append(code)
        # a county with one municipality (Gotland) is that municipality
        self.sole_member = {r: codes[0] for r, codes in members.items() if len(codes) == 1}
        self._cache: dict[str, tuple[str, str | Unresolved]] = {}

    def resolve(self, cell: str) -> Resolution:
        result = Resolution()
        for position, part in enumerate(KNOWN_OTHERS.split(cell or "")):
            if position % 2:
                result.others.append(part)
                continue
            for text in (t.strip() for t in SEPARATORS.split(part)):
                if fold(text):
                    self._add(result, text)
        return result

    def _add(self, result: Resolution, text: str) -> None:
        if text not in self._cache:
            self._cache[text] = self._one(text)
        kind, value = self._cache[text]
        if kind == "municipality":
            if isinstance(value, str) and value not in result.municipalities:
                result.municipalities.append(value)
        elif kind == "region":
            result.regions.append(text)
        elif kind == "other":
            result.others.append(text)
        elif isinstance(value, Unresolved):
            result.unresolved.append(value)

    def _one(self, text: str) -> tuple[str, str | Unresolved]:
        """("municipality", code), ("region", name), ("other", text) or ("unresolved", ...)."""
        name = plain(text)
        if name in self.aliases:  # a moderator's decision (services.data_io.waiting)
            code = self.aliases[name]
            return ("municipality", code) if code else ("other", text)
        if name.startswith("the "):
            name = name[4:]
        core, municipal = _strip(name, MUNICIPAL_PREFIXES, MUNICIPAL_SUFFIXES)
        if not municipal:
            region_core, regional = _strip(name, REGION_PREFIXES, REGION_SUFFIXES)
            glued = GLUED_REGION.fullmatch(name)
            if regional:
                return self._region(region_core, text)
            if glued:
                return self._region(glued.group(1), text)
        for variant in _genitives(core):
            if variant in self.exact:
                return "municipality", self.exact[variant]
        folded = fold(core)
        for variant in _variants(folded):
            codes = self.by_fold.get(variant, [])
            if len(codes) == 1:
                return "municipality", codes[0]
            if codes:
                return "unresolved", self._unresolved(text, folded, ambiguous=True)
        if not municipal and any(v in self.region_names for v in _variants(folded)):
            return self._region(core, text)  # a county's bare name: Halland, Skåne
        return self._fuzzy(text, folded, municipal)

    def _region(self, name: str, text: str) -> tuple[str, str | Unresolved]:
        for variant in _variants(fold(name)):
            region = self.region_names.get(variant)
            if region is not None and region.code in self.sole_member:
                return "municipality", self.sole_member[region.code]
        return "region", text

    def _fuzzy(self, text: str, core: str, municipal: bool) -> tuple[str, str | Unresolved]:
        """A near name: the best municipality over all its known names, taken only when no
        other municipality comes within MARGIN of it."""
        from rapidfuzz import fuzz, process  # here: only imports of PSTW data match names

        names = [name for name, _ in self.known]
        found = process.extract(core, names, scorer=fuzz.ratio, limit=8, processor=None)
        by_code: dict[str, float] = {}
        for _, score, index in found:
            code = self.known[index][1]
            by_code[code] = max(by_code.get(code, 0), score)
        ranked = sorted(by_code.items(), key=lambda item: -item[1])
        top_score = ranked[0][1] if ranked else 0
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        if top_score >= THRESHOLD and top_score - runner_up >= MARGIN:
            return "municipality", ranked[0][0]
        if municipal or top_score >= CANDIDATE_FLOOR:
            ambiguous = top_score >= THRESHOLD
            return "unresolved", self._unresolved(text, core, ambiguous=ambiguous)
        return "other", text

    def _unresolved(self, text: str, core: str, ambiguous: bool) -> Unresolved:
        """The closest names by rapidfuzz's WRatio, which also weighs partial matches (so
        "Skövde social services" still shows Skövde) and is only used to show candidates."""
        from rapidfuzz import fuzz, process

        found = process.extract(
            core, self.folded_names, scorer=fuzz.WRatio, limit=CANDIDATES, processor=None
        )
        candidates = tuple(
            Candidate(self.municipalities[i].code, self.municipalities[i].name, round(score))
            for _, score, i in found
        )
        return Unresolved(text, candidates, ambiguous)
