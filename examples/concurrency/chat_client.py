"""A chat client: what you type goes to the server, what others say appears.

A client waits for two things at once: the keyboard and the socket. It
uses two threads, each blocked on one of them: the main thread reads lines
from stdin and sends them; a second thread prints every line the server
sends. Type your nickname first; end with Ctrl-D (end of input).

    python examples/concurrency/chat_server.py          # first terminal
    python examples/concurrency/chat_client.py          # a few others
    python examples/concurrency/chat_client.py --help
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading

from service import port_number

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50046


# [start:client]
def print_incoming(sock: socket.socket) -> None:
    """The second thread: print each line until the server closes."""
    text = sock.makefile("r", encoding="utf-8", errors="replace")
    with text as lines:
        try:
            for line in lines:
                print(line, end="", flush=True)
        except OSError:
            pass  # reset by the server, or closed by us: chat over


def chat(host: str, port: int, keyboard=sys.stdin) -> None:
    """Send each line typed; print the room's lines meanwhile."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.settimeout(None)  # connected: now wait as long as needed
        printer = threading.Thread(target=print_incoming,
                                   args=(sock,))
        printer.start()
        try:
            for line in keyboard:
                sock.sendall(line.encode("utf-8"))
        except OSError:
            pass  # the server left; the printer shows its last words
        finally:
            try:
                sock.shutdown(socket.SHUT_WR)  # done: server hangs up
            except OSError:
                pass
            printer.join()
# [end:client]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A client for chat_server.py.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="server address (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="server port (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        chat(args.host, args.port)
    except OSError as exc:
        print(f"cannot chat with {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
