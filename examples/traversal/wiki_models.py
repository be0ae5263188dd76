"""The wiki's data: persistent objects that ZODB stores as they are.

A Wiki is a folder of Pages, kept in a BTree so that a wiki of a million
pages loads only the pages a request touches.  Both classes know their
``__name__`` and ``__parent__``: Pyramid's traversal walks them to find
the page a URL names, and its security reads their ``__acl__``.

    >>> from wiki_models import Wiki, Page
    >>> wiki = Wiki()
    >>> wiki.add("FrontPage", Page("Welcome"))

Imported by wiki.py and by the lecture's sessions; run nothing by itself.
"""

from __future__ import annotations

import re

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.list import PersistentList
from pyramid.authorization import ALL_PERMISSIONS, Allow, Authenticated, Everyone

# A WikiWord: two or more capitalised words run together (FrontPage, HowToEdit)
WIKIWORD = re.compile(r"\b(?:[A-Z][a-z0-9]+){2,}\b")
MAX_TEXT = 20_000  # characters in one page


def is_wikiword(name: str) -> bool:
    return WIKIWORD.fullmatch(name) is not None


# [start:page]
class Page(Persistent):
    """One page: its text now, and every text it had before."""

    def __init__(self, text: str = "") -> None:
        self.text = text
        self.history = PersistentList()  # older texts, oldest first
        self.__name__ = None
        self.__parent__ = None

    def edit(self, text: str) -> None:
        self.history.append(self.text)  # a PersistentList notices
        self.text = text  # assigning marks the Page changed
# [end:page]


# [start:acl]
WIKI_ACL = [  # (action, principal, permission)
    (Allow, Everyone, "view"),
    (Allow, Authenticated, "edit"),
    (Allow, "group:admins", ALL_PERMISSIONS),
]
# [end:acl]


# [start:wiki]
class Wiki(Persistent):
    """The root of the wiki: page names to Pages, in a BTree."""

    __name__ = None
    __parent__ = None
    __acl__ = WIKI_ACL

    def __init__(self) -> None:
        self.pages = OOBTree()

    def __getitem__(self, name: str) -> Page:
        return self.pages[name]  # KeyError: traversal stops here

    def add(self, name: str, page: Page) -> None:
        page.__name__, page.__parent__ = name, self
        self.pages[name] = page

    def __contains__(self, name: str) -> bool:
        return name in self.pages
# [end:wiki]


def new_wiki() -> Wiki:
    """A wiki with its first page."""
    wiki = Wiki()
    wiki.add("FrontPage", Page("Welcome to the wiki. Try HowToEdit."))
    return wiki
