"""Tests of lecture 12's lab (exercises/behind_nginx) and assignment
(exercises/zero_downtime).

They run against each exercise's solution.py by default; a student runs
them against starter.py with::

    COURSE_IMPL=starter python -m pytest tests/test_deployment_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from tests.support import assert_starters_fail, load_example
from tests.support_deployment import (
    address,
    fetch,
    health,
    http_load,
    reply_head,
    stack_environ,
    stack_module,
    started_stack,
)

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

behind_nginx = load_example("deployment", f"exercises/behind_nginx/{IMPL}")
zero_downtime = load_example("deployment", f"exercises/zero_downtime/{IMPL}")


# The lab: the microblog behind nginx -----------------------------------------


@pytest.fixture(scope="class")
def lab_stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    with started_stack(folder, workers=2, template=behind_nginx.TEMPLATE) as running:
        yield running


class TestBehindNginx:
    def test_pages_are_proxied_to_the_microblog(self, lab_stack):
        status, headers, body = fetch(lab_stack.url + "/")
        assert status == 200 and b"No posts yet." in body
        assert headers["Server"].startswith("nginx")

    def test_static_files_come_from_nginx(self, lab_stack):
        status, _, body = fetch(lab_stack.url + "/static/style.css")
        assert status == 200
        assert body == (stack_module.HERE / "static" / "style.css").read_bytes()

    def test_the_app_learns_the_client_from_nginx_not_from_the_client(self, lab_stack):
        seen = health(lab_stack.url, {"X-Forwarded-For": "203.0.113.9",
                                      "X-Forwarded-Proto": "https"})
        assert seen["client"] == "127.0.0.1" and seen["scheme"] == "http"

    def test_the_app_logs_the_request_id_of_nginx(self, lab_stack):
        fetch(lab_stack.url + "/?lab")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            log = (lab_stack.folder / "gunicorn.log").read_text()
            lines = [line for line in log.splitlines() if '"GET /?lab' in line]
            if lines:
                break
            time.sleep(0.05)
        assert lines and "id=-" not in lines[-1], "no X-Request-ID reached gunicorn"

    def test_a_big_body_is_refused_by_nginx(self, lab_stack):
        head = reply_head(lab_stack.url, b"POST /posts HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Length: 200000\r\n\r\n" + b"x" * 1024)
        assert head.startswith(b"HTTP/1.1 413 ")
        assert "POST /posts" not in (lab_stack.folder / "gunicorn.log").read_text()


# The assignment: a zero-downtime deploy ---------------------------------------


@pytest.fixture
def service(tmp_path):
    """gunicorn (no nginx needed) serving release 1.0 of releases/
    (no database tables: the deploy only talks to /healthz)."""
    releases = tmp_path / "releases"
    (releases / "1.0").mkdir(parents=True)
    (releases / "1.0" / "VERSION").write_text("1.0\n")
    (releases / "current").symlink_to("1.0")
    environ = stack_environ(RELEASE_DIR=str(releases / "current"))
    with stack_module.running_app(tmp_path, workers=1, environ=environ,
                                   tables=False) as (gunicorn, url):
        yield releases, gunicorn, url


class TestZeroDowntime:
    def test_the_new_version_is_served_once_deploy_returns(self, service):
        releases, gunicorn, url = service
        zero_downtime.deploy(releases, "2.0", gunicorn.pid, url + "/healthz")
        assert [health(url)["version"] for _ in range(10)] == ["2.0"] * 10

    def test_current_points_at_the_new_release(self, service):
        releases, gunicorn, url = service
        zero_downtime.deploy(releases, "2.0", gunicorn.pid, url + "/healthz")
        assert os.readlink(releases / "current") == "2.0"
        assert not [p.name for p in releases.iterdir() if p.name.startswith(".")]

    def test_no_request_fails_during_a_deploy(self, service):
        releases, gunicorn, url = service
        results = []
        load = threading.Thread(target=lambda: results.append(
            http_load.measure(*address(url), connections=4, duration=4.0)))
        load.start()
        time.sleep(0.5)
        try:
            zero_downtime.deploy(releases, "2.0", gunicorn.pid, url + "/healthz")
        finally:
            load.join(30)
        (result,) = results
        assert result.requests > 50 and result.errors == 0
        assert health(url)["version"] == "2.0"

    def test_a_version_is_never_deployed_twice(self, service):
        releases, gunicorn, url = service
        with pytest.raises(zero_downtime.DeployError, match="exists already"):
            zero_downtime.deploy(releases, "1.0", gunicorn.pid, url + "/healthz")
        assert os.readlink(releases / "current") == "1.0"

    def test_an_unhealthy_service_is_not_touched(self, tmp_path):
        releases = tmp_path / "releases"
        releases.mkdir()
        dead = f"http://127.0.0.1:{stack_module.free_port()}/healthz"
        with pytest.raises(zero_downtime.DeployError, match="not healthy"):
            zero_downtime.deploy(releases, "2.0", os.getpid(), dead)
        assert list(releases.iterdir()) == []


@pytest.mark.skipif(IMPL == "starter", reason="checks the starters from the solution run")
def test_the_starters_fail_these_tests(tmp_path):
    assert_starters_fail(
        "tests/test_deployment_exercises.py",
        ("TestBehindNginx", "TestZeroDowntime"),
        given_code_tests={"test_pages_are_proxied_to_the_microblog"},
        tmp_path=tmp_path,
        timeout=110,
    )
