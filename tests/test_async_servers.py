"""The line echo servers of lecture 11, on the hand-built scheduler:
yield_echo.py (generator tasks) and await_echo.py (async def tasks).

Both are run for real, in a thread (serve() with a stop event) and as
scripts, against many concurrent clients and against bad input: an
oversized line, a client that disconnects mid-message, one that resets.
"""

import signal
import socket
import threading
import time

import pytest

from tests.net import SOCKET_TIMEOUT, connect, in_thread, make_listener, reset_connection
from tests.support import load_example, run_example, run_script, start_example
from tests.support_async import LineClient, loop_server, wait_closed

SERVERS = ["yield_echo", "await_echo"]
TOO_LONG = b"error: line too long (max 8192 bytes)\n"


@pytest.fixture(params=SERVERS)
def server(request):
    """A running server: .address; yields the module too, as .module."""
    module = load_example("async", request.param)
    with loop_server(module.serve) as running:
        running.module = module
        yield running


def test_a_line_comes_back_and_so_does_the_next(server):
    with LineClient(server.address) as client:
        assert client.ask(b"hello\n") == b"hello\n"
        assert client.ask(b"two lines\nat once\n") == b"two lines\n"
        assert client.line() == b"at once\n"


def test_a_line_sent_in_pieces_comes_back_whole(server):
    with LineClient(server.address) as client:
        for piece in (b"hel", b"lo, ", b"world"):
            client.send(piece)
            time.sleep(0.02)
        assert client.ask(b"\n") == b"hello, world\n"


def test_lecture_1s_echo_client_gets_its_message_back(server):
    """A message without a newline, then the end of the client's side:
    the last partial line is echoed too."""
    echo_client = load_example("sockets", "echo_client")
    host, port = server.address
    assert echo_client.echo(b"hello, world", host, port) == b"hello, world"
    assert echo_client.echo(b"two\nlines", host, port) == b"two\nlines"


def test_two_hundred_clients_at_once_each_get_their_own_lines(server):
    clients = []
    try:
        for _ in range(200):  # all connected before any speaks
            clients.append(LineClient(server.address))
        for number, client in enumerate(clients):
            client.send(f"client {number} says".encode())  # no newline yet
        for number, client in reversed(list(enumerate(clients))):
            expected = f"client {number} says hi {number}\n".encode()
            assert client.ask(f" hi {number}\n".encode()) == expected
    finally:
        for client in clients:
            client.close()


def test_a_silent_client_does_not_hold_up_the_others(server):
    with LineClient(server.address), LineClient(server.address, timeout=1) as other:
        assert other.ask(b"still here\n") == b"still here\n"


def test_megabytes_echoed_to_a_client_that_reads_late_all_arrive(server):
    """Partial writes: far more than the socket buffers hold, while the
    client is still sending; the server must keep the rest and finish."""
    payload = b"".join(b"%07d\n" % n for n in range(400_000))  # 3.2 MB
    with connect(server.address) as client:

        def send():
            client.sendall(payload)
            client.shutdown(socket.SHUT_WR)

        with in_thread(send):
            echoed = wait_closed(client)
    assert echoed == payload


def test_a_client_that_disconnects_mid_message_ends_alone(server):
    with LineClient(server.address) as other:
        with connect(server.address) as leaving:
            leaving.sendall(b"half a li")  # and goes, mid-line
        assert other.ask(b"whole line\n") == b"whole line\n"
    with LineClient(server.address) as later:
        assert later.ask(b"after\n") == b"after\n"


def test_a_client_that_resets_mid_message_ends_alone(server):
    with LineClient(server.address) as other:
        for _ in range(5):
            rude = connect(server.address)
            rude.sendall(b"x" * 5000)
            reset_connection(rude)  # TCP RST: the server's recv fails
        assert other.ask(b"unharmed\n") == b"unharmed\n"


def test_a_reset_while_the_server_is_sending_ends_that_client_only(server):
    with LineClient(server.address) as other:
        rude = connect(server.address)
        rude.sendall(b"y" * 8000 + b"\n" * 1000)
        time.sleep(0.05)
        rude.sendall(b"z\n" * 200_000)  # the server writes replies nobody reads
        reset_connection(rude)
        assert other.ask(b"fine\n") == b"fine\n"


@pytest.mark.parametrize("sent", [b"x" * 8193, b"x" * 10_000 + b"\n", b"ok\n" + b"x" * 70_000])
def test_an_oversized_line_gets_an_error_then_the_server_hangs_up(server, sent):
    with connect(server.address) as client:
        client.sendall(sent)
        reply = wait_closed(client)
    assert reply.endswith(TOO_LONG)
    with LineClient(server.address) as later:
        assert later.ask(b"next\n") == b"next\n"


def test_the_error_reply_survives_a_client_that_keeps_sending(server):
    """The server reads what still comes before it closes: no reset
    destroys the error reply that was sent."""
    with connect(server.address) as client:
        client.sendall(b"x" * 9000)
        stop = threading.Event()

        def keep_sending():
            for _ in range(100):
                if stop.is_set():
                    return
                try:
                    client.sendall(b"x" * 1000)
                except OSError:
                    return
                time.sleep(0.002)

        with in_thread(keep_sending):
            try:
                assert client.recv(len(TOO_LONG), socket.MSG_WAITALL) == TOO_LONG
            finally:
                stop.set()


def test_stopping_the_server_closes_every_connection(server):
    module = server.module
    listener = make_listener()
    stop = threading.Event()
    thread = threading.Thread(target=module.serve, args=(listener, stop))
    with listener:
        thread.start()
        clients = [connect(listener.getsockname()) for _ in range(5)]
        try:
            for client in clients:  # each one accepted and served
                client.sendall(b"ping\n")
                assert client.recv(10) == b"ping\n"
            stop.set()
            thread.join(SOCKET_TIMEOUT)
            assert not thread.is_alive()
            for client in clients:
                assert wait_closed(client) == b""  # EOF: the server closed
        finally:
            for client in clients:
                client.close()


# As scripts -----------------------------------------------------------------


@pytest.mark.parametrize("script", SERVERS)
def test_script_serves_two_clients_at_once(script):
    with run_example("async", script) as (_, host, port):
        with LineClient((host, port)) as first, LineClient((host, port)) as second:
            first.send(b"first, ")
            assert second.ask(b"second\n") == b"second\n"
            assert first.ask(b"again\n") == b"first, again\n"


@pytest.mark.parametrize("script", SERVERS)
def test_script_stops_cleanly_on_sigterm(script):
    with start_example("async", script, "--port", "0") as (process, address, output):
        host, _, port = address.rpartition(":")
        with LineClient((host, int(port))) as client:
            assert client.ask(b"hi\n") == b"hi\n"
            process.send_signal(signal.SIGTERM)
            assert process.wait(SOCKET_TIMEOUT) == 0
            assert client.line() == b""  # its connection was closed
    assert "shutting down" in output.stderr


@pytest.mark.parametrize("script", SERVERS)
def test_script_explains_its_usage_with_help(script):
    result = run_script("async", script, "--help")
    assert result.returncode == 0 and "--port" in result.stdout


@pytest.mark.parametrize("script", SERVERS)
def test_script_refuses_a_port_that_is_taken(script):
    with make_listener() as taken:
        port = taken.getsockname()[1]
        result = run_script("async", script, "--port", str(port))
    assert result.returncode == 1 and "cannot listen on" in result.stderr


@pytest.mark.parametrize("script", SERVERS)
def test_script_refuses_a_port_out_of_range(script):
    result = run_script("async", script, "--port", "70000")
    assert result.returncode == 2 and "70000 is not a port number" in result.stderr
