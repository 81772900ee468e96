"""The one table between the EU Public Sector Tech Watch's (PSTW) values and our taxonomy.

`import-pstw` reads a PSTW file through it and `export-pstw` writes ours back through it
(see services.data_io.pstw and the README). Each part is a list of (PSTW value, our slug) pairs:

- reading, a PSTW value is compared case-, space- and punctuation-insensitively; a cell may
  hold several values (the matches are found in the cell, so any separator will do);
- writing, a slug becomes the first PSTW value paired with it, so that reading it back gives
  the same slug again (export-pstw then import-pstw changes nothing);
- every value of the published vocabularies is here: paired with a slug, or in a DROPPED
  list with the reason it is left out on purpose. A value missing from both is unknown: it
  is left out and the import's report counts it by column, so that the table can grow.

Technologies come from four columns, most specific first: the subdomain (II) columns and
`AI Keywords`, then `Primary Technology` (AR/VR, digital twins), then `AI Classification
(I)`, whose broad domains are used only when nothing more specific names a technology. An
AI case that is classified at all but lands on no technology gets OTHER_AI, so that no
classified case arrives without one.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

# ` Status` (one value per case)
STATUSES: Sequence[tuple[str, str]] = (
    ("Planned", "idea"),
    ("In development", "pre-study"),
    ("Pilot", "pilot"),
    ("Implemented", "production"),
    ("Not in use", "ended"),
)

# `AI Classification (I)` (the AI Watch typology) and `AI Keywords` (free words): technologies.
# export-pstw writes the first value per slug into `AI Classification (I)`.
TECHNOLOGIES: Sequence[tuple[str, str]] = (
    ("Generative AI", "generative-ai"),
    (
        "Chatbots, Intelligent Digital Assistants, Virtual Agents and Recommendation Systems",
        "chatbot",
    ),
    ("Computer Vision and Identity Recognition", "computer-vision"),
    ("Machine Learning, Deep Learning", "machine-learning"),
    ("Natural Language Processing, Text Mining and Speech Analytics", "language-technology"),
    ("Audio Processing", "speech-recognition"),
    ("Planning and Scheduling", "optimisation"),
    ("Predictive Analytics, Simulation and Data Visualisation", "machine-learning"),
    ("Robotic Process Automation (RPA)", "process-automation"),
    ("Automated Decision Making (ADM)", "automated-decisions"),
    ("Digital Twins", "digital-twin"),
    ("AR/VR", "virtual-reality"),
    ("Robotics and Automation", "robotics"),
    ("Multiple AI techniques", "other-ai"),
    # words seen in `AI Keywords`
    ("large language model", "generative-ai"),
    ("LLM", "generative-ai"),
    ("GPT", "generative-ai"),
    ("ChatGPT", "generative-ai"),
    ("chatbot", "chatbot"),
    ("chatbots", "chatbot"),
    ("virtual assistant", "chatbot"),
    ("image recognition", "computer-vision"),
    ("computer vision", "computer-vision"),
    ("natural language processing", "language-technology"),
    ("NLP", "language-technology"),
    ("speech recognition", "speech-recognition"),
    ("speech to text", "speech-recognition"),
    ("machine learning", "machine-learning"),
    ("optimisation", "optimisation"),
    ("optimization", "optimisation"),
)

OTHER_AI = "other-ai"

# `AI Classification Subdomain (II)` (main and other): the AI Watch subdomains, in any case.
SUBDOMAINS: Sequence[tuple[str, str]] = (
    ("Machine learning", "machine-learning"),
    ("Deep Learning", "machine-learning"),
    ("Natural language processing", "language-technology"),
    ("Computer vision", "computer-vision"),
    ("Audio processing", "speech-recognition"),
    ("Planning and Scheduling", "optimisation"),
    ("Optimisation", "optimisation"),
    ("Searching", "optimisation"),
    ("Automated reasoning and Automated Decision Making (ADM)", "automated-decisions"),
    ("Automated reasoning", "automated-decisions"),
    ("Knowledge representation", "automated-decisions"),
    ("Robotics and Automation and Robotic Process Automation (RPA)", "process-automation"),
    ("Robotics and Automation", "robotics"),
    ("Connected and Automated vehicles", "robotics"),
    ("AI Services", OTHER_AI),
    ("Multiple AI techniques", OTHER_AI),
    ("Multi-agent systems", OTHER_AI),
)
SUBDOMAINS_DROPPED: Sequence[tuple[str, str]] = (
    ("AI Ethics", "about how AI is governed, not a technique a case uses"),
)

# `AI Classification (I)`: the AI Watch domains, broad; used only when no subdomain, keyword
# or primary technology names a technology.
DOMAINS: Sequence[tuple[str, str]] = (
    ("Learning", "machine-learning"),
    ("Perception", "computer-vision"),
    ("Communication", "language-technology"),
    ("Planning", "optimisation"),
    ("Reasoning", "automated-decisions"),
    ("Integration and Interaction", OTHER_AI),
    ("Services", OTHER_AI),
)
DOMAINS_DROPPED: Sequence[tuple[str, str]] = (
    ("Ethics and Philosophy", "about how AI is governed, not a technique a case uses"),
)

# `Primary Technology`: the emerging technology a case is about.
PRIMARY: Sequence[tuple[str, str]] = (
    ("AR/VR", "virtual-reality"),
    ("Virtual Worlds", "virtual-reality"),
    ("Digital Twins", "digital-twin"),
)
PRIMARY_DROPPED: Sequence[tuple[str, str]] = (
    ("Artificial Intelligence", "says only that it is AI: the classification columns say which"),
    ("Blockchain", "not AI; the register has no term for it"),
    ("Quantum Computing", "not AI; the register has no term for it"),
    ("5G (Edge Computing)", "a network, not a technique a case uses"),
    ("Other", "names no technology"),
)
AI = "Artificial Intelligence"

# The yes/no benefit columns, every one the data set publishes: a "yes" adds the benefit
# area, so that a case with any benefit flag has a benefit area. export-pstw writes "Yes" or
# "No" in the first column per slug and leaves the others empty (not said).
BENEFITS: Sequence[tuple[str, str]] = (
    ("Improved Administrative Efficiency", "efficiency"),
    ("Cost-reduction", "efficiency"),
    ("Personalized Services", "resident-service"),
    ("Increased transparency of public sector operations", "democracy"),
    ("Increase quality of PSI and services", "welfare-quality"),
    ("Enabled greater fairness, honesty, equality", "accessibility"),
    ("Improved Public Service", "resident-service"),
    ("Public (citizen)-centered services", "resident-service"),
    ("New services or channels", "resident-service"),
    ("More responsive, efficient, and cost-effective public services", "resident-service"),
    ("Responsiveness of government operation", "efficiency"),
    ("Improved management of public resources", "efficiency"),
    ("Increased quality of processes and systems", "efficiency"),
    ("Better collaboration and better communication", "efficiency"),
    ("Open government capabilities", "democracy"),
    ("Increased public participation in government actions and policy making", "democracy"),
    ("Improved public control and influence on government actions and policies", "democracy"),
    (
        "Reduced or eliminated the risk of corruption and abuse of the law by public servants",
        "democracy",
    ),
)

# `Functions of Government (COFOG level I)`: operational areas. The pairs after the first per
# slug only ever serve export-pstw, for areas that COFOG does not tell apart.
AREAS: Sequence[tuple[str, str]] = (
    ("General public services", "administration"),
    ("Public order and safety", "rescue-services"),
    ("Economic affairs", "business-labour"),
    ("Environmental protection", "environment"),
    ("Housing and community amenities", "urban-planning"),
    ("Health", "elderly-care"),
    ("Recreation, culture and religion", "culture-leisure"),
    ("Education", "education"),
    ("Social protection", "social-services"),
)
AREAS_DROPPED: Sequence[tuple[str, str]] = (("Defence", "municipalities have no defence function"),)
AREAS_WRITTEN_ONLY: Sequence[tuple[str, str]] = (
    ("General public services", "it"),
    ("General public services", "communication"),
    ("Housing and community amenities", "technical-services"),
)

YES = frozenset({"yes", "y", "true", "1", "x", "ja"})


@functools.lru_cache(maxsize=4096)  # the same few values recur in every row
def fold(text: str) -> str:
    """Lower case without accents, punctuation as single spaces: how values are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


class Table:
    """One part of the mapping, both ways; `dropped` values are known and left out on purpose
    (value, reason)."""

    def __init__(
        self,
        pairs: Iterable[tuple[str, str]],
        written_only: Iterable[tuple[str, str]] = (),
        dropped: Iterable[tuple[str, str]] = (),
    ) -> None:
        pairs = list(pairs)
        self.read = {fold(value): slug for value, slug in pairs}
        self.dropped = {fold(value): reason for value, reason in dropped}
        self.written: dict[str, str] = {}
        for value, slug in (*pairs, *written_only):
            self.written.setdefault(slug, value)
        # longest first, so that a label is not taken for a shorter value inside it
        alternatives = sorted((*self.read, *self.dropped), key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<![0-9a-z])(" + "|".join(map(re.escape, alternatives)) + r")(?![0-9a-z])"
        )

    def one(self, value: str) -> str | None:
        """The slug of a cell that holds one value, or None."""
        return self.read.get(fold(value))

    def scan(self, value: str) -> tuple[list[str], list[str]]:
        """The slugs of the values found in a cell (in order, once each) and the pieces of
        text left over that match nothing."""
        folded = fold(value)
        found = (m.group(1) for m in self._pattern.finditer(folded))
        slugs = [self.read[f] for f in found if f in self.read]
        rest = [part.strip() for part in self._pattern.split(folded)[::2]]
        leftover = [part for part in rest if part and part not in ("and", "or")]
        return list(dict.fromkeys(slugs)), leftover

    def to_pstw(self, slugs: Iterable[str]) -> list[str]:
        """The PSTW values of our slugs, once each, in order; slugs without one are left out."""
        return list(dict.fromkeys(self.written[s] for s in slugs if s in self.written))


STATUS = Table(STATUSES)
TECHNOLOGY = Table(TECHNOLOGIES)
SUBDOMAIN = Table(SUBDOMAINS, dropped=SUBDOMAINS_DROPPED)
DOMAIN = Table(DOMAINS, dropped=DOMAINS_DROPPED)
PRIMARY_TECHNOLOGY = Table(PRIMARY, dropped=PRIMARY_DROPPED)
AREA = Table(AREAS, AREAS_WRITTEN_ONLY, dropped=AREAS_DROPPED)


def written_benefit_columns() -> dict[str, str]:
    """Benefit slug -> the column export-pstw marks for it."""
    columns: dict[str, str] = {}
    for column, slug in BENEFITS:
        columns.setdefault(slug, column)
    return columns


def is_yes(value: object) -> bool:
    if value is True:
        return True
    if value is None or value is False:
        return False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return fold(str(value)) in YES


def technologies(
    subdomains: Iterable[str], keywords: str, classification: str, primary: str
) -> tuple[list[str], list[tuple[str, str]]]:
    """The technology slugs of one case, most specific first, and the values no table knows
    as (which column, value). See the module's doc for the order and the OTHER_AI rule."""
    unknown: list[tuple[str, str]] = []
    specific: list[str] = []
    for cell in subdomains:
        found, rest = SUBDOMAIN.scan(cell)
        specific += found
        unknown += [("subdomain", value) for value in rest]
    specific += TECHNOLOGY.scan(keywords)[0]
    found, rest = PRIMARY_TECHNOLOGY.scan(primary)
    specific += found
    unknown += [("primary", value) for value in rest]
    found, rest = TECHNOLOGY.scan(classification)  # our own export-pstw's labels
    specific += found
    broad: list[str] = []
    for piece in rest:
        domains, left = DOMAIN.scan(piece)
        broad += domains
        unknown += [("classification", value) for value in left]
    slugs = specific or broad
    classified = any(fold(cell) for cell in (*subdomains, classification))
    is_ai = not fold(primary) or fold(primary) == fold(AI)
    if not slugs and classified and is_ai:
        slugs = [OTHER_AI]
    return list(dict.fromkeys(slugs)), unknown
