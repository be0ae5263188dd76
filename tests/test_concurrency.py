"""Tests of lecture 4's echo servers: four designs of one line echo service.

The designs are thread_echo, socketserver_echo (threading and --fork),
process_echo, selectors_echo and asyncio_echo, all sharing the protocol of
service.py. Each server runs as a student runs it: a subprocess on
127.0.0.1 at a port the OS chooses, and real clients talk to it, many at
once. The event-loop designs (selectors_echo, asyncio_echo) must also hold
1,000 connections at once and survive partial writes, resets and idle
clients.
"""

import asyncio
import select
import socket
import threading
import time

import pytest

from tests.guards import children_of
from tests.support import (
    SOCKET_TIMEOUT,
    ServerThread,
    connected_pair,
    load_example,
    recv_until_eof,
    reset_connection,
    run_script,
    sending,
)
from tests.support_concurrency import (
    LineClient,
    expected_replies,
    many_clients,
    raised_fd_limit,
    running_design,
)

service = load_example("concurrency", "service")
thread_echo = load_example("concurrency", "thread_echo")
socketserver_echo = load_example("concurrency", "socketserver_echo")
process_echo = load_example("concurrency", "process_echo")
selectors_echo = load_example("concurrency", "selectors_echo")
asyncio_echo = load_example("concurrency", "asyncio_echo")
bench = load_example("concurrency", "bench")

DESIGNS = {design.name: design for design in bench.DESIGNS}
EVENT_LOOPS = ["selectors", "asyncio"]
MAX_LINE = service.MAX_LINE
TOO_LONG = service.TOO_LONG_REPLY


def test_the_benchmark_covers_threads_processes_selectors_and_asyncio():
    scripts = {design.script for design in bench.DESIGNS}
    assert scripts == {
        "thread_echo.py",
        "socketserver_echo.py",
        "process_echo.py",
        "selectors_echo.py",
        "asyncio_echo.py",
    }
    assert ("--fork",) in {design.options for design in bench.DESIGNS}


# The protocol, without any I/O ----------------------------------------------


def test_line_echo_returns_complete_lines_and_keeps_the_rest():
    protocol = service.LineEcho()
    assert protocol.receive(b"hel") == b""
    assert protocol.receive(b"lo\nwor") == b"hello\n"
    assert protocol.receive(b"ld\n") == b"world\n"


def test_line_echo_returns_several_lines_received_together():
    protocol = service.LineEcho()
    assert protocol.receive(b"a\nb\nc\nd") == b"a\nb\nc\n"
    assert protocol.pending == b"d"


def test_line_echo_accepts_a_line_of_exactly_the_maximum_length():
    line = b"x" * MAX_LINE + b"\n"
    assert service.LineEcho().receive(line) == line


@pytest.mark.parametrize(
    "data",
    [
        b"x" * (MAX_LINE + 1),
        b"x" * (MAX_LINE + 1) + b"\n",
        b"ok\n" + b"x" * (MAX_LINE + 1) + b"\nok\n",
    ],
    ids=["incomplete", "complete", "between two good lines"],
)
def test_line_echo_refuses_a_line_longer_than_the_maximum(data):
    with pytest.raises(service.LineTooLong):
        service.LineEcho().receive(data)


def test_line_echo_notices_a_long_line_arriving_in_pieces():
    protocol = service.LineEcho()
    protocol.receive(b"x" * MAX_LINE)
    with pytest.raises(service.LineTooLong):
        protocol.receive(b"xx")


def test_echo_lines_echoes_until_the_client_closes():
    with connected_pair() as (client, conn):
        client.sendall(b"one\ntwo\nhalf")
        client.shutdown(socket.SHUT_WR)
        service.echo_lines(conn)
        conn.close()
        assert recv_until_eof(client) == b"one\ntwo\n"  # the half line is dropped


def test_echo_lines_refuses_an_overlong_line_and_returns():
    with connected_pair() as (client, conn):
        client.sendall(b"x" * (MAX_LINE + 10))
        service.echo_lines(conn)
        conn.close()
        assert recv_until_eof(client) == TOO_LONG


def test_echo_lines_returns_when_the_client_stays_silent():
    with connected_pair() as (client, conn):
        started = time.monotonic()
        service.echo_lines(conn, timeout=0.2)
        assert 0.15 < time.monotonic() - started < SOCKET_TIMEOUT


# Every design serves concurrent clients --------------------------------------


@pytest.fixture(params=list(DESIGNS), scope="module")
def design(request):
    return DESIGNS[request.param]


@pytest.fixture
def echo_address(design):
    with running_design(design) as (_, address):
        yield address


def test_second_client_is_served_while_the_first_is_mid_line(echo_address):
    with LineClient(echo_address) as first, LineClient(echo_address) as second:
        first.send(b"I am not done yet")  # no b"\n": the first client holds on
        assert second.ask(b"my turn\n") == b"my turn\n"
        assert first.ask(b", now I am\n") == b"I am not done yet, now I am\n"


def test_fifty_clients_connected_at_once_each_get_their_own_line(echo_address):
    replies = many_clients(echo_address, 50)
    assert replies == expected_replies(50)


def test_a_line_sent_in_pieces_is_echoed_once_complete(echo_address):
    with LineClient(echo_address) as client:
        with sending(client.sock, b"pie", b"ce", b"s\nand", b" more\n", pause=0.05):
            lines = [client.line(), client.line()]
    assert lines == [b"pieces\n", b"and more\n"]


def test_bytes_that_are_not_text_come_back_unchanged(echo_address):
    binary = bytes(range(256)).replace(b"\n", b"") + b"\xff\xfe\n"
    with LineClient(echo_address) as client:
        assert client.ask(binary) == binary


def test_overlong_line_gets_an_error_then_the_server_hangs_up(echo_address):
    with LineClient(echo_address) as client:
        client.send(b"x" * (MAX_LINE + 1))
        assert client.line() == TOO_LONG
        assert client.rest_until_closed() == b""
    with LineClient(echo_address) as next_client:
        assert next_client.ask(b"still here\n") == b"still here\n"


def test_half_a_line_then_close_gets_no_reply_and_the_server_goes_on(echo_address):
    with LineClient(echo_address) as client:
        client.send(b"half a li")
        client.sock.shutdown(socket.SHUT_WR)
        assert client.rest_until_closed() == b""
    with LineClient(echo_address) as next_client:
        assert next_client.ask(b"next\n") == b"next\n"


def test_a_reset_connection_does_not_disturb_the_others(echo_address):
    with LineClient(echo_address) as bystander:
        with LineClient(echo_address) as rude:
            assert rude.ask(b"hello\n") == b"hello\n"
            rude.send(b"x" * 100_000 + b"\n")  # the reply is still on its way
            reset_connection(rude.sock)
        assert bystander.ask(b"fine\n") == b"fine\n"
    with LineClient(echo_address) as newcomer:
        assert newcomer.ask(b"hi\n") == b"hi\n"


def test_script_explains_its_usage_with_help(design):
    result = run_script("concurrency", design.script.removesuffix(".py"), "--help")
    assert result.returncode == 0
    assert "--port" in result.stdout and "--timeout" in result.stdout


def test_script_reports_a_port_already_in_use_without_a_traceback(design):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_script(
            "concurrency", design.script.removesuffix(".py"), *design.options, "--port", str(port)
        )
    assert result.returncode == 1
    assert "cannot listen on" in result.stderr and "Traceback" not in result.stderr


# The event loops: a thousand clients, partial writes, idle clients ------------


@pytest.mark.parametrize("name", EVENT_LOOPS)
def test_event_loop_holds_a_thousand_connections_with_no_errors(name):
    with raised_fd_limit(4096):
        with running_design(DESIGNS[name]) as (_, address):
            replies = many_clients(address, 1000, timeout=60)
    errors = [reply for reply in replies if reply not in expected_replies(1000)]
    assert errors == []
    assert replies == expected_replies(1000)


def big_request() -> bytes:
    """4 MiB of lines: far more than the socket buffers hold."""
    return b"".join(f"{n:07d} ".encode() * 100 + b"\n" for n in range(5200))


@pytest.mark.parametrize("name", EVENT_LOOPS)
def test_a_client_that_sends_much_before_reading_gets_every_byte_back(name):
    data = big_request()
    with running_design(DESIGNS[name]) as (_, address):
        with LineClient(address, timeout=30) as greedy:
            # The server must write in parts and stop reading meanwhile:
            # we do not read until everything is sent.
            with sending(greedy.sock, data, shutdown=True):
                time.sleep(0.5)
                with LineClient(address) as other:  # the loop is not stuck
                    assert other.ask(b"still served\n") == b"still served\n"
                received = greedy.rest_until_closed()
    assert len(received) == len(data) and received == data


@pytest.mark.parametrize("name", EVENT_LOOPS)
def test_an_idle_client_is_closed_after_the_timeout_and_an_active_one_is_not(name):
    with running_design(DESIGNS[name], "--timeout", "0.5") as (_, address):
        with LineClient(address) as idle, LineClient(address) as active:
            started = time.monotonic()
            for _ in range(8):  # 1.2 s of activity, more than the timeout
                assert active.ask(b"tick\n") == b"tick\n"
                time.sleep(0.15)
            assert idle.rest_until_closed() == b""
            waited = time.monotonic() - started
            assert active.ask(b"still open\n") == b"still open\n"
    assert 0.4 < waited < SOCKET_TIMEOUT


def fill_until_stuck(sock: socket.socket) -> int:
    """Send without reading until the server stops taking our bytes."""
    sock.setblocking(False)
    sent = 0
    try:
        while sent < 256 * 1024 * 1024:
            try:
                sent += sock.send(b"y" * 1000 + b"\n")
            except BlockingIOError:
                _, writable, _ = select.select([], [sock], [], 0.5)
                if not writable:  # no room for 0.5 s: every buffer is full
                    return sent
    finally:
        sock.settimeout(15)
    raise AssertionError(f"the server accepted {sent} bytes without a pause")


@pytest.mark.parametrize("name", EVENT_LOOPS)
def test_a_client_that_never_reads_is_dropped_after_the_timeout(name):
    with running_design(DESIGNS[name], "--timeout", "1") as (_, address):
        with LineClient(address, timeout=15) as stuck:
            fill_until_stuck(stuck.sock)
            with LineClient(address) as other:  # the loop is not stuck
                assert other.ask(b"ok\n") == b"ok\n"
            time.sleep(2.5)  # stuck for longer than the timeout
            with pytest.raises((ConnectionResetError, BrokenPipeError)):
                while True:  # the server closed: sending fails at last
                    stuck.send(b"z" * 65536)


# The event loops, in-process: the pieces the lecture shows ---------------------


def test_selectors_loop_stops_when_asked_and_closes_its_connections():
    stop = threading.Event()
    with service.make_server() as server:
        address = server.getsockname()
        worker = threading.Thread(target=selectors_echo.serve, args=(server, 5.0, stop))
        worker.start()
        try:
            with LineClient(address) as client:
                assert client.ask(b"in process\n") == b"in process\n"
                stop.set()
                worker.join(SOCKET_TIMEOUT)
                assert client.rest_until_closed() == b""
        finally:
            stop.set()
            worker.join(SOCKET_TIMEOUT)
    assert not worker.is_alive()


def test_connection_reads_only_while_its_outbox_is_below_the_high_water_mark():
    with connected_pair() as (client, conn):
        connection = selectors_echo.Connection(conn)
        assert connection.wanted_events() == selectors_echo.selectors.EVENT_READ
        connection.outbox += b"x" * 10
        both = selectors_echo.selectors.EVENT_READ | selectors_echo.selectors.EVENT_WRITE
        assert connection.wanted_events() == both
        connection.outbox += b"x" * selectors_echo.HIGH_WATER
        assert connection.wanted_events() == selectors_echo.selectors.EVENT_WRITE


def test_asyncio_server_started_in_a_coroutine_serves_clients_concurrently():
    async def scenario():
        server = await asyncio_echo.start()
        async with server:
            host, port = server.sockets[0].getsockname()[:2]
            first = await asyncio.open_connection(host, port)
            second = await asyncio.open_connection(host, port)
            first[1].write(b"first, unfinished")
            second[1].write(b"second\n")
            reply = await asyncio.wait_for(second[0].readline(), SOCKET_TIMEOUT)
            for _, writer in (first, second):
                writer.close()
                await writer.wait_closed()
        return reply

    assert asyncio.run(scenario()) == b"second\n"


def test_thread_echo_serve_stops_when_its_listening_socket_closes():
    with ServerThread(thread_echo.serve, service.make_server(), 5.0) as server:
        with LineClient(server.address) as one, LineClient(server.address) as two:
            assert (one.ask(b"1\n"), two.ask(b"2\n")) == (b"1\n", b"2\n")


def test_threading_socketserver_in_process_serves_two_clients_at_once():
    server = socketserver_echo.make_server("127.0.0.1", 0)
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    worker.start()
    try:
        with LineClient(server.server_address) as one, LineClient(server.server_address) as two:
            one.send(b"wait for me")
            assert two.ask(b"two\n") == b"two\n"
            assert one.ask(b"\n") == b"wait for me\n"
    finally:
        server.shutdown()
        server.server_close()  # joins the handler threads
        worker.join(SOCKET_TIMEOUT)


def test_process_echo_gives_each_client_a_process_of_its_own():
    # The child's pid is not visible over the echo protocol; instead the
    # server's process tree is: one child per connected client.
    with running_design(DESIGNS["processes"]) as (process, address):
        with LineClient(address) as one, LineClient(address) as two:
            assert (one.ask(b"1\n"), two.ask(b"2\n")) == (b"1\n", b"2\n")
            children = children_of(process.pid)
    assert len(children) == 2
