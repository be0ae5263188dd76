"""The smallest Flask application: a few routes, one idea each.

    flask --app hello run --debug       (from examples/flask/)
    python hello.py --port 5000
"""

from __future__ import annotations

import argparse

from flask import Flask, abort, request
from markupsafe import escape

app = Flask(__name__)


# [start:index]
@app.route("/")
def index():
    return "Hello from Flask!"
# [end:index]


# [start:hello]
@app.route("/hello/<name>")
def hello(name: str):
    return f"<p>Hello, {escape(name)}!</p>"
# [end:hello]


# [start:add]
@app.route("/add/<int:a>/<int:b>")
def add(a: int, b: int):
    return {"a": a, "b": b, "sum": a + b}  # a dict becomes JSON
# [end:add]


# [start:search]
@app.route("/search", methods=["GET", "POST"])
def search():
    words = request.values.get("q", "").split()
    if not words:
        abort(400, "say what to search for: ?q=...")
    return {"method": request.method, "words": words}
# [end:search]


def main() -> None:
    parser = argparse.ArgumentParser(description="The smallest Flask application.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    args = parser.parse_args()
    from werkzeug.serving import make_server

    server = make_server(args.host, args.port, app, threaded=True)
    print(f"hello listening on {args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
