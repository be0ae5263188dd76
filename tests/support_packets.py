"""Test helpers for lecture 2 (packets): UDP clients, the live sniffer.

    udp_socket()                    a UDP socket with a timeout, closed after
    exchange(address, data)         send one datagram, return the reply
    nothing_comes_back(sock)        True if no datagram arrives in a while
    is_root()                       live capture needs it (CAP_NET_RAW)
    needs_root                      skip mark for live-capture tests
    sniffing(*args)                 run sniffer.py live as a child process;
                                    yield (process, output) once it captures
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.support import SOCKET_TIMEOUT, start_example

QUIET_PERIOD = 0.3  # how long "nothing comes back" waits, in seconds


@contextmanager
def udp_socket(timeout: float = SOCKET_TIMEOUT,
               family: int = socket.AF_INET) -> Iterator[socket.socket]:
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        yield sock


def exchange(address: tuple[str, int], data: bytes) -> bytes:
    """Send one datagram to address, return the first reply from it."""
    with udp_socket() as sock:
        sock.sendto(data, address)
        while True:
            reply, sender = sock.recvfrom(70_000)
            if sender == address:
                return reply


def nothing_comes_back(sock: socket.socket,
                       wait: float = QUIET_PERIOD) -> bool:
    """True if no datagram arrives on sock within `wait` seconds."""
    saved = sock.gettimeout()
    sock.settimeout(wait)
    try:
        sock.recvfrom(70_000)
    except TimeoutError:
        return True
    finally:
        sock.settimeout(saved)
    return False


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


needs_root = pytest.mark.skipif(
    not (is_root() and hasattr(socket, "AF_PACKET")),
    reason="live capture needs root (CAP_NET_RAW) and Linux AF_PACKET; "
    "CI runs as root",
)


@contextmanager
def sniffing(*args: str):
    """Run `sniffer.py ARGS` live; yield (process, output) once it
    captures. On exit the sniffer is stopped if it still runs, and
    output.stdout / output.stderr hold what it printed."""
    with start_example("packets", "sniffer", *args) as started:
        process, device, output = started
        assert device == "lo"
        yield process, output


