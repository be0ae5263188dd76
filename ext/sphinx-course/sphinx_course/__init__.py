"""The course's Sphinx extension: directives, roles, labels and links for a
course written as Sphinx documents, with hieroglyph slides from the same
sources.

Add it after hieroglyph and its compatibility layer (it loads them if they
are not listed)::

    extensions = ["hieroglyph", "hieroglyph_compat", "sphinx_course"]

It knows nothing of hieroglyph's internals: it asks ``hieroglyph_compat``
whether slides are being built (``is_slide_build``) and adds to each slide
through its ``hieroglyph-slide-context`` event.

Markup
------

``.. fragment:: LANGUAGE``
    A code block that cannot run on its own (the shape of a loop, a shell
    command).  Its ``:reason:`` is required, so every block that a test
    suite does not execute says why, in the source.  It renders like a
    ``code-block``, with a small "fragment" label in the outline.

``.. literalinclude::``
    Sphinx's own, plus: in the outline, a download link to the included file
    (when it is inside the repository, ``course_repository_root``); and
    ``:checked-by:``, the test that checks a non-Python file (for this
    course's drift audit; nothing is shown).

``:deck:`docname``` or ``:deck:`text <docname>```
    A link from an outline page to the slide deck of ``docname`` (from a
    deck, to the other deck).

``.. example-files:: NAME``
    A list of every file in ``<course_examples_root>/NAME/``, each with a
    download link.

``.. course-schedule::``
    The table of contents and the schedule, made from the lecture list: in
    the outline a table (number, title, topics, links to the outline, the
    deck and the examples), on slides numbered lists, six lectures a slide.
    A lecture whose document does not exist yet is listed as "in
    preparation" and left out of the table of contents.

Labels and links
----------------

* A lecture's slides name it in their footer ("Lecture 2: Title"): the
  lectures are the pages of the lecture list, numbered in its order, never
  guessed from the toctree.
* With a repository URL, every slide's footer links to edit the lecture and
  to report a problem with that slide (its source line in the report), and
  every outline page ends with "edit this page" / "report a problem".
* With a notes label, a ``.. note::`` (hieroglyph's speaker notes) is titled
  with it in the outline; with ``course_notes_collapsed`` it is a closed
  ``<details>`` toggle there (its ``<summary>`` is the label), which the
  outline's print style sheet leaves out.  The slides keep their notes as
  hieroglyph writes them (presenter console, notes in the deck's PDF).

The ``course-slides`` slide theme (``slide_theme = "course-slides"``) is
hieroglyph's ``slides`` plus the footer above and a clock in the presenter
console; it ships its own stylesheet and works without this configuration.

Configuration: every value has a default that fits any Sphinx project
-----------------------------------------------------------------------

========================  ==============  ============================================
Value                     Default         Meaning
========================  ==============  ============================================
course_repository_url     ``""``          repository on a forge (GitHub-style URLs);
                                          no edit or report links without it
course_repository_branch  ``"main"``      branch the edit and source links name
course_repository_root    ``""``          folder of the checkout where the
                                          repository's paths start, relative to
                                          conf.py's folder (``""``: that folder)
course_issue_template     ``""``          issue template the report links ask for
                                          (``""``: none)
course_examples_root      ``"examples"``  folder of ``example-files``, relative to
                                          conf.py's folder
course_lectures_file      ``""``          TOML lecture list (``[[lecture]]`` with
                                          slug, title, topics), relative to
                                          conf.py's folder
course_lectures           ``[]``          or the list itself in conf.py: ``{"slug",
                                          "title", "topics"}`` dicts, in order
course_notes_label        ``None``        title of a ``note`` in the outline
                                          (``None``: the theme's own)
course_notes_collapsed    ``False``       with a label: notes are a closed toggle
                                          in the outline, and not printed
========================  ==============  ============================================

Pages that are not in the lecture list get no "Lecture N" label, whatever the
toctree says; sources may be anywhere (the edit links use each document's own
path, from ``course_repository_root``).
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from hieroglyph_compat import is_slide_build
from sphinx_course.links import (
    DeckRole,
    add_contribution_links,
    add_slide_links,
    deck_reference,
    resolve_deck_references,
)
from sphinx_course.listings import ExampleFiles, ExampleLiteralInclude, Fragment
from sphinx_course.schedule import (
    CourseSchedule,
    forget_schedule,
    merge_schedules,
    read_lecture_list,
    schedules_to_read_again,
)

__version__ = "1.0.0"

THEMES = Path(__file__).parent / "themes"


def _resolve_folders(app: Sphinx, config) -> None:
    """The repository and examples folders as absolute paths (they are
    given relative to the folder of conf.py)."""
    confdir = Path(app.confdir)
    config.course_repository_root = str((confdir / config.course_repository_root).resolve())
    config.course_examples_root = str((confdir / config.course_examples_root).resolve())


class speaker_notes(nodes.Admonition, nodes.Element):
    """A slide's speaker notes in the HTML outline: a closed ``<details>``
    whose ``<summary>`` is ``course_notes_label`` (made for HTML builders only)."""


def _visit_speaker_notes(self, node: speaker_notes) -> None:
    self.body.append(
        self.starttag(node, "details", "", CLASS="admonition note speaker-notes")
        + '<summary class="admonition-title">'
        + self.encode(node["label"])
        + "</summary>\n"
    )


def _depart_speaker_notes(self, node: speaker_notes) -> None:
    self.body.append("</details>\n")


def _label_notes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the outline, a ``.. note::`` (a slide's speaker notes) is titled
    ``course_notes_label``, and collapsed under it with ``course_notes_collapsed``."""
    label = app.config.course_notes_label
    if not label or is_slide_build(app):
        return
    collapsed = app.config.course_notes_collapsed and app.builder.format == "html"
    for note in list(doctree.findall(nodes.note)):
        if collapsed:
            notes = speaker_notes("", label=label)
        else:
            notes = nodes.admonition("", classes=["note", "speaker-notes"])
            notes += nodes.title("", label)
        notes.extend(note.children)
        note.replace_self(notes)


def setup(app: Sphinx) -> dict:
    app.setup_extension("hieroglyph_compat")

    app.add_config_value("course_repository_url", "", "html", types=[str])
    app.add_config_value("course_repository_branch", "main", "html", types=[str])
    app.add_config_value("course_repository_root", "", "env", types=[str])
    app.add_config_value("course_issue_template", "", "html", types=[str])
    app.add_config_value("course_examples_root", "examples", "env", types=[str])
    app.add_config_value("course_lectures_file", "", "env", types=[str])
    app.add_config_value("course_lectures", [], "env", types=[list])
    app.add_config_value("course_notes_label", None, "html", types=[str, type(None)])
    app.add_config_value("course_notes_collapsed", False, "html", types=[bool])
    app.add_node(speaker_notes, html=(_visit_speaker_notes, _depart_speaker_notes))
    app.connect("config-inited", _resolve_folders)
    app.connect("config-inited", read_lecture_list)

    app.add_directive("fragment", Fragment)
    app.add_directive("literalinclude", ExampleLiteralInclude, override=True)
    app.add_directive("example-files", ExampleFiles)
    app.add_directive("course-schedule", CourseSchedule)
    app.add_role("deck", DeckRole())
    app.add_node(deck_reference)

    app.connect("env-get-outdated", schedules_to_read_again)
    app.connect("env-purge-doc", forget_schedule)
    app.connect("env-merge-info", merge_schedules)
    app.connect("doctree-resolved", resolve_deck_references)
    app.connect("doctree-resolved", add_contribution_links)
    app.connect("doctree-resolved", _label_notes)
    app.connect("hieroglyph-slide-context", add_slide_links)

    app.add_html_theme("course-slides", THEMES / "course-slides")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
