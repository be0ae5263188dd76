"""Site checks: the outline and the decks build cleanly, link to each other,
show no test scaffolding, and every code block in a lecture is accounted for."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from tests import audit
from tests.course import LECTURES, SESSION_MODULES, WRITTEN
from tests.fixture_names import fixture_names
from tests.site import parse_page

# Text that only sybil or our fixtures should ever see: sybil's markup and
# the name of every fixture that lecture sessions use (read from the
# fixtures), as a name in code -- not a file name such as mail_server.py.
SCAFFOLDING = [
    re.escape(marker)
    for marker in (
        "invisible-code-block",
        "skip: next",
        "skip: start",
        "skip: end",
        "clear-namespace",
        "__lecture_path__",
    )
] + [
    rf"\b{name}\b(?!\.py)"
    for module in SESSION_MODULES.values()
    for name in fixture_names(module)
    if name not in ("offline_and_leak_free", "tmp_path")
]


def shown_scaffolding(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [pattern for pattern in SCAFFOLDING if re.search(pattern, text)]

# Every check marked with this runs once per written lecture of lectures.toml.
each_lecture = pytest.mark.parametrize("lecture", WRITTEN)


@pytest.mark.parametrize("builder", ["html", "slides"])
def test_build_succeeds_with_warnings_as_errors(site, builder):
    build = getattr(site, builder)
    assert build.returncode == 0, f"sphinx-build -b {builder} -W failed:\n{build.output[-5000:]}"
    assert "WARNING" not in build.output and "ERROR" not in build.output


def lectures_in_toctree(site) -> list[str]:
    with open(site.root / "doctrees" / "html" / "environment.pickle", "rb") as pickled:
        environment = pickle.load(pickled)
    return list(environment.toctree_includes["index"])


def test_the_toctree_is_the_written_lectures_in_list_order(site):
    assert lectures_in_toctree(site) == WRITTEN
    assert "sockets" in WRITTEN


@each_lecture
def test_lecture_has_an_outline_page_and_a_deck(site, lecture):
    outline = site.outline_dir / f"{lecture}.html"
    deck = site.slides_dir / f"{lecture}.html"
    assert outline.is_file(), f"no outline page for {lecture}"
    assert deck.is_file(), f"no deck for {lecture}"
    slides = parse_page(deck).articles
    assert len(slides) > 1, f"the deck of {lecture} has {len(slides)} slides"


def test_the_reference_lecture_is_a_full_evening(site):
    assert len(parse_page(site.slides_dir / "sockets.html").articles) >= 40


def _links(page: Path, css_class: str) -> list[str]:
    return [href for href, classes in parse_page(page).links if css_class in classes]


def _resolve(page: Path, href: str) -> tuple[Path, str]:
    path, _, fragment = href.partition("#")
    return (page.parent / path).resolve(), fragment


@each_lecture
def test_every_outline_section_link_opens_its_slide(site, lecture):
    page = site.outline_dir / f"{lecture}.html"
    links = _links(page, "slide-link")
    assert links, f"{page.name}: no section links to a slide"
    for href in links:
        target, fragment = _resolve(page, href)
        assert target.is_file(), f"{page.name}: {href} points to no deck"
        assert fragment in parse_page(target).articles, f"{page.name}: {href}: no such slide"


@each_lecture
def test_every_slide_links_to_its_outline_section(site, lecture):
    deck = site.slides_dir / f"{lecture}.html"
    links = _links(deck, "outline-link")
    assert len(links) == len(parse_page(deck).articles)
    for href in links:
        target, fragment = _resolve(deck, href)
        assert target.is_file() and fragment in parse_page(target).ids, href


@each_lecture
def test_schedule_links_to_outline_deck_and_examples(site, lecture):
    index = site.outline_dir / "index.html"
    hrefs = [href for href, _ in parse_page(index).links]
    assert f"{lecture}.html" in hrefs
    assert f"../slides/{lecture}.html" in hrefs
    examples_link = f"{lecture}.html#{lecture}-examples"
    assert examples_link in hrefs
    target, fragment = _resolve(index, examples_link)
    assert fragment in parse_page(target).ids


def test_schedule_lists_every_lecture_and_marks_the_unwritten(site):
    index = (site.outline_dir / "index.html").read_text(encoding="utf-8")
    for lecture in LECTURES:
        if lecture["slug"] not in WRITTEN:
            assert lecture["title"] in index, lecture["title"]
    unwritten = len(LECTURES) - len(WRITTEN)
    assert index.count("in preparation") == unwritten
    slides = (site.slides_dir / "index.html").read_text(encoding="utf-8")
    assert slides.count("(in preparation)") == unwritten


def test_example_files_are_downloadable_from_the_outline(site):
    page = site.outline_dir / "sockets.html"
    downloads = [href for href, classes in parse_page(page).links if "download" in classes]
    assert any(href.endswith("/echo_server.py") for href in downloads)


@each_lecture
def test_every_download_link_of_the_outline_resolves(site, lecture):
    page = site.outline_dir / f"{lecture}.html"
    downloads = [href for href, classes in parse_page(page).links if "download" in classes]
    assert downloads, f"{page.name} offers no example to download"
    for href in downloads:
        assert (page.parent / href).is_file(), href


@each_lecture
def test_no_test_scaffolding_in_the_lecture_pages(site, lecture):
    for page in (site.outline_dir / f"{lecture}.html", site.slides_dir / f"{lecture}.html"):
        assert not shown_scaffolding(page), page.relative_to(site.root)


def test_every_literalinclude_is_under_examples_and_selects_by_name_or_marker():
    includes = [
        block
        for path in audit.lecture_files()
        for block in audit.read_blocks(path)
        if block.name == "literalinclude"
    ]
    assert includes
    problems = [
        f"{block.where}: {problem}"
        for block in includes
        if (problem := audit.check_include(block))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lecture", [path.stem for path in audit.lecture_files()])
def test_drift_audit_every_code_block_is_run_included_or_marked(lecture):
    (checked,) = [item for item in audit.audit_all() if item.name == lecture]
    assert not checked.problems, audit.format_table([checked])


def test_the_reference_lecture_has_sessions_and_includes():
    (sockets,) = [item for item in audit.audit_all() if item.name == "sockets"]
    assert sockets.sessions > 0 and sockets.includes > 0


def test_no_lecture_uses_lines_to_include_code():
    for path in audit.lecture_files():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*:lines:", text, re.MULTILINE), path


def test_no_test_scaffolding_in_the_other_pages(site):
    lectures = {f"{lecture}.html" for lecture in WRITTEN}
    pages = [
        page
        for page in [*site.outline_dir.glob("**/*.html"), *site.slides_dir.glob("**/*.html")]
        if page.name not in lectures
    ]
    assert pages
    for page in pages:
        assert not shown_scaffolding(page), page.relative_to(site.root)


def test_the_first_lecture_is_labelled_with_its_title(site):
    deck = (site.slides_dir / "sockets.html").read_text(encoding="utf-8")
    assert deck.count("Lecture 1: Networking and sockets") == deck.count("<article")


@each_lecture
def test_every_slide_names_the_lecture_and_links_to_edit_and_report(site, lecture):
    label = next(entry["label"] for entry in LECTURES if entry["slug"] == lecture)
    deck = (site.slides_dir / f"{lecture}.html").read_text(encoding="utf-8")
    slides = deck.count("<article")
    assert deck.count(f"{label}: ") == slides
    assert deck.count('class="slide-edit-link"') == slides
    assert deck.count('class="slide-report-link"') == slides
    # the report names the slide's source line
    assert f"Problem%20in%20source/{lecture}.rst%20line%20" in deck


def test_every_outline_page_links_to_edit_and_report(site):
    for page in sorted(site.outline_dir.glob("*.html")):
        if page.name in ("genindex.html", "search.html"):
            continue
        links = [(href, classes) for href, classes in parse_page(page).links]
        assert any(
            "edit-link" in classes and f"/edit/main/source/{page.stem}.rst" in href
            for href, classes in links
        ), page.name
        assert any(
            "report-link" in classes and "/issues/new?" in href for href, classes in links
        ), page.name
