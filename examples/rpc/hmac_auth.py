"""Challenge-response authentication with a shared key (hmac, secrets).

It demonstrates how a server can check that a client knows a secret key
without the key ever crossing the network: the server sends a fresh random
challenge, the client answers with HMAC(key, challenge), the server
computes the same and compares with hmac.compare_digest (in constant time).
A recorded answer is useless later: the next challenge is different.
Authenticated clients get one line, a welcome; others are told NO and
dropped.

    python examples/rpc/hmac_auth.py --port 0 --key-file secret.key
    python examples/rpc/hmac_auth.py --help
"""

import argparse
import hashlib
import hmac
import secrets
import socket
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8002
CHALLENGE_SIZE = 32  # bytes of randomness per connection
ANSWER_SIZE = hashlib.sha256().digest_size  # 32 bytes
WELCOME = b"OK welcome\n"
REFUSED = b"NO\n"


def log(message: str) -> None:
    print(f"[hmac server] {message}", file=sys.stderr, flush=True)


# [start:hmac]
def make_challenge() -> bytes:
    return secrets.token_bytes(CHALLENGE_SIZE)


def answer(key: bytes, challenge: bytes) -> bytes:
    return hmac.new(key, challenge, hashlib.sha256).digest()


def verify(key: bytes, challenge: bytes, response: bytes) -> bool:
    return hmac.compare_digest(answer(key, challenge), response)
# [end:hmac]


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read exactly size bytes; EOFError if the peer closes before."""
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError(f"peer closed after {len(data)} of {size} bytes")
        data += chunk
    return bytes(data)


# [start:server_side]
def authenticate_client(conn: socket.socket, key: bytes) -> bool:
    """Server side: challenge; True if the client proved the key."""
    challenge = make_challenge()
    conn.sendall(challenge)
    response = recv_exactly(conn, ANSWER_SIZE)
    return verify(key, challenge, response)
# [end:server_side]


# [start:client_side]
def prove_identity(sock: socket.socket, key: bytes) -> bytes:
    """Client side: answer the challenge; return the verdict."""
    challenge = recv_exactly(sock, CHALLENGE_SIZE)
    sock.sendall(answer(key, challenge))
    return sock.recv(1024)
# [end:client_side]


def handle_client(conn: socket.socket, key: bytes, timeout: float = 10.0) -> bool:
    conn.settimeout(timeout)
    try:
        if authenticate_client(conn, key):
            conn.sendall(WELCOME)
            return True
        conn.sendall(REFUSED)
        log("wrong answer: client refused")
        hang_up(conn)
    except (EOFError, TimeoutError, ConnectionError) as exc:
        log(f"client dropped during authentication: {exc!r}")
    return False


def hang_up(conn: socket.socket) -> None:
    """Close our side, then drop up to 1 MiB of what the client still
    sends, so that closing does not reset the connection and destroy the
    verdict before the client reads it."""
    conn.shutdown(socket.SHUT_WR)
    dropped = 0
    while dropped < 1 << 20 and (chunk := conn.recv(65536)):
        dropped += len(chunk)


def serve(server: socket.socket, key: bytes, max_clients: int | None = None,
          timeout: float = 10.0) -> None:
    served = 0
    while max_clients is None or served < max_clients:
        conn, _ = server.accept()
        with conn:
            handle_client(conn, key, timeout)
        served += 1


def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    return socket.create_server((host, port), reuse_port=False)


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT)
    parser.add_argument("--key-file", type=Path, required=True,
                        help="file holding the shared secret key")
    args = parser.parse_args(argv)
    key = args.key_file.read_bytes()
    with make_server(args.host, args.port) as server:
        host, port = server.getsockname()[:2]
        print(f"hmac server listening on {host}:{port}", flush=True)
        try:
            serve(server, key)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
