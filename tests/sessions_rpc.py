"""Fixtures for the interpreter sessions of source/rpc.rst.

A pytest plugin (root conftest.py): every fixture defined here appears in
the namespace of this lecture's sessions, so a slide can call a running
server the way a student calls one started in a second terminal. The slides
alias these names in invisible-code-blocks; the names never appear on them.
"""

from __future__ import annotations


import pytest

from tests.guards import allow_long_lived
from tests.net import serving_forever
from tests.support import load_example, start_example
from tests.support_rpc import certificates




@pytest.fixture(scope="session")
def kv_rpc_url():
    """URL of examples/rpc/kv_server.py, serving a fresh store."""
    kv_server = load_example("rpc", "kv_server")
    with serving_forever(kv_server.make_server("127.0.0.1", 0), long_lived=True) as (host, port):
        yield f"http://{host}:{port}"


@pytest.fixture(scope="session")
def json_rpc_address():
    """(host, port) of examples/rpc/jsonrpc.py serving its demo functions,
    run as a student runs it in a second terminal: a process of its own,
    whose threads (one per connection) outlive the session examples."""
    with start_example("rpc", "jsonrpc", "--port", "0") as (process, address, _):
        allow_long_lived(pids=[process.pid])
        host, _, port = address.rpartition(":")
        yield host, int(port)


@pytest.fixture(scope="session")
def tls_echo_setup(tmp_path_factory):
    """A running examples/rpc/tls_echo.py with a trustme certificate for
    localhost: {"address": (host, port), "ca_file": path of the CA's PEM}."""
    from tests.net import session_server

    tls_echo = load_example("rpc", "tls_echo")
    certs = certificates(tmp_path_factory.mktemp("tls"))
    context = tls_echo.server_context(str(certs.server_file))
    with session_server(tls_echo.serve, tls_echo.make_server(), context, timeout=5) as running:
        yield {"address": running.address[:2], "ca_file": str(certs.ca_file)}
