"""The outline as students read it: colours, instructor notes, print, phone.

In Chromium through Playwright (as tests/test_browser.py), on every page of
every written lecture (tests.course.WRITTEN) and the home page; the built
site (the ``site`` fixture of tests/conftest.py) is served on 127.0.0.1.
axe-core's checks of the same pages are in tests/test_outline_axe.py.

    syntax colours   every token class of the built pygments.css (outline
                     light and dark, slides) and every token on the pages,
                     as the browser paints it: at least 4.5:1 (WCAG AA)
    notes            instructor notes are a closed "For instructors" toggle,
                     as many as the deck's speaker notes, and never printed
    print            no skip link or button; no code block or table wider
                     than an A4 page
    phone            every block that scrolls sideways is a named tab stop
    charts           on a light plate in dark mode; labels >= 10 px on a phone
"""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest

from tests.course import ROOT, SOURCE, WRITTEN
from tests.guards import allow_long_lived

pytestmark = pytest.mark.browser

PAGES = ["index", *WRITTEN]
each_page = pytest.mark.parametrize("lecture", PAGES)
each_lecture = pytest.mark.parametrize("lecture", WRITTEN)

MODES = ["light", "dark"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
# An A4 page less tools/pdf.py's 15 mm margins, in CSS px (96 per inch).
A4_PRINTABLE_WIDTH = round((210 - 2 * 15) / 25.4 * 96)
AA = 4.5  # WCAG 2 AA, normal text



# -- Colours, as WCAG 2 computes them -------------------------------------------


def parse_colour(text: str) -> tuple[float, float, float, float]:
    """#rgb, #rrggbb, rgb(), rgba() -> (r, g, b, alpha), 0-255 and 0-1."""
    text = text.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        values = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
        alpha = values[3] / 255 if len(values) == 4 else 1.0
        return (*values[:3], alpha)
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def over(colour, background):
    """A translucent colour painted over an opaque background."""
    alpha = colour[3]
    mixed = (alpha * c + (1 - alpha) * b for c, b in zip(colour[:3], background[:3], strict=True))
    return (*mixed, 1.0)


def luminance(colour) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = colour[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground, background) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_computed_as_wcag_says():
    assert contrast(parse_colour("#000"), parse_colour("#fff")) == pytest.approx(21)
    assert contrast(parse_colour("#767676"), parse_colour("#ffffff")) == pytest.approx(4.54, 0.01)
    # friendly's comments on its background: the 2.58:1
    assert contrast(parse_colour("#60a0b0"), parse_colour("#f0f0f0")) == pytest.approx(2.58, 0.01)
    assert parse_colour("rgba(0, 0, 0, 0)")[3] == 0
    assert over(parse_colour("#ffffff80"), parse_colour("#000")) == pytest.approx(
        (127.5, 127.5, 127.5, 1), abs=0.6
    )


# -- Syntax colours from the built CSS -------------------------------------------------

RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
DARK_PREFIX = 'body[data-theme="dark"] '


def pygments_rules(css: str, dark: bool) -> dict[str, dict[str, str]]:
    """selector -> declarations of the light (or dark) rules of a pygments.css
    (Sphinx writes the dark style's rules again under furo's dark selectors,
    the first copy prefixed with ``body[data-theme="dark"]``)."""
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in RULE.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        for selector in selectors.split(","):
            selector = selector.strip()
            if selector.startswith("@media") or "body:not" in selector:
                continue
            if selector.startswith(DARK_PREFIX) != dark:
                continue
            selector = selector.removeprefix(DARK_PREFIX)
            declarations = dict(
                (name.strip(), value.strip())
                for name, _, value in (d.partition(":") for d in body.split(";") if ":" in d)
            )
            rules.setdefault(selector, {}).update(declarations)
    return rules


def token_contrasts(css: str, dark: bool, text_colour: str) -> dict[str, float]:
    """Each token class's contrast on the code background of that mode.  A
    class without a colour of its own shows the block's text colour."""
    rules = pygments_rules(css, dark)
    block = rules[".highlight"]
    background = parse_colour(block.get("background", block.get("background-color")))
    default = parse_colour(block.get("color", text_colour))
    contrasts = {"(plain text)": round(contrast(default, background), 2)}
    for selector, declarations in rules.items():
        match = re.fullmatch(r"\.highlight \.(\w+)", selector)
        if not match:
            continue
        colour = parse_colour(declarations["color"]) if "color" in declarations else default
        own = declarations.get("background-color")
        behind = over(parse_colour(own), background) if own and own != "transparent" else background
        contrasts[match.group(1)] = round(contrast(colour, behind), 2)
    return contrasts


PYGMENTS_CSS = pytest.mark.parametrize(
    "builder, dark",
    [("html", False), ("html", True), ("slides", False)],
    ids=["outline-light", "outline-dark", "slides"],
)


@PYGMENTS_CSS
def test_every_token_class_of_the_built_css_is_readable(site, builder, dark):
    css = (site.root / builder / "_static" / "pygments.css").read_text(encoding="utf-8")
    # text without a token colour: furo's code colour (black / near white),
    # the slides' pre (#111, course-slides.css)
    text = "#ffffff" if dark else "#000000"
    contrasts = token_contrasts(css, dark, text)
    assert len(contrasts) > 30, "no Pygments token classes found"
    # comments, output, prompts, numbers, strings...: a class with no rule
    # shows the plain text colour
    for token in ("c1", "go", "gp", "m", "mi", "s2", "k", "nf"):
        contrasts.setdefault(token, contrasts["(plain text)"])
    low = {token: ratio for token, ratio in contrasts.items() if ratio < AA}
    assert not low, f"token classes under {AA}:1 in {builder}/_static/pygments.css: {low}"


# Every token span on a page: its colour, as painted, against the first
# background behind it that is not transparent.
TOKEN_CONTRAST_JS = """
() => {
    function rgba(text) {
        const n = text.match(/[\\d.]+/g).map(Number);
        return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
    }
    function background(element) {
        for (let e = element; e; e = e.parentElement) {
            const colour = rgba(getComputedStyle(e).backgroundColor);
            if (colour[3] > 0) return colour;
        }
        return [255, 255, 255, 1];
    }
    const seen = {};
    document.querySelectorAll('.highlight pre span[class]').forEach(span => {
        if (!span.textContent.trim()) return;
        const key = span.className + ' ' + getComputedStyle(span).color
            + ' on ' + background(span).join(',');
        if (!(key in seen)) seen[key] = {
            token: span.className, text: span.textContent.slice(0, 30),
            colour: rgba(getComputedStyle(span).color), background: background(span)};
    });
    return Object.values(seen);
}
"""


def low_contrast_tokens(page) -> list[str]:
    low = []
    for token in page.evaluate(TOKEN_CONTRAST_JS):
        ratio = contrast(token["colour"], token["background"])
        if ratio < AA:
            low.append(f".{token['token']} {token['text']!r}: {ratio:.2f}:1")
    return low


@each_lecture
def test_every_highlighted_token_is_readable_in_the_browser(browser, site_url, lecture):
    """What the reader sees: the outline in both modes and the deck, with every
    style sheet applied (a theme that paints code its own way counts)."""
    problems = []
    targets = [("html", mode) for mode in MODES] + [("slides", "light")]
    for builder, mode in targets:
        context = browser.new_context(viewport=DESKTOP, color_scheme=mode)
        try:
            page = context.new_page()
            page.goto(f"{site_url}/{builder}/{lecture}.html")
            assert page.locator(".highlight pre span[class]").count() > 0
            problems += [f"{builder} ({mode}): {low}" for low in low_contrast_tokens(page)]
        finally:
            context.close()
    assert not problems, "\n".join(problems)


# -- Instructor notes -----------------------------------------------------------------


@each_lecture
def test_instructor_notes_are_collapsed_and_not_printed(browser, site, site_url, lecture):
    deck = (site.slides_dir / f"{lecture}.html").read_text(encoding="utf-8")
    speaker_notes = deck.count('class="admonition note"')
    assert speaker_notes > 0, "the deck has no speaker notes"  # they stay in the deck

    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/html/{lecture}.html")
        notes = page.locator("details.speaker-notes")
        assert notes.count() == speaker_notes
        assert page.locator("div.admonition.note").count() == 0  # none left open
        summaries = page.locator("details.speaker-notes > summary")
        assert set(summaries.all_inner_texts()) == {"For instructors"}
        assert page.locator("details.speaker-notes[open]").count() == 0
        first = notes.first
        body = first.locator(":scope > :not(summary)").first
        first.scroll_into_view_if_needed()
        assert not body.is_visible()
        # the toggle opens with the keyboard
        first.locator("summary").focus()
        page.keyboard.press("Enter")
        assert first.get_attribute("open") is not None and body.is_visible()
        page.emulate_media(media="print")
        assert page.evaluate(
            "Array.from(document.querySelectorAll('details.speaker-notes'))"
            ".every(e => getComputedStyle(e).display === 'none')"
        )
    finally:
        context.close()


# -- Print --------------------------------------------------------------------------------

PRINT_PROBLEMS_JS = """
(pageWidth) => {
    const problems = [];
    const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    document.querySelectorAll('.skip-to-content, button, a.headerlink').forEach(e => {
        if (shown(e)) problems.push('printed: ' + (e.className || e.tagName) + ' '
                                    + JSON.stringify(e.textContent.trim().slice(0, 30)));
    });
    document.querySelectorAll('article pre, article table, article .table-wrapper').forEach(e => {
        const box = e.getBoundingClientRect();
        if (e.scrollWidth > e.clientWidth + 1 || box.right > pageWidth + 1)
            problems.push('cut at the page edge: ' + e.tagName.toLowerCase() + ' '
                          + JSON.stringify(e.textContent.trim().slice(0, 40))
                          + ' (' + e.scrollWidth + ' px in '
                          + Math.min(e.clientWidth, pageWidth) + ')');
    });
    return problems;
}
"""


@each_page
def test_the_printed_outline_has_no_buttons_and_loses_no_column(browser, site_url, lecture):
    context = browser.new_context(viewport={"width": A4_PRINTABLE_WIDTH, "height": 1000})
    try:
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(f"{site_url}/html/{lecture}.html")
        problems = page.evaluate(PRINT_PROBLEMS_JS, A4_PRINTABLE_WIDTH)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


# -- Phone: scroll areas reachable by keyboard -----------------------------------------

UNREACHABLE_SCROLL_AREAS_JS = """
() => Array.from(document.querySelectorAll('article *')).filter(e => {
    const style = getComputedStyle(e);
    const scrolls = ['auto', 'scroll'].includes(style.overflowX)
        && e.scrollWidth > e.clientWidth + 1;
    return scrolls && !(e.tabIndex >= 0 && (e.getAttribute('aria-label') || '').trim());
}).map(e => e.tagName.toLowerCase() + '.' + e.className + ' '
            + JSON.stringify(e.textContent.trim().slice(0, 40)))
"""


@each_page
def test_every_sideways_scroll_area_is_a_named_tab_stop_on_a_phone(browser, site_url, lecture):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/html/{lecture}.html")
        page.wait_for_load_state("load")
        unreachable = page.evaluate(UNREACHABLE_SCROLL_AREAS_JS)
        assert not unreachable, "\n".join(unreachable)
        scrolling = page.locator("[data-scroll-area]")
        if lecture != "index":
            assert scrolling.count() > 0  # long lines do scroll on a phone
            # Tab reaches one, and the arrow keys scroll it
            area = page.locator("pre[data-scroll-area]").first
            area.scroll_into_view_if_needed()
            area.focus()
            assert page.evaluate("document.activeElement.hasAttribute('data-scroll-area')")
            for _ in range(5):
                page.keyboard.press("ArrowRight")
                page.wait_for_timeout(100)
                if area.evaluate("e => e.scrollLeft") > 0:
                    break
            assert area.evaluate("e => e.scrollLeft") > 0, "the arrow keys do not scroll it"
    finally:
        context.close()


# -- Charts ----------------------------------------------------------------------------

CHART_LECTURES = [
    slug
    for slug in WRITTEN
    if re.search(r"\.\. (image|figure):: \S+\.svg", (SOURCE / f"{slug}.rst").read_text())
]

CHARTS_JS = """
() => Array.from(document.querySelectorAll('article img[src$=".svg"]')).map(img => ({
    src: img.getAttribute('src'),
    width: img.getBoundingClientRect().width,
    background: getComputedStyle(img).backgroundColor,
}))
"""


def smallest_label(svg: str) -> tuple[float, float]:
    """(the smallest font size, the drawing's width) of an SVG chart."""
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
    width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg).group(1))
    return min(sizes), width


@pytest.mark.parametrize("lecture", CHART_LECTURES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_charts_are_readable_in_both_modes_and_on_a_phone(
    browser, site, site_url, lecture, mode, viewport
):
    context = browser.new_context(viewport=viewport, color_scheme=mode)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/html/{lecture}.html")
        page.wait_for_load_state("load")
        charts = page.evaluate(CHARTS_JS)
    finally:
        context.close()
    assert charts, "no chart on the page"
    for chart in charts:
        svg = (site.outline_dir / chart["src"]).read_text(encoding="utf-8")
        # the charts' text is black (SVG's default fill): what is behind it?
        background = parse_colour(chart["background"])
        assert background[3] == 1, f"{chart['src']}: transparent behind black text"
        assert contrast((0, 0, 0), background) >= AA, chart
        size, drawn_width = smallest_label(svg)
        shown = size * chart["width"] / drawn_width
        assert shown >= 10, f"{chart['src']}: labels {shown:.1f} px at {viewport['width']} px"


# -- The slides index links back to the outline -------------------------------------------


def test_every_schedule_slide_title_links_to_an_anchor_of_the_outline(site):
    deck = (site.slides_dir / "index.html").read_text(encoding="utf-8")
    outline = (site.outline_dir / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'href="\.\./html/index\.html#([^"]+)"', deck))
    assert {"lectures-0-to-5", "schedule"} <= anchors
    ids = set(re.findall(r'\sid="([^"]+)"', outline))
    assert anchors - ids == set()


# -- The pinned style is the one that is built -----------------------------------------------


def test_conf_names_accessible_styles_that_requirements_pin():
    conf = (ROOT / "conf.py").read_text(encoding="utf-8")
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r'^pygments_style = "a11y-', conf, re.M)
    assert re.search(r'^pygments_dark_style = "a11y-', conf, re.M)
    assert re.search(r"^accessible-pygments==", requirements, re.M)


# -- Fixtures: the site over HTTP, one Chromium for the module ------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class SiteServer(http.server.HTTPServer):
    request_queue_size = 64


@pytest.fixture(scope="module")
def site_url(site):
    """The built site on loopback (one thread: see tests/test_browser.py)."""
    assert site.html.returncode == 0 and site.slides.returncode == 0, "the site did not build"
    server = SiteServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site.root)))
    thread = threading.Thread(target=server.serve_forever, name="outline-server", daemon=True)
    thread.start()
    allow_long_lived(threads=[thread])
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


