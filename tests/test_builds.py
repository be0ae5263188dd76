"""Builds are incremental: with nothing edited, a second ``make html`` or
``make slides`` reads no document; after one edit, only that document.

(hieroglyph used to force every document to be read again on every build;
tests/fixtures/hieroglyph_features uses every feature that did it.)
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.course import ROOT, tool_env
from tests.site import sphinx_command

FIXTURE = ROOT / "tests" / "fixtures" / "hieroglyph_features"


def build(project, builder: str, doctrees: str) -> str:
    command = sphinx_command(
        builder,
        project / "source",
        project / "_build" / builder,
        project / "_build" / doctrees,
        confdir=ROOT,  # the course's conf.py, as tests/test_hieroglyph_compat.py does
    )
    command.remove("-E")  # an incremental build, as make runs it
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=tool_env()
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def read_documents(output: str) -> tuple[int, int]:
    """(added, changed) from sphinx-build's "updating environment" line."""
    match = re.search(r"updating environment: (?:\[.*?\] )?(\d+) added, (\d+) changed", output)
    assert match, output
    return int(match[1]), int(match[2])


@pytest.fixture
def project(tmp_path):
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    return tmp_path


@pytest.mark.parametrize("builder", ["html", "slides"])
def test_a_second_build_reads_nothing_and_an_edit_reads_one_document(project, builder):
    added, _ = read_documents(build(project, builder, builder))
    assert added == 2  # index and themed: the first build reads everything

    assert read_documents(build(project, builder, builder)) == (0, 0)

    edited = project / "source" / "themed.rst"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    output = build(project, builder, builder)
    assert read_documents(output) == (0, 1)
    assert "reading sources... [100%] themed" in output


def test_doctrees_read_for_the_outline_are_read_again_for_the_slides(project):
    build(project, "html", "shared")
    # the same doctree folder for the other builder: ifslides/nextslide differ
    assert read_documents(build(project, "slides", "shared")) == (0, 2)
    assert read_documents(build(project, "slides", "shared")) == (0, 0)


def lecture_page(slug: str, title: str) -> str:
    rule = "=" * len(title)
    return f"{rule}\n{title}\n{rule}\n\n.. _{slug}-examples:\n\nPart\n----\n\nText.\n"


@pytest.mark.parametrize("builder", ["html", "slides"])
def test_a_new_lecture_page_joins_the_schedule_in_an_incremental_build(tmp_path, builder):
    """The schedule lists the lectures that have a page: adding one must
    read the home page again, or the new page is in no table of contents."""
    (tmp_path / "source").mkdir()
    shutil.copy(ROOT / "source" / "index.rst", tmp_path / "source")
    (tmp_path / "source" / "setup.rst").write_text(lecture_page("setup", "Week zero"))
    build(tmp_path, builder, builder)

    (tmp_path / "source" / "sockets.rst").write_text(lecture_page("sockets", "Sockets"))
    output = build(tmp_path, builder, builder)  # -W: "not included in any toctree" fails it
    assert read_documents(output) == (1, 1)  # the new page, and the home page again
    home = (tmp_path / "_build" / builder / "index.html").read_text(encoding="utf-8")
    assert 'href="sockets.html"' in home

    assert read_documents(build(tmp_path, builder, builder)) == (0, 0)
