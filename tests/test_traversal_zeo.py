"""Two processes, one database: a ZEO server (examples/traversal/zeo_share.py)
on a free loopback port, and client processes that share it."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from urllib.parse import urlencode

from tests.course import ROOT
from tests.support import (
    SOCKET_TIMEOUT,
    connect,
    reset_connection,
    run_example,
    run_script,
    script_command,
    script_env,
    stop_process,
)

VISITS = 50


def test_two_client_processes_lose_no_visit(tmp_path):
    with run_example("traversal", "zeo_share", "server", "--data", str(tmp_path)) as (
        _, host, port,
    ):  # fmt: skip
        address = ["--host", host, "--port", str(port)]
        clients = [
            subprocess.Popen(
                script_command("traversal", "zeo_share", "visit", *address,
                               "--times", str(VISITS)),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                cwd=ROOT, env=script_env(),
            )  # fmt: skip
            for _ in range(2)
        ]
        try:
            for client in clients:
                client.wait(timeout=60)
        finally:
            outputs = [stop_process(client) for client in clients]
        for client, (stdout, stderr) in zip(clients, outputs, strict=True):
            assert client.returncode == 0, stderr
            assert stdout.startswith(f"{VISITS} visits made, ")
        counted = run_script("traversal", "zeo_share", "count", *address)
    assert counted.stdout == f"{2 * VISITS} visits\n", counted.stderr
    assert (tmp_path / "Data.fs").is_file()


def test_the_zeo_server_survives_garbage_and_goes_on(tmp_path):
    with run_example("traversal", "zeo_share", "server", "--data", str(tmp_path)) as (
        process, host, port,
    ):  # fmt: skip
        # a short frame, a frame "4 GB long" that never comes, and a reset
        for garbage in [b"\x00\x00\x00\x05hello", b"\xff" * 4 + b"x" * 100, b"Z"]:
            with connect((host, port)) as sock:
                sock.sendall(garbage)
                if garbage == b"Z":
                    reset_connection(sock)
                else:
                    sock.shutdown(socket.SHUT_WR)
        address = ["--host", host, "--port", str(port)]
        visited = run_script("traversal", "zeo_share", "visit", *address, "--times", "3")
        assert visited.returncode == 0, visited.stderr
        counted = run_script("traversal", "zeo_share", "count", *address)
        assert counted.stdout == "3 visits\n", counted.stderr
        assert process.poll() is None


def wiki_request(address, method: str, path: str, body: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": "Basic Ym9iOmJvYi1wdw==",  # bob:bob-pw
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    conn = http.client.HTTPConnection(*address, timeout=SOCKET_TIMEOUT)
    try:
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_two_wiki_processes_share_one_database(tmp_path):
    with run_example("traversal", "zeo_share", "server", "--data", str(tmp_path)) as (
        _, host, port,
    ):  # fmt: skip
        database = f"zeo://{host}:{port}"
        with (
            run_example("traversal", "wiki", "--database", database) as (_, host1, port1),
            run_example("traversal", "wiki", "--database", database) as (_, host2, port2),
        ):
            body = urlencode({"text": "written by one"})
            status, _ = wiki_request((host1, port1), "POST", "/FrontPage/edit", body)
            assert status == 302
            # The second process learns of the commit from the server's
            # invalidation message, which may arrive a moment later.
            deadline = time.monotonic() + SOCKET_TIMEOUT
            while True:
                status, page = wiki_request((host2, port2), "GET", "/FrontPage/")
                if "<p>written by one</p>" in page or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
    assert status == 200
    assert "<p>written by one</p>" in page
