"""The JSON registry of jsonrpc.py served over ZeroMQ REQ/REP (pyzmq).

It demonstrates what a messaging library takes off our hands: ZeroMQ
delivers whole messages (no framing code), reconnects, and queues; a REP
socket answers each request in turn. The request handling is the same
Registry.handle as over plain TCP: only the transport changed. Messages
larger than MAX_MESSAGE bytes are dropped by ZeroMQ itself, which then
disconnects that peer.

    python examples/rpc/zmq_server.py --port 0
    python examples/rpc/zmq_server.py --help
"""

import argparse

import zmq

from jsonrpc import demo

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8005
MAX_MESSAGE = 64 * 1024


# [start:serve]
def serve(context: zmq.Context, endpoint: str, registry=demo,
          max_requests: int | None = None, ready=None) -> None:
    with context.socket(zmq.REP) as sock:
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
        sock.setsockopt(zmq.LINGER, 0)
        sock.bind(endpoint)
        if ready is not None:
            ready(sock.getsockopt_string(zmq.LAST_ENDPOINT))
        handled = 0
        while max_requests is None or handled < max_requests:
            request = sock.recv()  # always one whole message
            sock.send(registry.handle(request))
            handled += 1
# [end:serve]


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    port = "*" if args.port == 0 else args.port  # ZeroMQ's "any free port"
    with zmq.Context() as context:
        def announce(endpoint: str) -> None:
            address = endpoint.removeprefix("tcp://")
            print(f"zmq server listening on {address}", flush=True)
        try:
            serve(context, f"tcp://{args.host}:{port}", ready=announce)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
