"""Fill Swedish translations into the catalogue from a small JSON file of {msgid: msgstr}.

For a plural entry, key it by the singular msgid and give a list [singular, plural].

Usage: python tools/translate.py NEW.json — existing translations are kept unless given again;
the catalogue is rewritten sorted as pybabel writes it. Run `make extract-messages` first.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = (
    Path(__file__).resolve().parent.parent / "kommunkarta/translations/sv/LC_MESSAGES/messages.po"
)


def main() -> None:
    new = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f, locale="sv")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in new:
            value = new[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
        elif not message.string:
            missing.append(key)
    with CATALOGUE.open("wb") as f:
        write_po(f, catalog, width=100)
    for key in missing:
        print(f"untranslated: {key}")


if __name__ == "__main__":
    main()
