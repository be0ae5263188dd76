"""The course's own Sphinx directives and roles.

``.. fragment:: LANGUAGE``
    A code block that cannot run on its own (the shape of a loop, a shell
    command).  Its ``:reason:`` is required, so every block that the test
    suite does not execute says why, in the source.  It renders like a
    ``code-block``, with a small "fragment" label in the outline.

``.. literalinclude::``
    Sphinx's own, plus: in the outline, a download link to the file under
    ``examples/`` that the listing comes from; and ``:checked-by:``, the test
    that checks a non-Python file (for the drift audit).

``:deck:`docname```
    A link from an outline page to the slide deck of ``docname``.

``.. example-files:: SLUG``
    A list of every file in ``examples/SLUG/``, each with a download link.

``.. course-schedule::``
    The table of contents and the schedule, made from the lecture list
    (``course_lectures_file`` in conf.py, a TOML file: see lectures.toml).
    The outline gets a table (number, title, topics, links to the outline,
    the deck and the examples); the slides get numbered lists, six lectures
    a slide.  A lecture whose source file does not exist yet is listed as
    "in preparation" and left out of the table of contents.

Slides and pages also learn where their source is: every slide's footer
names the lecture ("Lecture 1: ...") and links to the slide's source line
and to the editor for the lecture, and every outline page offers "edit this
page" and "report a problem" links.  The repository is ``repository_url``
in conf.py.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.directives.code import CodeBlock, LiteralInclude
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.nodes import nested_parse_with_titles

from course_lectures import load_lectures
from hieroglyph import writer as hg_writer
from hieroglyph_compat import _is_slide_environment

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPOSITORY_ROOT / "examples"
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


class ExampleLiteralInclude(LiteralInclude):
    """``literalinclude`` that adds a download link to the included file in the outline.

    Its extra option ``:checked-by: tests/test_x.py::test_name`` names the
    test that checks a file that is not Python (a transcript, a data file):
    the drift audit requires that test to pass in the run.  Nothing is shown.
    """

    option_spec = {**LiteralInclude.option_spec, "checked-by": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        self.options.pop("checked-by", None)
        result = super().run()
        if _is_slide_environment(self.env):
            return result
        relative_name, absolute_name = self.env.relfn2path(self.arguments[0])
        path = Path(absolute_name)
        try:
            shown_name = path.relative_to(REPOSITORY_ROOT).as_posix()
        except ValueError:
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
    """List every file of ``examples/SLUG`` with a download link."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        slug = self.arguments[0]
        folder = EXAMPLES_DIR / slug
        if not folder.is_dir():
            raise self.error(f"example-files: no folder examples/{slug}")
        srcdir = Path(self.env.srcdir)
        items = nodes.bullet_list(classes=["example-files"])
        for path in _example_files(folder):
            target = Path(os.path.relpath(path, srcdir)).as_posix()
            item = nodes.list_item()
            item += _download_paragraph(
                self.env.docname, target, path.relative_to(REPOSITORY_ROOT).as_posix()
            )
            items += item
            self.env.note_dependency(str(path))
        return [items]


def _example_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not IGNORED_NAMES.intersection(path.parts) and path.suffix != ".pyc"
    )


class DeckRole(SphinxRole):
    """``:deck:`sockets``` or ``:deck:`the slides <sockets>```: link to a lecture's deck."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        text = self.text
        if "<" in text and text.endswith(">"):
            title, docname = text[:-1].split("<", 1)
            title = title.strip()
        else:
            title, docname = "slides", text
        docname = docname.strip()
        node = deck_reference(title, title, docname=docname)
        return [node], []


class deck_reference(nodes.Inline, nodes.TextElement):
    """Placeholder resolved per builder: slide decks link to each other, outlines to the deck."""


def _resolve_deck_references(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    builder = app.builder
    for node in list(doctree.findall(deck_reference)):
        target = node["docname"]
        if target not in app.env.found_docs:
            raise ValueError(f"{docname}: :deck: names an unknown document {target!r}")
        if _is_slide_environment(app.env):
            uri = builder.get_relative_uri(docname, target)
        else:
            deck = posixpath.join(builder.config.slide_relative_path, target)
            uri = builder.get_relative_uri(docname, deck)
        reference = nodes.reference(
            "", node.astext(), refuri=uri, classes=["deck-link"], internal=False
        )
        node.replace_self(reference)


# -- Where each page and slide comes from ------------------------------------


def _read_lecture_list(app: Sphinx, config) -> None:
    """Load ``course_lectures_file`` into ``course_lectures`` (an env config
    value, so editing the list re-reads what depends on it)."""
    if config.course_lectures_file:
        config.course_lectures = load_lectures(Path(app.confdir) / config.course_lectures_file)


def lecture_label(env, docname: str) -> str:
    """ "Lecture 2: Title" for a lecture in the list, "" for other pages."""
    label = next(
        (lecture["label"] for lecture in env.config.course_lectures if lecture["slug"] == docname),
        None,
    )
    if label is None or docname not in env.titles:
        return ""
    return f"{label}: {env.titles[docname].astext()}"


class CourseSchedule(SphinxDirective):
    """The table of contents and the schedule, from the lecture list."""

    LECTURES_PER_SLIDE = 6

    def run(self) -> list[nodes.Node]:
        lectures = self.config.course_lectures
        if not lectures:
            raise self.error("course-schedule: no lectures (set course_lectures_file in conf.py)")
        written = [lecture for lecture in lectures if lecture["slug"] in self.env.found_docs]
        text = [".. toctree::", "   :maxdepth: 1", "   :caption: Lectures", "   :hidden:", ""]
        text += [f"   {lecture['slug']}" for lecture in written] + [""]
        if _is_slide_environment(self.env):
            text += self._slides(lectures, written)
        else:
            text += self._table(lectures, written)
        container = nodes.container()
        nested_parse_with_titles(self.state, StringList(text, self.get_source_info()[0]), container)
        return container.children

    def _slides(self, lectures, written) -> list[str]:
        """A slide per six lectures: a numbered list of links."""
        text = []
        for start in range(0, len(lectures), self.LECTURES_PER_SLIDE):
            chunk = lectures[start : start + self.LECTURES_PER_SLIDE]
            title = f"Lectures {chunk[0]['number']} to {chunk[-1]['number']}"
            text += [title, "~" * len(title), ""]
            for lecture in chunk:
                shown = (
                    f":doc:`{lecture['slug']}`"
                    if lecture in written
                    else f"{lecture['title']} *(in preparation)*"
                )
                text.append(f"{lecture['number']}. {shown}")
            text.append("")
        return text

    def _table(self, lectures, written) -> list[str]:
        """A table: number, lecture, topics, links to its outline, deck and examples."""
        text = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 5 30 50 15",
            "   :class: course-schedule",
            "",
            "   * - #",
            "     - Lecture",
            "     - Topics",
            "     - Material",
        ]
        for lecture in lectures:
            slug = lecture["slug"]
            if lecture in written:
                name = f":doc:`{slug}`"
                material = (
                    f":doc:`outline <{slug}>`, :deck:`slides <{slug}>`,"
                    f" :ref:`examples <{slug}-examples>`"
                )
            else:
                name, material = lecture["title"], "in preparation"
            text += [
                f"   * - {lecture['number']}",
                f"     - {name}",
                f"     - {lecture['topics']}",
                f"     - {material}",
            ]
        return text + [""]


def source_urls(config, docname: str, line: int | None = None) -> dict[str, str]:
    """Links to a document's source in the repository (empty without repository_url)."""
    repository = config.repository_url.rstrip("/")
    if not repository:
        return {}
    path = f"source/{docname}.rst"
    blob = f"{repository}/blob/{config.repository_branch}/{path}"
    title = f"Problem in {path}" + (f" line {line}" if line else "")
    body = f"Where: {blob}" + (f"#L{line}" if line else "") + "\n\nWhat is wrong:"
    return {
        "source_url": blob + (f"#L{line}" if line else ""),
        "edit_url": f"{repository}/edit/{config.repository_branch}/{path}",
        "report_url": f"{repository}/issues/new?template=slide-is-wrong.md"
        f"&title={quote(title)}&body={quote(body)}",
    }


_original_visit_slide = hg_writer.BaseSlideTranslator.visit_slide
_original_slide_context = hg_writer.SlideData.get_slide_context


def _visit_slide(self, node):
    """Remember the source line of each slide's title."""
    _original_visit_slide(self, node)
    if self.current_slide is not None and getattr(self.current_slide, "source_line", None) is None:
        title = node.next_node(nodes.title)
        self.current_slide.source_line = title.line if title is not None else None


def _slide_context(self):
    """hieroglyph's slide context plus the lecture and links to the slide's source."""
    context = _original_slide_context(self)
    builder = self._translator.builder
    docname = builder.current_docname
    context["lecture"] = lecture_label(builder.env, docname)
    context.update(source_urls(builder.config, docname, getattr(self, "source_line", None)))
    return context


def _add_contribution_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Outline pages end with links to edit the page and to report a problem."""
    if _is_slide_environment(app.env):
        return
    urls = source_urls(app.config, docname)
    if not urls:
        return
    paragraph = nodes.paragraph(classes=["contribute-links"])
    paragraph += nodes.Text("Found a mistake? ")
    paragraph += nodes.reference(
        "", "Edit this page", refuri=urls["edit_url"], classes=["edit-link"]
    )
    paragraph += nodes.Text(" or ")
    paragraph += nodes.reference(
        "", "report a problem", refuri=urls["report_url"], classes=["report-link"]
    )
    paragraph += nodes.Text(".")
    doctree += nodes.transition()
    doctree += paragraph


def _label_speaker_notes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the outline, a slide's ``.. note::`` (its speaker notes) says what it is."""
    if _is_slide_environment(app.env):
        return
    for note in list(doctree.findall(nodes.note)):
        notes = nodes.admonition("", classes=["note", "speaker-notes"])
        notes += nodes.title("", "Instructor notes")
        notes.extend(note.children)
        note.replace_self(notes)


def setup(app: Sphinx) -> dict:
    app.add_config_value("repository_url", "", "html", types=[str])
    app.add_config_value("repository_branch", "main", "html", types=[str])
    app.add_config_value("course_lectures_file", "", "env", types=[str])
    app.add_config_value("course_lectures", [], "env", types=[list])
    app.connect("config-inited", _read_lecture_list)
    app.add_directive("course-schedule", CourseSchedule)
    hg_writer.BaseSlideTranslator.visit_slide = _visit_slide
    hg_writer.SlideData.get_slide_context = _slide_context
    app.connect("doctree-resolved", _add_contribution_links)
    app.connect("doctree-resolved", _label_speaker_notes)
    app.add_directive("fragment", Fragment)
    app.add_directive("literalinclude", ExampleLiteralInclude, override=True)
    app.add_directive("example-files", ExampleFiles)
    app.add_role("deck", DeckRole())
    app.add_node(deck_reference)
    app.connect("doctree-resolved", _resolve_deck_references)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
