"""Assignment, lecture 5: a mashup of two local sources (starter).

The Gazette's site lists articles with their authors' slugs; the
Gazette's API knows each author's name and city.  Combine the two into
one CSV report, a row per article:

    title,date,author,city
    Sockets at Sunrise,2026-09-01,Ada Byron,London

A source can fail.  If the API is down, answers errors, or keeps saying
429, the report still lists every article, with the slug as the author
and an empty city, and says what went wrong in ``problems``.  An author
the API does not know gets the same treatment, with a problem line.  If
the site fails there is nothing to report: no rows, and a problem line.

    python examples/webclients/exercises/mashup/starter.py \\
        --site http://127.0.0.1:8000/articles/ \\
        --api http://127.0.0.1:8001/api/authors --out report.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup

AGENT = "gazette-mashup/1.0 (course assignment)"
TIMEOUT = 2.0
FIELDS = ["title", "date", "author", "city"]


class SourceError(Exception):
    """A source could not give us its data."""


@dataclass
class Report:
    rows: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# Given: the articles of the site (the lab's crawler, condensed)


def scrape_articles(session: requests.Session, start_url: str) -> list[dict]:
    """[{"title", "date", "slug"}] from every page of the article list."""
    articles, url = [], start_url
    while url:
        try:
            response = session.get(url, timeout=TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as error:
            raise SourceError(f"site: {error}") from error
        soup = BeautifulSoup(response.content, "lxml")
        for item in soup.select("li.article"):
            articles.append({
                "title": item.find("a").get_text(strip=True),
                "date": item.find("time")["datetime"],
                "slug": item.select_one(".author")["data-slug"],
            })
        following = soup.find("a", rel="next")
        url = following and urljoin(response.url, following["href"])
    return articles


# To write: the authors of the API, and the report


def fetch_authors(session: requests.Session, api_url: str, patience: int = 3) -> dict:
    """{slug: author} from every page of the API's author list.

    TODO: GET api_url (JSON: "authors", and "next", a link relative to
    the URL asked, or null); follow "next" until null.  On 429, sleep as
    many seconds as Retry-After says, at most `patience` times per page.
    Any failure (no connection, a timeout, an error status, a body that
    is not JSON) raises SourceError("api: ..."), with the message of the
    API's error body ({"error": "..."}) when there is one.
    """
    raise NotImplementedError("fetch_authors")


def build_report(site_url: str, api_url: str, session: requests.Session) -> Report:
    """The report: a row per article, the problems met on the way.

    TODO: scrape_articles (given) and fetch_authors, then one row per
    article: title, date, author (the name; the slug if unknown), city
    ("" if unknown).  A SourceError from the site: no rows, its message
    as the one problem.  From the API: every row without names, and its
    message as a problem.  An author missing from a working API: a
    problem "api: no author 'SLUG'".
    """
    raise NotImplementedError("build_report")


def write_csv(rows: list[dict], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mash the Gazette's site and API up.")
    parser.add_argument("--site", required=True, help="URL of the first article page")
    parser.add_argument("--api", required=True, help="URL of the API's author list")
    parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
    args = parser.parse_args(argv)
    with requests.Session() as session:
        session.headers["User-Agent"] = AGENT
        report = build_report(args.site, args.api, session)
    write_csv(report.rows, args.out)
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    print(f"{len(report.rows)} rows written to {args.out}")
    return 1 if not report.rows else 0


if __name__ == "__main__":
    sys.exit(main())
