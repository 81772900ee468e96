"""Checks that demo text reads as Swedish should, shared by the unit and integration tests."""

import re

PREPOSITIONS = frozenset(
    "av för i inom med om på till från vid under över mellan hos genom efter utan mot åt".split()
)
WORD = re.compile(r"[\wÅÄÖåäöé-]+")


def problems(sentence: str) -> list[str]:
    """What is wrong with one summary or title; empty when it reads right."""
    found = []
    if not sentence[:1].isupper():
        found.append("does not start with a capital")
    if "  " in sentence or sentence != sentence.strip():
        found.append("stray spaces")
    words = WORD.findall(sentence)
    for first, second in zip(words, words[1:], strict=False):
        if first.lower() in PREPOSITIONS and second.lower() in PREPOSITIONS:
            found.append(f"two prepositions in a row: {first} {second}")
    for word in words:
        if word.lower() == "ai" and word != "AI":
            found.append(f"AI written {word!r}")
        if word.lower().startswith("ai-") and not word.startswith("AI-"):
            found.append(f"AI written {word!r}")
    if "generativ ai" in sentence.lower() and "generativ AI" not in sentence.replace(
        "Generativ AI", "generativ AI"
    ):
        found.append("generativ AI written wrong")
    return found


def summary_problems(summary: str) -> list[str]:
    found = problems(summary)
    if not summary.endswith("."):
        found.append("does not end with a full stop")
    return found
