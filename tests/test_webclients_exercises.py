"""Tests of lecture 5's lab (exercises/scraper) and assignment (exercises/mashup).

They run against each exercise's solution.py by default. A student runs
them against the file they are completing, starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_webclients_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail.
"""

from __future__ import annotations

import csv
import os
import time

import pytest
import requests

from tests.support import assert_starters_fail, load_example, make_listener, run_script
from tests.support_webclients import serving, silent_listener

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

scraper = load_example("webclients", f"exercises/scraper/{IMPL}")
mashup = load_example("webclients", f"exercises/mashup/{IMPL}")
site_server = load_example("webclients", "site_server")
api_server = load_example("webclients", "api_server")

TITLES = [
    "Sockets at Sunrise", "Framing Without Tears", "A Week of UDP",
    "Café Protocols", "Naïve Retries Considered Harmful", "Über-Caching",
    "Scraping Politely", "The Last Packet",
]


@pytest.fixture
def site():
    server = site_server.make_server()
    with serving(server) as url:
        yield server, url


@pytest.fixture
def api_url():
    with serving(api_server.make_server(limit=1000)) as url:
        yield url + "/api/authors"


def page(site_url: str, name: str) -> bytes:
    return requests.get(f"{site_url}/articles/{name}", timeout=5).content


# The lab: a polite scraper -------------------------------------------------------


class TestScraper:
    def test_parse_listing_reads_a_page_and_finds_the_next(self, site):
        _, url = site
        articles, following = scraper.parse_listing(page(url, ""), url + "/articles/")
        assert articles[0] == scraper.Article(
            "Sockets at Sunrise", url + "/articles/sockets-at-sunrise.html", "ada", "2026-09-01")
        assert len(articles) == 3
        assert following == url + "/articles/page2.htm"

    def test_parse_listing_decodes_the_latin1_page(self, site):
        _, url = site
        articles, _ = scraper.parse_listing(page(url, "page2.htm"), url + "/articles/page2.htm")
        assert [a.title for a in articles] == TITLES[3:6]
        assert articles[0].url == url + "/articles/cafe-protocols.html"

    def test_parse_listing_copes_with_the_broken_last_page(self, site):
        _, url = site
        articles, following = scraper.parse_listing(page(url, "page3.html"),
                                                     url + "/articles/page3.html")
        assert [(a.title, a.author, a.date) for a in articles] == [
            ("Scraping Politely", "ada", "2026-10-13"),
            ("The Last Packet", "ghost", "2026-10-20")]
        assert following is None

    def test_crawl_reads_every_page_in_order_saying_who_it_is(self, site):
        server, url = site
        with scraper.make_session() as session:
            articles = scraper.crawl(url + "/articles/", session, delay=0)
        assert [a.title for a in articles] == TITLES
        assert [(path, agent) for path, _, agent in server.visits] == [
            ("/robots.txt", scraper.AGENT), ("/articles/", scraper.AGENT),
            ("/articles/page2.htm", scraper.AGENT), ("/articles/page3.html", scraper.AGENT)]

    def test_crawl_waits_between_pages(self, site):
        _, url = site
        started = time.monotonic()
        with scraper.make_session() as session:
            scraper.crawl(url + "/articles/", session, delay=0.25)
        assert time.monotonic() - started >= 0.5

    def test_crawl_stops_after_max_pages(self, site):
        _, url = site
        with scraper.make_session() as session:
            articles = scraper.crawl(url + "/articles/", session, delay=0, max_pages=2)
        assert [a.title for a in articles] == TITLES[:6]

    def test_crawl_refuses_what_robots_txt_disallows(self, site):
        server, url = site
        with scraper.make_session() as session, pytest.raises(scraper.Disallowed):
            scraper.crawl(url + "/private/drafts.html", session, delay=0)
        assert [path for path, _, _ in server.visits] == ["/robots.txt"]

    def test_crawl_raises_for_a_missing_page(self, site):
        _, url = site
        with scraper.make_session() as session, pytest.raises(requests.HTTPError):
            scraper.crawl(url + "/articles/page9.html", session, delay=0)

    def test_lab_script_explains_its_usage_with_help(self):
        assert "usage" in run_script("webclients", f"exercises/scraper/{IMPL}", "-h").stdout


# The assignment: the mashup ---------------------------------------------------------


class TestMashup:
    def test_fetch_authors_reads_every_page(self, api_url):
        with requests.Session() as session:
            authors = mashup.fetch_authors(session, api_url)
        assert list(authors) == [a["slug"] for a in api_server.AUTHORS]
        assert authors["zoe"] == {"slug": "zoe", "name": "Zoë Martin", "city": "Lyon"}

    def test_fetch_authors_waits_out_the_rate_limit(self):
        with serving(api_server.make_server(limit=2, window=0.5)) as url:
            with requests.Session() as session:
                authors = mashup.fetch_authors(session, url + "/api/authors")
        assert len(authors) == len(api_server.AUTHORS)

    def test_fetch_authors_reports_the_error_body(self, api_url):
        with requests.Session() as session, pytest.raises(mashup.SourceError) as error:
            mashup.fetch_authors(session, api_url + "/nobody")
        assert str(error.value) == "api: 404 no author 'nobody'"

    def test_the_report_joins_articles_and_authors(self, site, api_url):
        _, url = site
        with requests.Session() as session:
            report = mashup.build_report(url + "/articles/", api_url, session)
        assert [row["title"] for row in report.rows] == TITLES
        assert report.rows[3] == {"title": "Café Protocols", "date": "2026-09-22",
                                  "author": "Zoë Martin", "city": "Lyon"}
        assert report.rows[7]["author"] == "ghost" and report.rows[7]["city"] == ""
        assert report.problems == ["api: no author 'ghost'"]

    def test_with_the_api_down_every_article_is_still_reported(self, site):
        _, url = site
        with make_listener() as closed:
            port = closed.getsockname()[1]
        with requests.Session() as session:
            report = mashup.build_report(url + "/articles/", f"http://127.0.0.1:{port}/", session)
        assert [row["author"] for row in report.rows][:3] == ["ada", "grace", "zoe"]
        assert {row["city"] for row in report.rows} == {""}
        assert len(report.problems) == 1 and report.problems[0].startswith("api: ")

    def test_an_api_that_never_answers_costs_one_timeout(self, site):
        _, url = site
        with silent_listener() as silent, requests.Session() as session:
            started = time.monotonic()
            report = mashup.build_report(url + "/articles/", silent, session)
        assert len(report.rows) == 8 and report.problems[0].startswith("api: ")
        assert time.monotonic() - started < mashup.TIMEOUT + 2

    def test_with_the_site_down_there_is_nothing_to_report(self, api_url):
        with make_listener() as closed:
            port = closed.getsockname()[1]
        with requests.Session() as session:
            report = mashup.build_report(f"http://127.0.0.1:{port}/", api_url, session)
        assert report.rows == []
        assert len(report.problems) == 1 and report.problems[0].startswith("site: ")

    def test_the_script_writes_the_csv_report(self, site, api_url, tmp_path):
        _, url = site
        out = tmp_path / "report.csv"
        result = run_script("webclients", f"exercises/mashup/{IMPL}", "--site",
                            url + "/articles/", "--api", api_url, "--out", str(out))
        assert result.stdout == f"8 rows written to {out}\n", result.stderr
        assert "problem: api: no author 'ghost'" in result.stderr
        with out.open(newline="", encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        assert rows[5] == {"title": "Über-Caching", "date": "2026-10-06",
                           "author": "Linus Berg", "city": "Helsinki"}

    def test_mashup_script_explains_its_usage_with_help(self):
        result = run_script("webclients", f"exercises/mashup/{IMPL}", "--help")
        assert "--site" in result.stdout


# The tests tell the starters from the solutions ----------------------------------------

GIVEN_CODE_TESTS = {
    "test_lab_script_explains_its_usage_with_help",
    "test_mashup_script_explains_its_usage_with_help",
}


@pytest.mark.skipif(IMPL != "solution", reason="run from the solutions' run")
def test_exercise_tests_fail_against_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_webclients_exercises.py",
        ("TestScraper", "TestMashup"),
        GIVEN_CODE_TESTS,
        tmp_path,
    )
