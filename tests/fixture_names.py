"""The names of the pytest fixtures a module defines."""

from __future__ import annotations

import importlib


def fixture_names(module_name: str) -> list[str]:
    """Every fixture defined in a module (``@pytest.fixture`` functions),
    read from the module itself, so no list is kept by hand."""
    module = importlib.import_module(module_name)
    return sorted(
        name
        for name, value in vars(module).items()
        # what @pytest.fixture returns carries its marker (pytest >= 8.4)
        if hasattr(value, "_fixture_function_marker")
    )
