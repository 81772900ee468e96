"""WSGI entry point: `gunicorn wsgi:app`. Each worker sets up its heap for large arrays
(services.heap) and reads the boundaries as it starts, not at its first request."""

from kommunkarta import create_app, geo
from kommunkarta.services import heap

heap.keep_large_blocks_apart()
app = create_app()
geo.preload(app)
