"""Tests of lecture 11's building blocks: generators as tasks, the
hand-built scheduler, the awaitable that runs ``async def`` on it, the
asyncio tour, the line buffer and the comparison script (a tiny run).

The servers built on them are tested in test_async_servers.py.
"""

import asyncio
import csv
import socket

import pytest

from tests.course import EXAMPLES
from tests.net import connect, connected_pair, make_listener
from tests.support import load_example, run_script
from tests.support_async import loop_server

generators = load_example("async", "generators")
scheduler = load_example("async", "scheduler")
awaitables = load_example("async", "awaitables")
linebuf = load_example("async", "linebuf")
tour = load_example("async", "asyncio_tour")
yield_echo = load_example("async", "yield_echo")
await_echo = load_example("async", "await_echo")


# Generators as tasks -------------------------------------------------------


def test_generator_tasks_take_turns_and_return_a_value():
    said = generators.round_robin(
        [generators.countdown("a", 3), generators.countdown("b", 1)]
    )
    assert said == ["a: 3", "b: 1", "a: 2", "b: done", "a: 1", "a: done"]


def test_generators_script_prints_the_interleaving():
    result = run_script("async", "generators")
    assert result.returncode == 0
    assert result.stdout.splitlines()[:3] == ["a: 3", "b: 2", "a: 2"]


# The scheduler -------------------------------------------------------------


def reader(sock, size=100):
    data = yield from scheduler.recv(sock, size)
    return data


def test_a_task_waiting_to_read_wakes_when_bytes_arrive_and_keeps_its_result():
    with connected_pair() as (client, server_side):
        server_side.setblocking(False)
        sched = scheduler.Scheduler()
        task = sched.spawn(reader(server_side), name="reader")
        sched.step(sched.ready.popleft())  # runs to its first yield
        assert task.waits_on is server_side and not task.done
        client.sendall(b"hello")
        sched.run()
        sched.close()
    assert (task.done, task.result, task.error) == (True, b"hello", None)


def test_send_all_and_recv_tasks_move_megabytes_through_partial_writes():
    payload = bytes(range(256)) * 8192  # 2 MiB: far more than a socket buffer

    def receive_all(sock):
        chunks = []
        while chunk := (yield from scheduler.recv(sock, 65536)):
            chunks.append(chunk)
        return b"".join(chunks)

    def send_then_close(sock):
        yield from scheduler.send_all(sock, payload)
        sock.shutdown(socket.SHUT_WR)

    with connected_pair() as (client, server_side):
        for sock in (client, server_side):
            sock.setblocking(False)
        sched = scheduler.Scheduler()
        receiving = sched.spawn(receive_all(client))
        sched.spawn(send_then_close(server_side))
        sched.run()
        sched.close()
    assert receiving.result == payload


def test_a_failing_task_ends_alone_and_keeps_its_error(capsys):
    def fails():
        yield ("read", None)  # not a socket: register() refuses it

    def finishes():
        return "fine"
        yield

    sched = scheduler.Scheduler()
    bad, good = sched.spawn(fails(), "bad"), sched.spawn(finishes(), "good")
    sched.run()
    sched.close()
    assert good.result == "fine"
    assert bad.done and isinstance(bad.error, (ValueError, KeyError, TypeError))
    assert "bad failed" in capsys.readouterr().err


def test_an_unknown_request_is_thrown_into_the_task_that_made_it():
    def sleeper():
        try:
            yield ("sleep", 1)
        except ValueError as error:
            return str(error)

    sched = scheduler.Scheduler()
    task = sched.spawn(sleeper())
    sched.run()
    sched.close()
    assert task.result == "unknown request ('sleep', 1)"


def test_a_second_task_waiting_on_the_same_socket_gets_an_error():
    with connected_pair() as (client, server_side):
        server_side.setblocking(False)
        sched = scheduler.Scheduler()
        first = sched.spawn(reader(server_side))
        second = sched.spawn(reader(server_side))
        for _ in range(3):  # first waits; second fails to register
            if sched.ready:
                sched.step(sched.ready.popleft())
        assert second.done and isinstance(second.error, KeyError)
        client.sendall(b"x")
        sched.run()
        sched.close()
    assert first.result == b"x"


def test_cancelling_a_waiting_task_runs_its_finally_and_frees_its_socket():
    cleaned = []

    def waits_forever(sock):
        try:
            yield from scheduler.recv(sock, 1)
        finally:
            cleaned.append(sock)

    with connected_pair() as (_, server_side):
        server_side.setblocking(False)
        sched = scheduler.Scheduler()
        task = sched.spawn(waits_forever(server_side))
        sched.step(sched.ready.popleft())
        sched.cancel(task)
        sched.cancel(task)  # twice: still one Cancelled
        assert not sched.selector.get_map()  # no longer at the selector
        sched.run()
        sched.cancel(task)  # done: nothing happens
        sched.close()
    assert cleaned == [server_side]
    assert isinstance(task.error, scheduler.Cancelled)
    assert repr(task).endswith("done>")


def test_a_task_cancelled_before_it_started_never_runs():
    ran = []

    def body():
        ran.append(True)
        yield

    sched = scheduler.Scheduler()
    task = sched.spawn(body())
    sched.cancel(task)
    sched.run()
    sched.close()
    assert ran == [] and isinstance(task.error, scheduler.Cancelled)


def test_close_cancels_every_task_even_one_that_waits_again():
    def stubborn(sock):
        while True:
            try:
                yield ("read", sock)
            except scheduler.Cancelled:
                continue  # ignores cancellation: close() must still end it

    with connected_pair() as (_, server_side):
        server_side.setblocking(False)
        sched = scheduler.Scheduler()
        task = sched.spawn(stubborn(server_side))
        sched.step(sched.ready.popleft())
        sched.close()
    assert task.done and not sched.tasks


def test_close_lets_a_task_that_never_ran_close_what_it_was_given():
    """A client's socket handed to a new task is closed by that task's
    with block, even when the server stops before the task first ran,
    and even when the task is spawned while the scheduler closes."""

    def owner(sock):
        with sock:
            yield ("read", sock)

    def acceptor(sock, new):
        sched.spawn(owner(new), name="owner")  # as accept does
        yield ("read", sock)

    with connected_pair() as (client, server_side), connected_pair() as (other, _):
        for sock in (client, server_side, other):
            sock.setblocking(False)
        sched = scheduler.Scheduler()
        first = sched.spawn(owner(server_side))
        sched.spawn(acceptor(client, other))
        sched.close()
        assert server_side.fileno() == -1 and other.fileno() == -1
    assert isinstance(first.error, scheduler.Cancelled) and not sched.tasks


# async/await on the same scheduler -----------------------------------------


def test_a_coroutine_awaiting_ready_yields_the_request_to_its_driver():
    with connected_pair() as (_, server_side):
        coro = awaitables.recv(server_side, 10)
        assert coro.send(None) == ("read", server_side)
        coro.close()


def test_generator_and_async_def_tasks_share_one_scheduler():
    async def ping(sock):
        await awaitables.send_all(sock, b"ping")
        return await awaitables.recv(sock, 10)

    def pong(sock):
        data = yield from scheduler.recv(sock, 10)
        yield from scheduler.send_all(sock, data.replace(b"i", b"o"))

    with connected_pair() as (client, server_side):
        for sock in (client, server_side):
            sock.setblocking(False)
        sched = scheduler.Scheduler()
        asking = sched.spawn(ping(client))
        sched.spawn(pong(server_side))
        sched.run()
        sched.close()
    assert asking.result == b"pong"


def test_the_awaitable_accept_returns_a_non_blocking_socket():
    async def take_one(server):
        return await awaitables.accept(server)

    with make_listener() as listener, connect(listener.getsockname()):
        listener.setblocking(False)
        sched = scheduler.Scheduler()
        task = sched.spawn(take_one(listener))
        sched.run()
        sched.close()
        with task.result as conn:
            assert conn.getblocking() is False


# The line buffer -----------------------------------------------------------


def test_line_buffer_returns_complete_lines_and_keeps_the_rest():
    lines = linebuf.LineBuffer(max_line=10)
    assert lines.feed(b"one\ntw") == b"one\n"
    assert lines.feed(b"o\nthree\n") == b"two\nthree\n"
    assert lines.feed(b"") == b""


@pytest.mark.parametrize("data", [b"x" * 11, b"x" * 11 + b"\n", b"ok\n" + b"x" * 11 + b"\nok\n"])
def test_line_buffer_refuses_a_line_longer_than_the_limit(data):
    with pytest.raises(linebuf.LineTooLong):
        linebuf.LineBuffer(max_line=10).feed(data)


# What asyncio adds ----------------------------------------------------------


@pytest.fixture
def echo_address():
    with loop_server(yield_echo.serve) as running:
        yield running.address


@pytest.fixture
def silent_listener():
    """A listening socket nobody accepts from: connections succeed (the
    kernel queues them), no reply ever comes."""
    with make_listener() as listener:
        yield listener.getsockname()[:2]


def test_ask_gets_the_line_back(echo_address):
    assert asyncio.run(tour.ask(echo_address, b"hello\n")) == b"hello\n"


def test_ask_each_asks_every_server_at_once(echo_address):
    with loop_server(await_echo.serve) as other:
        replies = asyncio.run(tour.ask_each([echo_address, other.address], b"hi\n"))
    assert replies == [b"hi\n", b"hi\n"]


def test_ask_times_out_on_a_silent_server(silent_listener):
    with pytest.raises(TimeoutError):
        asyncio.run(tour.ask(silent_listener, b"hi\n", timeout=0.2))


def test_a_task_group_cancels_the_others_when_one_fails(echo_address, silent_listener):
    """The silent server's ask times out; the slow one is cancelled at that
    moment, not left to run for its own (long) timeout."""
    async def main():
        loop = asyncio.get_running_loop()
        begun = loop.time()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(tour.ask(silent_listener, b"x\n", timeout=0.2))
                slow = group.create_task(asyncio.sleep(30))
        except* TimeoutError:
            pass
        return slow.cancelled(), loop.time() - begun

    cancelled, took = asyncio.run(main())
    assert cancelled and took < 2


def test_ask_each_reports_the_failure_as_an_exception_group(echo_address, silent_listener):
    with pytest.raises(ExceptionGroup) as caught:
        asyncio.run(tour.ask_each([echo_address, silent_listener], b"hi\n", timeout=0.2))
    assert caught.group_contains(TimeoutError)


def test_a_cancelled_ticker_cleans_up_and_reports_cancelled():
    async def main():
        events = []
        task = asyncio.create_task(tour.ticker(events))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return events, task.cancelled()

    events, cancelled = asyncio.run(main())
    assert cancelled and events[0] == "tick" and events[-1] == "cleaned up"


def test_asyncio_tour_script_echoes_a_line(echo_address):
    host, port = echo_address
    result = run_script("async", "asyncio_tour", "--port", str(port), "--line", "héllo")
    assert result.returncode == 0 and result.stdout == "héllo\n"


def test_asyncio_tour_script_says_when_nobody_answers():
    with make_listener() as listener:
        port = listener.getsockname()[1]
    result = run_script("async", "asyncio_tour", "--port", str(port))
    assert result.returncode == 1 and "no answer from 127.0.0.1" in result.stderr


# The comparison script: a tiny run, not a benchmark -------------------------


def test_compare_script_measures_every_server_and_writes_its_results(tmp_path):
    result = run_script(
        "async", "compare", "--out", str(tmp_path), "--connections", "2",
        "--duration", "0.1", "--note", "A smoke run.", timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "compare.csv") as file:
        rows = list(csv.DictReader(file))
    assert [row["server"] for row in rows] == ["yield", "await", "selectors", "asyncio"]
    assert all(row["errors"] == "0" and float(row["requests_per_second"]) > 0 for row in rows)
    sentence = (tmp_path / "measured.txt").read_text()
    assert sentence.startswith("Measured on ") and sentence.endswith("A smoke run.\n")


def test_committed_comparison_says_where_it_ran():
    results = EXAMPLES / "async" / "results"
    assert (results / "measured.txt").read_text().startswith("Measured on ")
    with open(results / "compare.csv") as file:
        assert {row["server"] for row in csv.DictReader(file)} == {
            "yield", "await", "selectors", "asyncio"}
