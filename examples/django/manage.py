#!/usr/bin/env python
"""Django's command line for the bookshop project.

    cd examples/django
    export SECRET_KEY=dev-only-not-secret
    python manage.py migrate            # make the tables, from an empty database
    python manage.py createsuperuser    # someone for the admin
    python serve.py                     # the bookshop on http://127.0.0.1:8000/

DATABASE_URL picks the database (SQLite file db.sqlite3 by default).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
