"""Links: ``:deck:``, and where each page and slide comes from (edit this
page, report a problem, the lecture in every slide's footer)."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxRole

from hieroglyph_compat import is_slide_build
from sphinx_course.listings import repository_path
from sphinx_course.schedule import lecture_label


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


def resolve_deck_references(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    builder = app.builder
    for node in list(doctree.findall(deck_reference)):
        target = node["docname"]
        if target not in app.env.found_docs:
            raise ValueError(f"{docname}: :deck: names an unknown document {target!r}")
        if is_slide_build(app):
            uri = builder.get_relative_uri(docname, target)
        else:
            deck = posixpath.join(builder.config.slide_relative_path, target)
            uri = builder.get_relative_uri(docname, deck)
        reference = nodes.reference(
            "", node.astext(), refuri=uri, classes=["deck-link"], internal=False
        )
        node.replace_self(reference)


def source_urls(env, docname: str, line: int | None = None) -> dict[str, str]:
    """Links to a document's source in the repository (none without
    ``course_repository_url``): ``source_url``, ``edit_url``, ``report_url``."""
    config = env.config
    repository = config.course_repository_url.rstrip("/")
    if not repository:
        return {}
    source = Path(env.doc2path(docname))
    path = repository_path(config, source) or env.doc2path(docname, base=False).as_posix()
    blob = f"{repository}/blob/{config.course_repository_branch}/{path}"
    title = f"Problem in {path}" + (f" line {line}" if line else "")
    body = f"Where: {blob}" + (f"#L{line}" if line else "") + "\n\nWhat is wrong:"
    template = (
        f"template={quote(config.course_issue_template)}&" if config.course_issue_template else ""
    )
    return {
        "source_url": blob + (f"#L{line}" if line else ""),
        "edit_url": f"{repository}/edit/{config.course_repository_branch}/{path}",
        "report_url": f"{repository}/issues/new?{template}title={quote(title)}&body={quote(body)}",
    }


def add_slide_links(app: Sphinx, docname: str, context: dict) -> None:
    """Each slide's template gets its lecture and links to its source
    (``hieroglyph-slide-context``, from hieroglyph_compat)."""
    context["lecture"] = lecture_label(app.env, docname)
    context.update(source_urls(app.env, docname, context.get("source_line")))


def add_contribution_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Outline pages end with links to edit the page and to report a problem."""
    if is_slide_build(app):
        return
    urls = source_urls(app.env, docname)
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
