"""Lab: put the microblog behind nginx (starter: complete TEMPLATE).

TEMPLATE is a whole nginx.conf for stack.py, with gaps. Fill in the TODOs:
nginx must serve /static/ from {{static_root}} itself, refuse bodies over
64 KiB, and tell the application who the client is (X-Forwarded-For,
X-Forwarded-Proto) and which request this is (X-Request-ID, nginx's
$request_id). Try it with

    SECRET_KEY=... python examples/deployment/exercises/behind_nginx/solution.py

and the tests: python -m pytest tests/test_deployment_exercises.py -k BehindNginx
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import stack  # noqa: E402  (examples/deployment/stack.py)

TEMPLATE = """
worker_processes 1;
daemon off;
pid {{prefix}}/nginx.pid;
error_log {{prefix}}/error.log warn;
user {{user}};
events { worker_connections 64; }

http {
    access_log {{prefix}}/access.log;
    client_body_temp_path {{prefix}}/client_body;
    proxy_temp_path {{prefix}}/proxy;
    fastcgi_temp_path {{prefix}}/fastcgi;
    uwsgi_temp_path {{prefix}}/uwsgi;
    scgi_temp_path {{prefix}}/scgi;
    include {{mime_types}};

    # TODO: bodies over 64 KiB get 413 from nginx

    # [start:server]
    server {
        listen {{host}}:{{port}};

        # TODO: /static/ from {{static_root}}, by nginx itself

        location / {
            proxy_pass http://{{upstream}};
            proxy_set_header Host $host;
            # TODO: X-Forwarded-For, X-Forwarded-Proto, X-Request-ID
        }
    }
    # [end:server]
}
"""


def main() -> int:
    return stack.main(sys.argv[1:], template=TEMPLATE)


if __name__ == "__main__":
    sys.exit(main())
