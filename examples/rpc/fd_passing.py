"""Hand an accepted connection to another process (socket.send_fds).

It demonstrates passing an open file descriptor over a Unix-domain socket:
the parent accepts TCP clients and sends each connection's descriptor to a
worker process, which answers the client directly; the parent closes its
copy at once. This is how a supervisor hands work to workers without
proxying the bytes (Linux and other Unixes; not Windows).

    python examples/rpc/fd_passing.py --port 0
    python examples/rpc/fd_passing.py --help
"""

import argparse
import os
import socket
import subprocess
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8004
MAX_LINE = 1024


# [start:pass]
def pass_connection(channel: socket.socket,
                    conn: socket.socket) -> None:
    """Send conn's descriptor over the Unix socket `channel`."""
    socket.send_fds(channel, [b"conn"], [conn.fileno()])


def receive_connection(channel: socket.socket):
    """The next connection passed to us; None when the parent left."""
    message, fds, _, _ = socket.recv_fds(channel, 16, maxfds=1)
    if not fds:
        return None
    return socket.socket(fileno=fds[0])  # family, type: from the fd
# [end:pass]


# [start:worker]
def worker(channel: socket.socket) -> None:
    while (conn := receive_connection(channel)) is not None:
        with conn, conn.makefile("rb") as lines:
            conn.settimeout(10)
            try:
                answer_one_line(conn, lines)
            except (TimeoutError, ConnectionError) as exc:
                print(f"[worker] dropped: {exc!r}", file=sys.stderr)
# [end:worker]


def answer_one_line(conn: socket.socket, lines) -> None:
    """Reply to one line with this worker's pid and the line."""
    line = lines.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        line = b"error: line too long\n"
    conn.sendall(f"worker {os.getpid()}: ".encode() + line)
    conn.shutdown(socket.SHUT_WR)
    drain(conn)


def drain(conn: socket.socket) -> None:
    """Drop up to 1 MiB of what the client still sends, until it closes,
    so that closing does not reset the connection and lose our reply."""
    dropped = 0
    while dropped < 1 << 20 and (chunk := conn.recv(65536)):
        dropped += len(chunk)


def start_worker(channel: socket.socket) -> subprocess.Popen:
    """Run this file as a worker process that inherits `channel`."""
    fd = channel.fileno()
    return subprocess.Popen(
        [sys.executable, __file__, "worker", str(fd)], pass_fds=[fd]
    )


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT)
    parser.add_argument("role", nargs="?", default="parent",
                        help=argparse.SUPPRESS)
    parser.add_argument("fd", nargs="?", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "worker":
        with socket.socket(fileno=args.fd) as channel:
            worker(channel)
        return
    parent_end, worker_end = socket.socketpair()
    with parent_end, socket.create_server((args.host, args.port)) as server:
        process = start_worker(worker_end)
        worker_end.close()  # the worker has its own copy now
        host, port = server.getsockname()[:2]
        print(f"parent {os.getpid()} listening on {host}:{port}", flush=True)
        try:
            while True:
                conn, _ = server.accept()
                with conn:  # our copy closes; the worker's stays open
                    pass_connection(parent_end, conn)
        except KeyboardInterrupt:
            pass
        finally:
            parent_end.close()  # the worker sees EOF and stops
            process.wait(timeout=5)


if __name__ == "__main__":
    main()
