"""Fixtures for the interpreter sessions of source/webclients.rst.

A pytest plugin (root conftest.py) whose fixtures appear in the namespace
of this lecture's sessions, each a real server on 127.0.0.1 at a port the
operating system picks, in a background thread for the whole test session:

    local_httpbin_url   httpbin (the package) behind wsgiref
    gazette_site_url    examples/webclients/site_server.py serving site/
    gazette_api_url     examples/webclients/api_server.py, generous limit
    strict_api_url      the same API allowing 2 requests a second
    unanswering_url     a socket that accepts and never answers

The lecture aliases them to plain names in invisible code blocks.
"""

from __future__ import annotations

import pytest

from tests.support import load_example
from tests.support_webclients import httpbin_server, serving, silent_listener


@pytest.fixture(scope="session")
def local_httpbin_url():
    with serving(httpbin_server(), long_lived=True) as url:
        yield url


@pytest.fixture(scope="session")
def gazette_site_url():
    site = load_example("webclients", "site_server")
    with serving(site.make_server(), long_lived=True) as url:
        yield url


@pytest.fixture(scope="session")
def gazette_api_url():
    api = load_example("webclients", "api_server")
    with serving(api.make_server(limit=1000, window=1.0), long_lived=True) as url:
        yield url


@pytest.fixture(scope="session")
def strict_api_url():
    api = load_example("webclients", "api_server")
    with serving(api.make_server(limit=2, window=1.0), long_lived=True) as url:
        yield url


@pytest.fixture(scope="session")
def unanswering_url():
    with silent_listener() as url:
        yield url
