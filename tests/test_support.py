"""The shared test plumbing keeps lectures apart: loading one lecture's
example never changes what another lecture's code imports."""

from __future__ import annotations

import sys

from tests.support import load_example


def test_an_example_s_siblings_are_not_left_under_their_plain_names():
    thread_echo = load_example("concurrency", "thread_echo")
    assert "service" not in sys.modules  # another lecture's service.py stays free
    assert thread_echo.echo_lines is load_example("concurrency", "service").echo_lines


def test_a_sibling_loaded_first_is_the_same_module_afterwards():
    service = load_example("concurrency", "service")
    selectors_echo = load_example("concurrency", "selectors_echo")
    assert selectors_echo.IDLE_TIMEOUT == service.IDLE_TIMEOUT
    assert sys.modules["course_examples.concurrency.service"] is service


def test_a_plain_name_left_by_a_session_does_not_leak_into_an_example(monkeypatch, tmp_path):
    # a lecture's sessions import their examples under plain names; a module
    # of that name from elsewhere must not be what another example imports
    impostor = tmp_path / "service.py"
    impostor.write_text("IMPOSTOR = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import service  # noqa: F401  (the impostor, under the plain name)

    try:
        sys.modules.pop("course_examples.concurrency.asyncio_echo", None)
        asyncio_echo = load_example("concurrency", "asyncio_echo")
        assert not hasattr(sys.modules["course_examples.concurrency.service"], "IMPOSTOR")
        assert asyncio_echo.__name__ == "course_examples.concurrency.asyncio_echo"
        assert getattr(sys.modules["service"], "IMPOSTOR", False)  # put back as it was
    finally:
        sys.modules.pop("service", None)
