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


def test_a_lecture_session_s_plain_imports_and_loaded_examples_never_mix(monkeypatch):
    # a session imported http_step3 under its plain name (its folder on
    # sys.path); a fixture loads step 4, then step 5: step 5 must raise and
    # catch one and the same HTTPError class, or a 404 kills the server
    from tests.course import EXAMPLES

    monkeypatch.syspath_prepend(str(EXAMPLES / "protocols"))
    for name in [name for name in sys.modules if "http_step" in name]:
        monkeypatch.delitem(sys.modules, name)
    import http_step3  # the session's own

    step4 = load_example("protocols", "http_step4")
    step5 = load_example("protocols", "http_step5")
    assert step5.HTTPError is step4.HTTPError
    assert step5.HTTPError is not http_step3.HTTPError  # two worlds, never mixed
    assert sys.modules["http_step3"] is http_step3
