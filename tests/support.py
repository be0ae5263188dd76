"""Helpers shared by the course's tests: load example programs, run them.

Everything here cleans up after itself: sockets are closed, threads joined,
child processes terminated and waited for. Servers only listen on loopback
addresses and ephemeral ports.

    load_example(slug, name)          import examples/<slug>/<name>.py
    example_path(slug, name)          the path of that file
    run_example(slug, script, *args)  run a server script with --port 0,
                                      yield (process, host, port)
    start_example(slug, script, *args)
                                      run a server script, yield (process,
                                      the address it announced)
    run_script(slug, script, *args)   run a script to completion
    ServerThread(serve, server, ...)  run serve(server, ...) in a thread
    handler_server(handler)           a serve() function that calls
                                      handler(conn) for each client
    make_listener()                   a plain TCP socket on 127.0.0.1:0
    connect(address)                  a client socket with a timeout
    connected_pair()                  the two ends of a loopback connection
    read_exactly(sock, n)             read n bytes
    recv_until_eof(sock)              read everything until the peer closes
    reset_connection(sock)            close abruptly, with a TCP RST
    in_thread(function, *args)        run a function in a thread meanwhile
    sending(sock, *chunks)            send from a thread while reading
"""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
LOOPBACK = "127.0.0.1"

SOCKET_TIMEOUT = 5.0  # the longest any test socket waits for its peer
STARTUP_TIMEOUT = 15.0  # for a script to print its "listening on" line
EXIT_TIMEOUT = 5.0  # for a script to exit once asked to


# Loading example modules --------------------------------------------------

def example_path(slug: str, name: str) -> Path:
    """Return examples/<slug>/<name>.py; name may contain '/'."""
    path = EXAMPLES / slug / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


def load_example(slug: str, name: str) -> ModuleType:
    """Import examples/<slug>/<name>.py as course_examples.<slug>.<name>.

    While the module runs, its own directory is first on sys.path, as when
    a student runs the file, so that it can import its siblings (a sibling
    stays importable under its plain name afterwards). No bytecode is
    written next to the examples.
    """
    path = example_path(slug, name)
    dotted = ".".join(["course_examples", slug, *Path(name).parts])
    if dotted in sys.modules:
        return sys.modules[dotted]
    spec = importlib.util.spec_from_file_location(dotted, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    directory = str(path.parent)
    sys.path.insert(0, directory)
    saved_dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    sys.modules[dotted] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[dotted]
        raise
    finally:
        sys.dont_write_bytecode = saved_dont_write
        sys.path.remove(directory)
    return module


# Running example scripts as a student would -------------------------------

def script_env() -> dict[str, str]:
    """The environment of a child script: ours, plus UTF-8 stdio everywhere
    and no __pycache__ folders written next to the examples."""
    return {**os.environ, "PYTHONIOENCODING": "utf-8",
            "PYTHONDONTWRITEBYTECODE": "1"}


def script_command(slug: str, script: str, *args: str) -> list[str]:
    """The command line that runs an example script with this Python."""
    return [sys.executable, str(example_path(slug, script)), *args]


def run_script(
    slug: str, script: str, *args: str, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run an example script to completion and capture its output."""
    return subprocess.run(
        script_command(slug, script, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=REPO_ROOT,
        env=script_env(),
    )


def _read_first_line(process: subprocess.Popen[str], timeout: float) -> str:
    """Return the first line of the process's stdout, waiting at most timeout.

    The read happens in a thread because a pipe read cannot time out
    portably; on timeout the process is killed, which ends the read.
    """
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(
        target=lambda: lines.append(process.stdout.readline()), daemon=True
    )
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        process.kill()
        reader.join(EXIT_TIMEOUT)
        raise AssertionError(f"no output within {timeout} s: {process.args}")
    return lines[0]


def stop_process(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Terminate process (if still running), wait, return (stdout, stderr)."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.communicate(timeout=EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate(timeout=EXIT_TIMEOUT)


class ScriptOutput:
    """What a script printed; filled in once the script has stopped."""

    stdout: str = ""
    stderr: str = ""


@contextmanager
def start_example(
    slug: str, script: str, *args: str, timeout: float = STARTUP_TIMEOUT
) -> Iterator[tuple[subprocess.Popen[str], str, ScriptOutput]]:
    """Run a server script; yield (process, address, output) once it listens.

    `address` is what follows "listening on " in the script's first line.
    On exit the script is terminated (if it still runs) and waited for, and
    `output` receives the rest of its stdout and its stderr.
    """
    process = subprocess.Popen(
        script_command(slug, script, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env=script_env(),
    )
    output = ScriptOutput()
    try:
        first_line = _read_first_line(process, timeout)
        match = re.fullmatch(r".* listening on (\S+)\n", first_line)
        if match is not None:
            yield process, match.group(1), output
    finally:
        output.stdout, output.stderr = stop_process(process)
    if match is None:
        raise AssertionError(
            f"expected '... listening on ADDRESS', got {first_line!r}; "
            f"stderr: {output.stderr}"
        )


@contextmanager
def run_example(
    slug: str, script: str, *args: str
) -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    """Run `script *args --port 0`; yield (process, host, port) it uses."""
    with start_example(slug, script, *args, "--port", "0") as started:
        process, address, _ = started
        host, _, port = address.rpartition(":")
        yield process, host, int(port)


# Servers in threads -------------------------------------------------------

class ServerThread:
    """Run serve(server, *args, **kwargs) in a thread, as a context manager.

    The listening socket belongs to the ServerThread: it is closed when
    serve returns, or on exit, which also stops a serve that still waits in
    accept. On exit the thread is joined; if serve failed for any other
    reason than that stop, the exit raises, so a crashed server fails the
    test even when its clients did not notice.
    """

    def __init__(
        self, serve: Callable[..., object], server: socket.socket,
        *args: object, **kwargs: object,
    ) -> None:
        self.server = server
        self.address = server.getsockname()
        self.error: BaseException | None = None
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, args=(serve, args, kwargs),
            name=f"server-{self.address}", daemon=True,
        )

    def _run(self, serve, args, kwargs) -> None:
        try:
            serve(self.server, *args, **kwargs)
        except BaseException as exc:  # reported by __exit__
            self.error = exc
        finally:
            # A client waiting in the backlog now gets refused, not ignored.
            self.server.close()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        return self

    def wait(self, timeout: float = SOCKET_TIMEOUT) -> None:
        """Wait for serve to return by itself (e.g. after max_clients)."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"serve() still running after {timeout} s")
        self._raise_error()

    def stop(self) -> None:
        """Stop the server and join its thread."""
        self._stopping = True
        try:
            # On Linux only shutdown() wakes a thread blocked in accept();
            # elsewhere close() does it.
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        self._thread.join(SOCKET_TIMEOUT)
        if self._thread.is_alive():
            raise AssertionError("server thread did not stop")

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self._raise_error()

    def _raise_error(self) -> None:
        stopped_by_us = self._stopping and isinstance(self.error, OSError)
        if self.error is not None and not stopped_by_us:
            raise AssertionError(
                f"the server failed: {self.error!r}"
            ) from self.error


def make_listener() -> socket.socket:
    """A TCP socket listening on 127.0.0.1 at a port the OS chooses."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((LOOPBACK, 0))
        listener.listen()
    except OSError:
        listener.close()
        raise
    return listener


def handler_server(
    handler: Callable[[socket.socket], object],
) -> Callable[..., None]:
    """A serve(server, max_clients=1) function that runs handler(conn).

    For test stand-ins (a server that replies slowly, or never), so that a
    client can be tested against a server that does not depend on it.
    """
    def serve(server: socket.socket, max_clients: int = 1) -> None:
        for _ in range(max_clients):
            conn, _ = server.accept()
            with conn:
                conn.settimeout(SOCKET_TIMEOUT)
                handler(conn)
    return serve


# Clients ------------------------------------------------------------------

def connect(
    address: tuple[str, int], timeout: float = SOCKET_TIMEOUT
) -> socket.socket:
    """A TCP client socket connected to address, with a timeout."""
    return socket.create_connection(address, timeout=timeout)


@contextmanager
def connected_pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """Yield (client, server side) of a real TCP connection on loopback."""
    with make_listener() as listener:
        client = connect(listener.getsockname())
        with client:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(SOCKET_TIMEOUT)
                yield client, conn


def read_exactly(sock: socket.socket, n: int) -> bytes:
    """Read n bytes (test-side helper, independent of the examples)."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise AssertionError(f"EOF after {len(data)} of {n} bytes")
        data += chunk
    return data


def recv_until_eof(sock: socket.socket) -> bytes:
    """Read until the peer closes its side; return all the bytes."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def reset_connection(sock: socket.socket) -> None:
    """Close sock abruptly: SO_LINGER with a zero delay sends a TCP RST."""
    sock.setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
    )
    sock.close()


@contextmanager
def in_thread(function: Callable[..., object], *args: object) -> Iterator[None]:
    """Run function(*args) in a thread while the body of the with runs.

    On exit the thread is joined, and an exception it raised is re-raised.
    """
    errors: list[BaseException] = []

    def run() -> None:
        try:
            function(*args)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, name="helper", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join(SOCKET_TIMEOUT + 1)
    if thread.is_alive():
        raise AssertionError(f"{function.__name__} did not finish in time")
    if errors:
        raise errors[0]


@contextmanager
def sending(
    sock: socket.socket, *chunks: bytes, pause: float = 0.0,
    shutdown: bool = False,
) -> Iterator[None]:
    """Send chunks from a background thread while the body of the with runs.

    `pause` seconds pass between chunks, so that they arrive separately;
    `shutdown` ends with shutdown(SHUT_WR). On exit the thread is joined
    and an error it met is raised.
    """
    def send() -> None:
        for number, chunk in enumerate(chunks):
            if number and pause:
                time.sleep(pause)
            sock.sendall(chunk)
        if shutdown:
            sock.shutdown(socket.SHUT_WR)

    with in_thread(send):
        yield


# Exercises: the tests must tell a starter from a solution ----------------------


def outcomes_by_class(junit_xml: Path) -> dict[str, dict[str, bool]]:
    """{class name: {test name: passed?}} from a pytest --junitxml report;
    a parametrized test passes only if every one of its cases does."""
    from xml.etree import ElementTree

    outcomes: dict[str, dict[str, bool]] = {}
    for case in ElementTree.parse(junit_xml).getroot().iter("testcase"):
        class_name = case.get("classname", "").rpartition(".")[2]
        name = case.get("name", "").partition("[")[0]  # without parameters
        passed = not any(case.find(tag) is not None
                         for tag in ("failure", "error", "skipped"))
        tests = outcomes.setdefault(class_name, {})
        tests[name] = tests.get(name, True) and passed
    return outcomes


def assert_starters_fail(
    test_file: str,
    exercises: tuple[str, ...],
    given_code_tests: set[str],
    tmp_path: Path,
    timeout: float = 100,
    most_passing: float = 0.25,
) -> None:
    """Run an exercise test file against the starters (COURSE_IMPL=starter)
    in a child pytest, and check that each exercise's tests fail there,
    except those that only use code the starter already gives (and at most
    the fraction ``most_passing`` of an exercise's tests)."""
    report = tmp_path / "starters.xml"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test_file,
         "-p", "no:cacheprovider", "-q", f"--junitxml={report}"],
        cwd=REPO_ROOT,
        env={**os.environ, "COURSE_IMPL": "starter"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    outcomes = outcomes_by_class(report)
    for exercise in exercises:
        tests = outcomes[exercise]
        passed = {name for name, ok in tests.items() if ok}
        assert passed <= given_code_tests, f"{exercise}: starter passes {passed}"
        assert len(passed) <= most_passing * len(tests), f"{exercise}: starter passes {passed}"
