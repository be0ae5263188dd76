"""tests/course.py reads the lecture list through this name (it puts ext/ on
sys.path); the reader is ``sphinx_course.lectures``, installed from
ext/sphinx-course.  This alias can go once tests/course.py imports
``from sphinx_course.lectures import load_lectures``."""

from sphinx_course.lectures import load_lectures

__all__ = ["load_lectures"]
