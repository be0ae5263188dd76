"""Tests of lecture 10's first part: the same URLs by URL dispatch
(examples/traversal/routes_dispatch.py) and by traversal
(routes_traversal.py), with WebTest and over real HTTP."""

from __future__ import annotations

import http.client
import socket

import pytest
from pyramid.traversal import find_resource, resource_path, traverse
from webtest import TestApp

from tests.support import (
    SOCKET_TIMEOUT,
    connect,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
)
from tests.support_traversal import traversal_module, traversal_modules  # noqa: F401

routes_dispatch = traversal_module("routes_dispatch")
routes_traversal = traversal_module("routes_traversal")

DESIGNED = {
    "/": "FrontPage HowToEdit",
    "/FrontPage": "FrontPage: Welcome!",
    "/HowToEdit": "HowToEdit: Click edit.",
    "/FrontPage/edit": "editing FrontPage",
    "/HowToEdit/edit": "editing HowToEdit",
}


@pytest.fixture(params=["dispatch", "traversal"])
def app(request):
    module = {"dispatch": routes_dispatch, "traversal": routes_traversal}[request.param]
    return TestApp(module.make_app())


@pytest.mark.parametrize("url", DESIGNED)
def test_both_apps_answer_the_designed_urls_alike(app, url):
    response = app.get(url)
    assert response.status_int == 200
    assert response.text == DESIGNED[url]


@pytest.mark.parametrize("url", ["/NoSuchPage", "/NoSuchPage/edit", "/FrontPage/publish"])
def test_both_apps_answer_404_for_what_does_not_exist(app, url):
    app.get(url, status=404)


def test_only_traversal_hands_a_subpath_to_the_view():
    assert TestApp(routes_traversal.make_app()).get("/FrontPage/edit/x").text == (
        "editing FrontPage"
    )
    TestApp(routes_dispatch.make_app()).get("/FrontPage/edit/x", status=404)


def test_traverse_splits_a_path_into_context_view_name_and_subpath():
    root = routes_traversal.Root(routes_traversal.PAGES)
    found = traverse(root, "/HowToEdit/edit/a/b")
    assert found["context"] is root["HowToEdit"]
    assert (found["view_name"], found["subpath"], found["traversed"]) == (
        "edit", ("a", "b"), ("HowToEdit",),
    )  # fmt: skip


def test_resources_know_their_path():
    root = routes_traversal.Root(routes_traversal.PAGES)
    assert resource_path(root["FrontPage"]) == "/FrontPage"
    assert find_resource(root, "/FrontPage") is root["FrontPage"]


@pytest.mark.parametrize("script", ["routes_dispatch", "routes_traversal"])
def test_the_scripts_serve_the_same_pages_over_http(script):
    with run_example("traversal", script) as (_, host, port):
        for url, text in DESIGNED.items():
            conn = http.client.HTTPConnection(host, port, timeout=SOCKET_TIMEOUT)
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                assert (response.status, response.read().decode()) == (200, text)
            finally:
                conn.close()


@pytest.mark.parametrize(
    "script", ["routes_dispatch", "routes_traversal", "wiki", "zeo_share",
               "exercises/page_history/solution", "exercises/page_acl/solution"],
)  # fmt: skip
def test_every_program_explains_itself(script):
    completed = run_script("traversal", script, "--help")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage:")
    assert "--port" in completed.stdout


@pytest.mark.parametrize("script", ["routes_dispatch", "routes_traversal"])
def test_the_scripts_answer_garbage_with_400_and_go_on(script):
    with run_example("traversal", script) as (process, host, port):
        for garbage in [b"\x00\xff\r\n\r\n", b"GET / HTTP/1.1\r\nno colon\r\n\r\n"]:
            with connect((host, port)) as sock:
                sock.sendall(garbage)
                sock.shutdown(socket.SHUT_WR)
                assert recv_until_eof(sock).split(b"\r\n")[0].endswith(b" 400 Bad Request")
        with connect((host, port)) as sock:  # half a request, then gone
            sock.sendall(b"GET /FrontPage HTTP/1.1\r\nHost:")
            reset_connection(sock)
        conn = http.client.HTTPConnection(host, port, timeout=SOCKET_TIMEOUT)
        try:
            conn.request("GET", "/FrontPage")
            assert conn.getresponse().read() == b"FrontPage: Welcome!"
        finally:
            conn.close()
        assert process.poll() is None
