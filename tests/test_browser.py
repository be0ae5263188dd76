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
from tests.guards import allow_long_lived

pytestmark = pytest.mark.browser

# Every check marked with this runs once per written lecture of lectures.toml.
each_lecture = pytest.mark.parametrize("lecture", WRITTEN)



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


# Every element and every run of text of a slide, in every build step, must
# lie inside the slide's content box (the slide less its padding) and above
# its footer and slide number.  Build items are hidden by opacity, so a
# slide's layout is the same in each of its steps; the check measures the
# first and the last step of each slide (and asserts the layout is the same).
OVERFLOWING_SLIDES_JS = """
() => {
    const deck = window.SlideDeck;
    const slides = Array.from(document.querySelectorAll('section.slides > article'));
    const skip = '.slide-no, .slide-footer, div.admonition.note';
    const problems = [];
    const describe = el => el.nodeType === 3
        ? JSON.stringify(el.textContent.trim().slice(0, 40))
        : el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
            ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    function measure(slide) {
        const box = slide.getBoundingClientRect();
        const scale = box.width / slide.offsetWidth;
        const style = getComputedStyle(slide);
        const inner = {
            left: box.left + parseFloat(style.paddingLeft) * scale,
            right: box.right - parseFloat(style.paddingRight) * scale,
            top: box.top + parseFloat(style.paddingTop) * scale,
            bottom: box.bottom - parseFloat(style.paddingBottom) * scale,
        };
        const marks = Array.from(slide.querySelectorAll('.slide-no, .slide-footer'))
            .map(el => el.getBoundingClientRect().top);
        const floor = Math.min(inner.bottom, ...marks);
        const bad = [];
        const walker = document.createTreeWalker(
            slide, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
        let node = walker.nextNode();
        while (node) {
            const owner = node.nodeType === 3 ? node.parentElement : node;
            if (owner.closest(skip)) { node = walker.nextNode(); continue; }
            let rect;
            if (node.nodeType === 3) {
                if (!node.textContent.trim()) { node = walker.nextNode(); continue; }
                const range = document.createRange();
                range.selectNodeContents(node);
                rect = range.getBoundingClientRect();
            } else {
                rect = node.getBoundingClientRect();
                const cs = getComputedStyle(node);
                if (cs.display !== 'inline' && cs.overflowX !== 'visible'
                        && node.scrollWidth > node.clientWidth + 1) {
                    bad.push(describe(node) + ' clips '
                        + (node.scrollWidth - node.clientWidth) + 'px at the right');
                }
                if (cs.display !== 'inline' && cs.overflowY !== 'visible'
                        && node.scrollHeight > node.clientHeight + 1) {
                    bad.push(describe(node) + ' clips '
                        + (node.scrollHeight - node.clientHeight) + 'px at the bottom');
                }
            }
            if (rect.width > 0 || rect.height > 0) {
                const px = v => Math.round(v / scale);
                if (rect.right > inner.right + scale) {
                    bad.push(describe(node) + ' '
                        + px(rect.right - inner.right) + 'px too far right');
                }
                if (rect.left < inner.left - scale) {
                    bad.push(describe(node) + ' ' + px(inner.left - rect.left) + 'px too far left');
                }
                if (rect.bottom > floor + scale) {
                    bad.push(describe(node) + ' ' + px(rect.bottom - floor) + 'px into the footer');
                }
                if (rect.top < inner.top - scale) {
                    bad.push(describe(node) + ' ' + px(inner.top - rect.top) + 'px above the top');
                }
            }
            node = walker.nextNode();
        }
        return bad;
    }
    slides.forEach((slide, index) => {
        const steps = slide.querySelectorAll('.build > *').length;
        deck.go(index, 0);
        const first = slide.querySelector('.build > *:last-child');
        const before = first ? first.getBoundingClientRect().bottom : 0;
        const bad = measure(slide);
        if (steps) {
            deck.go(index, steps);
            if (Math.abs(first.getBoundingClientRect().bottom - before) > 0.5) {
                bad.push('build steps change the layout');
            }
            bad.push(...measure(slide));
        }
        if (bad.length) {
            problems.push({
                number: index + 1,
                id: slide.id,
                title: (slide.querySelector('h1, h2, h3') || {innerText: ''}).innerText.trim(),
                what: Array.from(new Set(bad)).slice(0, 4),
            });
        }
    });
    deck.go(0, 0);
    return problems;
}
"""


PROJECTORS = pytest.mark.parametrize(
    "viewport",
    [(1280, 720), (1024, 768)],
    ids=["1280x720", "1024x768"],  # 16:9 and 4:3
)


def open_deck(browser, site_url, deck: str, viewport, hash_: str = ""):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and page.errors.append(message.text),
    )
    page.goto(f"{site_url}/slides/{deck}.html{hash_}")
    page.wait_for_function("document.documentElement.classList.contains('hieroglyph-ready')")
    return context, page


def slides_that_do_not_fit(browser, site, site_url, deck: str, viewport) -> list[str]:
    """Every slide of a deck with something outside its content box at this
    window size, named by its source line."""
    width, height = viewport
    context, page = open_deck(browser, site_url, deck, viewport)
    try:
        lines = slide_source_lines(site, deck)
        problems = []
        for slide in page.evaluate(OVERFLOWING_SLIDES_JS):
            where = f"source/{deck}.rst:{lines.get(slide['id'], '?')}"
            problems.append(
                f"{where}: slide {slide['number']} {slide['title']!r} at {width}x{height}: "
                + "; ".join(slide["what"])
            )
        assert page.errors == []
        return problems
    finally:
        context.close()


@each_lecture
@PROJECTORS
def test_every_slide_fits_a_projector(browser, site, site_url, viewport, lecture):
    problems = slides_that_do_not_fit(browser, site, site_url, lecture, viewport)
    assert not problems, f"{len(problems)} slides do not fit:\n" + "\n".join(problems)


@PROJECTORS
def test_the_schedule_slides_fit_a_projector(browser, site, site_url, viewport):
    problems = slides_that_do_not_fit(browser, site, site_url, "index", viewport)
    assert not problems, "\n".join(problems)


# -- the slide fills any screen -------------------------------------------------

SCREENS = [(1024, 768), (1280, 720), (1366, 657), (1920, 1080), (375, 812), (3840, 2160)]

SCALE_JS = """
() => {
    const slide = document.querySelector('section.slides > article.current');
    const box = slide.getBoundingClientRect();
    const shown = Array.from(document.querySelectorAll('section.slides > article'))
        .filter(a => {
            const r = a.getBoundingClientRect();
            return getComputedStyle(a).display !== 'none' && r.width > 0
                && r.right > 0 && r.left < innerWidth && r.bottom > 0 && r.top < innerHeight;
        }).length;
    return {
        left: box.left, top: box.top, width: box.width, height: box.height,
        aspect: slide.offsetWidth / slide.offsetHeight,
        innerWidth, innerHeight,
        scrollWidth: document.documentElement.scrollWidth,
        scrollHeight: document.documentElement.scrollHeight,
        shown,
    };
}
"""


@each_lecture
def test_the_slide_fills_any_screen(browser, site_url, lecture):
    context, page = open_deck(browser, site_url, lecture, SCREENS[0], "#3")
    try:
        for width, height in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function(
                f"innerWidth === {width} && innerHeight === {height}"
                " && requestAnimationFrame(() => 0) > 0"
            )
            page.wait_for_timeout(100)  # the resize event's handler has run
            m = page.evaluate(SCALE_JS)
            where = f"{lecture} at {width}x{height}: {m}"
            # letterboxed: the limiting dimension is filled, the aspect kept
            filled = max(m["width"] / width, m["height"] / height)
            assert filled >= 0.95, where
            assert m["width"] <= width + 1 and m["height"] <= height + 1, where
            assert abs(m["width"] / m["height"] - m["aspect"]) < 0.01, where
            # centred, no scrollbar, no neighbouring slide in sight
            assert abs(m["left"] - (width - m["width"]) / 2) <= 1, where
            assert abs(m["top"] - (height - m["height"]) / 2) <= 1, where
            assert m["scrollWidth"] <= width and m["scrollHeight"] <= height, where
            assert m["shown"] == 1, where
        assert page.errors == []
    finally:
        context.close()


def test_a_phone_shows_the_slide_at_its_own_width(browser, site_url):
    """A phone honours <meta name=viewport>: hieroglyph's width=1100 made the
    deck a strip at the top of the screen."""
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )  # fmt: skip
    try:
        page = context.new_page()
        page.goto(f"{site_url}/slides/sockets.html#3")
        page.wait_for_function("document.documentElement.classList.contains('hieroglyph-ready')")
        assert page.evaluate("innerWidth") == 375
        box = page.evaluate(
            "JSON.parse(JSON.stringify(document.querySelector('article.current')"
            ".getBoundingClientRect()))"
        )
        assert box["width"] >= 0.95 * 375
        # swipe left: the next slide (or build step)
        before = page.evaluate("SlideDeck.position()")
        swipe(page, 300, 100)
        after = page.evaluate("SlideDeck.position()")
        assert (after["index"], after["step"]) > (before["index"], before["step"])
        swipe(page, 100, 300)
        assert page.evaluate("SlideDeck.position()") == before
    finally:
        context.close()


def swipe(page, from_x: int, to_x: int, y: int = 400) -> None:
    page.evaluate(
        """([fromX, toX, y]) => {
            const target = document.querySelector('article.current');
            const touch = x => new Touch({identifier: 1, target, clientX: x, clientY: y});
            target.dispatchEvent(new TouchEvent('touchstart',
                {touches: [touch(fromX)], changedTouches: [touch(fromX)], bubbles: true}));
            target.dispatchEvent(new TouchEvent('touchend',
                {touches: [], changedTouches: [touch(toX)], bubbles: true}));
        }""",
        [from_x, to_x, y],
    )


# -- readable from the back row --------------------------------------------------

SMALLEST_TEXT_JS = """
async () => {
    const deck = window.SlideDeck;
    const slides = Array.from(document.querySelectorAll('section.slides > article'));
    let smallest = {px: 1e9};
    const shadows = new Set();
    const light = new Set();
    let titleRatio = 1e9;
    const charts = [];
    slides.forEach((slide, index) => {
        deck.go(index, 1e6);
        const scale = slide.getBoundingClientRect().width / slide.offsetWidth;
        const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const el = node.parentElement;
            if (!node.textContent.trim() || el.closest('div.admonition.note')) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            if (!range.getBoundingClientRect().width) continue;  // not rendered
            const cs = getComputedStyle(el);
            if (cs.display === 'none' || cs.visibility === 'hidden') continue;
            const px = parseFloat(cs.fontSize) * scale;
            if (px < smallest.px) {
                smallest = {px, slide: index + 1, text: node.textContent.trim().slice(0, 30),
                            element: el.tagName.toLowerCase() + '.' + el.className};
            }
            if (cs.textShadow !== 'none') shadows.add(el.tagName.toLowerCase());
        }
        for (const img of slide.querySelectorAll('img[src$=".svg"]')) {
            // a chart's labels are text too: measured inside the picture, below
            charts.push({src: img.src, width: img.getBoundingClientRect().width, slide: index + 1});
        }
        const title = slide.querySelector('h3');
        const body = slide.querySelector(':scope > p, :scope > ul li, :scope > ol li');
        if (title && body) {
            titleRatio = Math.min(titleRatio,
                parseFloat(getComputedStyle(title).fontSize)
                / parseFloat(getComputedStyle(body).fontSize));
        }
        if (body) {
            const [r, g, b] = getComputedStyle(body).color.match(/[0-9.]+/g).map(Number);
            if (r + g + b > 3 * 80) light.add(getComputedStyle(body).color);
        }
    });
    deck.go(0, 0);
    for (const chart of charts) {
        const svg = new DOMParser().parseFromString(
            await (await fetch(chart.src)).text(), 'image/svg+xml').documentElement;
        const drawn = parseFloat(svg.getAttribute('viewBox').split(/[ ,]+/)[2]);
        for (const label of svg.querySelectorAll('text')) {
            const size = parseFloat(label.closest('[font-size]').getAttribute('font-size'));
            const px = size * chart.width / drawn;
            if (px < smallest.px) {
                smallest = {px, slide: chart.slide, text: label.textContent.slice(0, 30),
                            element: 'svg text in ' + chart.src.split('/').pop()};
            }
        }
    }
    return {smallest, shadows: Array.from(shadows), light: Array.from(light), titleRatio};
}
"""


@each_lecture
def test_slide_text_is_readable_from_the_back_row(browser, site_url, lecture):
    """At 1024x768 no text on a slide is under 18 px; titles are clearly
    larger than body text; body text is dark and has no shadow."""
    context, page = open_deck(browser, site_url, lecture, (1024, 768))
    try:
        result = page.evaluate(SMALLEST_TEXT_JS)
        assert result["smallest"]["px"] >= 18 - 0.01, result["smallest"]
        assert result["titleRatio"] >= 1.3, result
        assert result["shadows"] == [], result
        assert result["light"] == [], result
        assert page.errors == []
    finally:
        context.close()


# -- keys --------------------------------------------------------------------------


def position(page) -> tuple[int, int]:
    """(slide number from 1, build step) of the deck."""
    where = page.evaluate("SlideDeck.position()")
    return where["index"] + 1, where["step"]


def build_counts(page) -> list[int]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('section.slides > article'))"
        ".map(a => a.querySelectorAll('.build > *').length)"
    )


def shown_items(page) -> int:
    return page.evaluate(
        "document.querySelectorAll('article.current .build > *:not(.to-build)').length"
    )


@each_lecture
def test_the_keys_of_the_field(browser, site_url, lecture):
    context, page = open_deck(browser, site_url, lecture, (1280, 720))
    try:
        counts = build_counts(page)
        total = len(counts)
        plain = [number for number, count in enumerate(counts, 1) if count == 0]
        # two plain slides in a row, to test moving between slides
        start = next(n for n in plain if n + 1 in plain and n > 1)
        press = page.keyboard.press

        def type_number(number: int) -> None:
            for digit in str(number):
                press(digit)
            press("Enter")

        type_number(start)
        assert position(page) == (start, 0)
        for key in ("ArrowRight", "ArrowDown", "Space", "PageDown", "Enter"):
            type_number(start)
            press(key)
            assert position(page) == (start + 1, 0), key
        for key in ("ArrowLeft", "ArrowUp", "Shift+Space", "PageUp"):
            type_number(start + 1)
            press(key)
            assert position(page) == (start, 0), key
        press("End")
        assert position(page) == (total, 0)
        press("Home")
        assert position(page) == (1, 0)
        # the address bar: #N navigates without a reload
        page.evaluate(f"location.hash = '#{start}'")
        page.wait_for_function(f"SlideDeck.position().index === {start - 1}")
        assert page.evaluate("location.hash") == f"#{start}"
        # blackout, b and . toggle it
        blackout = page.locator("#hieroglyph-blackout")
        for key in ("b", "."):
            press(key)
            assert blackout.is_visible(), key
            press(key)
            assert not blackout.is_visible(), key
        # ? lists the keys; Escape closes the list
        press("?")
        keys = page.locator("#hieroglyph-keys")
        assert keys.is_visible() and "Home" in keys.inner_text()
        press("Escape")
        assert not keys.is_visible()
        press("f")  # fullscreen: may be refused headless, never an error
        page.wait_for_timeout(100)
        if page.evaluate("!!document.fullscreenElement"):
            press("f")
        # t: the overview (scaled copies of the slides, laid out as in the deck), and back
        design = page.evaluate(
            "[document.querySelector('article.current').offsetWidth,"
            " document.querySelector('article.current').offsetHeight]"
        )
        press("t")
        assert page.evaluate("document.querySelector('section.slides').classList.contains('table')")
        overview = page.evaluate(OVERVIEW_JS)
        assert overview["sizes"] == [design], overview
        assert overview["clipped"] == [], overview
        press("Escape")
        assert not page.evaluate(
            "document.querySelector('section.slides').classList.contains('table')"
        )
        assert position(page) == (start, 0)
        assert page.errors == []
    finally:
        context.close()


OVERVIEW_JS = """
() => {
    const slides = Array.from(document.querySelectorAll('section.slides > article'));
    const sizes = Array.from(new Set(slides.map(a => a.offsetWidth + 'x' + a.offsetHeight)))
        .map(size => size.split('x').map(Number));
    const clipped = slides.flatMap((a, i) => Array.from(a.querySelectorAll('pre'))
        .filter(pre => pre.scrollWidth > pre.clientWidth + 1).map(() => i + 1));
    return {sizes, clipped};
}
"""


@each_lecture
def test_build_steps_are_right_wherever_the_deck_was_opened(browser, site_url, lecture):
    """The rule: forward onto a slide shows none of its build items; back from
    the next slide shows all of them (as last seen); a jump (number, #N,
    Home/End, opening the deck there) shows none.  Whatever slide the deck
    was opened on."""
    context, page = open_deck(browser, site_url, lecture, (1280, 720))
    counts = build_counts(page)
    context.close()
    built = [number for number, count in enumerate(counts, 1) if count and number > 1]
    if not built:
        pytest.skip(f"{lecture} has no incremental list")  # nothing to step through
    target = built[0]
    items = counts[target - 1]
    for opened_on in (target + 1, target, 1):
        context, page = open_deck(browser, site_url, lecture, (1280, 720), f"#{opened_on}")
        try:
            assert position(page) == (opened_on, 0)
            if opened_on == target + 1:
                page.keyboard.press("ArrowLeft")  # back: the list as last seen
                assert position(page) == (target, items)
                assert shown_items(page) == items
                page.keyboard.press("ArrowLeft")  # back a step: one item hidden
                assert position(page) == (target, items - 1)
                assert shown_items(page) == items - 1
            else:
                if opened_on != target:
                    page.evaluate(f"location.hash = '#{target}'")
                    page.wait_for_function(f"SlideDeck.position().index === {target - 1}")
                assert shown_items(page) == 0
                for step in range(1, items + 1):
                    page.keyboard.press("ArrowRight")
                    assert position(page) == (target, step)
                    assert shown_items(page) == step
                page.keyboard.press("ArrowRight")
                assert position(page) == (target + 1, 0)
            assert page.errors == []
        finally:
            context.close()


# -- the presenter console -------------------------------------------------------


def open_console(page):
    with page.expect_popup() as popup_info:
        page.keyboard.press("c")
    console = popup_info.value
    console.set_default_timeout(10_000)
    console.errors = []
    console.on("pageerror", lambda error: console.errors.append(str(error)))
    console.on(
        "console", lambda message: message.type == "error" and console.errors.append(message.text)
    )
    console.wait_for_load_state()
    return console


PREVIEW_JS = """
() => {
    const box = document.querySelector('.hieroglyph-preview-current');
    const frame = box.getBoundingClientRect();
    const clipped = [];
    box.querySelectorAll('pre').forEach(pre => {
        if (pre.scrollWidth > pre.clientWidth + 1)
            clipped.push('pre scrolls ' + (pre.scrollWidth - pre.clientWidth));
        pre.querySelectorAll('span').forEach(span => {
            const r = span.getBoundingClientRect();
            const edge = Math.min(pre.getBoundingClientRect().right, frame.right);
            if (r.width && r.right > edge + 1)
                clipped.push(span.textContent);
        });
    });
    const title = box.querySelector('h1, h2, h3');
    const t = title && title.getBoundingClientRect();
    return {
        clipped,
        lines: box.querySelectorAll('pre').length,
        title: title ? title.innerText.trim() : '',
        titleInside: !!t && t.height > 0 && t.top >= frame.top - 1 && t.bottom <= frame.bottom + 1
            && getComputedStyle(title).visibility !== 'hidden'
            && getComputedStyle(title).opacity !== '0',
        aspect: frame.width / frame.height,
    };
}
"""


def slide_numbers_with(page, selector: str) -> list[int]:
    return page.evaluate(
        f"""Array.from(document.querySelectorAll('section.slides > article'))
            .map((a, i) => a.querySelector({selector!r}) || a.matches({selector!r}) ? i + 1 : 0)
            .filter(n => n)"""
    )


@each_lecture
def test_console_previews_are_the_real_slides_and_follow_reloads(browser, site_url, lecture):
    context, page = open_deck(browser, site_url, lecture, (1280, 720))
    try:
        console = open_console(page)
        console.wait_for_function("document.getElementById('cur_slide_num').textContent === '1'")
        # the widest code slide: every line inside the preview
        widest = page.evaluate(
            """Array.from(document.querySelectorAll('section.slides > article'))
               .map((a, i) => [Math.max(0, ...Array.from(a.querySelectorAll('pre'))
                   .map(p => Math.max(...p.textContent.split('\\n').map(l => l.length)))), i + 1])
               .sort((x, y) => y[0] - x[0])[0]"""
        )
        slide_aspect = page.evaluate(
            "document.querySelector('article.current').offsetWidth"
            " / document.querySelector('article.current').offsetHeight"
        )
        checked = []
        if widest[0]:
            checked.append(widest[1])
        parts = slide_numbers_with(page, "h2")
        if parts:
            checked.append(parts[0])
        for number in checked:
            page.evaluate(f"location.hash = '#{number}'")
            console.wait_for_function(
                f"document.getElementById('cur_slide_num').textContent === '{number}'"
            )
            preview = console.evaluate(PREVIEW_JS)
            assert preview["clipped"] == [], (number, preview)
            assert preview["titleInside"], (number, preview)
            assert abs(preview["aspect"] - slide_aspect) < 0.02, preview
        # the deck reloads on another slide: the console follows
        target = max(3, min(len(build_counts(page)) - 1, 7))
        page.goto(f"{site_url}/slides/{lecture}.html#{target}")
        page.reload()
        console.wait_for_function(
            f"document.getElementById('cur_slide_num').textContent === '{target}'"
        )
        # and it shows the build step
        counts = build_counts(page)
        built = [n for n, count in enumerate(counts, 1) if count]
        if built:
            page.evaluate(f"location.hash = '#{built[0]}'")
            page.wait_for_function(f"SlideDeck.position().index === {built[0] - 1}")
            page.keyboard.press("ArrowRight")
            console.wait_for_function(
                "document.getElementById('cur_step').textContent.includes("
                f"'step 1 of {counts[built[0] - 1]}')"
            )
        # the console's keys drive the deck
        console.keyboard.press("Home")
        page.wait_for_function("SlideDeck.position().index === 0")
        console.keyboard.press("ArrowRight")
        page.wait_for_function("SlideDeck.position().index === 1")
        assert page.errors == [] and console.errors == []
    finally:
        context.close()


# -- accessibility ------------------------------------------------------------------

ALL_SLIDES_VISIBLE = (
    "section.slides > article { display: block !important; position: relative !important;"
    " left: 0 !important; top: 0 !important; transform: none !important;"
    " margin: 0 0 20px !important; } .build > * { opacity: 1 !important; }"
    " html, body { overflow: visible !important; height: auto !important; }"
    " section.slides { position: static !important; height: auto !important; }"
)


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in ("critical", "serious"):
            continue
        for node in violation["nodes"]:
            found.append(
                f"{violation['impact']} {violation['id']}: {node['target']} {node['html'][:80]}"
            )
    return found


@pytest.mark.parametrize("lecture", [*WRITTEN, "index"])
def test_axe_finds_no_serious_problem_in_the_deck(browser, site_url, lecture):
    context, page = open_deck(browser, site_url, lecture, (1280, 720))
    try:
        page.add_style_tag(content=ALL_SLIDES_VISIBLE)  # every slide, not only the current one
        problems = axe_violations(page)
        page.add_style_tag(content="html, body { overflow: hidden !important; }")
        console = open_console(page)
        console.wait_for_function("document.getElementById('cur_slide_num').textContent === '1'")
        problems += [f"console: {problem}" for problem in axe_violations(console)]
        assert problems == [], "\n".join(problems)
    finally:
        context.close()
