"""The public face: the map, the table and the pages per initiative, municipality and county."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from kommunkarta.public import (  # noqa: E402, F401  (routes register on bp)
    feed_views,
    find_views,
    image_views,
    map_views,
    peer_views,
    views,
)
