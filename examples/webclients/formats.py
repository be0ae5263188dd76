"""Data formats for the internet: JSON, XML and CSV, there and back.

The same list of articles (dicts of strings) is written and read back in
each format.  XML is read with defusedxml, which refuses the entity tricks
(billion laughs, external entities) that a hostile document can play on a
plain XML parser.

    python examples/webclients/formats.py   # prints the three forms
"""

from __future__ import annotations

import csv
import io
import json
import sys
from xml.etree import ElementTree

import defusedxml.ElementTree

ARTICLES = [
    {"title": "Café Protocols", "author": "zoe", "date": "2026-09-22"},
    {"title": "Framing, \"Without\" Tears", "author": "grace", "date": "2026-09-08"},
]
FIELDS = ["title", "author", "date"]


def to_json(articles: list[dict]) -> str:
    return json.dumps(articles, ensure_ascii=False, indent=1)


def from_json(text: str) -> list[dict]:
    return json.loads(text)


# [start:to-xml]
def to_xml(articles: list[dict]) -> str:
    """<articles><article author=".." date="..">title</article>..."""
    root = ElementTree.Element("articles")
    for article in articles:
        element = ElementTree.SubElement(
            root, "article",
            author=article["author"], date=article["date"],
        )
        element.text = article["title"]
    return ElementTree.tostring(root, encoding="unicode")
# [end:to-xml]


# [start:from-xml]
def from_xml(text: str) -> list[dict]:
    """Parse what to_xml wrote; refuse any entity (defusedxml)."""
    root = defusedxml.ElementTree.fromstring(text)
    return [
        {"title": element.text or "", **element.attrib}
        for element in root.iter("article")
    ]
# [end:from-xml]


# [start:csv]
def to_csv(articles: list[dict], dialect: str = "excel") -> str:
    out = io.StringIO(newline="")  # csv writes its own line ends
    writer = csv.DictWriter(out, fieldnames=FIELDS, dialect=dialect)
    writer.writeheader()
    writer.writerows(articles)
    return out.getvalue()


def from_csv(text: str, dialect: str = "excel") -> list[dict]:
    source = io.StringIO(text, newline="")
    return list(csv.DictReader(source, dialect=dialect))
# [end:csv]


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv:
        print("usage: formats.py  (prints a list of articles as JSON, XML and CSV)")
        return 0 if argv in (["-h"], ["--help"]) else 2
    print(to_json(ARTICLES), to_xml(ARTICLES), to_csv(ARTICLES), sep="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
