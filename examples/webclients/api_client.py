"""A client for the Gazette's JSON API that behaves as an API client should.

* It follows the ``next`` link of each page until there is none.
* On 429 Too Many Requests it waits as long as ``Retry-After`` says, a
  bounded number of times.
* An error answer becomes an ApiError carrying the message of the error
  body, not a bare status code.
* Its session retries failed connections and 502/503/504 answers with
  exponential backoff (urllib3's Retry), and every request has a timeout.

    python examples/webclients/api_client.py http://127.0.0.1:8001/api/authors
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

AGENT = "gazette-client/1.0 (course exercise)"
TIMEOUT = (3.05, 10)  # seconds to connect, seconds between bytes


class ApiError(Exception):
    """The API said no: its status and the message of its error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


# [start:session]
def make_session(retries: int = 3, backoff: float = 0.5):
    """A session that retries connection errors and 502/503/504."""
    retry = Retry(
        total=retries,
        backoff_factor=backoff,  # no wait, then 1 s, 2 s, 4 s...
        status_forcelist=[502, 503, 504],
        allowed_methods=["GET", "HEAD"],  # never repeat a POST
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = AGENT
    return session
# [end:session]


# [start:get-json]
def get_json(session, url: str, patience: int = 3) -> dict:
    """GET url as JSON; wait out 429s (at most `patience` times)."""
    response = session.get(url, timeout=TIMEOUT)
    for _ in range(patience):
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("Retry-After", "1")))
        response = session.get(url, timeout=TIMEOUT)
    if not response.ok:
        raise ApiError(response.status_code, error_message(response))
    return response.json()
# [end:get-json]


def error_message(response: requests.Response) -> str:
    """The "error" of a JSON error body, or the reason phrase."""
    try:
        return response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return response.reason


# [start:pages]
def all_items(session, url: str, key: str) -> Iterator[dict]:
    """Every item of a paged collection: follow "next" until None."""
    while url:
        page = get_json(session, url)
        yield from page[key]
        url = page["next"] and urljoin(url, page["next"])  # relative
# [end:pages]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: api_client.py URL  (e.g. http://127.0.0.1:8001/api/authors)")
        return 0 if args in (["-h"], ["--help"]) else 2
    with make_session() as session:
        try:
            for author in all_items(session, args[0], "authors"):
                print(f"{author['slug']:10} {author['name']:20} {author['city']}")
        except (ApiError, requests.RequestException) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
