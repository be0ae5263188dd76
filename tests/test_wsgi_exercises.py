"""Tests of lecture 7's lab (exercises/wsgi_lab) and assignment
(exercises/rest_assignment).

They run against each exercise's solution.py by default; a student runs
them against starter.py with::

    COURSE_IMPL=starter python -m pytest tests/test_wsgi_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail there.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
from wsgiref.util import setup_testing_defaults

import pytest
from webtest import TestApp

from tests.support import (
    assert_starters_fail,
    connect,
    load_example,
    recv_until_eof,
    run_example,
    run_script,
)

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

LAB = f"exercises/wsgi_lab/{IMPL}"
REST = f"exercises/rest_assignment/{IMPL}"
lab = load_example("wsgi", LAB)
rest = load_example("wsgi", REST)


def call(app, method="GET", path="/", query=""):
    """Call a WSGI app as a server would: (status, headers, body bytes)."""
    environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
               "QUERY_STRING": query, "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(status=status, headers=dict(headers))

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return seen["status"], seen["headers"], body


class TestWsgiLab:
    def test_search_lists_matching_titles_ignoring_case(self):
        page = TestApp(lab.make_app()).get("/search?q=PYTHON")
        titles = re.findall(r'<li><a href="/books/(\d+)">([^<]*)</a></li>', page.text)
        assert titles == [("1", "Fluent Python"), ("2", "Python &amp; XML"),
                          ("3", "Foundations of Python Network Programming")]
        assert "<h1>Search</h1>" in page.text

    def test_search_escapes_titles(self):
        books = {"7": {"title": "<b>Bold</b> & Co", "author": "", "publisher": "",
                       "year": 1}}
        page = TestApp(lab.make_app(books)).get("/search?q=bold")
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in page.text
        assert "<b>" not in page.text

    def test_search_without_matches_is_an_empty_list(self):
        page = TestApp(lab.make_app()).get("/search?q=cobol")
        assert page.status == "200 OK" and "<ul>\n</ul>" in page.text

    @pytest.mark.parametrize("query", ["", "q=", "q=%20%20", "other=1"])
    def test_search_without_words_is_400(self, query):
        page = TestApp(lab.make_app()).get(f"/search?{query}", status=400)
        assert "<h1>Search</h1>" in page.text

    def test_head_keeps_status_and_headers_and_drops_the_body(self):
        app = lab.make_app()
        get_status, get_headers, get_body = call(app, "GET", "/books/1")
        status, headers, body = call(app, "HEAD", "/books/1")
        assert (status, headers) == (get_status, get_headers)
        assert int(headers["Content-Length"]) == len(get_body) > 0
        assert body == b""

    def test_head_of_a_missing_page_is_404_without_body(self):
        status, _, body = call(lab.make_app(), "HEAD", "/books/99")
        assert (status, body) == ("404 Not Found", b"")

    def test_head_middleware_closes_the_apps_body(self):
        closed = []

        class Body(list):
            def close(self):
                closed.append(True)

        def app(environ, start_response):
            start_response("200 OK", [("Content-Length", "2")])
            return Body([b"hi"])

        assert call(lab.head_middleware(app), "HEAD")[2] == b""
        assert closed == [True]

    def test_get_still_has_its_body(self):
        assert call(lab.head_middleware(lab.make_app()), "GET", "/")[2].startswith(b"<!DOCTYPE")

    def test_lab_server_answers_head_without_a_body_over_http(self):
        with run_example("wsgi", LAB) as (_, host, port):
            with connect((host, port)) as client:
                client.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
                reply = recv_until_eof(client)  # wsgiref closes after one
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200 OK\r\n")
        assert b"Content-Length: 366" in head
        assert body == b""

    def test_lab_script_explains_its_usage_with_help(self):
        result = run_script("wsgi", LAB, "--help")
        assert result.returncode == 0 and result.stdout.startswith(f"usage: {IMPL}.py")


TASK = {"title": "Read RFC 3875", "done": False, "due": "2026-12-24"}


@pytest.fixture
def tasks():
    return TestApp(rest.make_app())


class TestRestAssignment:
    def test_post_creates_a_task_with_defaults(self, tasks):
        response = tasks.post_json("/tasks", {"title": "  Write the lab  "}, status=201)
        assert response.json == {"id": 1, "title": "Write the lab", "done": False, "due": None}
        assert response.headers["Location"] == "/tasks/1"
        assert tasks.get("/tasks/1").json == response.json

    def test_ids_count_up(self, tasks):
        ids = [tasks.post_json("/tasks", TASK, status=201).json["id"] for _ in range(3)]
        assert ids == [1, 2, 3]
        assert len(tasks.get("/tasks").json) == 3

    def test_put_replaces_a_task(self, tasks):
        tasks.post_json("/tasks", TASK, status=201)
        changed = tasks.put_json("/tasks/1", {"title": "Done it", "done": True})
        assert changed.json == {"id": 1, "title": "Done it", "done": True, "due": None}
        assert tasks.get("/tasks/1").json == changed.json

    def test_delete_removes_a_task_with_204(self, tasks):
        tasks.post_json("/tasks", TASK, status=201)
        response = tasks.delete("/tasks/1", status=204)
        assert response.body == b""
        assert tasks.get("/tasks").json == []

    @pytest.mark.parametrize("method", ["put_json", "delete"])
    def test_changes_to_a_missing_task_are_404(self, tasks, method):
        args = ("/tasks/5", TASK) if method == "put_json" else ("/tasks/5",)
        assert getattr(tasks, method)(*args, status=404).json == {"error": "no task 5"}

    @pytest.mark.parametrize(("data", "fields"), [
        ({}, {"title": "required: a non-empty string"}),
        ({"title": "   "}, {"title": "required: a non-empty string"}),
        ({"title": 5}, {"title": "required: a non-empty string"}),
        ({"title": "x" * 101}, {"title": "at most 100 characters"}),
        ({"title": "ok", "done": "yes"}, {"done": "true or false"}),
        ({"title": "ok", "done": 1}, {"done": "true or false"}),
        ({"title": "ok", "due": "24/12/2026"}, {"due": "null or a date YYYY-MM-DD"}),
        ({"title": "ok", "due": "2026-02-30"}, {"due": "null or a date YYYY-MM-DD"}),
        ({"title": "ok", "due": "20261224"}, {"due": "null or a date YYYY-MM-DD"}),
        ({"title": "ok", "due": 20261224}, {"due": "null or a date YYYY-MM-DD"}),
        ({"title": "ok", "id": 9}, {"id": "unknown field"}),
        ({"title": "", "done": None, "colour": "red"},
         {"title": "required: a non-empty string", "done": "true or false",
          "colour": "unknown field"}),
    ], ids=["empty", "blank title", "number title", "long title", "done string",
            "done number", "due format", "due no such day", "due basic format",
            "due number", "id sent", "three wrong"])
    def test_invalid_tasks_get_422_naming_every_wrong_field(self, tasks, data, fields):
        response = tasks.post_json("/tasks", data, status=422)
        assert response.json == {"error": "invalid task", "fields": fields}
        assert tasks.get("/tasks").json == []

    @pytest.mark.parametrize("data", [[TASK], "task", None, 3])
    def test_json_that_is_not_an_object_is_422(self, tasks, data):
        response = tasks.post_json("/tasks", data, status=422)
        assert response.json == {"error": "invalid task", "fields": {"task": "send a JSON object"}}

    def test_a_title_of_exactly_100_characters_is_fine(self, tasks):
        tasks.post_json("/tasks", {"title": "x" * 100}, status=201)

    def test_put_validates_too_and_changes_nothing_when_invalid(self, tasks):
        tasks.post_json("/tasks", TASK, status=201)
        tasks.put_json("/tasks/1", {"title": "ok", "done": "no"}, status=422)
        assert tasks.get("/tasks/1").json == {"id": 1, **TASK}

    def test_bad_json_and_wrong_content_type_are_refused(self, tasks):
        bad = tasks.post("/tasks", b"{", content_type="application/json", status=400)
        assert bad.json["error"].startswith("not JSON")
        tasks.post("/tasks", b"title=x", status=415)

    def test_wrong_methods_get_405_with_allow(self, tasks):
        response = tasks.delete("/tasks", status=405)
        assert response.headers["Allow"] == "GET, HEAD, POST"
        assert tasks.post("/tasks/1", status=405).headers["Allow"] == "DELETE, GET, HEAD, PUT"

    def test_validate_task_returns_the_clean_fields(self):
        assert rest.validate_task({"title": " a ", "due": None}) == {
            "title": "a", "done": False, "due": None}

    def test_the_service_runs_over_http(self):
        with run_example("wsgi", REST) as (_, host, port):
            connection = http.client.HTTPConnection(host, port, timeout=5)
            try:
                connection.request("POST", "/tasks", json.dumps(TASK),
                                   {"Content-Type": "application/json"})
                response = connection.getresponse()
                created = (response.status, json.loads(response.read()))
            finally:
                connection.close()
        assert created == (201, {"id": 1, **TASK})

    def test_rest_script_explains_its_usage_with_help(self):
        result = run_script("wsgi", REST, "--help")
        assert result.returncode == 0 and result.stdout.startswith(f"usage: {IMPL}.py")


GIVEN_CODE_TESTS = {
    "test_lab_script_explains_its_usage_with_help",
    "test_rest_script_explains_its_usage_with_help",
    "test_get_still_has_its_body",
}


@pytest.mark.skipif(IMPL != "solution", reason="run from the solutions' run")
def test_exercise_tests_fail_against_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_wsgi_exercises.py",
        ("TestWsgiLab", "TestRestAssignment"),
        GIVEN_CODE_TESTS,
        tmp_path,
    )
