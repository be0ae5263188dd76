"""Put the two builds of the course side by side, ready to publish.

    make html slides
    python examples/deployment/publish_site.py _build site

site/html/ is the outline and site/slides/ the decks, as in _build/, so
the links between them ("../slides/x.html" from a page, "../html/x.html"
from a deck) keep working; site/index.html leads to the outline. Then
every relative link between the two is checked: a broken one is an error.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

OUTPUTS = ("html", "slides")
HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Internet Programming with Python</title>
<meta http-equiv="refresh" content="0; url=html/index.html">
</head><body><p><a href="html/index.html">The outline</a> ·
<a href="slides/index.html">the slides</a></p></body></html>
"""


# [start:assemble]
def assemble(build: Path, site: Path) -> None:
    """Copy both outputs into site/ and add a home page."""
    site.mkdir(parents=True, exist_ok=True)
    for output in OUTPUTS:
        target = site / output
        if target.exists():
            shutil.rmtree(target)
        skip = shutil.ignore_patterns(".doctrees", ".buildinfo")
        shutil.copytree(build / output, target, ignore=skip)
    (site / "index.html").write_text(HOME)
# [end:assemble]


LINK = re.compile(r'href="(\.\./(?:html|slides)/[^"#?]+)')


# [start:check]
def broken_links(site: Path) -> list[str]:
    """Links from one output into the other that lead nowhere."""
    broken = []
    for output in OUTPUTS:
        for page in sorted((site / output).glob("*.html")):
            html = page.read_text(errors="replace")
            for link in LINK.findall(html):
                if not (page.parent / link).resolve().is_file():
                    where = page.relative_to(site)
                    broken.append(f"{where} -> {link}")
    return broken
# [end:check]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path, help="where make built (_build)")
    parser.add_argument("site", type=Path, help="the folder to publish")
    args = parser.parse_args(argv)
    missing = [o for o in OUTPUTS if not (args.build / o / "index.html").is_file()]
    if missing:
        print(f"not built: {', '.join(missing)} (run make html slides)", file=sys.stderr)
        return 1
    assemble(args.build, args.site)
    broken = broken_links(args.site)
    for link in broken:
        print(f"broken link: {link}", file=sys.stderr)
    print(f"{args.site}: html/ and slides/ side by side, {len(broken)} broken links")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
