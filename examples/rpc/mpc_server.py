"""Python objects between two interpreters: multiprocessing.connection.

It demonstrates Listener and Client, which send whole Python objects
(pickled) over a socket, after both sides prove they know the same authkey
(an HMAC challenge-response, as in hmac_auth.py). Because the peer has
proved the key before any pickle is read, unpickling its objects is as
safe as trusting whoever holds the key. The server answers requests
("add", a, b) and ("upper", text); a client with the wrong key, or one
that sends garbage, is dropped without stopping the server.

    MPC_AUTHKEY=secret python examples/rpc/mpc_server.py --port 0
    MPC_AUTHKEY=secret python examples/rpc/mpc_server.py client PORT add 2 3
"""

import argparse
import os
import sys
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8003

OPERATIONS = {
    "add": lambda a, b: a + b,
    "upper": lambda text: text.upper(),
}


def log(message: str) -> None:
    print(f"[mpc server] {message}", file=sys.stderr, flush=True)


# [start:answer]
def answer(request: object) -> tuple:
    """("add", 2, 3) -> ("ok", 5); anything else -> ("error", why)."""
    if not isinstance(request, tuple) or not request:
        return ("error", "a request is a tuple (operation, *arguments)")
    operation, *args = request
    if operation not in OPERATIONS:
        return ("error", f"unknown operation {operation!r}")
    try:
        return ("ok", OPERATIONS[operation](*args))
    except Exception as exc:
        return ("error", f"{type(exc).__name__}: {exc}")
# [end:answer]


# [start:serve]
def serve(listener: Listener, max_clients: int | None = None) -> None:
    served = 0
    while max_clients is None or served < max_clients:
        served += 1
        try:
            conn = listener.accept()  # the authkey handshake
        except (AuthenticationError, EOFError, OSError) as exc:
            log(f"client refused: {exc!r}")
            continue
        with conn:
            try:
                while True:
                    conn.send(answer(conn.recv()))
            except EOFError:
                pass  # the client hung up
            except Exception as exc:  # unpicklable, reset...
                log(f"client dropped: {exc!r}")
# [end:serve]


def make_listener(host: str = DEFAULT_HOST, port: int = 0,
                  authkey: bytes = b"") -> Listener:
    if not authkey:
        raise ValueError("refusing to serve pickles without an authkey")
    return Listener((host, port), authkey=authkey)


# [start:client]
def call(address, authkey: bytes, *request):
    with Client(address, authkey=authkey) as conn:
        conn.send(request)
        status, value = conn.recv()
    if status != "ok":
        raise RuntimeError(value)
    return value
# [end:client]


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT)
    commands = parser.add_subparsers(dest="command")
    client = commands.add_parser("client", help="call a running server")
    client.add_argument("server_port", type=port_number)
    client.add_argument("operation")
    client.add_argument("args", nargs="*")
    args = parser.parse_args(argv)
    authkey = os.environ.get("MPC_AUTHKEY", "").encode()
    if not authkey:
        parser.error("set the shared key in the environment: MPC_AUTHKEY=...")
    if args.command == "client":
        values = [int(a) if a.lstrip("-").isdigit() else a for a in args.args]
        print(call((args.host, args.server_port), authkey, args.operation, *values))
        return
    with make_listener(args.host, args.port, authkey) as listener:
        host, port = listener.address
        print(f"mpc server listening on {host}:{port}", flush=True)
        try:
            serve(listener)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
