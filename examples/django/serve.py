"""Serve the bookshop with waitress, a production WSGI server.

    cd examples/django
    export SECRET_KEY=dev-only-not-secret
    python manage.py migrate
    python serve.py --port 8000

(``manage.py runserver`` is for development only: it reloads and shows
tracebacks, and it is not built to face the Internet.)
"""

import argparse
import os
import sys
from pathlib import Path

MAX_BODY = 1024 * 1024  # waitress answers 413 to a bigger request body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshop.settings")
    from waitress import create_server

    from bookshop.wsgi import application

    # [start:serve]
    server = create_server(
        application, host=args.host, port=args.port, threads=4,
        max_request_body_size=MAX_BODY, channel_timeout=30,
    )
    address = f"{server.effective_host}:{server.effective_port}"
    print(f"bookshop listening on {address}", flush=True)
    server.run()
    # [end:serve]


if __name__ == "__main__":
    main()
