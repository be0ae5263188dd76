"""Assignment, reference solution: commands for the chat server.

The chat server of chat_server.py, plus commands: a line that starts
with "/" is a command for the server, not a message for the room.

* ``/who``: the server answers, to you only, ``* online: alice, bob``
  (every member's nickname, sorted).
* ``/msg bob see you at 8``: only bob hears ``alice -> bob: see you at 8``.
  Errors: ``error: no member named bob``, and
  ``error: usage: /msg NICKNAME TEXT`` when the nickname or text is missing.
* ``/nick alicia``: you are renamed; you hear ``* you are alicia`` and the
  others ``* alice is now alicia``. The rules (and errors) are those of a
  first nickname.
* Any other command: ``error: unknown command /dance``.

Everything else is chat_server.py's protocol: nickname first, then lines
for the room, join/leave notices, overlong lines refused.

Run it, and chat with chat_client.py (or nc)::

    python examples/concurrency/exercises/chat_commands/solution.py
    python examples/concurrency/chat_client.py --port 50049
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable
from pathlib import Path

# Stopping cleanly on Ctrl-C, the --port check and the gentle close are
# those of lecture 4's servers, in examples/concurrency/service.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from service import (  # noqa: E402
    Connections, close_gently, port_number, serve_until_stopped,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50049
MAX_LINE = 1024  # bytes in one line, not counting the b"\n"
QUEUE_SIZE = 100  # lines waiting for a member before we drop it
IDLE_TIMEOUT = 3600.0  # seconds a member may stay silent
TOO_LONG_REPLY = f"error: line too long (max {MAX_LINE} bytes)\n".encode()
NICKNAME = re.compile(r"\w{1,20}", re.ASCII)


class LineTooLong(ValueError):
    pass


def log(message: str) -> None:
    print(f"[chat] {message}", file=sys.stderr, flush=True)


class Member:
    """One client: its nickname, and the lines waiting to reach it."""

    def __init__(self, nickname: str, writer: asyncio.StreamWriter) -> None:
        self.nickname = nickname
        self.writer = writer
        self.outbox: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_SIZE)

    def deliver(self, line: str) -> bool:
        """Queue a line for this member, never waiting; False if full."""
        try:
            self.outbox.put_nowait(f"{line}\n".encode())
            return True
        except asyncio.QueueFull:
            return False

    def write_pending(self) -> None:
        """Hand what is still queued to the connection, unless it is closing."""
        while not self.outbox.empty() and not self.writer.is_closing():
            self.writer.write(self.outbox.get_nowait())

    async def send_forever(self) -> None:
        """The member's own task: write its lines, at its own pace."""
        try:
            while True:
                self.writer.write(await self.outbox.get())
                while not self.outbox.empty():  # all that is waiting
                    self.writer.write(self.outbox.get_nowait())
                await self.writer.drain()
        except ConnectionError:
            pass  # gone: handle() notices it too, and cleans up


class ChatServer:
    """The room: who is in it, and what to do with their lines."""

    def __init__(self, timeout: float = IDLE_TIMEOUT) -> None:
        self.timeout = timeout
        self.members: dict[str, Member] = {}

    def broadcast(self, line: str, sender: Member | None = None) -> None:
        """Give line to every member except the sender; never waits."""
        for member in list(self.members.values()):
            if member is not sender and not member.deliver(line):
                log(f"{member.nickname} is not reading: dropping it")
                self.remove(member)
                member.writer.transport.abort()  # unread lines are lost

    def remove(self, member: Member) -> None:
        """Take member out of the room, once, and tell the others."""
        if self.members.get(member.nickname) is member:
            del self.members[member.nickname]
            self.broadcast(f"* {member.nickname} left")

    async def handle(self, reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        """One client, from greeting to goodbye."""
        member = None
        try:
            member = await self.join(reader, writer)
            if member is not None:
                sender = asyncio.create_task(member.send_forever())
                try:
                    await self.relay(reader, member)
                finally:
                    sender.cancel()
                    member.write_pending()  # lines queued, not yet sent
        except LineTooLong:
            writer.write(TOO_LONG_REPLY)
            await close_gently(reader, writer)  # not lost to a reset
        except (ConnectionError, TimeoutError) as exc:
            log(f"client lost: {exc!r}")
        finally:
            if member is not None:
                self.remove(member)
            writer.close()

    async def join(self, reader, writer) -> Member | None:
        """Ask for a nickname until a free, valid one comes; None at EOF."""
        def complain(line: str) -> None:
            writer.write(f"{line}\n".encode())

        await self.say(writer, "* welcome: send your nickname")
        while (line := await self.read_line(reader, complain)) is not None:
            nickname = line.strip()
            if not NICKNAME.fullmatch(nickname):
                await self.say(
                    writer, "error: a nickname is 1 to 20 letters, digits or _")
            elif nickname in self.members:
                await self.say(writer, f"error: nickname {nickname} is taken")
            else:
                member = Member(nickname, writer)
                member.deliver(f"* you are {nickname}")
                self.broadcast(f"* {nickname} joined")
                self.members[nickname] = member
                return member
        return None

    # [start:command]
    def command(self, member: Member, line: str) -> None:
        """Carry out a command line (it starts with "/") of member's."""
        name, _, rest = line.partition(" ")
        if name == "/who":
            member.deliver("* online: " + ", ".join(sorted(self.members)))
        elif name == "/msg":
            self.private_message(member, rest)
        elif name == "/nick":
            self.rename(member, rest.strip())
        else:
            member.deliver(f"error: unknown command {name}")
    # [end:command]

    def private_message(self, member: Member, rest: str) -> None:
        """"/msg bob hello": only bob hears "alice -> bob: hello"."""
        nickname, _, text = rest.strip().partition(" ")
        if not nickname or not text.strip():
            member.deliver("error: usage: /msg NICKNAME TEXT")
        elif nickname not in self.members:
            member.deliver(f"error: no member named {nickname}")
        else:
            self.members[nickname].deliver(
                f"{member.nickname} -> {nickname}: {text.strip()}")

    # [start:rename]
    def rename(self, member: Member, new: str) -> None:
        """"/nick alicia": a new name, under the rules of a first one."""
        if not NICKNAME.fullmatch(new):
            member.deliver("error: a nickname is 1 to 20 letters, digits or _")
        elif new in self.members:
            member.deliver(f"error: nickname {new} is taken")
        else:
            old = member.nickname
            del self.members[old]
            member.nickname = new
            self.members[new] = member
            member.deliver(f"* you are {new}")
            self.broadcast(f"* {old} is now {new}", member)
    # [end:rename]

    async def say(self, writer: asyncio.StreamWriter, line: str) -> None:
        """Write one line to a client that has not joined yet."""
        writer.write(f"{line}\n".encode())
        async with asyncio.timeout(self.timeout):
            await writer.drain()

    async def relay(self, reader: asyncio.StreamReader,
                    member: Member) -> None:
        """Pass member's lines on to the others, until it leaves."""
        complain = member.deliver  # errors go to the member's queue
        while (line := await self.read_line(reader, complain)) is not None:
            if member.nickname not in self.members:
                return  # dropped meanwhile, for being too slow
            if line.startswith("/"):
                self.command(member, line)
            elif line.strip():
                self.broadcast(f"{member.nickname}: {line}", member)
            # An await that need not wait does not let other tasks run:
            # yield, so that a burst of lines cannot starve the writers.
            await asyncio.sleep(0)

    async def read_line(self, reader: asyncio.StreamReader,
                        complain: Callable[[str], object]) -> str | None:
        """The next line as text, without its end; None at end of stream.

        A line that is not UTF-8 is skipped, and complain() tells the
        client so.
        """
        while True:
            try:
                async with asyncio.timeout(self.timeout):
                    raw = await reader.readuntil(b"\n")
            except asyncio.IncompleteReadError:  # closed, maybe mid-line
                return None
            except asyncio.LimitOverrunError:
                raise LineTooLong() from None
            try:
                return raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                complain("error: not UTF-8")


async def start(host: str = DEFAULT_HOST, port: int = 0,
                timeout: float = IDLE_TIMEOUT,
                connections: Connections | None = None,
                ) -> tuple[ChatServer, asyncio.Server]:
    """Open the room and listen; returns (room, listening server)."""
    room = ChatServer(timeout)
    connections = connections or Connections("chat")

    async def client_connected(reader, writer):
        with connections.track(writer):  # so that Ctrl-C can close it
            await room.handle(reader, writer)
    server = await asyncio.start_server(client_connected, host, port,
                                        limit=MAX_LINE)
    return room, server


async def serve(host: str, port: int, timeout: float) -> None:
    connections = Connections("chat")
    room, server = await start(host, port, timeout, connections)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"Chat server listening on {host}:{port}", flush=True)
    await serve_until_stopped(server, connections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A chat server (asyncio) with commands.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port to listen on, 0 for any free port "
                             "(default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=IDLE_TIMEOUT,
                        help="seconds a member may stay silent "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.host, args.port, args.timeout))
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass  # Ctrl-C: serve_until_stopped has closed everything
    return 0


if __name__ == "__main__":
    sys.exit(main())
