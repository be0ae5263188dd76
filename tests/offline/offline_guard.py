"""Keep every test, session and example run by the suite on this machine.

The course is taught offline and its tests must never reach another host.
An audit hook (PEP 578) sees every socket connect, sendto and name lookup
in the process, before the operating system does, and refuses any whose
address is not a loopback address (127.0.0.0/8, ::1, localhost) or a local
(Unix-domain) socket path.  The refused call raises OfflineViolation, and
the violation is also recorded, so a test that swallows the exception still
fails (see tests/guards.py).

This file is imported in the test process by tests/guards.py and in every
Python subprocess the tests start, through sitecustomize.py beside it.
"""

from __future__ import annotations

import ipaddress
import sys

LOOPBACK_NAMES = {"localhost", "localhost.", "localhost.localdomain", "ip6-localhost"}

# Each refused call, as a message, in order; tests/guards.py reads and clears it.
violations: list[str] = []

_installed = False


class OfflineViolation(RuntimeError):
    """A test or example tried to reach (or look up) a host other than this one.

    A RuntimeError rather than an OSError, so that code written to survive
    network errors (``except OSError``) does not silently absorb it.
    """


def is_local_host(host: object) -> bool:
    """True for hosts that name this machine: loopback addresses and localhost."""
    if host is None or host in ("", b""):
        return True  # getaddrinfo(None, port): the local wildcard/loopback address
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # any other name would need a DNS lookup
    return address.is_loopback or address.is_unspecified


def is_local_address(address: object) -> bool:
    """True for socket addresses that stay on this machine."""
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX path (or abstract name)
    if isinstance(address, tuple) and address:
        return is_local_host(address[0])
    return True  # other families (AF_NETLINK, AF_PACKET ...) carry no remote host


def _refuse(what: str, target: object) -> None:
    message = (
        f"offline course: {what} {target!r} refused. Tests, sessions and examples "
        "run by the suite may only reach this machine (127.0.0.1, ::1, localhost); "
        "serve a local stand-in instead of a public host."
    )
    violations.append(message)
    raise OfflineViolation(message)


def _audit(event: str, args: tuple) -> None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1]
        if address is not None and not is_local_address(address):
            _refuse(event.removeprefix("socket."), address)
    elif event == "socket.getaddrinfo":
        if not is_local_host(args[0]):
            _refuse("name lookup of", args[0])
    elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
        if not is_local_host(args[0]):
            _refuse("name lookup of", args[0])
    elif event == "socket.getnameinfo":
        if not is_local_address(args[0]):
            _refuse("reverse lookup of", args[0])


def install() -> None:
    """Install the audit hook once per process (audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True
