"""Three URLs with URL dispatch: a pattern per route, a view per route.

    /                the list of pages
    /{name}          one page
    /{name}/edit     the (pretend) edit form of one page

routes_traversal.py serves the same URLs by traversal; compare the two.

    python routes_dispatch.py --help
    python routes_dispatch.py --port 6543
"""

from __future__ import annotations

import argparse

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response

PAGES = {"FrontPage": "Welcome!", "HowToEdit": "Click edit."}


# [start:views]
def list_pages(request):
    return Response(" ".join(sorted(PAGES)))


def show_page(request):
    name = request.matchdict["name"]
    if name not in PAGES:  # the pattern matched; is there a page?
        raise HTTPNotFound(f"no page {name}")
    return Response(f"{name}: {PAGES[name]}")


def edit_page(request):
    name = request.matchdict["name"]
    if name not in PAGES:
        raise HTTPNotFound(f"no page {name}")
    return Response(f"editing {name}")
# [end:views]


# [start:make_app]
def make_app():
    with Configurator() as config:
        config.add_route("home", "/")
        config.add_route("page", "/{name}")
        config.add_route("edit", "/{name}/edit")
        config.add_view(list_pages, route_name="home")
        config.add_view(show_page, route_name="page")
        config.add_view(edit_page, route_name="edit")
        return config.make_wsgi_app()
# [end:make_app]


def serve(app, host: str, port: int) -> None:
    """Serve app with waitress until Ctrl-C."""
    import waitress

    server = waitress.create_server(app, host=host, port=port)
    print(f"Pages listening on {server.effective_host}:{server.effective_port}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6543, help="0 picks a free port")
    args = parser.parse_args()
    serve(make_app(), args.host, args.port)


if __name__ == "__main__":
    main()
