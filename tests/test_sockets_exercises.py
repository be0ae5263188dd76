"""Tests of lecture 1's lab (exercises/echo_lab) and assignment (exercises/sum_server).

They run against each exercise's solution.py by default. A student runs
them against the file they are completing, starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_sockets_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail: the tests must
tell a finished exercise from an unfinished one.
"""

import os
import socket
import threading
import time

import pytest

from tests.support import (
    assert_starters_fail,
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    connected_pair,
    handler_server,
    in_thread,
    load_example,
    make_listener,
    read_exactly,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
    sending,
)

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

ECHO_LAB = f"exercises/echo_lab/{IMPL}"
SUM_SERVER = f"exercises/sum_server/{IMPL}"
echo_lab = load_example("sockets", ECHO_LAB)
sum_server = load_example("sockets", SUM_SERVER)
# A known-good echo server, to test the lab's client on its own.
echo_server = load_example("sockets", "echo_server")

MAX_LINE = 1024  # the sum protocol's limit, in bytes without the b"\n"


# The lab: an echo server and client -----------------------------------------

def running_lab_server(max_clients: int) -> ServerThread:
    return ServerThread(
        echo_lab.serve, echo_lab.make_server(), max_clients=max_clients
    )


def echo_without_lab_client(address, message: bytes) -> bytes:
    """Talk to an echo server with the test's own client code."""
    with connect(address) as client:
        client.sendall(message)
        client.shutdown(socket.SHUT_WR)
        return recv_until_eof(client)


class TestEchoLab:
    @pytest.mark.parametrize(
        "message", [b"hello", bytes(range(256)), b""],
        ids=["short", "binary", "empty"],
    )
    def test_handle_client_echoes_a_message_and_returns_at_eof(self, message):
        with connected_pair() as (client, conn):
            client.sendall(message)
            client.shutdown(socket.SHUT_WR)
            echo_lab.handle_client(conn)  # returns once the client is done
            conn.close()
            reply = recv_until_eof(client)
        assert reply == message

    def test_handle_client_echoes_each_chunk_as_it_arrives(self):
        with running_lab_server(max_clients=1) as server:
            with connect(server.address) as client:
                client.sendall(b"ping")
                first = read_exactly(client, 4)  # before we close anything
                client.sendall(b"pong")
                second = read_exactly(client, 4)
                client.shutdown(socket.SHUT_WR)
                rest = recv_until_eof(client)
        assert (first, second, rest) == (b"ping", b"pong", b"")

    def test_handle_client_echoes_data_sent_in_small_pieces(self):
        pieces = [b"he", b"l", b"lo, ", b"wor", b"ld"]
        with running_lab_server(max_clients=1) as server:
            with connect(server.address) as client:
                with sending(client, *pieces, pause=0.02, shutdown=True):
                    reply = recv_until_eof(client)
        assert reply == b"hello, world"

    def test_handle_client_echoes_a_large_message_while_it_arrives(self):
        message = bytes(range(256)) * 4096  # 1 MiB, more than any buffer
        with running_lab_server(max_clients=1) as server:
            with connect(server.address) as client:
                with sending(client, message, shutdown=True):
                    reply = recv_until_eof(client)
        assert reply == message

    def test_server_serves_several_clients_in_sequence(self):
        with running_lab_server(max_clients=3) as server:
            replies = [echo_without_lab_client(server.address, m)
                       for m in (b"one", b"two", b"three")]
            server.wait()
        assert replies == [b"one", b"two", b"three"]

    @pytest.mark.parametrize(
        "message", [b"hello", bytes(range(256)), b"", b"x" * 100_000],
        ids=["short", "binary", "empty", "100 kB"],
    )
    def test_echo_returns_the_reply_of_an_echo_server(self, message):
        with ServerThread(
            echo_server.serve, echo_server.make_server(), max_clients=1
        ) as server:
            reply = echo_lab.echo(message, *server.address)
        assert reply == message

    def test_echo_signals_the_end_of_its_message_to_the_server(self):
        def reply_reversed_after_eof(conn):
            conn.sendall(recv_until_eof(conn)[::-1])

        with ServerThread(
            handler_server(reply_reversed_after_eof), make_listener()
        ) as server:
            # Without shutdown(SHUT_WR) both sides would wait for the other.
            reply = echo_lab.echo(b"stressed", *server.address, timeout=2.0)
        assert reply == b"desserts"

    def test_echo_reads_a_reply_that_arrives_in_pieces(self):
        def reply_slowly(conn):
            recv_until_eof(conn)
            for piece in (b"one ", b"two ", b"three"):
                conn.sendall(piece)
                time.sleep(0.05)

        with ServerThread(handler_server(reply_slowly), make_listener()) as server:
            reply = echo_lab.echo(b"count", *server.address, timeout=2.0)
        assert reply == b"one two three"

    def test_echo_gives_up_on_a_silent_server_after_its_timeout(self):
        released = threading.Event()

        def never_reply(conn):
            released.wait(SOCKET_TIMEOUT)

        with ServerThread(handler_server(never_reply), make_listener()) as server:
            started = time.monotonic()
            try:
                with pytest.raises(TimeoutError):
                    echo_lab.echo(b"anyone?", *server.address, timeout=0.3)
            finally:
                released.set()
            waited = time.monotonic() - started
        assert waited < SOCKET_TIMEOUT

    def test_lab_scripts_server_and_client_talk_to_each_other(self):
        with run_example("sockets", ECHO_LAB, "server") as (_, host, port):
            result = run_script(
                "sockets", ECHO_LAB, "client", "--port", str(port), "héllo, lab"
            )
        assert result.returncode == 0, result.stderr
        assert host == "127.0.0.1"
        assert result.stdout == "héllo, lab\n"

    def test_lab_script_explains_its_usage_with_help(self):
        result = run_script("sockets", ECHO_LAB, "--help")
        assert result.returncode == 0
        assert "server" in result.stdout and "client" in result.stdout


# The assignment: the sum server ---------------------------------------------

class LineClient:
    """A test client of the sum protocol: send bytes, read reply lines."""

    def __init__(self, address) -> None:
        self.sock = connect(address)
        self.pending = b""  # bytes received after the last reply line

    def __enter__(self) -> "LineClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.sock.close()

    def ask(self, request: bytes) -> bytes:
        self.sock.sendall(request)
        return self.reply()

    def reply(self) -> bytes:
        """The next reply line, with its b"\\n"."""
        while b"\n" not in self.pending:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise AssertionError(f"closed by the server after {self.pending!r}")
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line + b"\n"

    def rest_until_closed(self) -> bytes:
        """What arrives until the server closes (a reset counts as closed)."""
        try:
            return self.pending + recv_until_eof(self.sock)
        except ConnectionResetError:
            return self.pending


def running_sum_server(max_clients: int, timeout: float = 10.0) -> ServerThread:
    return ServerThread(
        sum_server.serve, sum_server.make_server(),
        max_clients=max_clients, timeout=timeout,
    )


def not_a_number(word: str) -> bytes:
    return f"error: not a number: {word!r}\n".encode()


class TestSumServer:
    @pytest.mark.parametrize(
        ("request_line", "reply"),
        [
            (b"3 4", b"7\n"),
            (b"1.5 2", b"3.5\n"),
            (b"-3 -4", b"-7\n"),
            (b"-1.5 1", b"-0.5\n"),
            (b"10 -10", b"0\n"),
            (b"2 2", b"4\n"),
            (b"2 2.0", b"4.0\n"),
            (b"1e3 1", b"1001.0\n"),
            (b"0.1 0.2", b"0.30000000000000004\n"),
            (b"+3 4", b"7\n"),
            (b".5 1", b"1.5\n"),
            (b"5. 1", b"6.0\n"),
            (b"-1E2 +0", b"-100.0\n"),
            (b"123456789012345678901234567890 1",
             b"123456789012345678901234567891\n"),
        ],
        ids=[
            "ints", "float and int", "negative", "negative float", "zero",
            "ints stay ints", "a float makes a float", "exponent",
            "float rounding", "plus sign", "leading point",
            "trailing point", "capital exponent", "big ints stay exact",
        ],
    )
    def test_compute_reply_answers_with_the_sum(self, request_line, reply):
        assert sum_server.compute_reply(request_line) == reply

    @pytest.mark.parametrize(
        "request_line", [b"  3\t 4  ", b"3 4\r", b"\t3    4"],
        ids=["spaces and tab", "CR from a CRLF client", "runs of spaces"],
    )
    def test_compute_reply_ignores_extra_whitespace(self, request_line):
        assert sum_server.compute_reply(request_line) == b"7\n"

    @pytest.mark.parametrize(
        ("request_line", "count"),
        [(b"", 0), (b"   ", 0), (b"5", 1), (b"1 2 3", 3)],
        ids=["empty", "blank", "one", "three"],
    )
    def test_compute_reply_says_how_many_numbers_it_got(self, request_line, count):
        reply = sum_server.compute_reply(request_line)
        assert reply == f"error: expected two numbers, got {count}\n".encode()

    @pytest.mark.parametrize(
        ("request_line", "word"),
        [(b"abc 2", "abc"), (b"3 abc", "abc"), (b"3 4x", "4x"), (b"1,5 2", "1,5"),
         ("\u0663 \u0664".encode(), "\u0663"), (b"1_000 1", "1_000"),
         ("\uff13 4".encode(), "\uff13"), ("3 \u0664".encode(), "\u0664"),
         (b"0x10 1", "0x10"), (b"1e3_0 1", "1e3_0")],
        ids=["first", "second", "trailing letter", "decimal comma",
             "Arabic-Indic digits", "underscore", "fullwidth digit",
             "non-ASCII second", "hexadecimal", "underscore in exponent"],
    )
    def test_compute_reply_names_the_word_that_is_not_a_number(
        self, request_line, word
    ):
        assert sum_server.compute_reply(request_line) == not_a_number(word)

    @pytest.mark.parametrize(
        "request_line",
        [b"nan 1", b"1 NaN", b"inf 1", b"1 -inf", b"Infinity 1", b"1e999 1"],
        ids=["nan", "NaN", "inf", "-inf", "Infinity", "overflows to inf"],
    )
    def test_compute_reply_rejects_nan_and_inf(self, request_line):
        reply = sum_server.compute_reply(request_line)
        assert reply.startswith(b"error: ") and reply.endswith(b"\n")

    @pytest.mark.parametrize(
        "request_line", [b"\xff\xfe 1", b"3 \xc3", b"\x80"],
        ids=["not UTF-8", "cut in a character", "continuation byte"],
    )
    def test_compute_reply_answers_invalid_utf8_with_an_error(self, request_line):
        reply = sum_server.compute_reply(request_line)
        assert reply.startswith(b"error: ") and reply.endswith(b"\n")

    @pytest.mark.parametrize(
        "request_line", [b"1e308 1e308", b"1" * 400 + b" 0.5"],
        ids=["float sum is inf", "int too big for a float"],
    )
    def test_compute_reply_reports_an_overflow_instead_of_raising(
        self, request_line
    ):
        reply = sum_server.compute_reply(request_line)
        assert reply.startswith(b"error: ") and reply.endswith(b"\n")

    # Over the network, against a running server ----------------------------

    def test_server_answers_several_requests_on_one_connection(self):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                replies = [client.ask(b"3 4\n"), client.ask(b"1.5 2\n"),
                           client.ask(b"-3 -4\n")]
            server.wait()  # the client closed: handle_client returned
        assert replies == [b"7\n", b"3.5\n", b"-7\n"]

    def test_server_answers_requests_sent_together_in_one_sendall(self):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                client.sock.sendall(b"1 2\n3 4\n5 6\n")
                replies = [client.reply() for _ in range(3)]
        assert replies == [b"3\n", b"7\n", b"11\n"]

    def test_server_answers_a_request_sent_in_small_pieces(self):
        pieces = [b"1", b"2 ", b"3", b"0", b"\n"]
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                with sending(client.sock, *pieces, pause=0.02):
                    reply = client.reply()
        assert reply == b"42\n"

    def test_error_replies_leave_the_connection_usable(self):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                replies = [client.ask(line) for line in
                           (b"abc 2\n", b"5\n", b"1 2 3\n", b"3 4\n")]
        assert replies == [
            not_a_number("abc"),
            b"error: expected two numbers, got 1\n",
            b"error: expected two numbers, got 3\n",
            b"7\n",
        ]

    def test_invalid_utf8_gets_an_error_reply_and_the_connection_stays(self):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                error = client.ask(b"\xff\xfe 1\n")
                after = client.ask(b"1 1\n")
        assert error.startswith(b"error: ")
        assert after == b"2\n"

    def test_nan_and_inf_get_error_replies_and_the_connection_stays(self):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                errors = [client.ask(b"nan 1\n"), client.ask(b"1 inf\n")]
                after = client.ask(b"2 2\n")
        assert all(error.startswith(b"error: ") for error in errors)
        assert after == b"4\n"

    def test_unicode_digits_get_the_not_a_number_reply_over_the_network(self):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                arabic = client.ask("\u0663 \u0664\n".encode())
                underscore = client.ask(b"1_000 1\n")
                after = client.ask(b"3 4\n")
        assert arabic == "error: not a number: '\u0663'\n".encode()
        assert underscore == b"error: not a number: '1_000'\n"
        assert after == b"7\n"

    def test_a_1_mb_line_gets_its_error_reply_not_a_reset(self):
        # The client is still sending when the server gives up on the line:
        # closing with unread input would make the kernel send a reset
        # (RST), and the client would see that instead of the reply.
        with running_sum_server(max_clients=2) as server:
            with LineClient(server.address) as client:
                with sending(client.sock, b"1" * 1_000_000 + b"\n"):
                    error = client.reply()
                    rest = recv_until_eof(client.sock)  # raises if reset
            with LineClient(server.address) as next_client:
                after = next_client.ask(b"1 2\n")
        assert error == b"error: line too long (max 1024 bytes)\n"
        assert rest == b""
        assert after == b"3\n"

    def test_a_client_dripping_bytes_is_dropped_at_the_request_deadline(self):
        # One byte every 0.05 s: every recv gets data long before the
        # 0.3 s timeout, but the line never ends. The timeout is a deadline
        # for the whole request, so the next client is served in time.
        stop = threading.Event()
        with running_sum_server(max_clients=2, timeout=0.3) as server:
            with LineClient(server.address) as dripper:

                def drip():
                    while not stop.wait(0.05):
                        try:
                            dripper.sock.sendall(b"1")
                        except OSError:  # the server hung up
                            return

                with in_thread(drip):
                    try:
                        with LineClient(server.address) as next_client:
                            reply = next_client.ask(b"1 2\n")
                    finally:
                        stop.set()
                dropped = dripper.rest_until_closed()
            server.wait()
        assert reply == b"3\n"
        assert dropped == b""  # closed by the server, without a reply

    def test_sum_script_drops_a_dripping_client_at_its_timeout_option(self):
        with run_example("sockets", SUM_SERVER, "--timeout", "0.3") as (
            process, host, port
        ):
            with LineClient((host, port)) as dripper:
                hung_up = False
                for _ in range(100):  # 5 s of drips if nobody stops them
                    try:
                        dripper.sock.sendall(b"1")
                    except OSError:  # reset: the server closed long ago
                        hung_up = True
                        break
                    time.sleep(0.05)
            with LineClient((host, port)) as next_client:
                reply = next_client.ask(b"2 2\n")
        assert hung_up, "the server let a dripping client hold it for 5 s"
        assert reply == b"4\n"

    def test_server_accepts_a_line_of_exactly_the_maximum_length(self):
        line = b"1" + b" " * (MAX_LINE - 2) + b"2"
        assert len(line) == MAX_LINE
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                reply = client.ask(line + b"\n")
        assert reply == b"3\n"

    def test_oversized_line_gets_an_error_then_the_server_hangs_up(self):
        with running_sum_server(max_clients=2) as server:
            with LineClient(server.address) as client:
                error = client.ask(b"1" * (MAX_LINE + 1) + b"\n")
                rest = client.rest_until_closed()
            with LineClient(server.address) as next_client:
                after = next_client.ask(b"1 2\n")
        assert error == b"error: line too long (max 1024 bytes)\n"
        assert rest == b""
        assert after == b"3\n"

    def test_endless_line_is_refused_before_its_end_arrives(self):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                error = client.ask(b"1" * 5000)  # no b"\n" will ever come
                rest = client.rest_until_closed()
        assert error == b"error: line too long (max 1024 bytes)\n"
        assert rest == b""

    def test_half_a_line_then_disconnect_gets_no_reply_and_server_goes_on(self):
        with running_sum_server(max_clients=2) as server:
            with LineClient(server.address) as leaver:
                leaver.sock.sendall(b"3 ")
                leaver.sock.shutdown(socket.SHUT_WR)  # gone mid-line
                leftover = leaver.rest_until_closed()
            with LineClient(server.address) as next_client:
                reply = next_client.ask(b"3 4\n")
            server.wait()
        assert leftover == b""  # an incomplete request is not answered
        assert reply == b"7\n"

    def test_silent_client_is_dropped_after_the_timeout_and_the_next_served(self):
        with running_sum_server(max_clients=2, timeout=0.3) as server:
            with LineClient(server.address) as silent:
                started = time.monotonic()
                with LineClient(server.address) as next_client:
                    # One client at a time: this waits until `silent` is dropped.
                    reply = next_client.ask(b"1 2\n")
                waited = time.monotonic() - started
                dropped = silent.rest_until_closed()
            server.wait()
        assert reply == b"3\n"
        assert dropped == b""  # closed by the server, without a reply
        assert 0.2 < waited < SOCKET_TIMEOUT

    def test_client_that_resets_the_connection_does_not_stop_the_server(self):
        with running_sum_server(max_clients=2) as server:
            with LineClient(server.address) as rude:
                first = rude.ask(b"1 1\n")  # the server is mid-conversation
                rude.sock.sendall(b"2 2\n")
                reset_connection(rude.sock)
            with LineClient(server.address) as next_client:
                reply = next_client.ask(b"5 5\n")
            server.wait()
        assert (first, reply) == (b"2\n", b"10\n")

    def test_server_serves_several_clients_in_sequence(self):
        with running_sum_server(max_clients=3) as server:
            replies = []
            for number in (1, 2, 3):
                with LineClient(server.address) as client:
                    replies.append(client.ask(f"{number} {number}\n".encode()))
            server.wait()
        assert replies == [b"2\n", b"4\n", b"6\n"]

    def test_handle_client_returns_when_the_client_closes(self):
        with connected_pair() as (client, conn):
            client.sendall(b"1 2\n")
            client.shutdown(socket.SHUT_WR)
            sum_server.handle_client(conn, timeout=SOCKET_TIMEOUT)
            conn.close()
            replies = recv_until_eof(client)
        assert replies == b"3\n"

    def test_handle_client_returns_after_the_timeout_if_the_client_is_silent(self):
        with connected_pair() as (client, conn):
            started = time.monotonic()
            sum_server.handle_client(conn, timeout=0.2)
            waited = time.monotonic() - started
        assert 0.15 < waited < SOCKET_TIMEOUT

    def test_sum_script_prints_its_address_and_answers_requests(self):
        with run_example("sockets", SUM_SERVER) as (_, host, port):
            with LineClient((host, port)) as client:
                reply = client.ask(b"3 4\n")
        assert host == "127.0.0.1"
        assert reply == b"7\n"

    def test_sum_script_explains_its_usage_with_help(self):
        result = run_script("sockets", SUM_SERVER, "--help")
        assert result.returncode == 0
        assert result.stdout.startswith(f"usage: {IMPL}.py")


# Given code: the command line -------------------------------------------------

@pytest.mark.parametrize(("script", "args"), [
    (ECHO_LAB, ["server"]),
    (ECHO_LAB, ["client", "hello"]),
    (SUM_SERVER, []),
], ids=["echo lab server", "echo lab client", "sum server"])
def test_exercise_script_refuses_a_port_out_of_range(script, args):
    result = run_script("sockets", script, *args, "--port", "99999")
    assert result.returncode == 2  # argparse's usage error, no traceback
    assert "99999 is not a port number (0 to 65535)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("timeout", ["0", "-1", "soon"])
def test_sum_script_refuses_a_timeout_that_is_not_a_positive_number(timeout):
    result = run_script("sockets", SUM_SERVER, "--timeout", timeout)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


# The tests tell the starters from the solutions ------------------------------

# Tests that exercise only the code the starters are given, not the TODOs.
GIVEN_CODE_TESTS = {
    "test_lab_script_explains_its_usage_with_help",
    "test_sum_script_explains_its_usage_with_help",
}


@pytest.mark.skipif(IMPL != "solution", reason="run from the solutions' run")
def test_exercise_tests_fail_against_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_sockets_exercises.py",
        ("TestEchoLab", "TestSumServer"),
        GIVEN_CODE_TESTS,
        tmp_path,
    )
