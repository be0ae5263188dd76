"""Tests of lecture 11's lab (exercises/sleep_timeouts) and assignment
(exercises/pipeline).

They run against each exercise's solution.py by default. A student runs
them against the file they are completing, starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_async_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail: the tests must
tell a finished exercise from an unfinished one.
"""

import asyncio
import os
import threading
import time

import pytest

from tests.net import (
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    connected_pair,
    make_listener,
    recv_until_eof,
    reset_connection,
)
from tests.support import assert_starters_fail, load_example, run_example, run_script
from tests.support_async import loop_server

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

SLEEP_TIMEOUTS = f"exercises/sleep_timeouts/{IMPL}"
PIPELINE = f"exercises/pipeline/{IMPL}"
lab = load_example("async", SLEEP_TIMEOUTS)
assignment = load_example("async", PIPELINE)


# The lab: timers for the scheduler -------------------------------------------


def run_tasks(*generators):
    """Run generator tasks on the lab's scheduler; return the Tasks."""
    sched = lab.Scheduler()
    tasks = [sched.spawn(generator) for generator in generators]
    try:
        sched.run()
    finally:
        sched.close()
    return tasks


class TestSleepTimeouts:
    def test_sleeping_tasks_wake_in_the_order_of_their_deadlines(self):
        woke = []

        def sleeper(name, seconds):
            yield from lab.sleep(seconds)
            woke.append(name)

        started = time.monotonic()
        run_tasks(sleeper("a", 0.6), sleeper("b", 0.2), sleeper("c", 0.4))
        took = time.monotonic() - started
        assert woke == ["b", "c", "a"]
        assert 0.6 <= took < 1.0  # together, not one after the other (1.2)

    def test_sleep_zero_lets_the_other_tasks_run(self):
        said = []

        def talker(name):
            for _ in range(3):
                said.append(name)
                yield from lab.sleep(0)

        run_tasks(talker("a"), talker("b"))
        assert said == ["a", "b", "a", "b", "a", "b"]

    def test_a_sleeping_scheduler_does_not_spin_the_cpu(self):
        started, cpu_started = time.monotonic(), time.thread_time()
        (task,) = run_tasks(lab.sleep(0.4))
        assert task.error is None and time.monotonic() - started >= 0.4
        assert time.thread_time() - cpu_started < 0.1  # CPU seconds, not wall

    def test_a_sleeping_task_does_not_hold_up_a_socket_task(self):
        with connected_pair() as (client, server_side):
            server_side.setblocking(False)
            timer = threading.Timer(0.1, client.sendall, args=(b"hi",))
            timer.start()
            started = time.monotonic()

            def reader():
                data = yield from lab.recv(server_side, 10)
                return data, time.monotonic() - started

            try:
                sleeping, read = run_tasks(lab.sleep(1.0), reader())
            finally:
                timer.join()
        data, took = read.result
        assert data == b"hi" and took < 0.5
        assert sleeping.error is None and time.monotonic() - started >= 1.0

    def test_a_read_with_a_timeout_throws_timeout_error_into_the_task(self):
        with connected_pair() as (_, server_side):
            server_side.setblocking(False)
            started = time.monotonic()

            def reader():
                try:
                    yield from lab.recv(server_side, 10, timeout=0.2)
                except TimeoutError:
                    return time.monotonic() - started

            (task,) = run_tasks(reader())
        assert task.result is not None and 0.2 <= task.result < 1.0

    def test_data_before_the_deadline_makes_the_timer_harmless(self):
        with connected_pair() as (client, server_side):
            server_side.setblocking(False)
            client.sendall(b"early")

            def reader():
                data = yield from lab.recv(server_side, 10, timeout=0.2)
                yield from lab.sleep(0.4)  # past the old deadline
                return data

            (task,) = run_tasks(reader())
        assert (task.result, task.error) == (b"early", None)

    def test_the_echo_server_drops_a_client_silent_for_the_idle_timeout(self):
        with loop_server(lab.serve, idle_timeout=0.3) as server:
            with connect(server.address) as silent, connect(server.address) as chatty:
                started = time.monotonic()
                for _ in range(6):  # talks every 0.1 s for 0.6 s
                    chatty.sendall(b"ping")
                    assert chatty.recv(10) == b"ping"
                    time.sleep(0.1)
                assert recv_until_eof(silent) == b""  # dropped...
                assert time.monotonic() - started < 2
                chatty.sendall(b"still")  # ...but not the chatty one
                assert chatty.recv(10) == b"still"

    def test_a_client_that_resets_does_not_stop_the_server(self):
        with loop_server(lab.serve, idle_timeout=2) as server:
            rude = connect(server.address)
            rude.sendall(b"x" * 1000)
            reset_connection(rude)
            with connect(server.address) as polite:
                polite.sendall(b"hello")
                assert polite.recv(10) == b"hello"

    def test_lab_script_drops_an_idle_client(self):
        with run_example("async", SLEEP_TIMEOUTS, "--timeout", "0.3") as (_, host, port):
            with connect((host, port)) as client:
                client.sendall(b"hi")
                assert client.recv(10) == b"hi"
                assert recv_until_eof(client) == b""

    def test_lab_script_explains_its_usage_with_help(self):
        result = run_script("async", SLEEP_TIMEOUTS, "--help")
        assert result.returncode == 0 and "--timeout" in result.stdout


def test_the_lab_scheduler_close_lets_a_new_task_close_its_socket():
    """Given code (starter and solution alike), so not in the class."""

    def owner(sock):
        with sock:
            yield from lab.recv(sock, 10)

    def acceptor(sock, new):
        sched.spawn(owner(new))  # as accept does
        yield from lab.recv(sock, 10)

    with connected_pair() as (client, server_side), connected_pair() as (other, _):
        sched = lab.Scheduler()
        sched.spawn(owner(server_side))
        sched.spawn(acceptor(client, other))
        sched.close()
        assert server_side.fileno() == -1 and other.fileno() == -1


# The assignment: a pipeline with backpressure ------------------------------------


async def numbers(count, pulled, pause=0.0):
    """A source: 0, 1, 2... noting in pulled[0] how many were taken."""
    for number in range(count):
        pulled[0] += 1
        yield number
        if pause:
            await asyncio.sleep(pause)


def run_pipeline(source, sink, maxsize=4, limit=5.0):
    async def main():
        async with asyncio.timeout(limit):  # a hang is a failure, not a wait
            return await assignment.pipeline(source, sink, maxsize)

    return asyncio.run(main())


class TestPipeline:
    def test_every_item_reaches_the_sink_in_order(self):
        received = []

        async def sink(item):
            received.append(item)

        assert run_pipeline(numbers(100, [0]), sink) == 100
        assert received == list(range(100))

    def test_an_empty_source_delivers_nothing(self):
        async def sink(item):
            raise AssertionError("nothing to deliver")

        assert run_pipeline(numbers(0, [0]), sink) == 0

    def test_the_producer_never_runs_more_than_maxsize_ahead(self):
        pulled, ahead = [0], []

        async def slow_sink(item):
            ahead.append(pulled[0] - item)  # taken, but not yet delivered
            await asyncio.sleep(0.002)

        assert run_pipeline(numbers(60, pulled), slow_sink, maxsize=4) == 60
        assert max(ahead) <= 4 + 2  # the queue, plus one on each side

    def test_items_flow_while_the_source_is_still_producing(self):
        pulled, seen_while_producing = [0], []

        async def sink(item):
            seen_while_producing.append(pulled[0] < 20)

        run_pipeline(numbers(20, pulled, pause=0.01), sink)
        assert seen_while_producing[0]  # the first item did not wait for all

    def test_a_failing_sink_stops_the_producer_instead_of_hanging(self):
        pulled = [0]

        async def sink(item):
            if item == 3:
                raise RuntimeError("sink broke")

        with pytest.raises(ExceptionGroup) as caught:
            run_pipeline(numbers(10**9, pulled), sink, maxsize=4)
        assert caught.group_contains(RuntimeError, match="sink broke")
        assert pulled[0] < 20  # cancelled, not still reading

    def test_a_failing_source_stops_the_consumer(self):
        async def broken_source():
            yield 1
            raise OSError("source lost")

        delivered = []

        async def sink(item):
            delivered.append(item)
            await asyncio.sleep(10)  # slow: must be cancelled, not awaited

        with pytest.raises(ExceptionGroup) as caught:
            run_pipeline(broken_source(), sink)
        assert caught.group_contains(OSError, match="source lost")

    @pytest.mark.parametrize("maxsize", [0, -1])
    def test_a_queue_without_a_bound_is_refused(self, maxsize):
        async def sink(item):
            pass

        with pytest.raises(ValueError, match="maxsize"):
            run_pipeline(numbers(3, [0]), sink, maxsize=maxsize)

    def test_relay_copies_every_line_between_two_servers(self):
        text = b"".join(b"line %d\n" % n for n in range(5000)) + b"no newline"
        with line_source(text) as source, line_sink() as sink:
            count = asyncio.run(assignment.relay(source.address, sink.address, maxsize=4))
        assert count == 5001 and sink.received == text

    def test_relay_reports_a_line_longer_than_the_limit(self):
        """Nothing of the long line, or after it, reaches the sink (the
        line before it may: the failure cancels the consumer, maybe
        before it has delivered what it was given)."""
        text = b"first\n" + b"x" * 100_000 + b"\nlast\n"
        with line_source(text) as source, line_sink() as sink:
            with pytest.raises(ExceptionGroup) as caught:
                asyncio.run(assignment.relay(source.address, sink.address))
        assert caught.group_contains(assignment.LineTooLong)
        assert sink.received in (b"", b"first\n")

    def test_relay_script_relays_and_counts(self):
        with line_source(b"a\nb\nc\n") as source, line_sink() as sink:
            result = run_script(
                "async", PIPELINE,
                "--source", "{}:{}".format(*source.address),
                "--sink", "{}:{}".format(*sink.address),
            )
        assert result.returncode == 0 and result.stdout == "relayed 3 lines\n"
        assert sink.received == b"a\nb\nc\n"

    def test_relay_script_says_when_the_source_is_not_there(self):
        with make_listener() as gone:
            port = gone.getsockname()[1]
        with line_sink() as sink:
            result = run_script(
                "async", PIPELINE, "--source", f"127.0.0.1:{port}",
                "--sink", "{}:{}".format(*sink.address),
            )
            connect(sink.address).close()  # the sink was never used: end it
        assert result.returncode == 1 and "relay stopped:" in result.stderr

    def test_relay_script_explains_its_usage_with_help(self):
        result = run_script("async", PIPELINE, "--help")
        assert result.returncode == 0 and "--source" in result.stdout


class line_source(ServerThread):
    """A server that sends `text` to its one client, then closes."""

    def __init__(self, text: bytes) -> None:
        def serve(server):
            conn, _ = server.accept()
            with conn:
                conn.settimeout(SOCKET_TIMEOUT)
                try:
                    conn.sendall(text)
                except OSError:
                    pass  # the relay gave up early (a test of errors)

        super().__init__(serve, make_listener())


class line_sink(ServerThread):
    """A server that keeps everything its one client sends, in .received."""

    def __init__(self) -> None:
        self.received = b""

        def serve(server):
            conn, _ = server.accept()
            with conn:
                conn.settimeout(SOCKET_TIMEOUT)
                self.received = recv_until_eof(conn)

        super().__init__(serve, make_listener())


# The tests tell the starters from the solutions ----------------------------------

# Tests that exercise only the code the starters are given, not the TODOs.
GIVEN_CODE_TESTS = {
    "test_a_client_that_resets_does_not_stop_the_server",
    "test_lab_script_explains_its_usage_with_help",
    "test_relay_script_explains_its_usage_with_help",
    "test_relay_script_says_when_the_source_is_not_there",
}


@pytest.mark.skipif(IMPL != "solution", reason="run from the solutions' run")
def test_exercise_tests_fail_against_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_async_exercises.py",
        ("TestSleepTimeouts", "TestPipeline"),
        GIVEN_CODE_TESTS,
        tmp_path,
        timeout=110,
    )
