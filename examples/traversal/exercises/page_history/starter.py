"""Lab: browse a page's history (starter).

The wiki of examples/traversal/wiki.py keeps every old text of a page in
page.history.  This module adds three views to it:

    /FrontPage/history      every version, newest first, each a link
    /FrontPage/version/2    the text of version 2 (from request.subpath)
    /FrontPage/restore      POST version=2: make version 2 the current text

Check it with the tests, and run it as the wiki is run::

    COURSE_IMPL=starter python -m pytest tests/test_traversal_exercises.py -k PageHistory
    python examples/traversal/exercises/page_history/starter.py --port 6543
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # examples/traversal
import wiki  # noqa: E402
from pyramid.httpexceptions import HTTPFound, HTTPNotFound  # noqa: E402
from wiki_models import Page  # noqa: E402


def versions(page: Page) -> list[str]:
    """Every text the page has had, oldest first: version 1 is [0]."""
    return [*page.history, page.text]


def version_number(text: str, page: Page) -> int:
    """The version that text (from a URL or a form) names, or a 404."""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= len(versions(page)):
        raise HTTPNotFound(f"{page.__name__} has no version {text}")
    return int(text)


def list_versions(context: Page, request):
    """Every version, newest first, each a link to version/N."""
    # TODO: an <li> per version, newest first, each with a link to
    # request.resource_url(context, "version", str(number)); escape the text.
    raise NotImplementedError("TODO: list the versions")


def show_version(context: Page, request):
    """The text of version N: /FrontPage/version/N."""
    # TODO: exactly one name in request.subpath, a version number
    # (version_number does the checking); show that version's text,
    # rendered as the wiki renders a page.
    raise NotImplementedError("TODO: show one version")


def restore_version(context: Page, request):
    """Make an old version the current text: a new version, not a rewind."""
    # TODO: the number is the POSTed field "version"; make that text the
    # page's text with context.edit (unless it already is), then redirect
    # to the page.
    raise NotImplementedError("TODO: restore a version")


def add_history_views(config) -> None:
    view = config.add_view
    view(list_versions, context=Page, name="history", permission="view")
    view(show_version, context=Page, name="version", permission="view")
    view(restore_version, context=Page, name="restore", permission="edit",
         request_method="POST")  # fmt: skip


def make_app(database_uri: str):
    return wiki.make_app(database_uri, add_history_views)


if __name__ == "__main__":
    wiki.main(make_app)
