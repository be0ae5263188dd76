"""The WSGI book application (bookdb.py), run as a CGI script.

wsgiref.handlers.CGIHandler is a bridge: it builds a WSGI environ from
the CGI variables and stdin, calls the application, and writes the
response to stdout with a "Status:" header. Any WSGI application can run
this way, under any web server that speaks CGI; it just starts again
for every request.

    curl http://127.0.0.1:8080/cgi-bin/books.py/books/2
"""

import sys
from pathlib import Path
from wsgiref.handlers import CGIHandler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # examples/wsgi

import bookdb  # noqa: E402  (after the path is set)

if __name__ == "__main__":
    CGIHandler().run(bookdb.application)
