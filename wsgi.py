"""WSGI entry point: `gunicorn wsgi:app`."""

from kommunkarta import create_app

app = create_app()
