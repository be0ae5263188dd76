"""A tiny CGI server: run a script for every request, as web servers did.

CGI (RFC 3875) is how a web server hands a request to a program: it
starts the program, puts the request in environment variables
(REQUEST_METHOD, QUERY_STRING, CONTENT_TYPE, HTTP_USER_AGENT...), writes
the body to its stdin, and reads the response from its stdout: header
lines ("Status: 404 Not Found", "Content-Type: ..."), an empty line, the
body. One new process per request.

Python's own CGI server (http.server.CGIHTTPRequestHandler) and the cgi
module were removed in Python 3.13; this launcher is ours, in a page.
It serves the scripts in examples/wsgi/cgi-bin/ at /cgi-bin/NAME.py.

    python examples/wsgi/cgi_launcher.py --port 8080
    curl -i 'http://127.0.0.1:8080/cgi-bin/hello.py?name=Ada'
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent / "cgi-bin"
TIMEOUT = 10.0  # seconds for a client to send its request
SCRIPT_TIMEOUT = 10.0  # seconds for a script to answer
MAX_BODY = 64 * 1024  # bytes of request body we pass on


# [start:environment]
def cgi_environment(handler, script_name, path_info, query, length):
    """The CGI variables for one request (RFC 3875, section 4.1)."""
    env = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": handler.version_string(),
        "SERVER_NAME": handler.server.server_address[0],
        "SERVER_PORT": str(handler.server.server_address[1]),
        "SERVER_PROTOCOL": handler.request_version,
        "REQUEST_METHOD": handler.command,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "REMOTE_ADDR": handler.client_address[0],
        "CONTENT_TYPE": handler.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(length) if length else "",
    }
    for name, value in handler.headers.items():  # HTTP_USER_AGENT...
        key = "HTTP_" + name.upper().replace("-", "_")
        if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
            env[key] = value
    return env | passed_on()
# [end:environment]


def passed_on() -> dict[str, str]:
    """Variables of our own environment that scripts need (Apache calls
    this PassEnv): PATH, Python's own, and COVERAGE_* (for the tests)."""
    return {name: value for name, value in os.environ.items()
            if name in ("PATH", "LANG") or name.startswith(("PYTHON", "COVERAGE_"))}


# [start:parse_output]
def parse_cgi_output(output: bytes) -> tuple[str, list, bytes]:
    """Split a script's stdout into (status, headers, body)."""
    empty_line = re.search(rb"\r?\n\r?\n", output)
    if empty_line is None:
        raise ValueError("no empty line after the headers")
    head = output[:empty_line.start()]
    body = output[empty_line.end():]
    status, headers = "200 OK", []
    for line in head.decode("latin-1").splitlines():
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(f"not a header line: {line!r}")
        if name.lower() == "status":
            status = value.strip()
        else:
            headers.append((name.strip(), value.strip()))
    if not re.fullmatch(r"[1-5]\d\d [^\r\n]*", status):
        raise ValueError(f"bad Status: {status!r}")
    return status, headers, body
# [end:parse_output]


class CGIRequestHandler(BaseHTTPRequestHandler):
    """Serve /cgi-bin/NAME.py by running that script."""

    server_version = "CourseCGI/1.0"
    timeout = TIMEOUT  # a client that stops sending is dropped

    def do_GET(self):
        self.run_script()

    do_POST = do_GET

    def log_message(self, format, *args):  # stderr, as http.server does
        sys.stderr.write(f"[cgi] {self.address_string()} {format % args}\n")

    def reply(self, status: str, headers, body: bytes) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason or None)
        for name, value in headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(body)

    def error(self, status: str, message: str) -> None:
        self.reply(status, [("Content-Type", "text/plain; charset=utf-8")],
                   f"{status}: {message}\n".encode())

    # [start:run_script]
    def run_script(self) -> None:
        path, _, query = self.path.partition("?")
        match = re.fullmatch(r"(/cgi-bin/[\w-]+\.py)(/.*)?", path)
        script = SCRIPTS / path.split("/")[2] if match else None
        if script is None or not script.is_file():
            return self.error("404 Not Found", "no such script")
        body = self.read_body()
        if body is None:
            return  # read_body has answered
    # [end:run_script]
    # [start:run_process]
        env = cgi_environment(self, match[1], match[2] or "", query,
                              len(body))
        try:
            done = subprocess.run(
                [sys.executable, script], input=body, env=env,
                capture_output=True, timeout=SCRIPT_TIMEOUT)
        except subprocess.TimeoutExpired:
            return self.error("504 Gateway Timeout", "too slow")
        sys.stderr.write(done.stderr.decode(errors="replace"))  # log
        try:
            self.reply(*parse_cgi_output(done.stdout))
        except ValueError as problem:
            self.error("502 Bad Gateway", f"script output: {problem}")
    # [end:run_process]

    def read_body(self) -> bytes | None:
        """The request body, or None after answering 400/408/413."""
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            self.error("400 Bad Request", "Content-Length is not a number")
            return None
        if int(length) > MAX_BODY:
            self.error("413 Content Too Large", f"at most {MAX_BODY} bytes")
            return None
        try:
            body = self.rfile.read(int(length))
        except TimeoutError:
            self.error("408 Request Timeout", "the body did not arrive in time")
            return None
        if len(body) < int(length):
            self.error("400 Bad Request", "the body is shorter than Content-Length")
            return None
        return body


def make_server(host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), CGIRequestHandler)
    server.daemon_threads = True
    return server


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with make_server(args.host, args.port) as server:
        host, port = server.server_address[:2]
        print(f"cgi_launcher listening on {host}:{port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
