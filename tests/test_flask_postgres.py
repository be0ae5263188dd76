"""The PostgreSQL server of tests/postgres.py (which lecture 8 runs the
microblog on), and the DB-API lesson of lecture 8 on it: psycopg 3 takes
parameters as %s, and an injection attempt through one fails there too."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.postgres import PostgresServer, find_bindir


@pytest.fixture(scope="module")
def server():
    server = PostgresServer(find_bindir())
    server.start()
    yield server
    server.stop()


def test_the_server_listens_on_loopback_only_with_its_socket_in_its_folder(server):
    with psycopg.connect(server.url(), connect_timeout=10) as connection:
        settings = {
            name: connection.execute(f"SHOW {name}").fetchone()[0]
            for name in ("listen_addresses", "unix_socket_directories", "port", "fsync")
        }
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(server.folder),
        "port": str(server.port),
        "fsync": "off",
    }


def test_each_database_is_fresh_and_dropped_afterwards(server):
    with server.database() as first, psycopg.connect(first) as connection:
        connection.execute("CREATE TABLE note (text TEXT)")
    with server.database() as second, psycopg.connect(second) as connection:
        tables = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchall() == []
    with psycopg.connect(server.url()) as connection:
        names = connection.execute("SELECT datname FROM pg_database").fetchall()
    assert first.rpartition("/")[2] not in {name for (name,) in names}


def test_an_injection_through_a_parameter_fails_on_postgresql_too(server):
    with server.database() as url, psycopg.connect(url) as connection:
        connection.execute("CREATE TABLE person (name TEXT, admin BOOLEAN)")
        connection.execute("INSERT INTO person VALUES ('alice', false), ('root', true)")
        name = "nobody' OR '1'='1"
        query = "SELECT name FROM person WHERE name = %s"
        assert connection.execute(query, (name,)).fetchall() == []
        assert connection.execute(query, ("root",)).fetchall() == [("root",)]


def test_stop_ends_the_server_and_removes_its_folder():
    server = PostgresServer(find_bindir())
    server.start()
    pid = int((server.data / "postmaster.pid").read_text().split()[0])
    server.stop()
    assert not server.folder.exists()
    assert not running(pid)


def running(pid: int) -> bool:
    """Whether process pid is alive (an exited one its parent has not yet
    reaped, a zombie, counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status
