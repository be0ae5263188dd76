"""Lecture 10's examples imported under their plain names (``wiki``,
``wiki_models``), as a student who typed ``cd examples/traversal`` and the
lecture's sessions import them.

Why not tests.support.load_example: ZODB stores the module and class
name of every persistent object (``wiki_models.Page``) and imports that
module again when it loads the object, and Pyramid's Configurator looks up
the package of the module that calls it; both need a module name that
stays importable, which the course_examples.* names are not.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

from tests.course import EXAMPLES

TRAVERSAL = EXAMPLES / "traversal"


def traversal_module(name: str) -> ModuleType:
    """Import examples/traversal/<name>.py as the module <name>."""
    if str(TRAVERSAL) not in sys.path:
        sys.path.append(str(TRAVERSAL))
    module = importlib.import_module(name)
    assert module.__file__ == str(TRAVERSAL / f"{name}.py"), module.__file__
    return module


def exercise_module(exercise: str, impl: str) -> ModuleType:
    """Import exercises/<exercise>/<impl>.py (it imports wiki by its
    plain name, which traversal_module provides)."""
    traversal_module("wiki")
    name = f"traversal_{exercise}_{impl}"
    if name not in sys.modules:
        path = TRAVERSAL / "exercises" / exercise / f"{impl}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
