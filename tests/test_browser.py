"""Browser tests: the decks and the outline work in a real browser.

Playwright drives Debian's Chromium (``apt-get install chromium``; Playwright
cannot download its own browsers here).  The built site is served over HTTP
on 127.0.0.1, with Chromium's background networking switched off, so nothing
leaves the machine.  Without Chromium these tests skip, except under CI=true,
where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.course import WRITTEN
from tests.guards import allow_long_lived, child_pids

pytestmark = pytest.mark.browser

# Every check marked with this runs once per written lecture of lectures.toml.
each_lecture = pytest.mark.parametrize("lecture", WRITTEN)

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


@pytest.fixture(scope="session")
def site_url(site):
    """The built site (html/ and slides/ side by side) over HTTP on loopback."""
    assert site.html.returncode == 0 and site.slides.returncode == 0, "the site did not build"
    handler = functools.partial(QuietHandler, directory=str(site.root))
    # One thread serves every request, one after another (static files are
    # quick).  A thread per request would race, on Python 3.11 under
    # coverage.py, in CPython's settrace guard (python/cpython#98257):
    # Chromium asks for a page's files all at once, and a thread that loses
    # dies before it answers.
    server = SiteServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    allow_long_lived(threads=[thread])
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class SiteServer(http.server.HTTPServer):
    request_queue_size = 64  # the browser's parallel connections wait their turn


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Chromium, driven by Playwright for this module's tests.

    Module scope, not session: Playwright's sync API keeps an asyncio event
    loop running in the main thread while it is open, and later tests that
    call asyncio.run() would fail.
    """
    from playwright.sync_api import sync_playwright

    children_before = child_pids()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_FLAGS, headless=True
        )
        # the Playwright driver process lives as long as the session
        allow_long_lived(pids=child_pids() - children_before)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and page.errors.append(f"{message.text} ({message.location.get('url')})")
        ),
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def current_slide(page) -> str:
    return page.evaluate("document.querySelector('section.slides > article.current').id")


def current_slide_number(page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('section.slides > article'))"
        ".indexOf(document.querySelector('section.slides > article.current')) + 1"
    )


@each_lecture
def test_arrow_keys_move_between_slides(page, site_url, lecture):
    page.goto(f"{site_url}/slides/{lecture}.html")
    assert current_slide_number(page) == 1
    page.keyboard.press("ArrowRight")
    assert current_slide_number(page) == 2
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert current_slide_number(page) == 2
    assert page.errors == []


def test_build_items_appear_one_at_a_time(page, site_url):
    page.goto(f"{site_url}/slides/sockets.html")
    slide_number = page.evaluate(
        "Array.from(document.querySelectorAll('section.slides > article'))"
        ".findIndex(a => a.querySelector('.build > *')) + 1"
    )
    assert slide_number > 0, "the lecture has no incremental (build) list"
    # the deck reads the slide number from the URL when it loads
    page.goto(f"{site_url}/slides/sockets.html#{slide_number}")
    page.reload()
    slide = f"document.querySelectorAll('section.slides > article')[{slide_number - 1}]"
    page.wait_for_function(f"{slide}.classList.contains('current')")
    items = page.locator("article.current .build > *")
    count = items.count()
    assert count >= 2

    def hidden() -> int:
        return page.locator("article.current .build > .to-build").count()

    assert hidden() == count  # nothing shown yet
    for shown in range(1, count + 1):
        page.keyboard.press("ArrowRight")
        assert current_slide_number(page) == slide_number
        assert hidden() == count - shown
    page.keyboard.press("ArrowRight")
    assert current_slide_number(page) == slide_number + 1
    assert page.errors == []


def test_presenter_console_shows_the_speaker_notes(page, site_url):
    page.goto(f"{site_url}/slides/sockets.html")
    slide_number = page.evaluate(
        "Array.from(document.querySelectorAll('section.slides > article'))"
        ".findIndex(a => a.querySelector('div.admonition.note')) + 1"
    )
    assert slide_number > 0, "the lecture has no speaker notes"
    notes_text = page.evaluate(
        f"document.querySelectorAll('section.slides > article')[{slide_number - 1}]"
        ".querySelector('div.admonition.note').innerText"
    )
    assert not page.locator("article.current div.admonition.note").is_visible()  # not projected

    with page.expect_popup() as popup_info:
        page.keyboard.press("c")
    console = popup_info.value
    console.set_default_timeout(10_000)
    console.wait_for_load_state()
    # the console follows the deck once it shows the current slide's number
    console.wait_for_function("document.getElementById('cur_slide_num').textContent === '1'")
    for _ in range(slide_number - 1):
        page.keyboard.press("ArrowRight")
        # a build list takes one press per item before the slide changes
        while (
            current_slide_number(page) < slide_number
            and page.locator("article.current .build > .to-build").count()
        ):
            page.keyboard.press("ArrowRight")
    assert current_slide_number(page) == slide_number
    console.wait_for_function(
        f"document.getElementById('cur_slide_num').textContent === '{slide_number}'"
    )
    notes = console.locator("#presenter_notes")
    first_line = notes_text.strip().splitlines()[-1].strip()
    notes.filter(has_text=first_line[:40]).wait_for()
    # the console's clock runs
    console.wait_for_function(
        "document.getElementById('elapsed').textContent !== '0:00'", timeout=5000
    )
    assert console.locator("#clock").inner_text().count(":") == 1
    assert page.errors == []


@each_lecture
def test_outline_section_link_opens_its_slide(page, site_url, lecture):
    page.goto(f"{site_url}/html/{lecture}.html")
    link = page.locator("a.slide-link").nth(3)
    target_id = link.get_attribute("href").split("#")[1]
    link.click()  # heading links show on hover; click() hovers first
    page.wait_for_url(f"**/slides/{lecture}.html#*")
    page.wait_for_function(f"document.querySelector('article.current')?.id === '{target_id}'")
    assert current_slide(page) == target_id
    assert page.errors == []


@each_lecture
def test_slide_title_links_back_to_the_outline_section(page, site_url, lecture):
    page.goto(f"{site_url}/slides/{lecture}.html#3")
    page.wait_for_function("document.querySelector('article.current') !== null")
    href = page.locator("article.current a.outline-link").get_attribute("href")
    assert href.startswith(f"../html/{lecture}.html#")
    page.goto(f"{site_url}/slides/{href}")
    anchor = href.split("#")[1]
    assert page.locator(f"[id='{anchor}']").count() == 1
    assert page.errors == []


def slide_source_lines(site, lecture: str) -> dict[str, int]:
    """Slide id -> line of its title in source/<lecture>.rst (from the slides doctree)."""
    import pickle

    from docutils import nodes

    with open(site.root / "doctrees" / "slides" / f"{lecture}.doctree", "rb") as pickled:
        doctree = pickle.load(pickled)
    lines = {}
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        line = (title.line if title is not None else None) or section.line
        for section_id in section["ids"]:
            lines[section_id] = line
    return lines


OVERFLOWING_SLIDES_JS = """
() => Array.from(document.querySelectorAll('section.slides > article')).map((slide, index) => {
    const box = slide.getBoundingClientRect();
    const tooWide = Array.from(slide.querySelectorAll('pre, table, img'))
        .some(element => element.scrollWidth > element.clientWidth + 1
                      || element.getBoundingClientRect().right > box.right + 1);
    const content = Array.from(slide.children).filter(element =>
        !element.matches('.slide-no, .slide-footer, div.admonition.note'));
    const bottom = Math.max(0, ...content.map(element => element.getBoundingClientRect().bottom));
    return {
        number: index + 1,
        id: slide.id,
        title: (slide.querySelector('h1, h2, h3') || {innerText: ''}).innerText.trim(),
        tooWide: tooWide,
        tooTall: bottom > box.bottom + 1,
    };
}).filter(slide => slide.tooWide || slide.tooTall)
"""


PROJECTORS = pytest.mark.parametrize(
    "viewport", [(1024, 768), (1280, 720)], ids=["1024x768", "1280x720"]
)


def slides_that_do_not_fit(browser, site, site_url, deck: str, viewport) -> list[str]:
    """Every slide of a deck that is too wide or too tall at this size, named
    by its source line."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{site_url}/slides/{deck}.html")
        # lay out every slide, with every build item shown, to measure it
        page.add_style_tag(
            content="section.slides > article { display: block !important; }"
            " .build > * { opacity: 1 !important; }"
        )
        lines = slide_source_lines(site, deck)
        problems = []
        for slide in page.evaluate(OVERFLOWING_SLIDES_JS):
            what = " and ".join(
                word
                for word, bad in (("too wide", slide["tooWide"]), ("too tall", slide["tooTall"]))
                if bad
            )
            where = f"source/{deck}.rst:{lines.get(slide['id'], '?')}"
            problems.append(
                f"{where}: slide {slide['number']} {slide['title']!r} is {what} at {width}x{height}"
            )
        return problems
    finally:
        context.close()


@each_lecture
@PROJECTORS
def test_every_slide_fits_a_projector(browser, site, site_url, viewport, lecture):
    problems = slides_that_do_not_fit(browser, site, site_url, lecture, viewport)
    assert not problems, "\n".join(problems)


@PROJECTORS
def test_the_schedule_slides_fit_a_projector(browser, site, site_url, viewport):
    problems = slides_that_do_not_fit(browser, site, site_url, "index", viewport)
    assert not problems, "\n".join(problems)
