"""A CGI script: the request comes in os.environ and stdin, the response
goes out on stdout: headers, an empty line, the body.

cgi_launcher.py runs it once per request, at /cgi-bin/hello.py:

    curl 'http://127.0.0.1:8080/cgi-bin/hello.py?name=Ada'
    curl -d name=Grace http://127.0.0.1:8080/cgi-bin/hello.py
"""

import html
import os
import sys
from urllib.parse import parse_qs


# [start:script]
def read_form() -> dict[str, list[str]]:
    """The form fields: from the query string, or from a POST body."""
    if os.environ["REQUEST_METHOD"] == "POST":
        length = int(os.environ.get("CONTENT_LENGTH") or 0)
        return parse_qs(sys.stdin.buffer.read(length).decode())
    return parse_qs(os.environ.get("QUERY_STRING", ""))


def main():
    name = read_form().get("name", ["world"])[0]
    body = f"<p>Hello, {html.escape(name)}!</p>\n".encode()
    head = b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    sys.stdout.buffer.write(head + body)
# [end:script]


if __name__ == "__main__":
    main()
