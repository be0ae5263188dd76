"""Assignment: an RPC service that only talks to clients that
prove a shared key, over TLS.

A connection goes through three stages, in this order:

1. TLS: the server presents its certificate; the client checks it and
   the server's name (its ssl context does).
2. Authentication: the server sends a 32-byte random challenge; the
   client answers HMAC-SHA256(key, challenge); the server compares with
   hmac.compare_digest and replies b"OK\\n", or b"NO\\n" and hangs up.
3. Calls: one JSON object per line, {"id", "method", "params"} in,
   {"id", "result"} or {"id", "error"} out, as in examples/rpc/jsonrpc.py.

    python solution.py --cert server.pem --key-file secret.key --port 0
"""

import argparse
import hashlib
import hmac
import json
import secrets
import socket
import ssl
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443
CHALLENGE_SIZE = 32
MAX_LINE = 64 * 1024


class AuthenticationFailed(Exception):
    """The server did not accept our answer to its challenge."""


class RemoteError(Exception):
    """The server answered a call with an error."""


def log(message: str) -> None:
    print(f"[secure rpc] {message}", file=sys.stderr, flush=True)


# Given: reading exactly n bytes, and the calls themselves -------------------

def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError(f"peer closed after {len(data)} of {size} bytes")
        data += chunk
    return bytes(data)


FUNCTIONS = {
    "add": lambda a, b: a + b,
    "upper": lambda text: text.upper(),
}


def handle_request(line: bytes) -> bytes:
    """One request line in, one reply line out; never raises."""
    try:
        request = json.loads(line)
        name, params = request["method"], list(request.get("params", []))
    except (ValueError, KeyError, TypeError) as exc:
        return json.dumps({"id": None, "error": f"malformed request: {exc}"}).encode() + b"\n"
    try:
        result = FUNCTIONS[name](*params)
    except KeyError:
        answer = {"id": request.get("id"), "error": f"no such method: {name!r}"}
    except Exception as exc:
        answer = {"id": request.get("id"), "error": f"{type(exc).__name__}: {exc}"}
    else:
        answer = {"id": request.get("id"), "result": result}
    return json.dumps(answer).encode() + b"\n"


def serve_calls(tls: socket.socket) -> None:
    """Stage 3: answer request lines until the client leaves."""
    with tls.makefile("rb") as lines:
        while line := lines.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE:
                tls.sendall(b'{"id": null, "error": "request too long"}\n')
                # Drop what the client still sends (up to 1 MiB) before
                # closing: closing with unread input resets the connection,
                # which can destroy the reply before the client reads it.
                dropped = 0
                while dropped < 1 << 20 and (chunk := lines.read1(65536)):
                    dropped += len(chunk)
                return
            if not line.endswith(b"\n"):
                return  # the client left mid-request
            tls.sendall(handle_request(line))


# Server --------------------------------------------------------------------

def expected_answer(key: bytes, challenge: bytes) -> bytes:
    return hmac.new(key, challenge, hashlib.sha256).digest()


def authenticate(tls: socket.socket, key: bytes) -> bool:
    """Stage 2, server side: challenge the client, check its answer.

    TODO: send CHALLENGE_SIZE random bytes (secrets), read the 32-byte
    answer, compare it with expected_answer using hmac.compare_digest,
    reply b"OK\\n" or b"NO\\n", and return whether it matched.
    """
    raise NotImplementedError("TODO")


def handle_client(conn: socket.socket, context: ssl.SSLContext, key: bytes,
                  timeout: float = 10.0) -> None:
    """TODO: stage 1 (wrap conn with context, server side), then
    authenticate, then serve_calls. A failed handshake, a wrong answer, a
    silent or vanished client ends this client only: log it."""
    raise NotImplementedError("TODO")


def serve(server: socket.socket, context: ssl.SSLContext, key: bytes,
          max_clients: int | None = None, timeout: float = 10.0) -> None:
    served = 0
    while max_clients is None or served < max_clients:
        conn, _ = server.accept()
        with conn:
            handle_client(conn, context, key, timeout)
        served += 1


# Client --------------------------------------------------------------------

class SecureProxy:
    """proxy.name(*args) calls name on the server, once connected."""

    def __init__(self, tls: socket.socket) -> None:
        self._tls = tls
        self._replies = tls.makefile("rb")
        self._next_id = 0

    def __getattr__(self, name: str):
        def call(*params):
            self._next_id += 1
            request = {"id": self._next_id, "method": name, "params": list(params)}
            self._tls.sendall(json.dumps(request).encode() + b"\n")
            line = self._replies.readline(MAX_LINE + 1)
            if not line.endswith(b"\n"):
                raise ConnectionError("the server closed the connection")
            reply = json.loads(line)
            if "error" in reply:
                raise RemoteError(reply["error"])
            return reply["result"]
        return call

    def close(self) -> None:
        self._replies.close()
        self._tls.close()

    def __enter__(self) -> "SecureProxy":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def connect(address, context: ssl.SSLContext, key: bytes,
            server_hostname: str = "localhost", timeout: float = 10.0) -> SecureProxy:
    """Stages 1 and 2, client side; raise AuthenticationFailed if refused.

    TODO: connect, wrap the socket with context (server_hostname!), read
    the challenge, send expected_answer(key, challenge), read the verdict.
    Close what you opened if anything fails.
    """
    raise NotImplementedError("TODO")


# Given: the command line -------------------------------------------------------

def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="An authenticated RPC service over TLS.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT)
    parser.add_argument("--cert", required=True, help="certificate and key (PEM)")
    parser.add_argument("--key-file", type=Path, required=True, help="the shared secret")
    args = parser.parse_args(argv)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert)
    key = args.key_file.read_bytes()
    with socket.create_server((args.host, args.port)) as server:
        host, port = server.getsockname()[:2]
        print(f"secure rpc listening on {host}:{port}", flush=True)
        try:
            serve(server, context, key)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
