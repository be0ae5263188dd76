"""The drift audit cannot be fooled: each old loophole, planted, now fails it.

(The end-to-end case, a shown function that a test only names in a comment,
is in tests/test_lecture_list.py: it needs a real measured run.)
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import coverage

from tests import audit


def lecture(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "source" / "planted.rst"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def example(tmp_path: Path, code: str) -> Path:
    path = tmp_path / "examples" / "planted" / "demo.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    return path


def test_a_bare_literal_block_with_python_is_unaccounted(tmp_path):
    path = lecture(
        tmp_path,
        """
        The reply::

           250 2.1.5 Recipient ok
           print("never run")

        And in expanded form:

        ::

           import socket
        """,
    )
    problems = audit.audit_lecture(path, tmp_path / "examples").problems
    assert [problem.split(": ", 1)[0] for problem in problems] == [
        f"{path}:2",
        f"{path}:9",
    ]
    assert all("bare '::' literal block" in problem for problem in problems)


def test_a_literal_directive_that_nothing_runs_is_unaccounted(tmp_path):
    path = lecture(tmp_path, ".. parsed-literal::\n\n   import socket\n")
    (problem,) = audit.audit_lecture(path, tmp_path / "examples").problems
    assert "parsed-literal is neither run nor marked" in problem


def test_a_fragment_counts_only_with_a_reason(tmp_path):
    path = lecture(
        tmp_path,
        """
        .. fragment:: console
           :reason: a shell command

           $ make

        .. fragment:: console

           $ make test
        """,
    )
    result = audit.audit_lecture(path, tmp_path / "examples")
    assert result.fragments == 1
    assert ["fragment without a :reason:" in problem for problem in result.problems] == [True]


def measured_include(tmp_path, pyobject: str, run) -> list[str]:
    """Audit a lecture that shows `pyobject` of an example, after a measured
    run (real coverage.py) that imports the example and calls run(module)."""
    source = example(
        tmp_path,
        """
        def greet(name):
            return f"Hello, {name}!"


        def shout(name):
            return greet(name).upper()
        """,
    )
    path = lecture(
        tmp_path,
        f"""
        .. literalinclude:: ../examples/planted/demo.py
           :pyobject: {pyobject}
        """,
    )
    measured = coverage.Coverage(data_file=None, config_file=False, source=[str(source.parent)])
    namespace: dict = {}
    measured.start()
    try:
        exec(compile(source.read_text(), str(source), "exec"), namespace)
        run(namespace)
    finally:
        measured.stop()
    result = audit.audit_lecture(path, tmp_path / "examples")
    audit.apply_coverage(result, measured)
    return result.problems


def test_a_function_that_was_only_imported_is_not_tested(tmp_path):
    # importing runs the def line: that must not count as running the function
    (problem,) = measured_include(tmp_path, "shout", run=lambda module: None)
    assert "demo.py: shout is shown but no test ran it (0 of 1 lines executed)" in problem


def test_a_function_that_ran_is_tested(tmp_path):
    assert measured_include(tmp_path, "shout", run=lambda module: module["shout"]("a")) == []


def test_calling_another_function_does_not_count(tmp_path):
    problems = measured_include(tmp_path, "shout", run=lambda module: module["greet"]("a"))
    assert len(problems) == 1


def test_a_shown_file_that_is_not_python_needs_a_passing_checker(tmp_path):
    transcript = tmp_path / "examples" / "planted" / "transcript.txt"
    transcript.parent.mkdir(parents=True)
    transcript.write_text("C: HELO\nS: 250 hello\n", encoding="utf-8")
    include = ".. literalinclude:: ../examples/planted/transcript.txt\n   :class: whole-file\n"
    path = lecture(tmp_path, include)
    (problem,) = audit.audit_lecture(path, tmp_path / "examples").problems
    assert "needs :checked-by:" in problem

    checker = "tests/test_audit.py::test_a_shown_file_that_is_not_python_needs_a_passing_checker"
    lecture(tmp_path, include + f"   :checked-by: {checker}\n")
    checked = audit.audit_lecture(path, tmp_path / "examples")
    assert checked.problems == []
    empty = coverage.Coverage(data_file=None, config_file=False)
    audit.apply_coverage(checked, empty, passed=set())  # the checker did not run
    assert checked.problems == [f"{path}:1: {checker} (:checked-by:) did not pass in this run"]

    lecture(tmp_path, include + "   :checked-by: tests/test_audit.py::test_nothing_of_the_kind\n")
    (problem,) = audit.audit_lecture(path, tmp_path / "examples").problems
    assert "names no test" in problem
