"""Tests of lecture 5's servers: the Gazette site (site_server.py) and the
Gazette API (api_server.py), with real clients on loopback, including bad
input of every kind: each gets a clear answer and the server goes on."""

from __future__ import annotations

import json
from http import HTTPStatus
import socket
import time

import pytest
import requests

from tests.support import (
    SOCKET_TIMEOUT,
    connect,
    load_example,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
)
from tests.support_webclients import serving

site_server = load_example("webclients", "site_server")
api_server = load_example("webclients", "api_server")


def exchange(url: str, data: bytes, close_write: bool = True) -> tuple[int, dict, bytes]:
    """Send raw bytes to the server at url; return (status, headers, body)."""
    host, port = url.removeprefix("http://").split(":")
    with connect((host, int(port))) as client:
        client.sendall(data)
        if close_write:
            client.shutdown(socket.SHUT_WR)
        response = recv_until_eof(client)
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


@pytest.fixture
def site():
    server = site_server.make_server(client_timeout=0.5)
    with serving(server) as url:
        yield server, url


@pytest.fixture
def api():
    server = api_server.make_server(client_timeout=0.5)
    with serving(server) as url:
        yield server, url


# The site ---------------------------------------------------------------------


class TestSite:
    def test_serves_pages_robots_txt_and_the_latin1_page_as_bytes(self, site):
        _, url = site
        assert requests.get(url + "/robots.txt", timeout=5).text.endswith(
            "Disallow: /private/\n")
        page2 = requests.get(url + "/articles/page2.htm", timeout=5)
        assert page2.status_code == 200
        assert "Café".encode("iso-8859-1") in page2.content
        assert page2.content == (site_server.SITE / "articles/page2.htm").read_bytes()

    def test_every_relative_link_of_the_site_leads_to_a_page(self, site):
        _, url = site
        from bs4 import BeautifulSoup
        from urllib.parse import urljoin

        for page in site_server.SITE.rglob("*.html"):
            page_url = url + "/" + page.relative_to(site_server.SITE).as_posix()
            for link in BeautifulSoup(page.read_bytes(), "lxml").find_all("a"):
                target = urljoin(page_url, link["href"])
                if "/api/" in target:
                    continue  # the API is another server
                assert requests.get(target, timeout=5).status_code == 200, (page, target)

    def test_the_server_notes_each_visit_with_its_user_agent(self, site):
        server, url = site
        requests.get(url + "/about.html", headers={"User-Agent": "tester/1"}, timeout=5)
        requests.get(url + "/nothing.html", headers={"User-Agent": "tester/1"}, timeout=5)
        assert server.visits == [("/about.html", 200, "tester/1"),
                                 ("/nothing.html", 404, "tester/1")]

    @pytest.mark.parametrize("request_bytes, status", [
        (b"GET /a b HTTP/1.1\r\n\r\n", 400),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", 431),
    ])
    def test_bad_requests_get_an_error_status_and_the_site_goes_on(
            self, site, request_bytes, status):
        _, url = site
        assert exchange(url, request_bytes)[0] == status
        assert requests.get(url + "/", timeout=5).status_code == 200

    def test_a_truncated_or_reset_request_does_not_stop_the_site(self, site, capfd):
        server, url = site
        host, port = server.server_address
        with connect((host, port)) as client:  # a head without its empty line
            client.sendall(b"GET /about.html HTTP/1.1\r\nHost: x\r\n")
            client.shutdown(socket.SHUT_WR)
            assert recv_until_eof(client).startswith(b"HTTP/1.0 200 OK\r\n")
        client = connect((host, port))
        client.sendall(b"GET /about.html HTTP/1.1\r\nHost: x")
        reset_connection(client)
        assert requests.get(url + "/about.html", timeout=5).status_code == 200

    def test_a_silent_client_is_dropped_after_the_timeout(self, site):
        server, url = site
        with connect(server.server_address) as silent:
            started = time.monotonic()
            assert recv_until_eof(silent) == b""  # the server hung up
            assert time.monotonic() - started < SOCKET_TIMEOUT
        assert requests.get(url + "/", timeout=5).status_code == 200

    def test_the_script_serves_the_site_on_the_port_it_announces(self):
        with run_example("webclients", "site_server") as (_, host, port):
            response = requests.get(f"http://{host}:{port}/", timeout=5)
            assert "The Loopback Gazette" in response.text

    def test_the_script_explains_itself_and_refuses_a_bad_port(self):
        assert "--port" in run_script("webclients", "site_server", "--help").stdout
        assert run_script("webclients", "site_server", "--port", "70000").returncode == 2


# The API ------------------------------------------------------------------------


class TestApi:
    def test_pages_link_to_the_next_until_the_last(self, api):
        _, url = api
        first = requests.get(url + "/api/authors", timeout=5).json()
        assert first["page"] == 1 and first["pages"] == 3
        assert [a["slug"] for a in first["authors"]] == ["ada", "grace", "linus"]
        assert first["next"] == "/api/authors?page=2"
        last = requests.get(url + "/api/authors?page=3", timeout=5).json()
        assert last["next"] is None and [a["slug"] for a in last["authors"]] == ["guido"]

    @pytest.mark.parametrize("path, status, error", [
        ("/api/authors/nobody", 404, "no author 'nobody'"),
        ("/api/authors?page=4", 400, "page must be 1 to 3, not '4'"),
        ("/api/authors?page=x", 400, "page must be 1 to 3, not 'x'"),
        ("/api/nothing", 404, "no such endpoint: /api/nothing"),
    ])
    def test_errors_have_a_json_body_saying_what_is_wrong(self, api, path, status, error):
        _, url = api
        response = requests.get(url + path, timeout=5)
        assert response.status_code == status
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {"error": error, "status": status}

    def test_over_the_limit_answers_429_with_retry_after_then_recovers(self):
        server = api_server.make_server(limit=2, window=0.5)
        with serving(server) as url:
            statuses = [requests.get(url + "/api/authors/ada", timeout=5) for _ in range(3)]
            assert [r.status_code for r in statuses] == [200, 200, 429]
            assert statuses[2].headers["Retry-After"] == "1"
            assert statuses[2].json()["error"] == "rate limit: 2 requests per 0.5 s"
            time.sleep(0.6)
            assert requests.get(url + "/api/authors/ada", timeout=5).status_code == 200

    def test_flaky_fails_twice_then_answers(self, api):
        _, url = api
        codes = [requests.get(url + "/api/flaky", timeout=5).status_code for _ in range(6)]
        assert codes == [503, 503, 200, 503, 503, 200]

    def test_post_adds_an_author_once(self, api):
        _, url = api
        new = {"slug": "new", "name": "N. Ew", "city": "Nîmes"}
        response = requests.post(url + "/api/authors", json=new, timeout=5)
        assert response.status_code == 201
        assert response.headers["Location"] == "/api/authors/new"
        assert requests.get(url + "/api/authors/new", timeout=5).json() == new
        again = requests.post(url + "/api/authors", json=new, timeout=5)
        assert again.status_code == 409

    @pytest.mark.parametrize("request_bytes, status, error", [
        (b"GET /a b HTTP/1.1\r\n\r\n", 400, "Bad request syntax ('GET /a b HTTP/1.1')"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414,
         HTTPStatus(414).phrase),  # "URI Too Long" from Python 3.13 on
        (b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", 431, "Too many headers"),
        (b"PUT /api/authors HTTP/1.1\r\n\r\n", 501, "Unsupported method ('PUT')"),
        (b'POST /api/authors HTTP/1.1\r\nContent-Type: application/json\r\n'
         b'Content-Length: 9\r\n\r\n{"slug": ', 400,
         "malformed JSON: Expecting value: line 1 column 10 (char 9)"),
        (b'POST /api/authors HTTP/1.1\r\nContent-Type: application/json\r\n'
         b'Content-Length: 100\r\n\r\n{"slug": "x"', 400, "body stopped after 12 of 100 bytes"),
        (b'POST /api/authors HTTP/1.1\r\nContent-Type: application/json\r\n'
         b'Content-Length: 99999999\r\n\r\n', 413, "body of 99999999 bytes; at most 10000"),
        (b"POST /api/authors HTTP/1.1\r\nContent-Type: application/json\r\n\r\n", 411,
         "a body needs a Content-Length"),
        (b"POST /api/authors HTTP/1.1\r\nContent-Type: text/plain\r\n"
         b"Content-Length: 2\r\n\r\nhi", 415, "send application/json"),
        (b'POST /api/authors HTTP/1.1\r\nContent-Type: application/json\r\n'
         b'Content-Length: 4\r\n\r\n"hi"', 422,
         "send an object with the strings slug, name and city"),
        (b'POST /api/authors HTTP/1.1\r\nContent-Type: application/json\r\n'
         b'Content-Length: 2\r\n\r\n\xff\xfe', 400,
         "malformed JSON: 'utf-8' codec can't decode byte 0xff in position 0:"
         " invalid start byte"),
    ])
    def test_bad_requests_get_a_json_error_and_nothing_is_added(
            self, api, request_bytes, status, error):
        server, url = api
        got, headers, body = exchange(url, request_bytes)
        assert (got, json.loads(body)) == (status, {"error": error, "status": status})
        assert headers["Content-Type"] == "application/json"
        assert len(server.authors) == len(api_server.AUTHORS)
        assert requests.get(url + "/api/authors/ada", timeout=5).status_code == 200

    def test_a_reset_or_silent_client_does_not_stop_the_api(self, api):
        server, url = api
        client = connect(server.server_address)
        client.sendall(b"POST /api/authors HTTP/1.1\r\nContent-Length: 50\r\n\r\n{")
        reset_connection(client)
        with connect(server.server_address) as silent:
            silent.sendall(b"GET /api/auth")
            assert recv_until_eof(silent) == b""  # dropped after the timeout
        assert requests.get(url + "/api/authors/ada", timeout=5).status_code == 200
        assert len(server.authors) == len(api_server.AUTHORS)

    def test_the_script_serves_the_api_with_its_limit(self):
        with run_example("webclients", "api_server", "--limit", "1",
                         "--window", "60") as (_, host, port):
            base = f"http://{host}:{port}/api/authors/zoe"
            assert requests.get(base, timeout=5).json()["name"] == "Zoë Martin"
            refused = requests.get(base, timeout=5)
            assert refused.status_code == 429
            assert 55 <= int(refused.headers["Retry-After"]) <= 60

    def test_the_script_explains_itself_and_refuses_bad_options(self):
        assert "--limit" in run_script("webclients", "api_server", "--help").stdout
        assert run_script("webclients", "api_server", "--port", "-1").returncode == 2
        assert run_script("webclients", "api_server", "--limit", "0").returncode == 2
