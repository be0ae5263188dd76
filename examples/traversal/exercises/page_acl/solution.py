"""Assignment: per-page permissions (solution).

Every page of the wiki (examples/traversal/wiki.py) inherits the wiki's
ACL: everyone views, anyone logged in edits, admins may do anything.
This module lets an admin give one page an ACL of its own:

    POST /SomePage/lock      only admins may edit it; everyone still views
    POST /SomePage/private   only logged-in users may view it
    POST /SomePage/unlock    the page follows the wiki's ACL again

The views need the permission "admin", which only group:admins has (the
wiki's ACL gives admins ALL_PERMISSIONS).  The ACL is an attribute of the
persistent page, so it survives a restart.

    COURSE_IMPL=starter python -m pytest tests/test_traversal_exercises.py -k PageAcl
    python examples/traversal/exercises/page_acl/starter.py --port 6543
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # examples/traversal
import wiki  # noqa: E402
from pyramid.authorization import (  # noqa: E402
    ALL_PERMISSIONS,
    Allow,
    Authenticated,
    Deny,
    Everyone,
)
from pyramid.httpexceptions import HTTPFound  # noqa: E402
from wiki_models import Page  # noqa: E402

ADMINS = "group:admins"


def page_acl(kind: str) -> list[tuple[str, str, object]]:
    """The ACL of a "locked" or a "private" page; ValueError otherwise.
    What a page's ACL does not decide, the wiki's ACL decides."""
    if kind == "locked":
        return [(Allow, ADMINS, ALL_PERMISSIONS), (Deny, Everyone, "edit")]
    if kind == "private":
        return [
            (Allow, ADMINS, ALL_PERMISSIONS),
            (Allow, Authenticated, "view"),
            (Deny, Everyone, "view"),
        ]
    raise ValueError(f"no such kind of page: {kind!r}")


def lock_page(context: Page, request):
    context.__acl__ = page_acl("locked")
    return HTTPFound(request.resource_url(context))


def make_private(context: Page, request):
    context.__acl__ = page_acl("private")
    return HTTPFound(request.resource_url(context))


def unlock_page(context: Page, request):
    if "__acl__" in context.__dict__:  # its own ACL, not the class's
        del context.__acl__
    return HTTPFound(request.resource_url(context))


def add_acl_views(config) -> None:
    for view, name in [(lock_page, "lock"), (make_private, "private"), (unlock_page, "unlock")]:
        config.add_view(view, context=Page, name=name, permission="admin", request_method="POST")


def make_app(database_uri: str):
    return wiki.make_app(database_uri, add_acl_views)


if __name__ == "__main__":
    wiki.main(make_app)
