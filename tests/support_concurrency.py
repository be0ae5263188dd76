"""Test helpers for lecture 4 (concurrency): many real clients at once.

raised_fd_limit(n)              RLIMIT_NOFILE at least n, restored after
running_design(design, *args)   a server script of bench.DESIGNS, as a
                                subprocess; yields (process, (host, port))
many_clients(address, n, ...)   n connections held open at once, one
                                line exchanged on each; the replies
LineClient                      a blocking client reading reply lines
in_terminal(script, *args)      a server script run as from a terminal: a
                                process group of its own (for Ctrl-C), its
                                stderr in a file, optionally few open files
cpu_seconds(pid)                CPU time a process has used so far
"""

from __future__ import annotations

import asyncio
import os
import re
import resource
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import (
    EXIT_TIMEOUT,
    ROOT,
    SOCKET_TIMEOUT,
    STARTUP_TIMEOUT,
    _read_first_line,
    connect,
    recv_until_eof,
    script_command,
    script_env,
    start_example,
)


@contextmanager
def raised_fd_limit(needed: int) -> Iterator[None]:
    """Raise this process's open-file limit to at least `needed`, then restore it.

    Child processes started meanwhile inherit the raised limit.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise AssertionError(f"the hard limit on open files is {hard} < {needed}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, needed), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@contextmanager
def running_design(design, *args: str) -> Iterator[tuple[object, tuple[str, int]]]:
    """Run one of bench.DESIGNS as a student would, on a free port."""
    script = design.script.removesuffix(".py")
    with start_example("concurrency", script, *design.options, *args, "--port", "0") as (
        process,
        address,
        _,
    ):
        host, _, port = address.rpartition(":")
        yield process, (host, int(port))


async def _open_all(address, count: int, timeout: float):
    async def open_one():
        async with asyncio.timeout(timeout):
            return await asyncio.open_connection(*address)

    return await asyncio.gather(*(open_one() for _ in range(count)), return_exceptions=True)


async def _many_clients(address, count: int, timeout: float) -> list[bytes | BaseException]:
    opened = await _open_all(address, count, timeout)
    streams = [s for s in opened if not isinstance(s, BaseException)]
    try:

        async def exchange(number, reader, writer):
            # Every connection is open at this point: all `count` at once.
            writer.write(f"client {number}\n".encode())
            async with asyncio.timeout(timeout):
                return await reader.readline()

        results = await asyncio.gather(
            *(exchange(n, r, w) for n, (r, w) in enumerate(streams)), return_exceptions=True
        )
    finally:
        for _, writer in streams:
            writer.close()
        await asyncio.gather(*(w.wait_closed() for _, w in streams), return_exceptions=True)
    errors = [s for s in opened if isinstance(s, BaseException)]
    return [*results, *errors]


def many_clients(address, count: int, timeout: float = 30.0) -> list[bytes | BaseException]:
    """Open `count` connections to address, all at once; then each sends
    b"client N\\n" and reads one line back, while all are still open.

    Returns one entry per connection: the line received, or the exception
    met (connection refused, timeout...).
    """
    return asyncio.run(_many_clients(address, count, timeout))


def expected_replies(count: int) -> list[bytes]:
    return [f"client {number}\n".encode() for number in range(count)]


class LineClient:
    """A blocking test client: send bytes, read reply lines."""

    def __init__(self, address, timeout: float = SOCKET_TIMEOUT) -> None:
        self.sock = connect(address, timeout)
        self.pending = b""

    def __enter__(self) -> LineClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        """The next line received, with its b"\\n"."""
        while b"\n" not in self.pending:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"closed by the server after {self.pending!r}")
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line + b"\n"

    def ask(self, data: bytes) -> bytes:
        self.send(data)
        return self.line()

    def rest_until_closed(self) -> bytes:
        """What arrives until the server closes (a reset counts as closed)."""
        try:
            return self.pending + recv_until_eof(self.sock)
        except ConnectionResetError:
            return self.pending


class TerminalRun:
    """A server script started by in_terminal()."""

    def __init__(self, process: subprocess.Popen, stderr_path: Path) -> None:
        self.process = process
        self.stderr_path = stderr_path
        self.address: tuple[str, int] = ("", 0)

    @property
    def stderr(self) -> str:
        """What the script has written to stderr so far."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def interrupt(self) -> None:
        """Ctrl-C, as a terminal sends it: SIGINT to the process group."""
        os.killpg(self.process.pid, signal.SIGINT)


@contextmanager
def in_terminal(tmp_path: Path, script: str, *args: str,
                open_files: int | None = None) -> Iterator[TerminalRun]:
    """Run examples/concurrency/<script>.py *args --port 0 as a student runs
    it in a terminal: in a process group of its own, so that interrupt()
    reaches its children too. With open_files, its RLIMIT_NOFILE is that
    low. stderr goes to a file, to be read while it runs.

    On exit the whole group is killed (if still running) and waited for.
    """
    def limit_open_files() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    env = script_env()
    if open_files is not None:
        # a run measured by coverage.py (make test) opens files of its own,
        # which would count against the limit the test is about
        env = {name: value for name, value in env.items() if not name.startswith("COVERAGE_")}
    stderr_path = tmp_path / f"{script.replace('/', '-')}.stderr"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            script_command("concurrency", script, *args, "--port", "0"),
            stdout=subprocess.PIPE, stderr=stderr, text=True, encoding="utf-8",
            cwd=ROOT, env=env, start_new_session=True,
            preexec_fn=limit_open_files,
        )
    run = TerminalRun(process, stderr_path)
    try:
        first_line = _read_first_line(process, STARTUP_TIMEOUT)
        match = re.fullmatch(r".* listening on (\S+):(\d+)\n", first_line)
        assert match, f"{first_line!r}, stderr: {run.stderr}"
        run.address = (match.group(1), int(match.group(2)))
        yield run
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=EXIT_TIMEOUT)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14, 15 of stat
    return (utime + stime) / os.sysconf("SC_CLK_TCK")
