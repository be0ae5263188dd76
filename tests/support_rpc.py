"""Helpers that only lecture 6's tests use (source/rpc.rst).

    certificates(tmp_path)   a trustme CA and a certificate for localhost
                             and 127.0.0.1, written as PEM files
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme





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
