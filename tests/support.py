"""Helpers shared by the course's tests: load example programs, run them.

Everything here cleans up after itself: sockets are closed, threads joined,
child processes terminated and waited for. Servers only listen on loopback
addresses and ephemeral ports.

    load_example(slug, name)          import examples/<slug>/<name>.py
    example_path(slug, name)          the path of that file
    run_example(slug, script, *args)  run a server script with --port 0,
                                      yield (process, host, port)
    start_example(slug, script, *args)
                                      run a server script, yield (process,
                                      the address it announced)
    run_script(slug, script, *args)   run a script to completion
    assert_starters_fail(...)         an exercise's tests fail on its starter

Network helpers (servers in threads, clients, skip marks) are in
tests/net.py; they are imported here too, for the tests that use both.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from tests.course import EXAMPLES, ROOT
from tests.net import (  # noqa: F401  (re-exported for the lectures' tests)
    LOOPBACK,
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    connected_pair,
    handler_server,
    in_thread,
    make_listener,
    read_exactly,
    recv_until_eof,
    reset_connection,
    sending,
)

STARTUP_TIMEOUT = 15.0  # for a script to print its "listening on" line
EXIT_TIMEOUT = 5.0  # for a script to exit once asked to


# Loading example modules --------------------------------------------------


def example_path(slug: str, name: str) -> Path:
    """Return examples/<slug>/<name>.py; name may contain '/'."""
    path = EXAMPLES / slug / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


def load_example(slug: str, name: str) -> ModuleType:
    """Import examples/<slug>/<name>.py as course_examples.<slug>.<name>.

    While the module runs, its own directory is first on sys.path, as when
    a student runs the file, so that it can import its siblings.  Siblings
    it imports are kept under their course_examples names only, never under
    their plain names (lecture 4's ``service`` must not be found when
    another lecture imports a ``service`` of its own), and a sibling loaded
    before is the same module object.  No bytecode is written next to the
    examples.
    """
    path = example_path(slug, name)
    dotted = _dotted_name(path)
    if dotted in sys.modules:
        return sys.modules[dotted]
    spec = importlib.util.spec_from_file_location(dotted, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    directory = str(path.parent)
    # Plain names of the siblings (a lecture session's imports, or another
    # lecture's module of the same name) step aside while the example runs,
    # and the siblings loaded here before stand in their place: the example
    # and the modules it imports see one consistent set.
    siblings = {sibling.stem for sibling in path.parent.glob("*.py")}
    hidden = {stem: sys.modules.pop(stem) for stem in siblings if stem in sys.modules}
    before = set(sys.modules)
    for stem in siblings:
        if loaded := sys.modules.get(_dotted_name(path.parent / f"{stem}.py")):
            sys.modules[stem] = loaded
    sys.path.insert(0, directory)
    saved_dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    sys.modules[dotted] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[dotted]
        raise
    finally:
        sys.dont_write_bytecode = saved_dont_write
        sys.path.remove(directory)
        for plain, mod in list(sys.modules.items()):
            # what the example imported under a plain name moves to its
            # course_examples name; the plain names hidden above come back
            if plain not in before and _plain_example_name(plain, mod):
                sys.modules.setdefault(_dotted_name(Path(mod.__file__)), mod)
                del sys.modules[plain]
        sys.modules.update(hidden)
    return module


def _dotted_name(path: Path) -> str:
    """examples/<slug>/a/b.py -> course_examples.<slug>.a.b"""
    return ".".join(
        ["course_examples", *path.resolve().relative_to(EXAMPLES).with_suffix("").parts]
    )


def _plain_example_name(name: str, module: object) -> bool:
    """Whether sys.modules[name] is an example imported under its plain name."""
    file = getattr(module, "__file__", None)
    return (
        not name.startswith("course_examples.")
        and file is not None
        and Path(file).resolve().is_relative_to(EXAMPLES)
    )


# Running example scripts as a student would -------------------------------


def script_env() -> dict[str, str]:
    """The environment of a child script: ours, plus UTF-8 stdio everywhere
    and no __pycache__ folders written next to the examples."""
    return {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"}


def script_command(slug: str, script: str, *args: str) -> list[str]:
    """The command line that runs an example script with this Python."""
    return [sys.executable, str(example_path(slug, script)), *args]


def run_script(
    slug: str, script: str, *args: str, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run an example script to completion and capture its output."""
    return subprocess.run(
        script_command(slug, script, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=ROOT,
        env=script_env(),
    )


def _read_first_line(process: subprocess.Popen[str], timeout: float) -> str:
    """Return the first line of the process's stdout, waiting at most timeout.

    The read happens in a thread because a pipe read cannot time out
    portably; on timeout the process is killed, which ends the read.
    """
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        process.kill()
        reader.join(EXIT_TIMEOUT)
        raise AssertionError(f"no output within {timeout} s: {process.args}")
    return lines[0]


def stop_process(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Terminate process (if still running), wait, return (stdout, stderr)."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.communicate(timeout=EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate(timeout=EXIT_TIMEOUT)


class ScriptOutput:
    """What a script printed; filled in once the script has stopped."""

    stdout: str = ""
    stderr: str = ""


@contextmanager
def start_example(
    slug: str, script: str, *args: str, timeout: float = STARTUP_TIMEOUT
) -> Iterator[tuple[subprocess.Popen[str], str, ScriptOutput]]:
    """Run a server script; yield (process, address, output) once it listens.

    `address` is what follows "listening on " in the script's first line.
    On exit the script is terminated (if it still runs) and waited for, and
    `output` receives the rest of its stdout and its stderr.
    """
    process = subprocess.Popen(
        script_command(slug, script, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=script_env(),
    )
    output = ScriptOutput()
    try:
        first_line = _read_first_line(process, timeout)
        match = re.fullmatch(r".* listening on (\S+)\n", first_line)
        if match is not None:
            yield process, match.group(1), output
    finally:
        output.stdout, output.stderr = stop_process(process)
    if match is None:
        raise AssertionError(
            f"expected '... listening on ADDRESS', got {first_line!r}; stderr: {output.stderr}"
        )


@contextmanager
def run_example(
    slug: str, script: str, *args: str
) -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    """Run `script *args --port 0`; yield (process, host, port) it uses."""
    with start_example(slug, script, *args, "--port", "0") as started:
        process, address, _ = started
        host, _, port = address.rpartition(":")
        yield process, host, int(port)


# Exercises: the tests must tell a starter from a solution ----------------------


def outcomes_by_class(junit_xml: Path) -> dict[str, dict[str, bool]]:
    """{class name: {test name: passed?}} from a pytest --junitxml report;
    a parametrized test passes only if every one of its cases does."""
    from xml.etree import ElementTree

    outcomes: dict[str, dict[str, bool]] = {}
    for case in ElementTree.parse(junit_xml).getroot().iter("testcase"):
        class_name = case.get("classname", "").rpartition(".")[2]
        name = case.get("name", "").partition("[")[0]  # without parameters
        passed = not any(case.find(tag) is not None for tag in ("failure", "error", "skipped"))
        tests = outcomes.setdefault(class_name, {})
        tests[name] = tests.get(name, True) and passed
    return outcomes


def assert_starters_fail(
    test_file: str,
    exercises: tuple[str, ...],
    given_code_tests: set[str],
    tmp_path: Path,
    timeout: float = 100,
    most_passing: float = 0.25,
) -> None:
    """Run an exercise test file against the starters (COURSE_IMPL=starter)
    in a child pytest, and check that each exercise's tests fail there,
    except those that only use code the starter already gives (and at most
    the fraction ``most_passing`` of an exercise's tests)."""
    report = tmp_path / "starters.xml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            test_file,
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={report}",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "COURSE_IMPL": "starter",
            "COURSE_SOCKET_TIMEOUT": "1",  # a starter that does nothing: fail soon
            "COURSE_LEAK_GRACE": "0.2",
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    outcomes = outcomes_by_class(report)
    for exercise in exercises:
        tests = outcomes[exercise]
        passed = {name for name, ok in tests.items() if ok}
        assert passed <= given_code_tests, f"{exercise}: starter passes {passed}"
        assert len(passed) <= most_passing * len(tests), f"{exercise}: starter passes {passed}"
