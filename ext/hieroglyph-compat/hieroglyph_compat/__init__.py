"""Make hieroglyph 2.1.0 (2020, its last release) work on Sphinx 9.

hieroglyph turns Sphinx documents into HTML slide decks.  Unmodified, its
slide builder crashes on every Sphinx since 7.2.  This extension fixes it,
for any hieroglyph project: add it right after hieroglyph, and change
nothing else::

    extensions = ["hieroglyph", "hieroglyph_compat", ...]

Each fix replaces one hieroglyph function or method (or one of its event
handlers) and its docstring names what broke it; nothing else in hieroglyph
is touched, so when a fixed hieroglyph release appears this file can shrink
fix by fix, row by row of this table:

====================  =========================================  ==============================
Version               What broke in hieroglyph                   Fix here
====================  =========================================  ==============================
Sphinx 3.5            ``permalink_text`` gone: outline headings  ``_SectionToSlideLinks``
                      cannot link to their slides
Sphinx 6.0            jQuery no longer shipped: "$ is not        ``_add_jquery_to_slide_builds``
                      defined" in decks and console
Sphinx 7.0            ``style`` template variable removed        ``_fix_slide_page_context``
Sphinx 7.1            static files copied before pages are       ``apply_theme``, ``pop_theme``
                      written (a ``slideconf`` theme's never);
                      templates kept after ``pop_theme``
Sphinx 7.2, 8.0       ``srcdir``, ``outdir`` are paths: any      ``post_process_images``
                      image crashes the slide builder
Sphinx 7.3            ``load_additional_themes`` removed         ``_register_slide_themes``
Sphinx 9.0            ``HTMLThemeFactory`` keyword-only;         ``apply_theme``, the
                      ``Builder.app``, ``env.app`` deprecated;   transforms, ``slide_path``,
                      ``css_files`` hold objects                 ``_fix_slide_page_context``
any Sphinx            ``html_sidebars`` read as a list (crash    ``_add_slide_link_to_sidebars``
                      when set); when unset, the theme's
                      sidebars replaced by a fixed list
any Sphinx            every document re-read on every build      ``_reread_if_the_other_...``
docutils 0.18, 0.22   ``Node.traverse`` deprecated (0.22 warns)  ``findall`` in each fix
docutils 0.22         ``nextslide`` title parsed after the       ``_nextslide_run``
                      parser state is gone: crash
docutils 0.22         ``roles.set_classes()`` deprecated         ``_slide_directive_run``
                      (pending) in the ``slide`` directive
stock theme JS        ``isChromeVoxActive`` undefined (arrows    ``_add_deck_script``
                      up/down throw); build lists wrong when     (hieroglyph-compat.js)
                      the deck opens mid-way; no hashchange,
                      Home/End, go-to, blackout, help, swipe
                      through build steps; console lost on
                      reload, previews re-laid-out (code cut)
stock layout          ``<html>`` without ``lang`` (WCAG 3.1.1)   ``_html_lang_in_slide_layout``
====================  =========================================  ==============================

Public API, for other extensions (the course's ``sphinx_course`` uses only
this, never hieroglyph itself):

``is_slide_build(app_or_env)``
    True while a hieroglyph slide builder runs.  Takes the application or,
    in a directive or transform, the build environment (``self.env``): the
    deprecated ``env.app`` is not needed.

event ``hieroglyph-slide-context(app, docname, context)``
    Emitted for every slide before hieroglyph renders it with its theme's
    ``slide.html``; handlers may add template variables to ``context``.  It
    holds hieroglyph's own (``title``, ``id``, ``slide_number``, ``level``,
    ``config``...) and ``source_line``, the line of the slide's title in its
    source file (None if unknown).

tests/test_hieroglyph_compat.py builds a document with every hieroglyph
feature, and tests/test_toolchain.py builds foreign hieroglyph projects, with
both builders, warnings as errors and deprecation warnings raised.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import posixpath
import weakref
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.jinja2glue import SphinxFileSystemLoader
from sphinx.locale import _
from sphinx.theming import HTMLThemeFactory
from sphinx.util.fileutil import copy_asset

import hieroglyph
from hieroglyph import builder as hg_builder
from hieroglyph import directives as hg_directives
from hieroglyph import html as hg_html
from hieroglyph import writer as hg_writer

HIEROGLYPH_THEMES = Path(hieroglyph.__file__).parent / "themes"

# Environments that are reading documents for a slide builder.  Replaces
# hieroglyph's ``building_slides(env.app)`` checks in its transforms.
_SLIDE_ENVIRONMENTS: weakref.WeakSet[BuildEnvironment] = weakref.WeakSet()


def is_slide_build(app_or_env: Sphinx | BuildEnvironment) -> bool:
    """True while a hieroglyph slide builder reads or writes the documents.

    Pass the application, or in a directive or transform the build
    environment (``self.env``).
    """
    if isinstance(app_or_env, BuildEnvironment):
        return app_or_env in _SLIDE_ENVIRONMENTS
    return hg_builder.building_slides(app_or_env)


# ---------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------


def _register_slide_themes(app: Sphinx, config) -> None:
    """Register hieroglyph's themes (and slide_theme_path) with Sphinx.

    Sphinx 7.3 removed ``HTMLThemeFactory.load_additional_themes``, which
    hieroglyph called every time it applied a theme.  Themes are now
    registered once, through the public ``app.add_html_theme``.
    """
    theme_dirs = [HIEROGLYPH_THEMES]
    theme_dirs += [Path(app.confdir, path) for path in config.slide_theme_path]
    for theme_dir in theme_dirs:
        for candidate in sorted(theme_dir.iterdir()):
            if (candidate / "theme.conf").is_file() or (candidate / "theme.toml").is_file():
                app.add_html_theme(candidate.name, candidate)


def apply_theme(self, themename, themeoptions):
    """Push the current theme and apply ``themename`` (a ``slideconf`` theme).

    Sphinx 9.0: ``HTMLThemeFactory`` takes keyword arguments only, and the
    builder's ``app`` attribute is deprecated (``_app`` is what Sphinx's own
    builders pass).
    """
    self._theme_stack.append((self.theme, self.theme_options))

    theme_factory = HTMLThemeFactory(
        confdir=self.confdir,
        app=self._app,
        config=self.config,
        registry=self._registry,
    )
    self.theme = theme_factory.create(themename)
    self.theme_options = themeoptions.copy()
    _load_theme_templates(self)

    is_slideconf_theme = len(self._theme_stack) > 1
    if self.theme.name not in {theme.name for theme in self._additional_themes}:
        self._additional_themes.append(self.theme)
        if is_slideconf_theme:
            _copy_theme_static_files(self, self.theme)


def pop_theme(self):
    """Restore the theme that was active before the last ``apply_theme``.

    hieroglyph only restored the attributes; since Sphinx 7.1 templates are
    looked up through the template bridge, so the page after a document with
    a ``slideconf`` theme kept that theme's templates.  Re-initialise them.
    """
    self.theme, self.theme_options = self._theme_stack.pop()
    _load_theme_templates(self)


def _load_theme_templates(builder) -> None:
    builder.templates.init(builder, builder.theme)
    builder.templates.environment.filters["json"] = json.dumps


def _copy_theme_static_files(builder, theme) -> None:
    """Copy the static files of a theme that a ``slideconf`` switched to.

    hieroglyph copied them in ``copy_static_files``, after all pages were
    written.  Since Sphinx 7.1 static files are copied *before* pages are
    written (``copy_assets``), when no ``slideconf`` theme is known yet, so
    they were never copied.  Copy them when the theme is first applied,
    leaving out the directories the main theme already provided.
    """
    already_copied = set(builder._additional_themes[0].get_theme_dirs())
    context = builder.globalcontext.copy()
    static_dir = Path(builder.outdir, "_static")
    for theme_dir in reversed(theme.get_theme_dirs()):
        if theme_dir in already_copied:
            continue
        copy_asset(
            Path(theme_dir, "static"),
            static_dir,
            context=context,
            renderer=builder.templates,
            force=True,
        )


# ---------------------------------------------------------------------------
# Template context
# ---------------------------------------------------------------------------


def _fix_slide_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give hieroglyph's templates the context variables they were written for.

    * Sphinx 7.0 removed the ``style`` variable (the theme's stylesheet) that
      the ``slides`` and ``single-level`` layouts use.  hieroglyph set it for
      documents only, so its extra pages (the presenter console) failed.
    * Sphinx 9.0: ``css_files`` and ``script_files`` hold objects, no longer
      strings; the layouts pass each to ``pathto()``.  Give the templates the
      file names (inline scripts, which have no file, are left out).
    """
    if not hg_builder.building_slides(app):
        return
    builder = app.builder
    context["style"] = builder.theme.stylesheets[0]
    favicon_url = context.get("favicon_url")
    if favicon_url and "://" not in favicon_url:
        context["favicon"] = posixpath.basename(favicon_url)
    # Sphinx 7.0+ also lists the (first) theme's stylesheet in css_files; the
    # layouts already link ``style``, and a second, stale copy would undo a
    # slideconf theme's stylesheet.
    theme_stylesheets = {
        posixpath.join("_static", stylesheet)
        for theme in builder._additional_themes
        for stylesheet in theme.stylesheets
    }
    context["css_files"] = [
        _asset_filename(css)
        for css in context.get("css_files", [])
        if _asset_filename(css) not in theme_stylesheets
    ]
    context["script_files"] = [
        _asset_filename(script)
        for script in context.get("script_files", [])
        if _asset_filename(script) not in ("", "_static/documentation_options.js")
    ]


def _asset_filename(asset) -> str:
    return asset if isinstance(asset, str) else (getattr(asset, "filename", "") or "")


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------


def post_process_images(self, doctree):
    """Pick image candidates and make absolute image URIs relative.

    Sphinx 7.2/8.0 made ``srcdir`` and ``outdir`` path objects; hieroglyph
    used ``str.startswith`` and ``len`` on them and crashed on any image.
    """
    StandaloneHTMLBuilder.post_process_images(self, doctree)

    source = Path(doctree.attributes.get("source", self.srcdir))
    depth = len(source.relative_to(self.srcdir).parts) - 1
    relative_base = [".."] * depth
    outdir = os.fspath(self.outdir)

    for node in doctree.findall(nodes.image):
        if node.get("candidates") is None:
            node["candidates"] = ("*",)
        if node["uri"].startswith(outdir + os.sep):
            inside_outdir = Path(node["uri"]).relative_to(outdir).as_posix()
            node["uri"] = posixpath.join(*relative_base, inside_outdir)


# ---------------------------------------------------------------------------
# Slides <-> outline links, and Builder.app / env.app (deprecated in 9.0)
# ---------------------------------------------------------------------------


def slide_path(builder, pagename=None):
    """Relative URL from an outline page to its deck.

    Sphinx 9.0 deprecated ``Builder.app``; the configuration is
    ``builder.config``.
    """
    pagename = pagename or builder.current_docname
    return builder.get_relative_uri(
        pagename, posixpath.join(builder.config.slide_relative_path, pagename)
    )


def html_path(builder, pagename=None):
    """Relative URL from a deck to its outline page (see ``slide_path``)."""
    pagename = pagename or builder.current_docname
    return builder.get_relative_uri(
        pagename, posixpath.join(builder.config.slide_html_relative_path, pagename)
    )


def _slide_translator_depart_title(self, node):
    """Slide titles link to the same section in the outline.

    Same as hieroglyph's ``SlideTranslator.depart_title`` but without
    ``self.builder.app`` (deprecated in Sphinx 9.0), and only for section
    titles: a table's title is no slide (hieroglyph linked it too).
    """
    section = isinstance(node.parent, nodes.section) and node.parent["ids"]
    if section and self.builder.config.slide_link_to_html:
        anchor = node.parent.get("continues") or node.parent["ids"][0]
        self.body.append(
            f'<a class="headerlink outline-link" href="{html_path(self.builder)}#{anchor}" '
            f'title="{_("View HTML")}">{self.builder.config.slide_html_slide_link_symbol}</a>'
        )
    hg_writer.BaseSlideTranslator.depart_title(self, node)


def _slide_builder_app(self):
    """``Builder.app`` without the Sphinx 9.0 deprecation warning, for slide builders.

    hieroglyph's ``BaseSlideTranslator.visit_slide`` (a long method, left
    as it is) reads ``self.builder.app``; Sphinx's builders keep the
    application in ``_app``.
    """
    return self._app


def _transform_slide_conditions(self, *args, **kwargs):
    """Keep ``ifslides`` content for slides, ``ifnotslides`` for the outline.

    Sphinx 9.0 deprecated ``BuildEnvironment.app``, which hieroglyph used to
    ask which builder is running; we record slide environments instead.
    Docutils 0.22: ``traverse`` is superseded by ``findall``.
    """
    env = self.document.settings.env
    is_slides = is_slide_build(env)
    for node in list(self.document.findall(hg_directives.if_slides)):
        if is_slides == node.attributes.get("ifslides", False):
            if not is_slides:
                # sections that only the outline has get no link to a slide
                for section in node.findall(nodes.section):
                    section["outline_only"] = True
            node.replace_self(node.children)
        else:
            node.replace_self([])


def _transform_next_slides(self, *args, **kwargs):
    """Split sections at ``nextslide`` (slides) or drop the marker (outline).

    Same reason as ``_transform_slide_conditions``: no ``env.app``.  Also
    new: each continuation slide remembers the section it continues
    (``continues``), so its link to the outline points at a section that
    exists there, not at the made-up id of the continuation.
    """
    env = self.document.settings.env
    is_slides = is_slide_build(env)
    for node in list(self.document.findall(hg_directives.nextslide)):
        section = node.parent
        container = section.parent
        sections_before = len(container) if container is not None else 0
        self.visit_nextslide(node, is_slides)
        if container is not None and len(container) > sections_before:
            continuation = container[container.index(section) + 1]
            continuation["continues"] = section.get("continues") or section["ids"][0]


_original_nextslide_run = hg_directives.NextSlideDirective.run


def _nextslide_run(self):
    """Parse a ``nextslide`` title while the parser is still running.

    hieroglyph parsed it later, in a transform, through the directive's saved
    parser state; with docutils 0.22 that state has no state machine any
    more once a nested parse (e.g. ``ifslides`` content) is finished, and the
    build crashed.
    """
    result = _original_nextslide_run(self)
    if self.arguments:
        title_nodes, messages = self.state.inline_text(self.arguments[0], self.lineno)
        result[0].parsed_title = title_nodes
        result.extend(messages)
    return result


def _make_title_node(self, node, increment=True):
    """hieroglyph's ``_make_title_node``, using the title parsed by ``_nextslide_run``."""
    parent_title_node = node.parent.next_node(nodes.title)
    nextslide_info = getattr(
        parent_title_node, "nextslide_info", (parent_title_node.deepcopy().children, 1)
    )
    nextslide_info = (nextslide_info[0], nextslide_info[1] + 1)
    if node.args:
        new_title = nodes.title(node.args[0], "", *node.parsed_title)
    else:
        title_nodes = nextslide_info[0][:]
        if "increment" in node.attributes:
            title_nodes.append(nodes.Text(f" ({nextslide_info[1]})"))
        new_title = nodes.title("", "", *title_nodes)
    new_title.nextslide_info = nextslide_info
    return new_title


def _remember_slide_environment(app: Sphinx) -> None:
    if hg_builder.building_slides(app):
        _SLIDE_ENVIRONMENTS.add(app.env)


def _reread_if_the_other_builder_wrote_the_doctrees(app, env, added, changed, removed):
    """A doctree read for the slides differs from one read for the outline
    (``ifslides``, ``nextslide``), so hieroglyph re-read every document on
    every build (``note_reread``), even with nothing edited.  Instead, each
    builder keeps its own doctree folder (``-d``, as the Makefile does) and
    the environment remembers which kind of build read it: when the same
    folder is used by the other kind, every document is read again.
    """
    kind = "slides" if is_slide_build(env) else "outline"
    read_by = getattr(env, "hieroglyph_doctrees_read_for", kind)
    env.hieroglyph_doctrees_read_for = kind
    if read_by != kind:
        return sorted(env.found_docs - added - changed - removed)
    return []


def _process_slide_nodes(app, doctree, docname):
    """Outline builds drop ``slide`` nodes (``traverse`` -> ``findall``)."""
    supports_slide_nodes = hg_builder.building_slides(app) or isinstance(
        app.builder, hg_builder.AbstractInlineSlideBuilder
    )
    if supports_slide_nodes:
        return
    for node in list(doctree.findall(hg_directives.slide)):
        if node.attributes.get("inline-contents", False):
            node.replace_self(node.children[1:])
        else:
            node.replace_self(nodes.inline())


@classmethod
def _first_slideconf(cls, doctree):
    """The document's first ``slideconf`` node, or None (``traverse`` -> ``findall``).

    Docutils 0.18 deprecated ``Node.traverse``; 0.22 warns on every call.
    """
    return next(doctree.findall(cls), None)


def _filter_doctree_for_slides(doctree):
    """``autoslides: false``: keep only explicit slides (``traverse`` -> ``findall``)."""
    for child in list(doctree.children):
        child.replace_self(list(child.findall(hg_directives.no_autoslides_filter)))


# ---------------------------------------------------------------------------
# Outline sections -> slides
# ---------------------------------------------------------------------------


class _SectionToSlideLinks:
    """Mixin for the outline's translator: each slide-level heading links to its slide.

    hieroglyph's ``slide_link_html_sections_to_slides`` was broken on every
    Sphinx version: it passed the builder object to ``set_translator`` (which
    wants the builder's name), and its ``depart_title`` used
    ``permalink_text``, gone since Sphinx 3.5 (now ``html_permalinks_icon``).
    Sphinx's own ``add_permalink_ref`` is the hook for heading links.
    """

    def add_permalink_ref(self, node, title):
        super().add_permalink_ref(node, title)
        if (
            isinstance(node, nodes.section)
            and node["ids"]
            and not node.get("outline_only")
            and _section_depth(node) <= self.config.slide_levels
        ):
            href = f"{slide_path(self.builder)}#{node['ids'][0]}"
            self.body.append(
                f'<a class="headerlink slide-link" href="{href}" '
                f'title="{_("View this section as a slide")}">'
                f"{self.config.slide_html_slide_link_symbol}</a>"
            )


def _section_depth(section: nodes.section) -> int:
    depth = 0
    node = section
    while node is not None:
        if isinstance(node, nodes.section):
            depth += 1
        node = node.parent
    return depth


def _load_slide_link_template(app: Sphinx) -> None:
    """Make the "View as slides" sidebar template available to outline builds.

    Replaces the first half of hieroglyph's ``inspect_config``, which
    iterated over ``html_sidebars`` (a dict) as if it were a list of pairs
    and crashed whenever the project set it, and, when the project did not,
    replaced the theme's own sidebars with a fixed list.
    """
    if app.config.slide_link_html_to_slides and app.builder.name in hg_html.HTML_BUILDERS:
        app.builder.templates.loaders.append(SphinxFileSystemLoader(HIEROGLYPH_THEMES / "slides"))


def _add_slide_link_to_sidebars(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Every outline page's sidebars gain "View as slides" (before the search box).

    The sidebars are the ones Sphinx chose for the page (``html_sidebars``
    or, when the project sets none, its theme's defaults): nothing is lost.
    A project that places ``slidelink.html`` itself in ``html_sidebars``
    keeps its own placement.
    """
    if not app.config.slide_link_html_to_slides or app.builder.name not in hg_html.HTML_BUILDERS:
        return
    placed = any(hg_html.SLIDELINK_TEMPLATE in names for names in app.config.html_sidebars.values())
    sidebars = list(context.get("sidebars") or [])
    if placed or hg_html.SLIDELINK_TEMPLATE in sidebars:
        return
    position = sidebars.index("searchbox.html") if "searchbox.html" in sidebars else len(sidebars)
    sidebars.insert(position, hg_html.SLIDELINK_TEMPLATE)
    context["sidebars"] = sidebars


# ---------------------------------------------------------------------------
# jQuery
# ---------------------------------------------------------------------------


def _add_jquery_to_slide_builds(app: Sphinx) -> None:
    """Slide builds load jQuery, which hieroglyph's slides.js and console.js use.

    Sphinx 6.0 stopped shipping jQuery; the decks then fail with "$ is not
    defined".  The file comes from sphinxcontrib-jquery (the Sphinx
    project's own package for it); only the slide builders get it, and
    nothing is done when the project loads ``sphinxcontrib.jquery`` itself.
    """
    if not is_slide_build(app) or "sphinxcontrib.jquery" in app.extensions:
        return
    jquery = importlib.resources.files("sphinxcontrib.jquery").joinpath("jquery.js")
    static = Path(app.outdir, "_static")
    static.mkdir(parents=True, exist_ok=True)
    (static / "jquery.js").write_bytes(jquery.read_bytes())
    app.add_js_file("jquery.js", priority=100)


def _add_deck_script(app: Sphinx) -> None:
    """Slide builds load ``hieroglyph-compat.js`` before hieroglyph's scripts.

    hieroglyph 2.1.0's stock scripts: controller.js calls
    ``isChromeVoxActive``, which only exists inside slides.js (every up or
    down arrow threw a ReferenceError); build lists were prepared only from
    the slide the deck was opened on; the console followed only the window
    that opened it (lost when the deck reloads) and laid its previews out
    again at a smaller size.  The script (see its header) fixes these, adds
    the keys presenters expect, and exposes the scale that fits the slide
    to the window as ``--hieroglyph-scale``.
    """
    if not is_slide_build(app):
        return
    script = importlib.resources.files("hieroglyph_compat").joinpath("hieroglyph-compat.js")
    static = Path(app.outdir, "_static")
    static.mkdir(parents=True, exist_ok=True)
    (static / "hieroglyph-compat.js").write_bytes(script.read_bytes())
    app.add_js_file("hieroglyph-compat.js", priority=200)


_STOCK_LAYOUT = HIEROGLYPH_THEMES / "slides" / "layout.html"


def _html_lang_in_slide_layout(app: Sphinx) -> None:
    """The stock ``slides`` layout writes ``<html>`` without ``lang``.

    Screen readers then guess the language of every deck (WCAG 3.1.1; axe's
    ``html-has-lang``).  The template's source is given ``lang`` (the
    project's ``language``, else ``en``) as the builder's loader reads it,
    and landmarks: the slides are ``main``, the speaker notes
    ``complementary`` (axe's ``landmark-one-main`` and ``region``).
    """
    if not is_slide_build(app):
        return
    templates = app.builder.templates
    original_get_source = templates.get_source

    def get_source(environment, template):
        source, filename, uptodate = original_get_source(environment, template)
        if filename and Path(filename) == _STOCK_LAYOUT:
            source = source.replace(
                "\n<html>\n", "\n<html lang=\"{{ language or 'en' }}\">\n", 1
            )
            # landmarks: the slides are the page's main content
            source = source.replace('id="slide_container"', 'id="slide_container" role="main"', 1)
            source = source.replace(
                '<section id="slide_notes">',
                '<section id="slide_notes" role="complementary" aria-label="Speaker notes">',
                1,
            )
        return source, filename, uptodate

    templates.get_source = get_source


# ---------------------------------------------------------------------------
# The slide directive, and what other extensions may add to a slide
# ---------------------------------------------------------------------------


def _slide_directive_run(self):
    """hieroglyph's ``SlideDirective.run`` without docutils' ``set_classes``.

    Docutils 0.22 made ``roles.set_classes()`` a pending deprecation (it
    warns on every ``slide`` directive); it only renamed the ``class``
    option to ``classes``, as done here.
    """
    if "class" in self.options:
        self.options["classes"] = self.options.pop("class")
    text = "\n".join(self.content)
    slide_node = self.node_class(text, **self.options)
    self.add_name(slide_node)
    if self.arguments:
        title_text = self.arguments[0]
        title_nodes, messages = self.state.inline_text(title_text, self.lineno)
        slide_node += nodes.title(title_text, "", *title_nodes)
        slide_node += messages
    else:
        # no title: make one up, so that the slide has an id
        title_text = str(hash(" ".join(self.content)))
    if "classes" not in self.options:
        slide_node["classes"] += ["admonition-" + nodes.make_id(title_text)]
    self.state.nested_parse(self.content, self.content_offset, slide_node)
    return [slide_node]


_original_visit_slide = hg_writer.BaseSlideTranslator.visit_slide
_original_slide_context = hg_writer.SlideData.get_slide_context


def _visit_slide(self, node):
    """hieroglyph's ``visit_slide``, remembering the line of the slide's title."""
    _original_visit_slide(self, node)
    slide = self.current_slide
    if slide is not None and getattr(slide, "source_line", None) is None:
        title = node.next_node(nodes.title)
        slide.source_line = title.line if title is not None else None


def _slide_context(self):
    """hieroglyph's slide context, plus ``source_line`` and what the handlers
    of ``hieroglyph-slide-context`` add (the public way to extend a slide)."""
    context = _original_slide_context(self)
    builder = self._translator.builder
    context["source_line"] = getattr(self, "source_line", None)
    builder.events.emit("hieroglyph-slide-context", builder.current_docname, context)
    return context


def _install_section_links(app: Sphinx) -> None:
    if not app.config.slide_link_html_sections_to_slides:
        return
    if app.builder.name not in hg_html.HTML_BUILDERS:
        return
    base = app.builder.get_translator_class()
    translator = type("SectionToSlideTranslator", (_SectionToSlideLinks, base), {})
    app.set_translator(app.builder.name, translator, override=True)


# ---------------------------------------------------------------------------


def _patch_hieroglyph() -> None:
    slide_builder = hg_builder.AbstractSlideBuilder
    slide_builder.apply_theme = apply_theme
    slide_builder.pop_theme = pop_theme
    slide_builder.post_process_images = post_process_images
    # style is now set for every page by _fix_slide_page_context
    slide_builder.get_doc_context = lambda self, *args: StandaloneHTMLBuilder.get_doc_context(
        self, *args
    )

    hg_html.slide_path = slide_path
    hg_html.html_path = html_path
    hg_writer.SlideTranslator.depart_title = _slide_translator_depart_title
    slide_builder.app = property(_slide_builder_app)
    hg_directives.TransformSlideConditions.apply = _transform_slide_conditions
    hg_directives.TransformNextSlides.apply = _transform_next_slides
    hg_directives.NextSlideDirective.run = _nextslide_run
    hg_directives.TransformNextSlides._make_title_node = _make_title_node
    hg_directives.slideconf.get = _first_slideconf
    hg_directives.filter_doctree_for_slides = _filter_doctree_for_slides
    hg_directives.SlideDirective.run = _slide_directive_run
    hg_writer.BaseSlideTranslator.visit_slide = _visit_slide
    hg_writer.SlideData.get_slide_context = _slide_context


def setup(app: Sphinx) -> dict:
    if "hieroglyph" not in app.extensions:
        app.setup_extension("hieroglyph")
    _patch_hieroglyph()

    # hieroglyph's own handlers that use deprecated or broken APIs
    hieroglyph_listeners = app.events.listeners
    for event, module_function in (
        ("builder-inited", hg_html.inspect_config),
        ("doctree-resolved", hg_directives.process_slide_nodes),
    ):
        for listener in list(hieroglyph_listeners.get(event, [])):
            if listener.handler is module_function:
                app.disconnect(listener.id)

    app.add_event("hieroglyph-slide-context")
    app.connect("config-inited", _register_slide_themes)
    app.connect("builder-inited", _remember_slide_environment)
    app.connect("builder-inited", _add_jquery_to_slide_builds)
    app.connect("builder-inited", _add_deck_script)
    app.connect("builder-inited", _html_lang_in_slide_layout)
    app.connect("env-get-outdated", _reread_if_the_other_builder_wrote_the_doctrees)
    app.connect("builder-inited", _load_slide_link_template)
    app.connect("html-page-context", _add_slide_link_to_sidebars)
    app.connect("builder-inited", _install_section_links)
    app.connect("doctree-resolved", _process_slide_nodes)
    app.connect("html-page-context", _fix_slide_page_context)

    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
