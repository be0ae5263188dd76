"""Code on slides and pages: ``fragment``, ``literalinclude`` with a download
link, ``example-files``."""

from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.directives.code import CodeBlock, LiteralInclude
from sphinx.util.docutils import SphinxDirective

from hieroglyph_compat import is_slide_build

IGNORED_NAMES = {"__pycache__", ".pytest_cache"}


class Fragment(CodeBlock):
    """A code block marked as not runnable, with the reason why."""

    required_arguments = 1
    option_spec = {
        **CodeBlock.option_spec,
        "reason": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        reason = self.options.pop("reason", "").strip()
        if not reason:
            raise self.error("fragment: give a :reason: why this code is not run by the test suite")
        result = super().run()
        for node in result:
            if isinstance(node, (nodes.literal_block, nodes.container)):
                node["classes"].append("fragment")
                node["fragment_reason"] = reason
        return result


def repository_path(config, path: Path) -> str | None:
    """``path`` as the repository names it (relative to
    ``course_repository_root``), or None for a file outside it."""
    try:
        return path.resolve().relative_to(config.course_repository_root).as_posix()
    except ValueError:
        return None


class ExampleLiteralInclude(LiteralInclude):
    """``literalinclude`` that adds a download link to the included file in the outline.

    Its extra option ``:checked-by: tests/test_x.py::test_name`` names the
    test that checks a file that is not Python (a transcript, a data file):
    the course's drift audit requires that test to pass.  Nothing is shown.
    """

    option_spec = {**LiteralInclude.option_spec, "checked-by": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        self.options.pop("checked-by", None)
        result = super().run()
        if is_slide_build(self.env):
            return result
        relative_name, absolute_name = self.env.relfn2path(self.arguments[0])
        shown_name = repository_path(self.config, Path(absolute_name))
        if shown_name is None:
            return result
        result.append(_download_paragraph(self.env.docname, relative_name, shown_name))
        return result


def _download_paragraph(docname: str, target: str, shown_name: str) -> nodes.paragraph:
    reference = addnodes.download_reference(
        "", "", refdoc=docname, reftarget="/" + target, refexplicit=True
    )
    reference += nodes.literal(shown_name, shown_name)
    paragraph = nodes.paragraph("", "", classes=["example-download"])
    paragraph += nodes.Text("Download ")
    paragraph += reference
    return paragraph


class ExampleFiles(SphinxDirective):
    """List every file of ``<course_examples_root>/NAME`` with a download link."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        folder = Path(self.config.course_examples_root, self.arguments[0])
        shown_folder = repository_path(self.config, folder) or os.fspath(folder)
        if not folder.is_dir():
            raise self.error(f"example-files: no folder {shown_folder}")
        srcdir = Path(self.env.srcdir)
        items = nodes.bullet_list(classes=["example-files"])
        for path in _example_files(folder):
            target = Path(os.path.relpath(path, srcdir)).as_posix()
            shown_name = repository_path(self.config, path) or path.name
            item = nodes.list_item()
            item += _download_paragraph(self.env.docname, target, shown_name)
            items += item
            self.env.note_dependency(str(path))
        return [items]


def _example_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not IGNORED_NAMES.intersection(path.parts) and path.suffix != ".pyc"
    )
