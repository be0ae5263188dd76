"""hieroglyph_compat (ext/hieroglyph-compat): hieroglyph 2.1.0 works on Sphinx 9.

A fixture document (tests/fixtures/hieroglyph_features) uses every hieroglyph
feature the course uses: section slides, ``slide``, ``nextslide``,
``ifslides``/``ifnotslides``, ``rst-class:: build``, speaker notes,
``slideconf`` with another theme, images, literalinclude, and links both
ways.  Both builders run with warnings as errors and with Sphinx's (and
docutils') deprecation warnings as errors, pending ones too (the runner of
tests/test_toolchain.py), so a fix that only hides a crash behind a
deprecated API fails here.
"""

from __future__ import annotations

import pytest

from tests.course import ROOT
from tests.site import parse_page
from tests.test_toolchain import strict_builds

FIXTURE = ROOT / "tests" / "fixtures" / "hieroglyph_features"

@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    """Both builds of the fixture with the course's conf.py, from scratch,
    warnings as errors, every deprecation warning (pending ones too) raised."""
    out = tmp_path_factory.mktemp("fixture")
    results = strict_builds(FIXTURE / "source", out, confdir=ROOT)
    for builder, completed in results.items():
        assert completed.returncode == 0, f"{builder}:\n{completed.stdout[-3000:]}"
    return out


def test_sections_and_slide_directive_become_slides(fixture_site):
    deck = parse_page(fixture_site / "slides" / "index.html")
    assert "section-slide" in deck.articles
    text = (fixture_site / "slides" / "index.html").read_text()
    assert '<article class="admonition-an-explicit-slide slide level-3">' in text
    assert "Content of a slide directive." in text
    outline = (fixture_site / "html" / "index.html").read_text()
    assert "Content of a slide directive." not in outline


def test_nextslide_continues_a_slide(fixture_site):
    text = (fixture_site / "slides" / "index.html").read_text()
    assert text.count("<h3>Section slide") == 2
    assert "<h3>A new title" in text
    # a titled nextslide inside ifslides (docutils 0.22 crashed parsing its title late)
    assert "<h3>A <em>titled</em> continuation on slides only" in text
    assert "SLIDES-CONTINUATION" in text
    outline = (fixture_site / "html" / "index.html").read_text()
    assert outline.count("Section slide<a") == 1  # one section in the outline


def test_ifslides_and_ifnotslides_pick_their_builder(fixture_site):
    deck = (fixture_site / "slides" / "index.html").read_text()
    outline = (fixture_site / "html" / "index.html").read_text()
    assert "ONLY-ON-SLIDES" in deck and "ONLY-IN-OUTLINE" not in deck
    assert "ONLY-IN-OUTLINE" in outline and "ONLY-ON-SLIDES" not in outline


def test_build_lists_and_speaker_notes_reach_the_deck(fixture_site):
    deck = (fixture_site / "slides" / "index.html").read_text()
    assert 'class="build' in deck
    assert 'class="admonition note"' in deck
    assert "Speaker notes for the section slide." in deck
    outline = (fixture_site / "html" / "index.html").read_text()
    # the course's conf.py: notes under a closed "For instructors" toggle in the outline
    assert '<summary class="admonition-title">For instructors</summary>' in outline
    assert "Speaker notes for the section slide." in outline


def test_presenter_console_is_written_with_jquery(fixture_site):
    console = (fixture_site / "slides" / "console.html").read_text()
    assert "_static/console.js" in console
    assert "_static/jquery.js" in console
    assert (fixture_site / "slides" / "_static" / "jquery.js").is_file()


def test_slideconf_theme_gets_its_stylesheet_and_the_next_page_gets_its_own_back(fixture_site):
    themed = (fixture_site / "slides" / "themed.html").read_text()
    index = (fixture_site / "slides" / "index.html").read_text()
    assert "_static/single.css" in themed and "_static/slides.css" not in themed
    assert (fixture_site / "slides" / "_static" / "single.css").is_file()
    assert "_static/slides.css" in index and "single.css" not in index


@pytest.mark.parametrize("page", ["index.html", "themed.html"])
def test_images_resolve_in_both_builds(fixture_site, page):
    for builder in ("html", "slides"):
        html = (fixture_site / builder / page).read_text()
        sources = [
            part.split('"')[0]
            for part in html.split('<img alt="')[1:]
            for part in [part.split('src="', 1)[1]]
        ]
        assert sources, f"{builder}/{page} has no image"
        for source in sources:
            assert (fixture_site / builder / source).is_file(), f"{builder}/{page}: {source}"


def test_links_both_ways_between_sections_and_slides(fixture_site):
    outline = parse_page(fixture_site / "html" / "index.html")
    deck = parse_page(fixture_site / "slides" / "index.html")
    to_slides = [href for href, classes in outline.links if "slide-link" in classes]
    to_outline = [href for href, classes in deck.links if "outline-link" in classes]
    assert "../slides/index.html#section-slide" in to_slides
    assert "../html/index.html#section-slide" in to_outline
    # the two continuation slides (nextslide) link to the section they continue
    assert to_outline.count("../html/index.html#section-slide") == 3
    assert all(href.split("#")[1] in deck.ids for href in to_slides)
    # a section inside ifnotslides has no slide to link to
    assert "outline-only" in outline.ids
    assert not any(href.endswith("#outline-only") for href in to_slides)
    assert all(href.split("#")[1] in outline.ids for href in to_outline)


def test_slide_numbers_and_footer(fixture_site):
    deck = (fixture_site / "slides" / "index.html").read_text()
    assert '<div class="slide-no">2</div>' in deck
    assert "Internet Programming with Python" in deck


def test_literalinclude_by_name_and_marker_with_download_link(fixture_site):
    outline = (fixture_site / "html" / "index.html").read_text()
    deck = (fixture_site / "slides" / "index.html").read_text()
    for page in (outline, deck):
        assert "greet" in page and "main" in page
        assert "[start:main]" not in page
    assert "Download" in outline and "greet.py" in outline
    assert "example-download" not in deck
