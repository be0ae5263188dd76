"""The suite's own guards: offline only, no leaked threads, processes or sockets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from tests.guards import expect_offline_violation, offline_guard
from tests.course import ROOT

OfflineViolation = offline_guard.OfflineViolation

# 192.0.2.0/24 (TEST-NET-1) is reserved for documentation: never routed.
UNROUTABLE = "192.0.2.1"


def test_connecting_to_another_host_fails_at_once_and_names_it():
    with socket.socket() as sock, expect_offline_violation():
        sock.settimeout(5)
        started = time.monotonic()
        with pytest.raises(OfflineViolation, match=r"connect \('192\.0\.2\.1', 80\) refused"):
            sock.connect((UNROUTABLE, 80))
        assert time.monotonic() - started < 0.5


def test_looking_up_a_public_name_fails():
    with (
        expect_offline_violation(),
        pytest.raises(OfflineViolation, match="name lookup of 'example.com'"),
    ):
        socket.getaddrinfo("example.com", 443)


def test_sending_a_datagram_to_another_host_fails():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, expect_offline_violation():
        with pytest.raises(OfflineViolation):
            sock.sendto(b"x", (UNROUTABLE, 9))


def test_the_violation_is_not_an_oserror_so_network_error_handlers_do_not_hide_it():
    assert not issubclass(OfflineViolation, OSError)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.2"])
def test_loopback_is_allowed(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection(
            ("127.0.0.1" if host == "127.0.0.2" else host, port), timeout=5
        ):
            conn, _ = server.accept()
            conn.close()


def test_python_subprocesses_are_guarded_too():
    completed = subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('example.com', 80)"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert completed.returncode != 0
    assert (
        "OfflineViolation: offline course: name lookup of 'example.com' refused" in completed.stderr
    )


LEAKY_TESTS = """
import socket, subprocess, sys, threading, time

def test_swallows_the_violation():
    try:
        socket.getaddrinfo("example.com", 80)
    except Exception:
        pass

def test_leaves_a_thread_running():
    threading.Thread(target=time.sleep, args=(5,), daemon=True, name="forgotten").start()

def test_leaves_a_process_running():
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])

def test_leaves_a_socket_open():
    socket.socket()

def test_is_clean():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
"""


def test_a_test_that_hides_a_violation_or_leaks_fails(tmp_path):
    (tmp_path / "test_leaky.py").write_text(textwrap.dedent(LEAKY_TESTS))
    completed = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "tests.guards", "-p", "no:cacheprovider",
            "-W", "error::ResourceWarning", "-W", "error::pytest.PytestUnraisableExceptionWarning",
            "-q", "test_leaky.py",
        ],  # fmt: skip
        cwd=tmp_path, capture_output=True, text=True, timeout=90,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},  # noqa: E501
    )  # fmt: skip
    output = completed.stdout
    assert "name lookup of 'example.com' refused" in output
    assert "threads still running after the test: forgotten" in output
    assert "child processes still running after the test" in output
    assert "ResourceWarning: unclosed <socket.socket" in output
    failing = {
        line.split("::")[1].split()[0]
        for line in output.splitlines()
        if line.startswith(("FAILED ", "ERROR "))
    }
    assert failing == {
        "test_swallows_the_violation",
        "test_leaves_a_thread_running",
        "test_leaves_a_process_running",
        "test_leaves_a_socket_open",
    }
    assert completed.returncode == 1
