"""Lab, lecture 5: a polite scraper for the Loopback Gazette (solution).

Read every page of the Gazette's article list, starting at
``/articles/``, following each page's ``<a rel="next">`` link, and return
the articles found, in order.  Politely: ask robots.txt first, send a
User-Agent that says who you are, wait `delay` seconds between pages, and
stop after `max_pages`.  Page 2 is written in ISO-8859-1 and page 3 is
broken HTML: both must come out right.

    python examples/webclients/exercises/scraper/solution.py http://127.0.0.1:8000/articles/
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
from bs4 import BeautifulSoup

AGENT = "gazette-scraper/1.0 (course lab)"


@dataclass
class Article:
    title: str
    url: str  # absolute
    author: str  # the author's slug, as in the API
    date: str  # YYYY-MM-DD


class Disallowed(Exception):
    """robots.txt does not let us read this URL."""


def make_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = AGENT
    return session


def read_robots(session: requests.Session, url: str) -> RobotFileParser:
    """The robots.txt of url's site (no robots.txt: everything allowed)."""
    scheme, netloc, *_ = urlsplit(url)
    robots = RobotFileParser(f"{scheme}://{netloc}/robots.txt")
    response = session.get(robots.url, timeout=5)
    robots.parse(response.text.splitlines() if response.ok else [])
    return robots


# [start:parse]
def parse_listing(content: bytes, page_url: str) -> tuple[list[Article], str | None]:
    """The articles of one list page, and the URL of the next page."""
    soup = BeautifulSoup(content, "lxml")  # bytes: it reads <meta charset>
    articles = []
    for item in soup.select("li.article"):
        link, author = item.find("a"), item.select_one(".author")
        articles.append(Article(
            title=link.get_text(strip=True),
            url=urljoin(page_url, link["href"]),
            author=author["data-slug"],
            date=item.find("time")["datetime"],
        ))
    following = soup.find("a", rel="next")
    return articles, following and urljoin(page_url, following["href"])
# [end:parse]


# [start:crawl]
def crawl(start_url: str, session: requests.Session, delay: float = 1.0,
          max_pages: int = 20) -> list[Article]:
    """Every article of the list that starts at start_url, politely."""
    robots = read_robots(session, start_url)
    articles, url = [], start_url
    for number in range(max_pages):
        if not robots.can_fetch(AGENT, url):
            raise Disallowed(url)
        if number:
            time.sleep(delay)  # be gentle with the server
        response = session.get(url, timeout=5)
        response.raise_for_status()
        found, url = parse_listing(response.content, response.url)
        articles += found
        if url is None:
            break
    return articles
# [end:crawl]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: solution.py URL  (the first page of the article list)")
        return 0 if args in (["-h"], ["--help"]) else 2
    with make_session() as session:
        try:
            articles = crawl(args[0], session)
        except (Disallowed, requests.RequestException) as error:
            print(f"error: {error!r}", file=sys.stderr)
            return 1
    for article in articles:
        print(f"{article.date}  {article.title}  ({article.author})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
