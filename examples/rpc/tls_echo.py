"""A line echo server over TLS, with certificate checks on both sides (ssl).

It demonstrates the two ssl contexts: the server's holds its certificate
and private key; the client's holds the certificate authorities it trusts
and checks the server's name (check_hostname). A client that fails the
handshake (it does not trust us, or it does not speak TLS) is logged and
dropped; the server goes on.

For a certificate, use the test one trustme makes (see the tests), or::

    python examples/rpc/tls_echo.py --cert server.pem --key server.key --port 0
    python examples/rpc/tls_echo.py --help
"""

import argparse
import socket
import ssl
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8443
MAX_LINE = 4096


def log(message: str) -> None:
    print(f"[tls echo] {message}", file=sys.stderr, flush=True)


# [start:contexts]
def server_context(certfile: str,
                   keyfile: str | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    return context


def client_context(cafile: str | None = None) -> ssl.SSLContext:
    # verify_mode CERT_REQUIRED and check_hostname are on by default
    return ssl.create_default_context(cafile=cafile)
# [end:contexts]


# [start:handle]
def handle_client(conn: socket.socket, context: ssl.SSLContext,
                  timeout: float = 10.0) -> None:
    conn.settimeout(timeout)  # the handshake too is bounded
    try:
        with context.wrap_socket(conn, server_side=True) as tls:
            with tls.makefile("rb") as lines:
                line = lines.readline(MAX_LINE + 1)
                if len(line) > MAX_LINE:
                    line = b"error: line too long\n"
                tls.sendall(line)
                drain(lines)
    except (ssl.SSLError, TimeoutError, ConnectionError) as exc:
        log(f"client dropped: {exc!r}")
# [end:handle]


def drain(lines) -> None:
    """Drop up to 1 MiB of what the client still sends, until it closes:
    closing with unread input makes the kernel reset the connection,
    which can destroy our reply before the client reads it."""
    dropped = 0
    while dropped < 1 << 20 and (chunk := lines.read1(65536)):
        dropped += len(chunk)


def serve(server: socket.socket, context: ssl.SSLContext,
          max_clients: int | None = None, timeout: float = 10.0) -> None:
    served = 0
    while max_clients is None or served < max_clients:
        conn, _ = server.accept()
        with conn:
            handle_client(conn, context, timeout)
        served += 1


# [start:client]
def echo(address, line: bytes, context: ssl.SSLContext,
         server_hostname: str = "localhost") -> bytes:
    with socket.create_connection(address, timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
            tls.sendall(line)
            with tls.makefile("rb") as replies:
                return replies.readline(MAX_LINE)
# [end:client]


def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    return socket.create_server((host, port))


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT)
    parser.add_argument("--cert", required=True, help="certificate chain (PEM)")
    parser.add_argument("--key", help="private key (PEM), if not in --cert")
    args = parser.parse_args(argv)
    context = server_context(args.cert, args.key)
    with make_server(args.host, args.port) as server:
        host, port = server.getsockname()[:2]
        print(f"tls echo listening on {host}:{port}", flush=True)
        try:
            serve(server, context)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
