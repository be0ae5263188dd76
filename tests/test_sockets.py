"""Tests of the example programs of lecture 1, "Networking and sockets".

Every server runs for real, on 127.0.0.1 at a port the operating system
picks: in a thread (ServerThread), or as a child process started the way a
student starts the script (run_example).
"""

import contextlib
import errno
import signal
import socket
import struct
import time

import pytest

from tests.net import needs_sigint, needs_unix_sockets

from tests.support import (
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    connected_pair,
    in_thread,
    load_example,
    make_listener,
    read_exactly,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
    sending,
    start_example,
)

echo_server = load_example("sockets", "echo_server")
echo_client = load_example("sockets", "echo_client")
framing = load_example("sockets", "framing")
unix_echo = load_example("sockets", "unix_echo")

MESSAGES = {
    "short": b"hello",
    "empty": b"",
    "binary": bytes(range(256)),
    "1 MiB": bytes(range(256)) * 4096,
}



def running_echo_server(max_clients: int, timeout: float = 10.0) -> ServerThread:
    return ServerThread(
        echo_server.serve, echo_server.make_server(),
        max_clients=max_clients, timeout=timeout,
    )


# Echo server and client ----------------------------------------------------

@pytest.mark.parametrize("message", MESSAGES.values(), ids=MESSAGES.keys())
def test_echo_round_trip_returns_exactly_the_bytes_sent(message):
    with running_echo_server(max_clients=1) as server:
        reply = echo_client.echo(message, *server.address)
    assert reply == message


def test_server_serves_clients_in_sequence_then_stops_after_max_clients():
    with running_echo_server(max_clients=3) as server:
        replies = [echo_client.echo(m, *server.address)
                   for m in (b"one", b"two", b"three")]
        server.wait()  # serve() returned by itself after three clients
    assert replies == [b"one", b"two", b"three"]


def test_200_clients_waiting_at_once_are_all_queued_and_served():
    # The sequential server talks to one client; the others wait in the
    # listen queue (the backlog). A backlog of 5 let connects 7+ hang and
    # clients be reset; every one of these must connect and get its echo.
    clients = 200
    with running_echo_server(max_clients=clients) as server, \
            contextlib.ExitStack() as stack:
        waiting = [stack.enter_context(socket.create_connection(
                       server.address, timeout=SOCKET_TIMEOUT))
                   for _ in range(clients)]  # all connected, none served yet
        replies = []
        for number, sock in enumerate(waiting):
            sock.sendall(b"client %d" % number)
            sock.shutdown(socket.SHUT_WR)
            replies.append(recv_until_eof(sock))
        server.wait()
    assert replies == [b"client %d" % number for number in range(clients)]


def test_make_server_listens_on_loopback_at_a_port_the_os_chose():
    with echo_server.make_server() as server:
        host, port = server.getsockname()
        with connect((host, port)):
            conn, _ = server.accept()
            conn.close()
    assert host == "127.0.0.1"
    assert 0 < port < 65536


def test_restarted_server_can_bind_its_port_while_old_connections_linger():
    with echo_server.make_server() as first:
        port = first.getsockname()[1]
        with connect(first.getsockname()) as client:
            conn, _ = first.accept()
            conn.close()  # the server closes first: its side enters TIME_WAIT
            assert client.recv(1) == b""
    with echo_server.make_server(port=port) as second:  # SO_REUSEADDR
        assert second.getsockname()[1] == port


def test_handle_client_echoes_until_eof_and_returns_the_byte_count():
    with connected_pair() as (client, conn):
        client.sendall(b"0123456789")
        client.shutdown(socket.SHUT_WR)
        echoed = echo_server.handle_client(conn, timeout=SOCKET_TIMEOUT)
        conn.close()
        reply = recv_until_eof(client)
    assert echoed == 10
    assert reply == b"0123456789"


def test_handle_client_gives_up_on_a_silent_client_after_its_timeout():
    with connected_pair() as (client, conn):
        started = time.monotonic()
        echoed = echo_server.handle_client(conn, timeout=0.2)
        waited = time.monotonic() - started
    assert echoed == 0
    assert 0.15 < waited < SOCKET_TIMEOUT


def test_client_that_closes_at_once_does_not_stop_the_server():
    with running_echo_server(max_clients=2) as server:
        with connect(server.address):
            pass
        reply = echo_client.echo(b"still there?", *server.address)
    assert reply == b"still there?"


def test_client_reset_mid_stream_does_not_stop_the_server(capsys):
    with running_echo_server(max_clients=2) as server:
        with connect(server.address) as rude:
            rude.sendall(b"first part")
            assert read_exactly(rude, 10) == b"first part"  # mid-echo
            rude.sendall(b"second part, never read")
            reset_connection(rude)
        reply = echo_client.echo(b"next client", *server.address)
        server.wait()
    assert reply == b"next client"
    assert "connection lost" in capsys.readouterr().err


def test_silent_client_times_out_and_the_server_moves_on(capsys):
    with running_echo_server(max_clients=2, timeout=0.3) as server:
        with connect(server.address) as silent:
            started = time.monotonic()
            # One client at a time: this one waits until `silent` is dropped.
            reply = echo_client.echo(b"my turn", *server.address)
            waited = time.monotonic() - started
            dropped = silent.recv(1) == b""  # the server closed its side
        server.wait()
    assert reply == b"my turn"
    assert dropped
    assert 0.2 < waited < SOCKET_TIMEOUT
    assert "timed out" in capsys.readouterr().err


# The scripts, run as a student runs them -----------------------------------

@pytest.mark.parametrize(
    "script", ["echo_server", "echo_client", "framing", "unix_echo"]
)
def test_script_explains_its_usage_with_help(script):
    result = run_script("sockets", script, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: {script}.py")


def test_echo_server_script_prints_its_address_and_serves_the_client_script():
    with run_example("sockets", "echo_server") as (_, host, port):
        result = run_script(
            "sockets", "echo_client", "--port", str(port), "héllo, wörld ✓"
        )
    assert result.returncode == 0, result.stderr
    assert host == "127.0.0.1"
    assert result.stdout == "héllo, wörld ✓\n"


@needs_sigint
@pytest.mark.parametrize(("script", "args"), [
    ("echo_server", []),
    ("echo_client", ["hello"]),
], ids=["echo_server", "echo_client"])
@pytest.mark.parametrize("port", ["99999", "-1"])
def test_script_refuses_a_port_out_of_range_as_a_usage_error(script, args,
                                                             port):
    result = run_script("sockets", script, *args, "--port", port)
    assert result.returncode == 2  # argparse's usage error, no traceback
    assert f"{port} is not a port number (0 to 65535)" in result.stderr
    assert "Traceback" not in result.stderr


def test_echo_server_script_exits_cleanly_on_ctrl_c():
    with start_example("sockets", "echo_server", "--port", "0") as started:
        process, _, output = started
        process.send_signal(signal.SIGINT)
        process.wait(SOCKET_TIMEOUT)
    assert process.returncode == 0
    assert "Traceback" not in output.stderr
    assert "shutting down" in output.stderr


def test_echo_server_script_reports_a_port_already_in_use():
    with make_listener() as taken:
        port = taken.getsockname()[1]
        result = run_script("sockets", "echo_server", "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_echo_client_script_reports_a_refused_connection():
    # A bound socket that does not listen: connecting to it is refused.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        result = run_script("sockets", "echo_client", "--port", str(port), "hi")
    assert result.returncode == 1
    assert f"could not talk to 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


# The message-boundary problem ----------------------------------------------

def test_two_sendall_calls_can_arrive_in_one_recv_over_tcp():
    with connected_pair() as (client, conn):
        client.sendall(b"hello")
        client.sendall(b"world")
        # Wait (without consuming) until all ten bytes have arrived.
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while len(conn.recv(1024, socket.MSG_PEEK)) < 10:
            assert time.monotonic() < deadline, "the bytes never arrived"
            time.sleep(0.01)
        assert conn.recv(1024) == b"helloworld"  # one "message", not two


def test_two_sendall_calls_arrive_in_one_recv_on_a_socket_pair():
    sender, receiver = socket.socketpair()
    with sender, receiver:
        sender.sendall(b"hello")
        sender.sendall(b"world")
        assert receiver.recv(1024) == b"helloworld"


def test_one_sendall_can_need_several_recvs():
    message = bytes(range(256)) * 4096  # 1 MiB
    with make_listener() as listener:
        receiver = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with receiver:
            # A small receive buffer: at most this much waits to be read.
            receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            receiver.settimeout(SOCKET_TIMEOUT)
            receiver.connect(listener.getsockname())
            sender, _ = listener.accept()
            with sender, sending(sender, message, shutdown=True):
                pieces = []
                while piece := receiver.recv(len(message)):
                    pieces.append(piece)
    assert b"".join(pieces) == message
    assert len(pieces) > 1


# Framing: recv_exactly and length prefixes -----------------------------------

@pytest.fixture
def socket_pair():
    """Two connected stream sockets; reads time out instead of hanging."""
    sender, receiver = socket.socketpair()
    receiver.settimeout(SOCKET_TIMEOUT)
    with sender, receiver:
        yield sender, receiver


def test_recv_exactly_collects_bytes_that_arrive_in_tiny_pieces(socket_pair):
    sender, receiver = socket_pair
    pieces = [bytes([byte]) for byte in b"abcdefgh"]
    with sending(sender, *pieces, pause=0.01):
        data = framing.recv_exactly(receiver, 8)
    assert data == b"abcdefgh"


def test_recv_exactly_leaves_the_following_bytes_for_the_next_read(socket_pair):
    sender, receiver = socket_pair
    sender.sendall(b"0123456789abcde")
    assert framing.recv_exactly(receiver, 10) == b"0123456789"
    assert receiver.recv(100) == b"abcde"


def test_recv_exactly_raises_connection_closed_on_eof_mid_message(socket_pair):
    sender, receiver = socket_pair
    sender.sendall(b"abc")
    sender.close()
    with pytest.raises(framing.ConnectionClosed, match="3 of 10"):
        framing.recv_exactly(receiver, 10)
    assert issubclass(framing.ConnectionClosed, ConnectionError)


PAYLOADS = {
    "empty": b"",
    "one byte": b"x",
    "binary": bytes(range(256)),
    "1 MiB": bytes(range(256)) * 4096,
}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_length_prefixed_message_round_trip_over_tcp(payload):
    with connected_pair() as (client, conn):
        # Send from a thread: 1 MiB does not fit in the socket buffers.
        with in_thread(framing.send_message, client, payload):
            received = framing.recv_message(conn)
    assert received == payload


def test_send_message_prefixes_the_payload_with_a_4_byte_big_endian_length(
    socket_pair,
):
    sender, receiver = socket_pair
    framing.send_message(sender, b"hello")
    assert read_exactly(receiver, 9) == b"\x00\x00\x00\x05hello"


def test_messages_sent_back_to_back_are_received_one_by_one(socket_pair):
    sender, receiver = socket_pair
    framing.send_message(sender, b"hello")
    framing.send_message(sender, b"world")
    assert framing.recv_message(receiver) == b"hello"
    assert framing.recv_message(receiver) == b"world"


def test_recv_message_accepts_a_message_of_exactly_max_size(socket_pair):
    sender, receiver = socket_pair
    framing.send_message(sender, b"x" * 1000)
    assert framing.recv_message(receiver, max_size=1000) == b"x" * 1000


def test_recv_message_refuses_an_oversized_length_without_reading_on(
    socket_pair,
):
    sender, receiver = socket_pair
    # Announce 2 GiB and send nothing more: reading on would time out.
    sender.sendall(struct.pack("!I", 2**31))
    with pytest.raises(framing.MessageTooLarge):
        framing.recv_message(receiver, max_size=1000)


def test_recv_message_raises_connection_closed_when_the_payload_is_cut(
    socket_pair,
):
    sender, receiver = socket_pair
    sender.sendall(struct.pack("!I", 10) + b"short")
    sender.close()
    with pytest.raises(framing.ConnectionClosed):
        framing.recv_message(receiver)


# Framing: LineReader --------------------------------------------------------

def test_line_reader_splits_several_lines_from_one_recv(socket_pair):
    sender, receiver = socket_pair
    sender.sendall(b"one\ntwo\nthree\n")
    sender.close()
    reader = framing.LineReader(receiver)
    lines = [reader.readline() for _ in range(4)]
    assert lines == [b"one", b"two", b"three", None]


def test_line_reader_joins_one_line_sent_in_many_pieces(socket_pair):
    sender, receiver = socket_pair
    pieces = [bytes([byte]) for byte in b"hello world\n"]
    with sending(sender, *pieces, pause=0.005):
        line = framing.LineReader(receiver).readline()
    assert line == b"hello world"


def test_line_reader_tells_empty_lines_from_end_of_stream(socket_pair):
    sender, receiver = socket_pair
    sender.sendall(b"\n\nlast\n")
    sender.close()
    reader = framing.LineReader(receiver)
    lines = [reader.readline() for _ in range(4)]
    assert lines == [b"", b"", b"last", None]


def test_line_reader_accepts_a_line_of_exactly_max_line_bytes(socket_pair):
    sender, receiver = socket_pair
    sender.sendall(b"x" * 10 + b"\n")
    assert framing.LineReader(receiver, max_line=10).readline() == b"x" * 10


def test_line_reader_rejects_a_line_longer_than_max_line(socket_pair):
    sender, receiver = socket_pair
    sender.sendall(b"x" * 11 + b"\n")
    with pytest.raises(framing.MessageTooLarge):
        framing.LineReader(receiver, max_line=10).readline()


def test_line_reader_rejects_a_long_line_before_its_end_arrives(socket_pair):
    sender, receiver = socket_pair
    sender.sendall(b"x" * 100)  # no b"\n", ever: waiting would time out
    with pytest.raises(framing.MessageTooLarge):
        framing.LineReader(receiver, max_line=10).readline()


def test_line_reader_raises_connection_closed_on_eof_mid_line(socket_pair):
    sender, receiver = socket_pair
    sender.sendall(b"complete\nincompl")
    sender.close()
    reader = framing.LineReader(receiver)
    assert reader.readline() == b"complete"
    with pytest.raises(framing.ConnectionClosed):
        reader.readline()


def test_line_reader_returns_none_at_a_clean_eof(socket_pair):
    sender, receiver = socket_pair
    sender.close()
    assert framing.LineReader(receiver).readline() is None


def test_framing_script_shows_the_problem_and_both_fixes():
    result = run_script("sockets", "framing")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "two sendall calls, one recv: b'helloworld'",
        "length prefix: b'hello' then b'world'",
        "lines: b'hello' then b'world'",
    ]


# Unix domain sockets ---------------------------------------------------------

def running_unix_server(path, max_clients: int) -> ServerThread:
    return ServerThread(
        unix_echo.serve, unix_echo.make_unix_server(path),
        max_clients=max_clients,
    )


# Unix sockets buffer less than TCP on loopback: a client that sends
# everything before reading cannot send a whole MiB (see echo_client.py).
UNIX_MESSAGES = {
    "short": b"hello",
    "empty": b"",
    "binary": bytes(range(256)),
    "16 KiB": bytes(range(256)) * 64,
}


@needs_unix_sockets
@pytest.mark.parametrize(
    "message", UNIX_MESSAGES.values(), ids=UNIX_MESSAGES.keys()
)
def test_unix_echo_round_trip_returns_exactly_the_bytes_sent(tmp_path, message):
    path = tmp_path / "echo.sock"
    with running_unix_server(path, max_clients=1):
        reply = unix_echo.echo_unix(message, path)
    assert reply == message


@needs_unix_sockets
def test_unix_server_replaces_a_stale_socket_file(tmp_path):
    path = tmp_path / "echo.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as crashed:
        crashed.bind(str(path))  # closing does not remove the file
    assert path.is_socket()
    with running_unix_server(path, max_clients=1):
        reply = unix_echo.echo_unix(b"fresh", path)
    assert reply == b"fresh"


@needs_unix_sockets
def test_unix_server_does_not_take_over_the_path_of_a_live_server(tmp_path):
    path = tmp_path / "echo.sock"
    # max_clients=2: the second server's liveness probe is a client too.
    with running_unix_server(path, max_clients=2):
        with pytest.raises(OSError) as refused:
            unix_echo.make_unix_server(path).close()
        reply = unix_echo.echo_unix(b"first server", path)
    assert refused.value.errno == errno.EADDRINUSE
    assert reply == b"first server"


@needs_unix_sockets
def test_unix_server_leaves_a_file_that_is_not_a_socket_alone(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("precious")
    with pytest.raises(OSError):
        unix_echo.make_unix_server(path).close()
    assert path.read_text() == "precious"


@needs_unix_sockets
@needs_sigint
def test_unix_echo_script_serves_and_removes_its_socket_file_on_ctrl_c(
    tmp_path,
):
    path = tmp_path / "echo.sock"
    with start_example("sockets", "unix_echo", "--path", str(path)) as started:
        process, address, output = started
        reply = unix_echo.echo_unix(b"over a file path", path)
        process.send_signal(signal.SIGINT)
        process.wait(SOCKET_TIMEOUT)
    assert address == str(path)
    assert reply == b"over a file path"
    assert process.returncode == 0
    assert not path.exists()
    assert "Traceback" not in output.stderr
