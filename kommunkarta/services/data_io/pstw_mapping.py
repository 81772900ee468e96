"""The one table between the EU Public Sector Tech Watch's (PSTW) values and our taxonomy.

`import-pstw` reads a PSTW file through it and `export-pstw` writes ours back through it
(see services.pstw and the README). Each part is a list of (PSTW value, our slug) pairs:

- reading, a PSTW value is compared case-, space- and punctuation-insensitively; a cell may
  hold several values (the matches are found in the cell, so any separator will do);
- writing, a slug becomes the first PSTW value paired with it, so that reading it back gives
  the same slug again (export-pstw then import-pstw changes nothing);
- a PSTW value missing here has no counterpart in our taxonomy: it is left out, and the
  import's report counts it, so that the table can grow.
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

# The yes/no benefit columns: a "yes" adds the benefit area. export-pstw writes "Yes" or "No"
# in the first column per slug and leaves the others empty (not said).
BENEFITS: Sequence[tuple[str, str]] = (
    ("Improved Administrative Efficiency", "efficiency"),
    ("Cost-reduction", "efficiency"),
    ("Personalized Services", "resident-service"),
    ("Increased transparency of public sector operations", "democracy"),
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
    """One part of the mapping, both ways."""

    def __init__(
        self, pairs: Iterable[tuple[str, str]], written_only: Iterable[tuple[str, str]] = ()
    ) -> None:
        pairs = list(pairs)
        self.read = {fold(value): slug for value, slug in pairs}
        self.written: dict[str, str] = {}
        for value, slug in (*pairs, *written_only):
            self.written.setdefault(slug, value)
        # longest first, so that a label is not taken for a shorter value inside it
        alternatives = sorted(self.read, key=len, reverse=True)
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
        slugs = [self.read[m.group(1)] for m in self._pattern.finditer(folded)]
        rest = [part.strip() for part in self._pattern.split(folded)[::2]]
        leftover = [part for part in rest if part and part not in ("and", "or")]
        return list(dict.fromkeys(slugs)), leftover

    def to_pstw(self, slugs: Iterable[str]) -> list[str]:
        """The PSTW values of our slugs, once each, in order; slugs without one are left out."""
        return list(dict.fromkeys(self.written[s] for s in slugs if s in self.written))


STATUS = Table(STATUSES)
TECHNOLOGY = Table(TECHNOLOGIES)
AREA = Table(AREAS, AREAS_WRITTEN_ONLY)


def benefit_columns() -> dict[str, str]:
    """Folded column name -> benefit slug."""
    return {fold(column): slug for column, slug in BENEFITS}


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
