"""Sphinx configuration for both builds of the course.

One source, two outputs:

* ``make html``   -> _build/html    the outline: prose, search, downloads (furo theme)
* ``make slides`` -> _build/slides  one slide deck per lecture (hieroglyph)

The lectures are in source/; this file is at the repository root, so every
build runs ``sphinx-build -c . source OUTDIR`` (the Makefile does it).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent

# -- Project -----------------------------------------------------------------

project = "Internet Programming with Python"
author = "The course contributors"
copyright = "2026, the course contributors"
release = "2026"

# The two extensions are packages in ext/ (installed by requirements.txt):
# hieroglyph_compat makes hieroglyph work on Sphinx 9 (it must come right
# after hieroglyph, and gives the decks the jQuery they need); sphinx_course
# is the course's markup, labels, links and slide theme.
extensions = [
    "hieroglyph",
    "hieroglyph_compat",
    "sphinx_copybutton",
    "sphinx_course",
]

# -- The course (sphinx_course; paths are relative to this folder) -------------

# Where the course's source lives: "edit this page" / "report a problem"
# links are built from it (the checkout's root is this folder, the default
# of course_repository_root; sources are in source/).
course_repository_url = "https://github.com/internet-programming-with-python/course"
course_repository_branch = "main"
course_issue_template = "slide-is-wrong.md"  # .github/ISSUE_TEMPLATE/

# The lectures, in teaching order (slug, title, topics): the table of
# contents, the schedule, "Lecture N" labels and the site checks all come
# from this one file.  Their programs are in examples/<slug>/ (the default
# course_examples_root).
course_lectures_file = "lectures.toml"

# Speaker notes (.. note:: on a slide) as the outline titles them: collapsed
# under this toggle (a <details>), and left out when the outline is printed.
course_notes_label = "For instructors"
course_notes_collapsed = True

exclude_patterns = ["_build", "**/.pytest_cache"]
html_static_path = [str(ROOT / "_static")]

# Python sessions are shown as they would appear in a terminal.
highlight_language = "python3"
# Syntax colours that every reader can read: accessible-pygments' styles keep
# every token (comments, numbers, prompts, interpreter output) at 7:1 or more
# on their background (WCAG AA asks 4.5:1; tests/test_outline.py checks the
# built CSS of both builders and both outline modes).  The slides use the
# light one too.
pygments_style = "a11y-high-contrast-light"
pygments_dark_style = "a11y-high-contrast-dark"

# Every build treats warnings as errors (-W in the Makefile); these make
# Sphinx warn about anything that would be a silent mistake.
nitpicky = False
show_warning_types = True

# -- Outline (HTML) ------------------------------------------------------------

html_theme = "furo"
html_title = project
html_css_files = ["course.css"]
# course.js: code blocks that scroll sideways can be reached by keyboard.
html_js_files = ["course.js"]
# Overrides of furo's templates (the sidebar's caption gets a heading level).
templates_path = ["_templates"]
html_favicon = "_static/favicon.svg"
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "source_repository": course_repository_url + "/",
    "source_branch": course_repository_branch,
    "source_directory": "source/",
    "top_of_page_buttons": ["view", "edit"],
}

# Copy buttons copy what a student types: no ">>> " / "... " prompts and no
# output lines (Pygments marks those .gp and .go).
copybutton_exclude = ".linenos, .gp, .go"

# -- Slides (hieroglyph) ---------------------------------------------------------

# sphinx_course's theme: hieroglyph's "slides" + lecture footer, source links, clock
slide_theme = "course-slides"
slide_levels = 3  # title slide, part titles, slides
slide_numbers = True
slide_footer = project

# Links both ways between an outline section and its slide.  The two builds
# live side by side: _build/html and _build/slides.
slide_link_html_sections_to_slides = True
slide_relative_path = "../slides/"
slide_link_to_html = True
slide_html_relative_path = "../html/"
