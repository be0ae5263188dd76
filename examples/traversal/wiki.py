"""A small wiki: Pyramid traversal over persistent objects in ZODB.

Pages are objects (wiki_models.py) in a ZODB FileStorage; a URL is a path
through them (/FrontPage/edit is the view "edit" of the page FrontPage).
pyramid_tm runs each request in one transaction, committed when the view
succeeds and aborted when it fails; pyramid_zodbconn opens a connection to
the database for each request and closes it afterwards; pyramid_retry runs
a request again when its transaction lost a conflict with another.

    python wiki.py --help
    python wiki.py --data /tmp/wiki --port 6543   # then open the address

Anyone may read; to edit or add a page, log in as ann (password "ann-pw")
or bob ("bob-pw"); see USERS.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import html
from pathlib import Path
from urllib.parse import parse_qsl

import ZODB
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.config import Configurator
from pyramid.httpexceptions import (
    HTTPBadRequest,
    HTTPConflict,
    HTTPFound,
    HTTPRequestEntityTooLarge,
)
from pyramid.request import Request
from pyramid.response import Response
from pyramid_zodbconn import get_connection

from wiki_models import MAX_TEXT, WIKIWORD, Page, Wiki, is_wikiword, new_wiki

MAX_BODY = 64 * 1024  # bytes in one request body (a form with MAX_TEXT)
USERS = {  # name: (password, groups); a real wiki keeps hashes elsewhere
    "ann": ("ann-pw", ["group:admins"]),
    "bob": ("bob-pw", []),
}


# Security: who is asking (HTTP Basic), and may they (the context's ACL) ---


class BasicAuthPolicy:
    """Pyramid's security policy: the user from the Authorization header,
    the permission from the ACLs on the context and its parents."""

    def __init__(self, users: dict) -> None:
        self.users = users
        self.acl = ACLHelper()

    def identity(self, request) -> str | None:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        name, _, password = decoded.partition(":")
        known = self.users.get(name)
        return name if known is not None and known[0] == password else None

    def authenticated_userid(self, request) -> str | None:
        return request.identity

    # [start:permits]
    def permits(self, request, context, permission):
        principals = [Everyone]
        if request.identity is not None:
            groups = self.users[request.identity][1]
            principals += [Authenticated, request.identity, *groups]
        return self.acl.permits(context, principals, permission)
    # [end:permits]


class WikiRequest(Request):
    """Pyramid's request, but bodies up to MAX_BODY stay in memory (WebOb
    copies a larger one to a temporary file, and never closes it)."""

    request_body_tempfile_limit = MAX_BODY


# Resources: where traversal starts ------------------------------------------


# [start:root]
def root_factory(request) -> Wiki:
    """The root of the resource tree: the wiki in this request's
    database connection, which pyramid_zodbconn opens."""
    return get_connection(request).root()["wiki"]
# [end:root]
# [end:root]


# Pages as HTML -----------------------------------------------------------


def render_text(text: str, request) -> str:
    """Escape text, then link each WikiWord (or offer to add it)."""
    wiki = request.root

    def link(match) -> str:
        name = match.group(0)
        if name in wiki:
            url = request.resource_url(wiki[name])
            return f'<a href="{url}">{name}</a>'
        url = request.resource_url(wiki, "add", query={"name": name})
        return f'{name}<a class="missing" href="{url}">?</a>'

    paragraphs = html.escape(text).split("\n\n")
    return "\n".join(f"<p>{WIKIWORD.sub(link, paragraph)}</p>"
                     for paragraph in paragraphs)  # fmt: skip


def page(title: str, body: str, status: int = 200) -> Response:
    return Response(
        "<!doctype html>\n<html><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title></head>\n"
        f"<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n",
        status=status,
        content_type="text/html",
        charset="utf-8",
    )


def edit_form(action: str, text: str, name: str | None = None) -> str:
    name_field = (
        f'<label>Name <input name="name" value="{html.escape(name)}"></label>\n'
        if name is not None
        else ""
    )
    return (
        f'<form method="post" action="{html.escape(action)}">\n{name_field}'
        f'<textarea name="text" rows="12" cols="70">{html.escape(text)}</textarea>\n'
        '<button type="submit">Save</button></form>'
    )


def form_text(request) -> str:
    """The "text" field of a POSTed form, checked."""
    if request.content_length and request.content_length > MAX_BODY:
        raise HTTPRequestEntityTooLarge(f"the request body is limited to {MAX_BODY} bytes")
    if request.content_type == "application/x-www-form-urlencoded" and not is_utf8_form(
        request.body
    ):
        raise HTTPBadRequest("the form is not valid UTF-8")
    if "text" not in request.POST:
        raise HTTPBadRequest("the form has no text field")
    text = request.POST["text"]
    if len(text) > MAX_TEXT:
        raise HTTPBadRequest(f"the page text is limited to {MAX_TEXT} characters")
    return text.replace("\r\n", "\n")


def is_utf8_form(body: bytes) -> bool:
    """Whether a urlencoded form is UTF-8 throughout (WebOb would quietly
    replace what is not)."""
    try:
        parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


# Views: chosen by the context's type and the view name --------------------


def go_to_front_page(context: Wiki, request):
    return HTTPFound(request.resource_url(context["FrontPage"]))


# [start:view_page]
def view_page(context: Page, request):
    links = (
        f'<p><a href="{request.resource_url(context, "edit")}">edit</a> · '
        f'<a href="{request.resource_url(context, "history")}">history</a></p>'
    )
    return page(context.__name__, render_text(context.text, request) + links)
# [end:view_page]


# [start:edit_page]
def edit_page(context: Page, request):
    if request.method == "POST":
        text = form_text(request)
        if text != context.text:
            context.edit(text)  # pyramid_tm commits when we return
        return HTTPFound(request.resource_url(context))
    action = request.resource_url(context, "edit")
    form = edit_form(action, context.text)
    return page(f"Editing {context.__name__}", form)
# [end:edit_page]


def add_page(context: Wiki, request):
    name = request.params.get("name", "")
    if not is_wikiword(name):
        raise HTTPBadRequest("a page name is a WikiWord, such as NewPage")
    if name in context:
        raise HTTPConflict(f"there is already a page called {name}")
    if request.method == "POST":
        context.add(name, Page(form_text(request)))
        return HTTPFound(request.resource_url(context[name]))
    action = request.resource_url(context, "add")
    return page(f"Adding {name}", edit_form(action, "", name=name))


def page_history(context: Page, request):
    versions = [*context.history, context.text]
    items = "\n".join(
        f"<li>version {number}: {html.escape(text[:60])}</li>"
        for number, text in reversed(list(enumerate(versions, start=1)))
    )
    return page(f"History of {context.__name__}", f"<ol reversed>\n{items}\n</ol>")


# Errors: a clear page, never a traceback ---------------------------------


def not_found(exc, request):
    name = request.path_info.strip("/").partition("/")[0]
    body = f"<p>No page called {html.escape(name)}.</p>"
    if is_wikiword(name) and isinstance(request.context, Wiki):
        add_url = request.resource_url(request.context, "add", query={"name": name})
        body += f'<p><a href="{html.escape(add_url)}">Add it</a>?</p>'
    return page("Not found", body, status=404)


def forbidden(exc, request):
    if request.identity is None:  # not logged in: ask the browser to
        response = page("Log in", "<p>Log in to change the wiki.</p>", status=401)
        response.www_authenticate = ("Basic", {"realm": "wiki", "charset": "UTF-8"})
        return response
    return page("Forbidden", "<p>You may not do that here.</p>", status=403)


CLIENT_ERRORS = (HTTPBadRequest, HTTPConflict, HTTPRequestEntityTooLarge)


def client_error(exc, request):
    """400, 409, 413...: the reason, escaped, with the status."""
    return page(exc.title, f"<p>{html.escape(exc.detail or exc.title)}.</p>", exc.code)


def attempts_for(request) -> int | None:
    """To run a request again, pyramid_retry keeps a copy of its body:
    not of a body over the limit, which will be refused anyway."""
    return 1 if (request.content_length or 0) > MAX_BODY else None


RETRY = {"retry.attempts": 3, "retry.activate_hook": attempts_for}


# [start:make_app]
def make_app(database_uri: str, *extensions, users: dict = USERS):
    """The wiki as a WSGI app; extension(config) may add views."""
    settings = {"zodbconn.uri": database_uri, **RETRY,
                "tm.manager_hook": "pyramid_tm.explicit_manager"}
    with Configurator(settings=settings, root_factory=root_factory,
                      request_factory=WikiRequest) as config:
        config.include("pyramid_retry")  # a conflict: run it again
        config.include("pyramid_tm")  # a transaction per request
        config.include("pyramid_zodbconn")  # a connection per request
        config.set_security_policy(BasicAuthPolicy(users))
        add_views(config)
        config.commit()  # from here on, extensions replace views
        for extension in extensions:
            config.include(extension)
        app = config.make_wsgi_app()
    create_wiki(database(app))
    return app
# [end:make_app]


def create_wiki(db: ZODB.DB) -> None:
    """Make the wiki, once, before the server takes requests."""
    with db.transaction() as conn:  # commits at the end
        if "wiki" not in conn.root():
            conn.root()["wiki"] = new_wiki()


# [start:add_views]
def add_views(config) -> None:
    view = config.add_view
    view(go_to_front_page, context=Wiki, permission="view")
    view(view_page, context=Page, permission="view")
    view(edit_page, context=Page, name="edit", permission="edit")
    view(add_page, context=Wiki, name="add", permission="edit")
    view(page_history, context=Page, name="history",
         permission="view")
    config.add_notfound_view(not_found)
    config.add_forbidden_view(forbidden)
    for error in CLIENT_ERRORS:
        config.add_exception_view(client_error, context=error)
# [end:add_views]


def file_uri(folder: Path) -> str:
    """The zodburi of a FileStorage Data.fs in folder."""
    return (Path(folder).resolve() / "Data.fs").as_uri()


def database(app) -> ZODB.DB:
    """The database pyramid_zodbconn opened for app (it keeps it on the
    registry, under a name it does not document)."""
    return app.registry._zodb_databases[""]


def close_databases(app) -> None:
    database(app).close()


def main(app_factory=make_app) -> None:
    """Serve the wiki (app_factory(uri) makes it) until Ctrl-C."""
    import waitress

    parser = argparse.ArgumentParser(description=__doc__.partition("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6543, help="0 picks a free port")
    parser.add_argument("--data", type=Path, default=Path("wiki-data"),
                        help="folder of the database (Data.fs)")  # fmt: skip
    parser.add_argument("--database", help="a zodburi instead, e.g. zeo://127.0.0.1:8100")
    args = parser.parse_args()
    if args.database is None:
        args.data.mkdir(parents=True, exist_ok=True)
    app = app_factory(args.database or file_uri(args.data))
    server = waitress.create_server(
        app, host=args.host, port=args.port, threads=4,
        max_request_body_size=MAX_BODY, channel_timeout=30,
    )  # fmt: skip
    print(f"Wiki listening on {server.effective_host}:{server.effective_port}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        close_databases(app)


if __name__ == "__main__":
    main()
