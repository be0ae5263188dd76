"""axe-core on every outline page: no critical or serious violation.

Every page of every written lecture (tests.course.WRITTEN) and the home
page, in light and dark mode, on a desktop and on a phone.  axe-core comes
with axe-playwright-python (pinned in requirements.txt): nothing is fetched.
The browser and the server are tests/test_outline.py's fixtures.
"""

from __future__ import annotations

import pytest

from tests.test_outline import DESKTOP, MODES, PAGES, PHONE, site_url  # noqa: F401

pytestmark = pytest.mark.browser

BLOCKING = {"critical", "serious"}


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
            found.append(
                f"{violation['impact']} {violation['id']} ({len(violation['nodes'])} nodes):"
                f" {violation['help']}; e.g. {targets}"
            )
    return found


@pytest.mark.parametrize("lecture", PAGES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_critical_or_serious(
    browser,  # noqa: F811
    site_url,  # noqa: F811
    lecture,
    mode,
    viewport,
):
    context = browser.new_context(viewport=viewport, color_scheme=mode)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/html/{lecture}.html")
        page.wait_for_load_state("load")
        problems = violations(page)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
