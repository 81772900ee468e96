"""WSGI entry point: `gunicorn wsgi:app`. Each worker reads the boundaries as it starts, not
at its first request."""

from kommunkarta import create_app, geo

app = create_app()
geo.preload(app)
