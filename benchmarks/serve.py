"""What gunicorn serves in the load run: the repository's `wsgi:app` plus the floor endpoint."""

from benchmarks import reference
from wsgi import app

reference.register(app)
