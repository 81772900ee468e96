"""Every text marked for translation has its Swedish in the catalogue: an English string on a
Swedish page is a defect a reader sees, and nothing else would notice it."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("kommunkarta/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def _marked() -> dict[str, str]:
    """Each marked message (the singular of a plural) and the first place it is marked."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {}}
    ):
        text = message[0] if isinstance(message, tuple) else message
        found.setdefault(text, f"{filename}:{lineno}")
    return found


def test_every_marked_text_has_its_swedish_translation():
    with (ROOT / "kommunkarta/translations/sv/LC_MESSAGES/messages.po").open("rb") as po:
        catalogue = read_po(po)
    translated = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in catalogue
        if message.id
        and all(message.string if isinstance(message.string, tuple) else [message.string])
    }
    missing = {text: where for text, where in _marked().items() if text not in translated}
    assert not missing, missing
