"""pytest finds this file (test_*.py) and runs each test_* function in it."""

from hello import greeting


def test_greeting_names_the_person():
    assert greeting("Ada") == "Hello, Ada!"
