"""Helpers that only lecture 6's tests use (source/rpc.rst).

    serving(server)          run a socketserver server (XML-RPC, JSON RPC)
                             in a thread; shut it down and join on exit
    certificates(tmp_path)   a trustme CA and a certificate for localhost
                             and 127.0.0.1, written as PEM files
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme

from tests.net import SOCKET_TIMEOUT


@contextmanager
def serving(server) -> Iterator[tuple[str, int]]:
    """Serve `server` (a socketserver.BaseServer) in a thread; yield its
    (host, port); on exit shut it down, close it and join the thread."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05},
        name=f"serving-{server.server_address}", daemon=True,
    )
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(SOCKET_TIMEOUT)
        if thread.is_alive():
            raise AssertionError("server thread did not stop")


@dataclass
class Certificates:
    ca: trustme.CA
    ca_file: Path  # what clients trust
    server_file: Path  # the server's certificate chain and private key


def certificates(folder: Path, *names: str) -> Certificates:
    """A fresh CA and a server certificate for `names` (default: localhost
    and 127.0.0.1), as PEM files in folder."""
    ca = trustme.CA()
    cert = ca.issue_cert(*(names or ("localhost", "127.0.0.1")))
    ca_file = folder / "ca.pem"
    server_file = folder / "server.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.private_key_and_cert_chain_pem.write_to_path(str(server_file))
    return Certificates(ca, ca_file, server_file)
