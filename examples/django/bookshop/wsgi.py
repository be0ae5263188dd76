"""The bookshop as a WSGI application, for any WSGI server (serve.py uses waitress)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshop.settings")
application = get_wsgi_application()
