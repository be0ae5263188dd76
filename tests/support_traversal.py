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
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from tests.course import EXAMPLES

TRAVERSAL = EXAMPLES / "traversal"
# What the tests imported, by name: the lecture's sessions, when they end,
# take every module of examples/traversal out of sys.modules.
_imported: dict[str, ModuleType] = {}


def traversal_module(name: str) -> ModuleType:
    """Import examples/traversal/<name>.py as the module <name>."""
    if name not in _imported:
        with importing_from(TRAVERSAL):
            importlib.import_module(name)
    module = _imported[name]
    assert module.__file__ == str(TRAVERSAL / f"{name}.py"), module.__file__
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
        with importing_from(path.parent):
            sys.modules[name] = module
            spec.loader.exec_module(module)
    return _imported[name]


@contextmanager
def importing_from(folder: Path):
    """Import from folder; afterwards, the modules of examples/traversal
    leave sys.modules (and the folder sys.path) for _imported, so that
    another lecture's ``wiki`` is never taken for ours."""
    saved_path = list(sys.path)
    sys.modules.update(_imported)  # what ours import is what we have
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path[:] = saved_path
        for plain, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if file and Path(file).resolve().is_relative_to(TRAVERSAL):
                _imported.setdefault(plain, module)
                del sys.modules[plain]


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
