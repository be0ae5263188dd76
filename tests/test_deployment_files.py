"""Lecture 12: the files a deployment is made of, checked without a server:
the app's settings and middleware (in-process), gunicorn's configuration,
the systemd unit (systemd-analyze verify), the Dockerfile, the CI and
GitHub Pages workflows, Read the Docs' configuration, publish_site.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from werkzeug.test import Client

from tests.net import require_command
from tests.support import example_path, load_example, run_script, script_env
from tests.support_deployment import SECRET, wsgi

HERE = example_path("deployment", "wsgi").parent
check_workflow = load_example("deployment", "check_workflow")
publish_site = load_example("deployment", "publish_site")


# Settings from the environment ------------------------------------------------


def test_settings_come_from_the_environment():
    settings = wsgi.settings_from({"SECRET_KEY": SECRET, "DATABASE_URL": "sqlite://"})
    assert settings == {"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://"}


@pytest.mark.parametrize("environ", [{}, {"SECRET_KEY": "short"}])
def test_no_usable_secret_key_stops_the_start(environ):
    with pytest.raises(wsgi.ConfigurationError, match="SECRET_KEY must be set"):
        wsgi.settings_from(environ)


def test_gunicorn_refuses_to_start_the_app_without_a_secret_key():
    environ = {k: v for k, v in script_env().items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(HERE / "gunicorn.conf.py"),
         "--check-config"],
        env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_gunicorn_settings_read_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.delenv("BIND", raising=False)
    config = load_example("deployment", "gunicorn.conf")
    assert config.workers == 5 and config.bind == "127.0.0.1:8000"
    assert config.worker_class == "sync" and config.wsgi_app == "wsgi:application"


# The middleware, in-process ---------------------------------------------------


@pytest.fixture
def client(tmp_path):
    release = tmp_path / "release"
    release.mkdir()
    (release / "VERSION").write_text("2.0\n")
    app = wsgi.build({"SECRET_KEY": SECRET, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite",
                      "RELEASE_DIR": str(release)})
    return Client(app)


def test_health_check_answers_with_version_and_pid(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    document = json.loads(reply.data)
    assert document["status"] == "ok" and document["version"] == "2.0"
    assert document["pid"] == os.getpid()


def test_request_ids_are_kept_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}
                      ).headers["X-Request-ID"] == "abc-123"
    forged = {"X-Request-ID": "no spaces; please"}
    made = client.get("/healthz", headers=forged).headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def test_the_app_logs_each_request_with_its_id(client, caplog):
    with caplog.at_level("INFO", logger="microblog.requests"):
        client.get("/healthz", headers={"X-Request-ID": "req-42"})
    assert "req-42 GET /healthz -> 200" in caplog.text


def test_proxy_fix_believes_only_the_last_forwarded_address(client):
    seen = json.loads(client.get("/healthz", headers={
        "X-Forwarded-For": "203.0.113.9, 198.51.100.7",
        "X-Forwarded-Proto": "https"}).data)
    assert seen["client"] == "198.51.100.7" and seen["scheme"] == "https"


# systemd and Docker -----------------------------------------------------------


def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = require_command("systemd-analyze", "systemd")
    # on the server gunicorn is /srv/microblog/venv/bin/gunicorn; here, ours
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    unit = (HERE / "microblog.service").read_text()
    assert "ExecReload=/bin/kill -s HUP $MAINPID" in unit
    (tmp_path / "microblog.service").write_text(
        unit.replace("/srv/microblog/venv/bin/gunicorn", gunicorn))
    (tmp_path / "broken.service").write_text(unit.replace("ExecStart=", "ExecStrat="))
    good = subprocess.run([analyze, "verify", str(tmp_path / "microblog.service")],
                          capture_output=True, text=True, timeout=30)
    assert good.returncode == 0, good.stderr
    bad = subprocess.run([analyze, "verify", str(tmp_path / "broken.service")],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "ExecStrat" in bad.stderr


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (HERE / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [tuple(line.split(" ", 1)) for line in lines]


def test_the_dockerfile_copies_what_exists_and_runs_as_a_user():
    instructions = dockerfile_instructions()
    root = HERE.parent.parent
    for keyword, argument in instructions:
        if keyword == "COPY":
            assert (root / argument.split()[0]).exists(), argument
    keywords = [keyword for keyword, _ in instructions]
    assert keywords.index("USER") < keywords.index("CMD")
    cmd = json.loads(dict(instructions)["CMD"])
    assert cmd[:2] == ["gunicorn", "--config"] and (root / cmd[2]).is_file()
    assert "/healthz" in dict(instructions)["HEALTHCHECK"]


# Workflows and Read the Docs --------------------------------------------------


WORKFLOWS = ["ci.yml", "site/pages.yml"]


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_workflows_pass_the_check(name):
    assert check_workflow.check_file(HERE / name) == []


def test_check_workflow_py_says_ok_from_the_command_line():
    result = run_script("deployment", "check_workflow", *(str(HERE / n) for n in WORKFLOWS))
    assert result.returncode == 0 and result.stdout.count(": ok") == 2


BROKEN = {
    "no trigger": ("jobs: {a: {runs-on: x, steps: [{run: ls}]}}", "no 'on:' section"),
    "unpinned action": ("on: push\njobs: {a: {runs-on: x, steps: [{uses: actions/checkout}]}}",
                        "not pinned"),
    "uses and run": ("on: push\njobs: {a: {runs-on: x, steps: [{uses: a@v1, run: ls}]}}",
                     "exactly one of"),
    "unknown need": ("on: push\njobs: {a: {runs-on: x, needs: b, steps: [{run: ls}]}}",
                     "needs unknown job 'b'"),
    "no runner": ("on: push\njobs: {a: {steps: [{run: ls}]}}", "no runs-on"),
    "typo in a step": ("on: push\njobs: {a: {runs-on: x, steps: [{runn: ls}]}}",
                       "unknown key 'runn'"),
    "colon in a name": ("on: push\njobs:\n  a:\n    steps:\n      - name: CI=true: x\n",
                        "not YAML"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_check_workflow_finds_each_mistake(tmp_path, case):
    text, expected = BROKEN[case]
    path = tmp_path / "workflow.yml"
    path.write_text(text)
    assert any(expected in problem for problem in check_workflow.check_file(path))


def steps_of(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def test_ci_installs_nginx_and_fails_rather_than_skips():
    workflow = yaml.safe_load((HERE / "ci.yml").read_text())
    steps = steps_of(workflow, "test")
    assert any("apt-get install -y nginx" in step.get("run", "") for step in steps)
    tests = [step for step in steps if "pytest" in step.get("run", "")]
    assert tests and tests[0]["env"]["CI"] == "true"
    assert workflow["jobs"]["test"]["strategy"]["matrix"]["python"] == ["3.11", "3.13"]


def test_pages_builds_both_outputs_and_deploys_them_together():
    workflow = yaml.safe_load((HERE / "site" / "pages.yml").read_text())
    runs = " && ".join(step.get("run", "") for step in steps_of(workflow, "build"))
    assert "make PYTHON=python html slides" in runs
    assert "publish_site.py _build site" in runs
    upload = [step for step in steps_of(workflow, "build")
              if "upload-pages-artifact" in step.get("uses", "")]
    assert upload[0]["with"]["path"] == "site"
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_read_the_docs_builds_both_outputs_the_same_way():
    config = yaml.safe_load((HERE / "site" / "readthedocs.yaml").read_text())
    assert config["version"] == 2
    commands = config["build"]["commands"]
    assert any("-W -c . -b html source _build/html" in c for c in commands)
    assert any("-W -c . -b slides source _build/slides" in c for c in commands)
    assert commands[-1].endswith("publish_site.py _build $READTHEDOCS_OUTPUT/html")


# publish_site.py on a small build of its own -----------------------------------


def small_build(folder, slides_link="../slides/a.html"):
    for output in ("html", "slides"):
        (folder / output).mkdir(parents=True)
        (folder / output / "index.html").write_text("<p>home</p>")
    (folder / "html" / "a.html").write_text(f'<a href="{slides_link}#s1">slides</a>')
    (folder / "slides" / "a.html").write_text('<a href="../html/a.html">outline</a>')
    (folder / "html" / ".buildinfo").write_text("x")
    return folder


def test_publish_site_puts_the_outputs_side_by_side(tmp_path):
    build = small_build(tmp_path / "_build")
    result = run_script("deployment", "publish_site", str(build), str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert "0 broken links" in result.stdout
    site = tmp_path / "site"
    assert (site / "html" / "a.html").is_file() and (site / "slides" / "a.html").is_file()
    assert not (site / "html" / ".buildinfo").exists()
    assert 'url=html/index.html' in (site / "index.html").read_text()


def test_publish_site_reports_a_link_that_leads_nowhere(tmp_path):
    build = small_build(tmp_path / "_build", slides_link="../slides/gone.html")
    result = run_script("deployment", "publish_site", str(build), str(tmp_path / "site"))
    assert result.returncode == 1
    assert "broken link: html/a.html -> ../slides/gone.html" in result.stderr


def test_publish_site_refuses_a_missing_build(tmp_path):
    result = run_script("deployment", "publish_site", str(tmp_path), str(tmp_path / "site"))
    assert result.returncode == 1 and "not built: html, slides" in result.stderr


# uvicorn: an ASGI server, for real -----------------------------------------------


def test_uvicorn_serves_the_asgi_health_check():
    from tests.support_deployment import stack_module
    import urllib.error
    import urllib.request

    port = stack_module.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE), "asgi_health:app",
         "--host", "127.0.0.1", "--port", str(port)],
        env=script_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        stack_module.wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
            document = json.load(reply)
        assert document["status"] == "ok" and document["pid"] == process.pid
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/nope", timeout=5)
        missing.value.close()
        assert missing.value.code == 404
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "Uvicorn running on http://127.0.0.1" in output
