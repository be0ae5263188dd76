"""Assignment: per-page permissions (starter).

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
    # TODO: "locked": admins may do anything, nobody else may edit.
    # "private": admins may do anything, logged-in users may view, nobody
    # else may view.  Anything else: raise ValueError.
    raise NotImplementedError("TODO: the two ACLs")


def lock_page(context: Page, request):
    # TODO: give the page the ACL page_acl("locked"), then redirect to it
    raise NotImplementedError("TODO: lock_page")


def make_private(context: Page, request):
    # TODO: give the page the ACL page_acl("private"), then redirect to it
    raise NotImplementedError("TODO: make_private")


def unlock_page(context: Page, request):
    # TODO: remove the page's own __acl__ (if it has one), then redirect
    raise NotImplementedError("TODO: unlock_page")


def add_acl_views(config) -> None:
    for view, name in [(lock_page, "lock"), (make_private, "private"), (unlock_page, "unlock")]:
        config.add_view(view, context=Page, name=name, permission="admin", request_method="POST")


def make_app(database_uri: str):
    return wiki.make_app(database_uri, add_acl_views)


if __name__ == "__main__":
    wiki.main(make_app)
