"""A real PostgreSQL server for tests, from the system's own binaries.

Shared by every lecture that needs PostgreSQL (Flask, Django...):

    from tests.postgres import postgres_server, postgres_url  # noqa: F401

    def test_something(postgres_url):       # a fresh, empty database
        engine = create_engine(postgres_url)  # postgresql://postgres@127.0.0.1:PORT/test_3

    postgres_server                 session fixture: a PostgresServer
        .url(name)                  the URL of database `name` on it
        .database()                 context manager: create a fresh database,
                                    yield its URL, drop it afterwards
        .host, .port, .user
    postgres_url                    function fixture: postgres_server.database()

The server is Debian's (``apt-get install postgresql``; the binaries live in
/usr/lib/postgresql/<version>/bin, not on PATH). It runs in a temporary
folder, listens on 127.0.0.1 only at a free port, keeps its Unix socket in
that folder, trusts local connections (user ``postgres``, no password), and
trades durability for speed (fsync off). PostgreSQL refuses to run as root:
under root (as in CI) the folder is handed to the ``postgres`` user and the
server runs as that user. At the end of the run the server is stopped and
the folder removed.

Without the binaries the tests skip, naming the package to install, except
under CI=true, where it is a failure (tests.net.require_command).

One server per module that imports the fixture (pytest makes one session
fixture per place it is defined); import it into a single test file, or a
plugin, if several files should share one.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.net import LOOPBACK, require_command

PACKAGE = "postgresql"  # the Debian package that holds initdb, pg_ctl, postgres
SUPERUSER = "postgres"
START_TIMEOUT = 30  # seconds


def find_bindir() -> Path:
    """The folder of initdb and pg_ctl: Debian's newest version, or PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    return Path(require_command("initdb", PACKAGE)).parent  # skips (or fails in CI)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; see the module docstring."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.host = LOOPBACK
        self.port = 0
        self.user = SUPERUSER
        self.as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="course-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._names = itertools.count(1)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self.as_root:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=START_TIMEOUT + 10
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({result.returncode}): {result.stderr}{result.stdout}\n{log}"
            )

    def start(self) -> None:
        if self.as_root:
            entry = pwd.getpwnam(SUPERUSER)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb", "--pgdata", str(self.data), "--username", SUPERUSER,
            "--auth", "trust", "--encoding", "UTF8", "--locale", "C", "--no-sync",
        )
        for attempt in range(3):  # another program may take the free port first
            self.port = free_port()
            options = (
                f"-h {self.host} -p {self.port} -k {self.folder}"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run(
                    "pg_ctl", "start", "--pgdata", str(self.data), "--log", str(self.log),
                    "--wait", "--timeout", str(START_TIMEOUT), "--options", options,
                )
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "fast", "--wait")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as connection:
            connection.execute(sql)

    @contextmanager
    def database(self) -> Iterator[str]:
        """A fresh empty database for the with block; yields its URL."""
        name = f"test_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self.url(name)
        finally:
            self._admin(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(find_bindir())
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url
