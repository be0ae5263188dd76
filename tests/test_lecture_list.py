"""Adding a lecture to lectures.toml is all it takes: in a copy of the course,
a stub lecture (tests/fixtures/stub_lecture: its .rst, example and test) put
fifth on the list is on the schedule, in the site checks, in the browser
checks and in the drift audit, with no other edit.  The same copy shows
that the audit measures what the tests run: an included function whose name
a test only mentions in a comment fails the run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.course import ROOT, copy_course, tool_env

STUB = ROOT / "tests" / "fixtures" / "stub_lecture"


@pytest.fixture(scope="module")
def course_with_a_stub(tmp_path_factory) -> Path:
    """A copy of the course with the stub lecture fifth in the list."""
    course = copy_course(tmp_path_factory.mktemp("course"))
    for folder in ("source", "examples", "tests"):
        shutil.copytree(STUB / folder, course / folder, dirs_exist_ok=True)
    lectures = (course / "lectures.toml").read_text(encoding="utf-8")
    fifth = [match.start() for match in re.finditer(r"^\[\[lecture\]\]", lectures, re.M)][4]
    stub = (STUB / "lecture.toml").read_text(encoding="utf-8")
    (course / "lectures.toml").write_text(f"{lectures[:fifth]}{stub}\n{lectures[fifth:]}")
    return course


def pytest_in(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=300,
        env=tool_env(PYTEST_ADDOPTS=""),
    )


def test_the_stub_is_in_the_site_and_browser_checks(course_with_a_stub):
    collected = pytest_in(
        course_with_a_stub, "--collect-only", "-q", "tests/test_site.py", "tests/test_browser.py"
    )
    assert collected.returncode == 0, collected.stdout[-3000:]
    for check in (
        "tests/test_site.py::test_lecture_has_an_outline_page_and_a_deck[stub]",
        "tests/test_site.py::test_every_slide_links_to_its_outline_section[stub]",
        "tests/test_site.py::test_schedule_links_to_outline_deck_and_examples[stub]",
        "tests/test_browser.py::test_arrow_keys_move_between_slides[stub]",
        "tests/test_browser.py::test_every_slide_fits_a_projector[1024x768-stub]",
    ):
        assert check in collected.stdout, check


def test_the_stub_is_scheduled_fifth_and_passes_its_site_checks(course_with_a_stub):
    run = pytest_in(
        course_with_a_stub, "--lecture", "stub", "-v", "--cov", "--cov-report=",
        "--measure-includes", "tests/test_stub.py", "source/stub.rst", "tests/test_site.py",
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-5000:]
    assert "test_schedule_links_to_outline_deck_and_examples[stub] PASSED" in run.stdout
    assert "test_every_slide_names_the_lecture_and_links_to_edit_and_report[stub] PASSED" in (
        run.stdout
    )
    # the audit measured the stub's include: the test ran greet()
    assert re.search(r"^stub\s+2\s+1\s+0\s+0$", run.stdout, re.M), run.stdout[-2000:]
    assert "includes checked against the lines this run executed: stub" in run.stdout


def test_an_include_that_no_test_runs_fails_the_run(course_with_a_stub):
    lecture = course_with_a_stub / "source" / "stub.rst"
    text = lecture.read_text(encoding="utf-8")
    tests = course_with_a_stub / "tests" / "test_stub.py"
    original_tests = tests.read_text(encoding="utf-8")
    try:
        # the old loophole: shout is shown, and a test names it only in a comment
        lecture.write_text(
            text.replace(
                ".. code-block:: pycon",
                ".. literalinclude:: ../examples/stub/greeting.py\n   :pyobject: shout\n\n"
                ".. code-block:: pycon",
                1,
            ),
            encoding="utf-8",
        )
        tests.write_text(original_tests + "\n# shout() is tested elsewhere\n", encoding="utf-8")
        run = pytest_in(
            course_with_a_stub, "--lecture", "stub", "--cov", "--cov-report=",
            "--measure-includes", "tests/test_stub.py", "source/stub.rst",
        )  # fmt: skip
        assert run.returncode == 1, run.stdout[-3000:]
        assert "examples/stub/greeting.py: shout is shown but no test ran it" in run.stdout
        assert "3 passed" in run.stdout  # every test passed: the audit failed the run
    finally:
        lecture.write_text(text, encoding="utf-8")
        tests.write_text(original_tests, encoding="utf-8")


def test_an_entry_may_set_its_number_and_label_and_the_next_ones_count_on(tmp_path):
    from sphinx_course.lectures import load_lectures

    listing = tmp_path / "lectures.toml"
    listing.write_text(
        '[[lecture]]\nslug = "zero"\nnumber = 0\nlabel = "Week 0"\ntitle = "Z"\ntopics = "z"\n'
        '[[lecture]]\nslug = "one"\ntitle = "O"\ntopics = "o"\n'
        '[[lecture]]\nslug = "two"\ntitle = "T"\ntopics = "t"\n',
        encoding="utf-8",
    )
    numbered = [(entry["number"], entry["label"]) for entry in load_lectures(listing)]
    assert numbered == [(0, "Week 0"), (1, "Lecture 1"), (2, "Lecture 2")]
    listing.write_text(
        '[[lecture]]\nslug = "a"\ntitle = "A"\ntopics = "a"\n'
        '[[lecture]]\nslug = "b"\nnumber = 1\ntitle = "B"\ntopics = "b"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="number must grow"):
        load_lectures(listing)


def test_week_0_comes_first_and_lecture_1_is_still_lecture_1():
    from tests.course import LECTURES

    assert [(entry["slug"], entry["label"]) for entry in LECTURES[:2]] == [
        ("setup", "Week 0"),
        ("sockets", "Lecture 1"),
    ]
