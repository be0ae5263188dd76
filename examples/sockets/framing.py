"""Framing: how to find where one message ends and the next begins.

TCP carries a stream of bytes, not messages. recv returns whatever has
arrived so far: two sendall calls may come out of one recv, and one sendall
may need several recvs. Programs that exchange messages must mark the
boundaries themselves. This module shows the two usual ways:

* a length prefix: send_message / recv_message put a 4-byte length in
  front of every payload, so the receiver knows how much to read;
* a delimiter: LineReader splits the stream at b"\\n", keeping any extra
  bytes it has read for the next line.

Both refuse messages above a size limit, so a broken or hostile peer cannot
make us read (and store) without end.

Run the demonstration over a pair of connected sockets::

    python examples/sockets/framing.py
    python examples/sockets/framing.py --help
"""

import argparse
import socket
import struct
import sys

HEADER = struct.Struct("!I")  # 4-byte unsigned int, network byte order
CHUNK_SIZE = 4096


class ConnectionClosed(ConnectionError):
    """The peer closed the connection before a whole message arrived."""


class MessageTooLarge(ValueError):
    """A message (or the length it announces) is above our limit."""


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    """Receive exactly n bytes, however many recv calls that takes."""
    chunks = []
    remaining = n
    while remaining > 0:
        # Ask for no more than we need: the rest is the next message's.
        chunk = sock.recv(min(remaining, CHUNK_SIZE))
        if not chunk:
            received = n - remaining
            raise ConnectionClosed(
                f"connection closed after {received} of {n} bytes"
            )
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def send_message(sock: socket.socket, payload: bytes) -> None:
    """Send payload after its length, a 4-byte big-endian number."""
    sock.sendall(HEADER.pack(len(payload)) + payload)


MAX_MESSAGE = 1_048_576  # bytes: 1 MiB


def recv_message(sock: socket.socket, max_size=MAX_MESSAGE) -> bytes:
    """Receive a message framed by send_message; return its payload."""
    (length,) = HEADER.unpack(recv_exactly(sock, HEADER.size))
    if length > max_size:
        # Refuse before reading: the peer could announce up to 4 GiB.
        raise MessageTooLarge(
            f"message of {length} bytes, above the {max_size} limit"
        )
    return recv_exactly(sock, length)


class LineReader:
    """Read lines ending in b"\\n" from a socket, one at a time."""

    def __init__(self, sock: socket.socket, max_line: int = 4096) -> None:
        self.sock = sock
        self.max_line = max_line
        self.buffer = bytearray()  # bytes received but not returned yet

    def readline(self) -> bytes | None:
        """Return the next line without its b"\\n"; None at a clean EOF.

        Raises MessageTooLarge if the line is longer than max_line bytes,
        ConnectionClosed if the peer closes in the middle of a line.
        """
        while b"\n" not in self.buffer:
            if len(self.buffer) > self.max_line:  # too long, even unfinished
                raise MessageTooLarge(f"line above {self.max_line} bytes")
            chunk = self.sock.recv(CHUNK_SIZE)
            if not chunk:  # end of stream
                if self.buffer:
                    raise ConnectionClosed("connection closed mid-line")
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        if len(line) > self.max_line:
            raise MessageTooLarge(f"line above {self.max_line} bytes")
        return bytes(line)  # the rest stays in the buffer for the next call


def demonstrate() -> None:
    """Show the boundary problem and both fixes on a connected socket pair."""
    sender, receiver = socket.socketpair()  # two connected sockets
    with sender, receiver:
        sender.sendall(b"hello")
        sender.sendall(b"world")
        print("two sendall calls, one recv:", receiver.recv(1024))

        send_message(sender, b"hello")
        send_message(sender, b"world")
        first, second = recv_message(receiver), recv_message(receiver)
        print("length prefix:", first, "then", second)

        sender.sendall(b"hello\nworld\n")
        lines = LineReader(receiver)
        print("lines:", lines.readline(), "then", lines.readline())


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        description="Demonstrate the message-boundary problem and framing."
    ).parse_args(argv)
    demonstrate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
