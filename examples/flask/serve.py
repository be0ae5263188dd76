"""Serve the microblog on a real HTTP server (werkzeug's, with a thread
per request: a chat page keeps one request open for as long as it is open).

    python serve.py --port 5000     # then open http://127.0.0.1:5000/
    DATABASE_URL=postgresql://... python serve.py

Create the tables first: flask --app microblog db upgrade
"""

from __future__ import annotations

import argparse

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from microblog import create_app


# [start:handler]
class RequestHandler(WSGIRequestHandler):
    timeout = 30  # seconds: a silent (or stuck) client is dropped
# [end:handler]


# [start:make_http_server]
def make_http_server(app, host="127.0.0.1", port=0) -> BaseWSGIServer:
    """A threaded HTTP server for app; then call serve_forever()."""
    return make_server(host, port, app, threaded=True,
                       request_handler=RequestHandler)
# [end:make_http_server]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    args = parser.parse_args()
    app = create_app()
    server = make_http_server(app, args.host, args.port)
    host, port = server.socket.getsockname()[:2]
    print(f"microblog listening on {host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["chat_room"].close()
        server.server_close()


if __name__ == "__main__":
    main()
