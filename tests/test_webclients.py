"""Tests of lecture 5's client examples, against real local servers: the
Gazette site and API (examples/webclients) and httpbin (the package)."""

from __future__ import annotations

import time

import defusedxml
import pytest
import requests

from tests.support import load_example, make_listener, run_script
from tests.support_webclients import httpbin_server, serving, silent_listener

api_client = load_example("webclients", "api_client")
api_server = load_example("webclients", "api_server")
download = load_example("webclients", "download")
formats = load_example("webclients", "formats")
link_parser = load_example("webclients", "link_parser")
site_server = load_example("webclients", "site_server")


@pytest.fixture(scope="module")
def site_url():
    with serving(site_server.make_server()) as url:
        yield url


@pytest.fixture
def api_url():
    with serving(api_server.make_server(limit=1000)) as url:
        yield url


@pytest.fixture(scope="module")
def httpbin_url():
    with serving(httpbin_server()) as url:
        yield url


# html.parser -------------------------------------------------------------------


def test_link_parser_finds_every_link_and_makes_it_absolute(site_url):
    html = requests.get(site_url + "/", timeout=5).text
    assert link_parser.links_in(html, site_url + "/") == [
        f"{site_url}/articles/", f"{site_url}/about.html", f"{site_url}/private/drafts.html"]


def test_link_parser_copes_with_the_broken_page():
    page = (site_server.SITE / "articles/page3.html").read_text()
    assert link_parser.links_in(page) == [
        "scraping-politely.html", "last-packet.html", "page2.htm"]


def test_link_parser_script_prints_the_links_of_a_page(site_url):
    result = run_script("webclients", "link_parser", site_url + "/about.html")
    assert result.stdout.split() == ["http://127.0.0.1:8001/api/authors".replace(
        "http://127.0.0.1:8001", site_url), site_url + "/"]
    assert "usage" in run_script("webclients", "link_parser", "--help").stdout


# The API client ------------------------------------------------------------------


def test_all_items_follows_every_page(api_url):
    with api_client.make_session() as session:
        authors = list(api_client.all_items(session, api_url + "/api/authors", "authors"))
    assert [a["slug"] for a in authors] == [a["slug"] for a in api_server.AUTHORS]


def test_get_json_waits_out_429_then_succeeds():
    with serving(api_server.make_server(limit=1, window=0.5)) as url:
        with requests.Session() as session:
            assert api_client.get_json(session, url + "/api/authors/ada")["city"] == "London"
            started = time.monotonic()
            assert api_client.get_json(session, url + "/api/authors/zoe")["city"] == "Lyon"
            assert time.monotonic() - started >= 0.9  # Retry-After: 1


def test_get_json_gives_up_after_its_patience():
    with serving(api_server.make_server(limit=1, window=30)) as url:
        with requests.Session() as session:
            api_client.get_json(session, url + "/api/authors/ada")
            with pytest.raises(api_client.ApiError) as error:
                api_client.get_json(session, url + "/api/authors/ada", patience=0)
    assert error.value.status == 429
    assert error.value.message == "rate limit: 1 requests per 30 s"


def test_an_error_body_becomes_the_api_errors_message(api_url):
    with requests.Session() as session, pytest.raises(api_client.ApiError) as error:
        api_client.get_json(session, api_url + "/api/authors/nobody")
    assert str(error.value) == "404: no author 'nobody'"


def test_an_error_without_a_json_body_gives_the_reason(httpbin_url):
    with requests.Session() as session, pytest.raises(api_client.ApiError) as error:
        api_client.get_json(session, httpbin_url + "/status/418")
    assert error.value.status == 418


def test_the_retrying_session_gets_through_the_flaky_endpoint(api_url):
    with api_client.make_session(retries=3, backoff=0.01) as session:
        assert session.get(api_url + "/api/flaky", timeout=5).json() == {"attempt": 3}


def test_the_retrying_session_stops_after_its_retries(api_url):
    with api_client.make_session(retries=1, backoff=0.01) as session:
        with pytest.raises(requests.exceptions.RetryError):
            session.get(api_url + "/api/flaky", timeout=5)


def test_the_retrying_session_retries_a_refused_connection():
    with make_listener() as closed:
        port = closed.getsockname()[1]
    with api_client.make_session(retries=2, backoff=0.01) as session:
        with pytest.raises(requests.ConnectionError, match="Max retries exceeded"):
            session.get(f"http://127.0.0.1:{port}/", timeout=1)


def test_a_server_that_never_answers_times_out_quickly():
    with silent_listener() as url, requests.Session() as session:
        started = time.monotonic()
        with pytest.raises(requests.ReadTimeout):
            session.get(url, timeout=0.3)
        assert time.monotonic() - started < 2


def test_the_api_client_script_lists_every_author_and_reports_errors(api_url):
    result = run_script("webclients", "api_client", api_url + "/api/authors")
    assert result.returncode == 0
    assert result.stdout.splitlines()[3] == "zoe        Zoë Martin           Lyon"
    failed = run_script("webclients", "api_client", api_url + "/api/nothing")
    assert failed.returncode == 1
    assert "404: no such endpoint: /api/nothing" in failed.stderr
    assert "usage" in run_script("webclients", "api_client", "-h").stdout


# Streaming download ----------------------------------------------------------------


def test_download_streams_the_whole_body_to_the_file(httpbin_url, tmp_path):
    target = tmp_path / "data.bin"
    url = httpbin_url + "/stream-bytes/100000?seed=7&chunk_size=5000"
    assert download.download(url, target, chunk_size=4096) == 100_000  # httpbin: at most 100 KiB
    assert target.read_bytes() == requests.get(url, timeout=5).content
    assert not (tmp_path / "data.bin.part").exists()


def test_a_failed_download_leaves_no_file_under_the_real_name(httpbin_url, tmp_path):
    with pytest.raises(requests.HTTPError):
        download.download(httpbin_url + "/status/404", tmp_path / "x.bin")
    assert not (tmp_path / "x.bin").exists()
    result = run_script("webclients", "download", httpbin_url + "/status/500",
                        str(tmp_path / "y.bin"))
    assert result.returncode == 1 and "download failed: 500" in result.stderr


def test_the_download_script_reports_the_size(httpbin_url, tmp_path):
    result = run_script("webclients", "download", httpbin_url + "/bytes/1000",
                        str(tmp_path / "z.bin"))
    assert result.stdout == f"1000 bytes saved to {tmp_path / 'z.bin'}\n"


# Data formats --------------------------------------------------------------------------


@pytest.mark.parametrize("dump, load", [
    (formats.to_json, formats.from_json),
    (formats.to_xml, formats.from_xml),
    (formats.to_csv, formats.from_csv),
    (lambda a: formats.to_csv(a, "excel-tab"), lambda t: formats.from_csv(t, "excel-tab")),
])
def test_each_format_gives_back_what_it_was_given(dump, load):
    tricky = formats.ARTICLES + [
        {"title": "<&> ;\t\"quoted\"\nnew line", "author": "a,b", "date": "2026-01-01"}]
    assert load(dump(tricky)) == tricky


BOMB = """<?xml version="1.0"?>
<!DOCTYPE bomb [
  <!ENTITY a "ha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<articles><article author="x" date="y">&c;</article></articles>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE leak [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<articles><article author="x" date="y">&secret;</article></articles>"""


@pytest.mark.parametrize("document", [BOMB, EXTERNAL])
def test_from_xml_refuses_entity_declarations(document):
    with pytest.raises(defusedxml.EntitiesForbidden):
        formats.from_xml(document)


def test_formats_script_prints_the_three_forms():
    result = run_script("webclients", "formats")
    assert '"title": "Café Protocols"' in result.stdout
    assert "<articles><article" in result.stdout
    assert "title,author,date" in result.stdout
