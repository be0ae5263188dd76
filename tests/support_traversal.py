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

import pytest

from tests.course import EXAMPLES

TRAVERSAL = EXAMPLES / "traversal"
# What the tests imported, by name: the lecture's sessions, when they end,
# take every module of examples/traversal out of sys.modules.
_imported: dict[str, ModuleType] = {}


def traversal_module(name: str) -> ModuleType:
    """Import examples/traversal/<name>.py as the module <name>."""
    if str(TRAVERSAL) not in sys.path:
        sys.path.append(str(TRAVERSAL))
    module = _imported.get(name) or importlib.import_module(name)
    assert module.__file__ == str(TRAVERSAL / f"{name}.py"), module.__file__
    _imported[name] = module
    return module


def exercise_module(exercise: str, impl: str) -> ModuleType:
    """Import exercises/<exercise>/<impl>.py (it imports wiki by its
    plain name, which traversal_module provides)."""
    traversal_module("wiki")
    name = f"traversal_{exercise}_{impl}"
    if name not in _imported:
        path = TRAVERSAL / "exercises" / exercise / f"{impl}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _imported[name] = module
    return _imported[name]


@pytest.fixture(autouse=True)
def traversal_modules():
    """While a test runs, sys.modules holds the modules its file imported:
    Pyramid looks up the module that calls Configurator there, and ZODB
    the module of each class it loads, whose instances the views were
    registered for.  Afterwards, what was there before comes back."""
    saved = {name: sys.modules.get(name) for name in _imported}
    sys.modules.update(_imported)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
