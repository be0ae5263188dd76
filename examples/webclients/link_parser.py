"""What an HTML parser does: the standard library's html.parser, by hand.

``HTMLParser`` reads HTML and calls a method for each thing it meets: a
start tag, an end tag, a piece of text.  A subclass overrides the methods
it cares about.  LinkParser collects the ``href`` of every ``<a>`` tag.

    python examples/webclients/link_parser.py http://127.0.0.1:8000/
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from urllib.parse import urljoin
from urllib.request import urlopen


# [start:link-parser]
class LinkParser(HTMLParser):
    """Collect the href of every <a> tag, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
# [end:link-parser]


def links_in(html: str, base_url: str = "") -> list[str]:
    """The links of a page, made absolute against the page's URL."""
    parser = LinkParser()
    parser.feed(html)
    parser.close()
    return [urljoin(base_url, link) for link in parser.links]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: link_parser.py URL  (prints the links of that page)")
        return 0 if args in (["-h"], ["--help"]) else 2
    with urlopen(args[0], timeout=10) as response:
        charset = response.headers.get_content_charset() or "utf-8"
        html = response.read().decode(charset, errors="replace")
    for link in links_in(html, args[0]):
        print(link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
