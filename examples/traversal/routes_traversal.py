"""The same three URLs as routes_dispatch.py, found by traversal.

The URL is a path through a tree of resources: "/" is the root, "/FrontPage"
is root["FrontPage"], and in "/FrontPage/edit" the name "edit" is no key of
the page, so traversal stops at the page (the *context*) and "edit" becomes
the *view name*.  A view is chosen by the context's type and the view name.

    python routes_traversal.py --help
    python routes_traversal.py --port 6543
"""

from __future__ import annotations

import argparse

from pyramid.config import Configurator
from pyramid.response import Response

from routes_dispatch import PAGES, serve


# [start:resources]
class Page:
    def __init__(self, name: str, text: str, parent: Root) -> None:
        self.__name__, self.__parent__ = name, parent
        self.text = text


class Root(dict):
    __name__ = ""
    __parent__ = None

    def __init__(self, pages: dict[str, str]) -> None:
        super().__init__()
        for name, text in pages.items():
            self[name] = Page(name, text, self)
# [end:resources]


# [start:views]
def list_pages(context: Root, request):
    return Response(" ".join(sorted(context)))


def show_page(context: Page, request):  # traversal found the page
    return Response(f"{context.__name__}: {context.text}")


def edit_page(context: Page, request):
    return Response(f"editing {context.__name__}")
# [end:views]


# [start:make_app]
def make_app():
    root = Root(PAGES)
    with Configurator(root_factory=lambda request: root) as config:
        config.add_view(list_pages, context=Root)
        config.add_view(show_page, context=Page)
        config.add_view(edit_page, context=Page, name="edit")
        return config.make_wsgi_app()
# [end:make_app]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6543, help="0 picks a free port")
    args = parser.parse_args()
    serve(make_app(), args.host, args.port)


if __name__ == "__main__":
    main()
