"""Access to the boundaries loaded at start-up."""

from flask import current_app

from kommunkarta.services.places.geodata import Geodata


def current() -> Geodata:
    """The app's geodata; raises GeodataError if the files could not be loaded at start."""
    if "geodata" not in current_app.extensions:
        raise current_app.extensions["geodata_error"]
    return current_app.extensions["geodata"]
