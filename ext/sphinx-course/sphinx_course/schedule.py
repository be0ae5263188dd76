"""The lecture list: "Lecture N" labels and the ``course-schedule`` directive."""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from hieroglyph_compat import is_slide_build
from sphinx_course.lectures import load_lectures, number_lectures


def read_lecture_list(app: Sphinx, config) -> None:
    """The lectures, numbered, in ``course_lectures`` (an env config value,
    so editing the list re-reads what depends on it): from
    ``course_lectures_file`` if set, else as conf.py gives them."""
    if config.course_lectures_file:
        config.course_lectures = load_lectures(Path(app.confdir) / config.course_lectures_file)
    else:
        config.course_lectures = number_lectures(config.course_lectures, "course_lectures")


def lecture_label(env, docname: str) -> str:
    """ "Lecture 2: Title" for a lecture in the list, "" for other pages."""
    label = next(
        (lecture["label"] for lecture in env.config.course_lectures if lecture["slug"] == docname),
        None,
    )
    if label is None or docname not in env.titles:
        return ""
    return f"{label}: {env.titles[docname].astext()}"


def written_slugs(env) -> tuple[str, ...]:
    """The lectures of the list that have a page in this project."""
    slugs = [lecture["slug"] for lecture in env.config.course_lectures]
    return tuple(slug for slug in slugs if slug in env.found_docs)


def _schedules(env) -> dict[str, tuple[str, ...]]:
    """{page with a course-schedule: the written lectures it listed}, kept
    in the environment between builds."""
    if not hasattr(env, "course_schedules"):
        env.course_schedules = {}
    return env.course_schedules


def schedules_to_read_again(app, env, added, changed, removed) -> list[str]:
    """A schedule lists the lectures that have a page: when a lecture's page
    appears or goes, the pages with a schedule are read again (else an
    incremental build leaves the new page out of the table of contents).

    Which lectures a page listed is Sphinx's own record (its toctree); the
    pages with a schedule are remembered, or, in a build folder that has no
    such memory, taken to be the root document."""
    slugs = {lecture["slug"] for lecture in env.config.course_lectures}
    now = set(written_slugs(env))
    pages = set(_schedules(env)) or {env.config.root_doc}
    return [
        page
        for page in sorted(pages)
        if page in env.all_docs
        and page not in removed
        and set(env.toctree_includes.get(page, ())) & slugs != now
    ]


def forget_schedule(app, env, docname) -> None:
    _schedules(env).pop(docname, None)


def merge_schedules(app, env, docnames, other) -> None:
    mine, theirs = _schedules(env), _schedules(other)
    mine.update({page: theirs[page] for page in docnames if page in theirs})


class CourseSchedule(SphinxDirective):
    """The table of contents and the schedule, from the lecture list."""

    LECTURES_PER_SLIDE = 6

    def run(self) -> list[nodes.Node]:
        lectures = self.config.course_lectures
        if not lectures:
            raise self.error("course-schedule: no lectures (set course_lectures_file in conf.py)")
        written = [lecture for lecture in lectures if lecture["slug"] in self.env.found_docs]
        _schedules(self.env)[self.env.docname] = written_slugs(self.env)
        text = [".. toctree::", "   :maxdepth: 1", "   :caption: Lectures", "   :hidden:", ""]
        text += [f"   {lecture['slug']}" for lecture in written] + [""]
        if is_slide_build(self.env):
            text += self._slides(lectures, written)
        else:
            text += self._table(lectures, written)
        container = nodes.container()
        nested_parse_with_titles(self.state, StringList(text, self.get_source_info()[0]), container)
        if not is_slide_build(self.env):
            self._anchor_slide_titles(container, lectures)
        return container.children

    def _chunks(self, lectures) -> list[tuple[str, list[dict]]]:
        """The schedule's slides: (title, lectures), six lectures a slide."""
        chunks = []
        for start in range(0, len(lectures), self.LECTURES_PER_SLIDE):
            chunk = lectures[start : start + self.LECTURES_PER_SLIDE]
            if len(chunk) == 1:
                title = f"Lecture {chunk[0]['number']}"
            else:
                title = f"Lectures {chunk[0]['number']} to {chunk[-1]['number']}"
            chunks.append((title, chunk))
        return chunks

    def _anchor_slide_titles(self, container: nodes.container, lectures) -> None:
        """The deck's schedule slides link their titles to the outline
        (``#lectures-0-to-5``): in the outline's table, that anchor is the
        row of the slide's first lecture."""
        table = next(container.findall(nodes.table), None)
        if table is None:
            return
        rows = list(next(table.findall(nodes.tbody)).findall(nodes.row))
        for title, chunk in self._chunks(lectures):
            rows[lectures.index(chunk[0])]["ids"].append(nodes.make_id(title))

    def _slides(self, lectures, written) -> list[str]:
        """A slide per six lectures: a numbered list of links."""
        text = []
        for title, chunk in self._chunks(lectures):
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
