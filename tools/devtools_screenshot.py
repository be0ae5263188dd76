"""A screenshot of Chromium's developer tools, Network tab, watching week
0's demo page (examples/setup/web/) load from a local server.

    python tools/devtools_screenshot.py     # writes examples/setup/devtools-network.png

The picture on the week-0 page is made by this, never pasted: Chromium
serves its own developer tools as a web page on its remote-debugging port,
so a second tab can show the real Network panel of the first while it
reloads.  tests/test_setup_browser.py runs it again and checks what the
panel lists.  Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "examples" / "setup"
PICTURE = SETUP / "devtools-network.png"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
]  # fmt: skip
EXPECTED = ["index.html", "style.css", "scores.txt"]  # what the demo page requests


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError("the developer tools did not show the requests")
        time.sleep(0.1)
    return result


def network_panel(chromium: str, picture: Path, width: int = 1100, height: int = 560) -> list[str]:
    """Load the demo page with the Network panel open beside it; save the
    screenshot to picture, and return the names the panel lists."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(QuietHandler, directory=str(SETUP))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    profile = Path(tempfile.mkdtemp(prefix="devtools-"))
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=chromium, args=CHROMIUM_FLAGS, headless=True,
                viewport={"width": width, "height": height},
            )  # fmt: skip
            try:
                return _screenshot(context, profile, server.server_port, picture)
            finally:
                context.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        shutil.rmtree(profile, ignore_errors=True)


def _screenshot(context, profile: Path, port: int, picture: Path) -> list[str]:
    page_url = f"http://127.0.0.1:{port}/web/index.html"
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(page_url)
    debug_port = wait_for(lambda: _active_port(profile))
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json/list"))
    target = next(target for target in targets if target["url"] == page_url)
    tools = context.new_page()
    tools.goto(
        f"http://127.0.0.1:{debug_port}/devtools/inspector.html"
        f"?panel=network&ws=127.0.0.1:{debug_port}/devtools/page/{target['id']}"
    )
    # the panel records from when it is ready: load the page again (and again,
    # on a busy machine, until it has seen all three requests)
    names: list[str] = []
    deadline = time.monotonic() + 60
    while not set(EXPECTED) <= set(names):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the developer tools listed only {names}")
        page.reload()
        page.get_by_text("17").wait_for()
        try:
            names = wait_for(lambda: _complete(tools), timeout=5)
        except TimeoutError:
            names = _listed(tools)
    # give the panel more room than the page: drag the split to the left
    width = tools.viewport_size["width"]
    tools.mouse.move(width * 0.727, 300)
    tools.mouse.down()
    tools.mouse.move(width * 0.42, 300, steps=5)
    tools.mouse.up()
    time.sleep(0.3)
    picture.parent.mkdir(parents=True, exist_ok=True)
    tools.screenshot(path=str(picture))
    return names


def _complete(tools) -> list[str] | None:
    names = _listed(tools)
    return names if set(EXPECTED) <= set(names) else None


def _active_port(profile: Path) -> int | None:
    """Chromium writes its remote-debugging port to DevToolsActivePort."""
    try:
        return int((profile / "DevToolsActivePort").read_text().split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _listed(tools) -> list[str]:
    """The Name column of the Network panel's request table."""
    return tools.evaluate(
        """() => {
            const names = [];
            const visit = (root) => {
                for (const cell of root.querySelectorAll('td.name-column')) {
                    names.push((cell.innerText || '').split('\\n')[0].trim());
                }
                for (const element of root.querySelectorAll('*')) {
                    if (element.shadowRoot) visit(element.shadowRoot);
                }
            };
            visit(document);
            return names;
        }"""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    parser.add_argument("--chromium", default=chromium)
    parser.add_argument("--output", type=Path, default=PICTURE)
    args = parser.parse_args()
    names = network_panel(args.chromium, args.output)
    print(f"wrote {args.output}: the panel lists {', '.join(names)}")


if __name__ == "__main__":
    main()
