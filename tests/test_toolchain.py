"""The slide toolchain on projects that are not this course (issue 20).

Two foreign projects in tests/fixtures, each with its own conf.py and its
sources at the root of its configuration folder:

* ``foreign_hieroglyph``: a hieroglyph project that adds only
  ``hieroglyph_compat`` after hieroglyph: stock ``slides`` and
  ``single-level`` themes, no ``slide_footer``, no ``html_sidebars``,
  ``slide_link_html_to_slides`` on, a root toctree of pages that are not
  lectures.
* ``foreign_course``: one that also adds ``sphinx_course`` and its
  ``course-slides`` theme with every ``course_*`` value left at its default
  (no examples folder, no lecture list, no repository).

Both are built with both builders with warnings as errors and with every
deprecation warning (Sphinx's and docutils', pending ones too) raised as an
exception, and the extensions come from the installed packages (ext/*/, as
``pip install`` puts them), not from a path of this repository.  The deck of
the first one is driven in Chromium with the browser tests' plumbing.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.course import ROOT, tool_env
from tests.site import parse_page, sphinx_command
from tests.test_browser import QuietHandler, SiteServer, page  # noqa: F401

FIXTURES = ROOT / "tests" / "fixtures"
FOREIGN_HIEROGLYPH = FIXTURES / "foreign_hieroglyph"
FOREIGN_COURSE = FIXTURES / "foreign_course"

# sphinx-build with every deprecation warning an exception (hieroglyph's own
# calls included: docutils' set_classes() warns with PendingDeprecationWarning,
# Sphinx's RemovedInSphinx11Warning is one too).
STRICT_SPHINX = """
import sys, warnings
warnings.simplefilter("error", DeprecationWarning)
warnings.simplefilter("error", PendingDeprecationWarning)
from sphinx.cmd.build import main
raise SystemExit(main(sys.argv[1:]))
"""


def strict_command(builder: str, srcdir: Path, outdir: Path, *extra: str, confdir=None):
    """tests/site.py's sphinx-build command (-W, from scratch), run through STRICT_SPHINX."""
    command = sphinx_command(
        builder, srcdir, outdir, outdir.parent / "doctrees" / builder, *extra, confdir=confdir
    )
    assert command[1:3] == ["-m", "sphinx"]
    command[1:3] = ["-c", STRICT_SPHINX]
    return command


def strict_builds(
    srcdir: Path, out: Path, *extra: str, confdir=None, builders=("html", "slides"), env=None
):
    """Both builders at once (two processes) into out/html and out/slides:
    {builder: CompletedProcess}, its output in stdout."""
    processes = {
        builder: subprocess.Popen(
            strict_command(builder, srcdir, out / builder, *extra, confdir=confdir or srcdir),
            cwd=srcdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env or tool_env(),
        )
        for builder in builders
    }
    results = {}
    for builder, process in processes.items():
        try:
            output, _ = process.communicate(timeout=300)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        results[builder] = subprocess.CompletedProcess(process.args, process.returncode, output)
    return results


def assert_built(results) -> None:
    for builder, completed in results.items():
        assert completed.returncode == 0, f"{builder}:\n{completed.stdout[-4000:]}"
        assert "WARNING" not in completed.stdout, f"{builder}:\n{completed.stdout[-4000:]}"


@pytest.fixture(scope="module")
def foreign_hieroglyph(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("foreign_hieroglyph")
    assert_built(strict_builds(FOREIGN_HIEROGLYPH, out))
    return out


@pytest.fixture(scope="module")
def foreign_course(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("foreign_course")
    assert_built(strict_builds(FOREIGN_COURSE, out))
    return out


class Assets(HTMLParser):
    """The local files a page loads: stylesheets, scripts, images."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and "stylesheet" in (attributes.get("rel") or ""):
            self.files.append(attributes["href"])
        elif tag in ("script", "img") and attributes.get("src"):
            self.files.append(attributes["src"])
            if tag == "script":
                self.scripts.append(attributes["src"])


def page_assets(path: Path) -> Assets:
    parser = Assets()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def missing_assets(site: Path) -> list[str]:
    missing = []
    for path in sorted(site.glob("**/*.html")):
        for url in page_assets(path).files:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue
            if not (path.parent / unquote(parts.path)).is_file():
                missing.append(f"{path.relative_to(site)}: {url}")
    return missing


def sidebar_of(path: Path) -> str:
    """The page from its sidebar on (alabaster writes the sidebar after the body)."""
    text = path.read_text(encoding="utf-8")
    return text[text.index('<div class="sphinxsidebar"') :]


# -- A hieroglyph project that adds only the compatibility layer ---------------


def test_a_foreign_hieroglyph_project_builds_both_ways_with_no_deprecation(foreign_hieroglyph):
    """The fixture builds (-W, deprecations raised): hieroglyph's ``slide``
    directive called docutils' deprecated set_classes()."""
    deck = (foreign_hieroglyph / "slides" / "index.html").read_text(encoding="utf-8")
    assert "explicit-slide" in deck and "A slide made by the" in deck
    assert "SLIDES-ONLY" in deck and "OUTLINE-ONLY" not in deck
    themed = (foreign_hieroglyph / "slides" / "single.html").read_text(encoding="utf-8")
    assert "_static/single.css" in themed


def test_the_outline_keeps_its_theme_sidebars_and_gains_view_as_slides(foreign_hieroglyph):
    """``slide_link_html_to_slides`` with no ``html_sidebars``: the theme's
    sidebars (navigation, relations, search) stay, "View as slides" is added."""
    for name in ("index.html", "outline.html", "readings.html"):
        sidebar = sidebar_of(foreign_hieroglyph / "html" / name)
        assert "View as slides" in sidebar, name
        assert 'id="searchbox"' in sidebar, name  # searchbox.html
        assert ">Outline</a>" in sidebar and ">Readings</a>" in sidebar, name  # navigation.html
    sidebar = sidebar_of(foreign_hieroglyph / "html" / "outline.html")
    assert 'href="readings.html" title="next chapter"' in sidebar  # relations.html
    slide_link = sidebar.split("View as slides")[0].rsplit('href="', 1)[1].split('"')[0]
    assert slide_link == "../slides/outline.html"


@pytest.mark.parametrize("name", ["index.html", "single.html", "console.html"])
def test_the_stock_slide_themes_get_jquery(foreign_hieroglyph, name):
    """hieroglyph's slides.js and console.js use jQuery, which Sphinx no
    longer ships: the compatibility layer provides it to slide builds."""
    slides = foreign_hieroglyph / "slides"
    scripts = page_assets(slides / name).scripts
    jquery = [script for script in scripts if script.endswith("jquery.js")]
    assert jquery, scripts
    assert scripts.index(jquery[0]) < min(
        scripts.index(script) for script in scripts if script.endswith(("slides.js", "console.js"))
    )
    assert (slides / jquery[0]).is_file()


@pytest.mark.parametrize("project", ["foreign_hieroglyph", "foreign_course"])
def test_every_page_finds_its_stylesheets_scripts_and_images(project, request):
    site = request.getfixturevalue(project)
    for builder in ("html", "slides"):
        assert not missing_assets(site / builder), "\n".join(missing_assets(site / builder))


# -- A course from elsewhere with the course extension and its theme -----------


def footers(deck: Path) -> list[str]:
    text = deck.read_text(encoding="utf-8")
    return [part.split("</div>")[0] for part in text.split('<div class="slide-footer">')[1:]]


def test_the_course_theme_prints_no_footer_when_none_is_set(foreign_course):
    slides = foreign_course / "slides"
    for deck in ("index.html", "outline.html"):
        text = (slides / deck).read_text(encoding="utf-8")
        assert "<article" in text
        assert "None" not in text, [footer for footer in footers(slides / deck)]
    assert "course-slides.css" in (slides / "index.html").read_text(encoding="utf-8")
    assert (slides / "_static" / "course-slides.css").is_file()


def test_pages_of_a_course_without_lecture_list_are_not_numbered(foreign_course):
    """The root toctree lists "Outline" and "Readings": no page is a lecture."""
    for path in sorted(foreign_course.glob("*/*.html")):
        text = path.read_text(encoding="utf-8")
        assert "Lecture 1" not in text and "Lecture 2" not in text, path


def test_lectures_are_the_configured_pages_numbered_in_list_order(tmp_path):
    """``course_lectures`` in conf.py names the lectures: "Readings" is
    lecture 1 though the root toctree lists "Outline" first, and "Outline",
    not in the list, gets no label."""
    project = shutil.copytree(FOREIGN_COURSE, tmp_path / "project")
    with open(project / "conf.py", "a", encoding="utf-8") as conf:
        conf.write(
            '\ncourse_lectures = [{"slug": "readings", "title": "R", "topics": "books"}]\n'
            'course_notes_label = "For the presenter"\n'
        )
    assert_built(strict_builds(project, tmp_path / "out"))
    slides = tmp_path / "out" / "slides"
    readings = footers(slides / "readings.html")
    assert readings and all("Lecture 1: Readings" in footer for footer in readings)
    assert not any("Lecture" in footer for footer in footers(slides / "outline.html"))
    outline = (tmp_path / "out" / "html" / "index.html").read_text(encoding="utf-8")
    assert '<p class="admonition-title">For the presenter</p>' in outline


def test_notes_keep_their_title_unless_a_notes_label_is_set(foreign_course):
    outline = (foreign_course / "html" / "index.html").read_text(encoding="utf-8")
    assert "A note the project wrote as a plain note." in outline
    assert '<p class="admonition-title">Note</p>' in outline
    assert "Instructor notes" not in outline


def test_without_a_repository_there_are_no_edit_links(foreign_course):
    for path in sorted(foreign_course.glob("*/*.html")):
        text = path.read_text(encoding="utf-8")
        assert "edit-link" not in text and "report-link" not in text, path


def test_edit_and_report_links_name_the_projects_own_files(tmp_path):
    results = strict_builds(
        FOREIGN_COURSE,
        tmp_path,
        "-D", "course_repository_url=https://git.example.org/someone/slides",
        "-D", "course_repository_branch=trunk",
    )  # fmt: skip
    assert_built(results)
    outline = parse_page(tmp_path / "html" / "readings.html")
    edit = [href for href, classes in outline.links if "edit-link" in classes]
    assert edit == ["https://git.example.org/someone/slides/edit/trunk/readings.rst"]
    (report,) = [href for href, classes in outline.links if "report-link" in classes]
    assert report.startswith("https://git.example.org/someone/slides/issues/new?")
    assert "template=" not in report  # the project has no issue template of ours
    deck = parse_page(tmp_path / "slides" / "index.html")
    reports = [href for href, classes in deck.links if "slide-report-link" in classes]
    assert reports and all("Problem%20in%20index.rst%20line%20" in href for href in reports)


def add_page(project: Path, name: str, text: str) -> None:
    (project / f"{name}.rst").write_text(text, encoding="utf-8")
    index = project / "index.rst"
    index.write_text(
        index.read_text(encoding="utf-8").replace("   readings\n", f"   readings\n   {name}\n"),
        encoding="utf-8",
    )


def test_example_files_lists_the_projects_own_examples(tmp_path):
    project = shutil.copytree(FOREIGN_COURSE, tmp_path / "project")
    (project / "examples" / "demo").mkdir(parents=True)
    (project / "examples" / "demo" / "one.py").write_text("print(1)\n", encoding="utf-8")
    add_page(project, "files", "Files\n=====\n\n.. example-files:: demo\n")
    results = strict_builds(project, tmp_path / "out", builders=("html",))
    assert_built(results)
    files = parse_page(tmp_path / "out" / "html" / "files.html")
    downloads = [href for href, classes in files.links if "download" in classes]
    assert len(downloads) == 1 and downloads[0].endswith("/one.py")
    assert (tmp_path / "out" / "html" / downloads[0]).is_file()
    text = (tmp_path / "out" / "html" / "files.html").read_text(encoding="utf-8")
    assert "examples/demo/one.py" in text


def test_example_files_of_a_folder_the_project_lacks_is_an_error(tmp_path):
    """The course's own examples/sockets/ is no business of another project."""
    project = shutil.copytree(FOREIGN_COURSE, tmp_path / "project")
    add_page(project, "files", "Files\n=====\n\n.. example-files:: sockets\n")
    (html,) = strict_builds(project, tmp_path / "out", builders=("html",)).values()
    assert html.returncode != 0
    assert "example-files: no folder examples/sockets" in html.stdout
    assert "echo_server.py" not in html.stdout


# -- The two extensions ---------------------------------------------------------


def imported_names(module_name: str) -> list[tuple[str, str]]:
    """(module, name) of every import in an installed module or package."""
    spec = importlib.util.find_spec(module_name)
    assert spec is not None and spec.origin, f"{module_name} is not installed"
    files = [Path(spec.origin)]
    if spec.submodule_search_locations:
        files = sorted(Path(spec.origin).parent.glob("**/*.py"))
    names = []
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names += [(alias.name, "") for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names += [(node.module, alias.name) for alias in node.names]
    return names


def test_the_course_extension_uses_no_hieroglyph_internals():
    """Only hieroglyph_compat knows hieroglyph: the course extension imports
    nothing of hieroglyph and only public names of hieroglyph_compat."""
    names = imported_names("sphinx_course")
    assert not [(m, n) for m, n in names if m.split(".")[0] == "hieroglyph"]
    assert not [(m, n) for m, n in names if m == "hieroglyph_compat" and n.startswith("_")]
    assert ("hieroglyph_compat", "is_slide_build") in names


PACKAGES = {  # folder in ext/: (distribution, module)
    "hieroglyph-compat": ("hieroglyph-compat", "hieroglyph_compat"),
    "sphinx-course": ("sphinx-course", "sphinx_course"),
}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, Path]:
    """Each package built as pip builds it from its folder (offline, with this
    environment's setuptools), from a copy: {folder: wheel}."""
    out = tmp_path_factory.mktemp("wheels")
    copies = [shutil.copytree(ROOT / "ext" / folder, out / "src" / folder) for folder in PACKAGES]
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-index",
         "--no-build-isolation", "--wheel-dir", str(out / "dist"), *map(str, copies)],
        capture_output=True, text=True, timeout=180, env=tool_env(), cwd=out,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "BuildBackendWarning" not in completed.stdout + completed.stderr, completed.stderr
    built = {}
    for folder, (distribution, _) in PACKAGES.items():
        (built[folder],) = (out / "dist").glob(f"{distribution.replace('-', '_')}-*.whl")
    return built


@pytest.mark.parametrize("folder", PACKAGES)
def test_each_extension_is_a_package_that_pip_installs(wheels, folder):
    """``pip install ext/<folder>`` (or the repository's subfolder) works:
    the wheel holds the module (and the theme), and this checkout's
    environment uses the package installed from its folder (requirements.txt)."""
    distribution, module = PACKAGES[folder]
    names = zipfile.ZipFile(wheels[folder]).namelist()
    assert f"{module}/__init__.py" in names
    if module == "sphinx_course":
        assert f"{module}/themes/course-slides/theme.conf" in names
        assert f"{module}/themes/course-slides/static/course-slides.css" in names
    assert importlib.metadata.distribution(distribution).version == "1.0.0"
    origin = Path(importlib.util.find_spec(module).origin).resolve()
    assert origin.is_relative_to(ROOT / "ext" / folder), origin  # editable: this checkout


def test_a_foreign_course_builds_with_the_extensions_installed_from_their_wheels(wheels, tmp_path):
    """Nothing is read from this checkout: both extensions come from their
    wheels, installed (without the editable ones) into a folder of their own."""
    site = tmp_path / "site-packages"
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(site), *map(str, wheels.values())],
        capture_output=True, text=True, timeout=180, env=tool_env(),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    env = tool_env(PYTHONPATH=str(site))  # found before the editable installs
    where = subprocess.run(
        [sys.executable, "-c", "import sphinx_course, hieroglyph_compat as h; print(h.__file__)"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    results = strict_builds(FOREIGN_COURSE, tmp_path / "out", env=env)
    assert_built(results)
    slides = tmp_path / "out" / "slides"
    assert (slides / "_static" / "course-slides.css").is_file()
    assert (slides / "_static" / "presenter-clock.js").is_file()
    assert not missing_assets(slides)


# -- The foreign deck in Chromium ----------------------------------------------


@pytest.fixture(scope="module")
def foreign_url(foreign_hieroglyph):
    """The foreign project's html/ and slides/ over HTTP on loopback
    (tests/test_browser.py's server, on this build)."""
    import functools
    import threading

    from tests.guards import allow_long_lived

    handler = functools.partial(QuietHandler, directory=str(foreign_hieroglyph))
    server = SiteServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="foreign-site", daemon=True)
    thread.start()
    allow_long_lived(threads=[thread])
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def current_slide_number(tab) -> int:
    return tab.evaluate(
        "Array.from(document.querySelectorAll('section.slides > article'))"
        ".indexOf(document.querySelector('section.slides > article.current')) + 1"
    )


def errors_of(tab) -> list[str]:
    """The page's errors, but for the browser's own request for /favicon.ico
    (the project declares no favicon; Chromium asks the server root anyway)."""
    return [error for error in tab.errors if "/favicon.ico" not in error]


def record_failed_requests(tab) -> None:
    """A file the page asks for and does not get is an error too."""
    tab.on(
        "response",
        lambda response: (
            response.status >= 400 and tab.errors.append(f"HTTP {response.status}: {response.url}")
        ),
    )


@pytest.mark.browser
@pytest.mark.parametrize("deck", ["index", "single"])
def test_the_foreign_deck_navigates_in_chromium_without_errors(page, foreign_url, deck):  # noqa: F811
    record_failed_requests(page)
    page.goto(f"{foreign_url}/slides/{deck}.html")
    page.wait_for_function("document.querySelector('article.current') !== null")
    assert current_slide_number(page) == 1
    page.keyboard.press("ArrowRight")
    assert current_slide_number(page) == 2
    page.keyboard.press("ArrowLeft")
    assert current_slide_number(page) == 1

    with page.expect_popup() as popup_info:
        page.keyboard.press("c")  # the presenter console (jQuery)
    console = popup_info.value
    console.set_default_timeout(10_000)
    console.on("pageerror", lambda error: page.errors.append(f"console: {error}"))
    console.wait_for_load_state()
    console.wait_for_function("document.getElementById('cur_slide_num').textContent === '1'")
    page.keyboard.press("ArrowRight")
    console.wait_for_function("document.getElementById('cur_slide_num').textContent === '2'")
    assert errors_of(page) == []


@pytest.mark.browser
def test_the_foreign_outline_opens_the_deck_from_its_sidebar(page, foreign_url):  # noqa: F811
    record_failed_requests(page)
    page.goto(f"{foreign_url}/html/index.html")
    page.get_by_role("link", name="View as slides").click()
    page.wait_for_url("**/slides/index.html")
    page.wait_for_function("document.querySelector('article.current') !== null")
    assert errors_of(page) == []
