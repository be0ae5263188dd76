"""Tests of lecture 4's chat server (asyncio) and chat client, with several
real clients talking at once to a server started as a student starts it."""

import socket
import subprocess

import pytest

from tests.support import (
    ROOT,
    EXAMPLES,
    SOCKET_TIMEOUT,
    load_example,
    reset_connection,
    run_example,
    run_script,
    script_command,
    script_env,
)
from tests.support_concurrency import LineClient

chat_server = load_example("concurrency", "chat_server")
MAX_LINE = chat_server.MAX_LINE


@pytest.fixture
def chat_address():
    with run_example("concurrency", "chat_server") as (_, host, port):
        yield host, port


class Chatter(LineClient):
    """A chat member: connects, takes a nickname, hears the room."""

    def __init__(self, address, nickname: str | None = None, **kwargs) -> None:
        super().__init__(address, **kwargs)
        assert self.line() == b"* welcome: send your nickname\n"
        self.nickname = nickname
        if nickname is not None:
            assert self.ask(f"{nickname}\n".encode()) == f"* you are {nickname}\n".encode()

    def say(self, text: str) -> None:
        self.send(f"{text}\n".encode())

    def hears(self) -> str:
        return self.line().decode("utf-8").rstrip("\n")


def test_members_hear_who_joins_and_who_leaves(chat_address):
    with Chatter(chat_address, "alice") as alice:
        with Chatter(chat_address, "bob"):
            assert alice.hears() == "* bob joined"
        assert alice.hears() == "* bob left"


def test_a_line_reaches_everyone_else_but_not_its_sender(chat_address):
    with Chatter(chat_address, "alice") as alice, Chatter(chat_address, "bob") as bob:
        assert alice.hears() == "* bob joined"
        with Chatter(chat_address, "carol") as carol:
            assert (alice.hears(), bob.hears()) == ("* carol joined", "* carol joined")
            alice.say("hello, room")
            assert bob.hears() == "alice: hello, room"
            assert carol.hears() == "alice: hello, room"
            bob.say("hi alice")
            # alice's own line never came back: her next line is bob's
            assert alice.hears() == "bob: hi alice"


def test_each_senders_lines_arrive_in_the_order_sent(chat_address):
    count = 300
    with Chatter(chat_address, "reader") as reader:
        with Chatter(chat_address, "ann") as ann, Chatter(chat_address, "ben") as ben:
            ann.send(b"".join(f"ann {n}\n".encode() for n in range(count)))
            ben.send(b"".join(f"ben {n}\n".encode() for n in range(count)))
            heard = [reader.hears() for _ in range(2 + 2 * count)]
    messages = [line for line in heard if not line.startswith("*")]
    for name in ("ann", "ben"):
        own = [line for line in messages if line.startswith(f"{name}: ")]
        assert own == [f"{name}: {name} {n}" for n in range(count)]


@pytest.mark.parametrize(
    ("nickname", "error"),
    [
        ("", "a nickname is 1 to 20 letters, digits or _"),
        ("two words", "a nickname is 1 to 20 letters, digits or _"),
        ("x" * 21, "a nickname is 1 to 20 letters, digits or _"),
        ("alice", "nickname alice is taken"),
    ],
    ids=["empty", "space", "too long", "taken"],
)
def test_a_bad_nickname_gets_an_error_and_another_try(chat_address, nickname, error):
    with Chatter(chat_address, "alice"):
        with Chatter(chat_address) as newcomer:
            assert newcomer.ask(f"{nickname}\n".encode()) == f"error: {error}\n".encode()
            assert newcomer.ask(b"zoe\n") == b"* you are zoe\n"


def test_abrupt_disconnect_is_a_leave_and_the_room_goes_on(chat_address):
    with Chatter(chat_address, "alice") as alice, Chatter(chat_address, "bob") as bob:
        assert alice.hears() == "* bob joined"
        with Chatter(chat_address, "carol") as carol:
            assert (alice.hears(), bob.hears()) == ("* carol joined", "* carol joined")
            carol.send(b"half a line")
            reset_connection(carol.sock)
        assert alice.hears() == "* carol left"
        assert bob.hears() == "* carol left"
        bob.say("still here?")
        assert alice.hears() == "bob: still here?"


def test_half_a_line_at_disconnect_is_not_sent_to_the_room(chat_address):
    with Chatter(chat_address, "alice") as alice:
        with Chatter(chat_address, "bob") as bob:
            assert alice.hears() == "* bob joined"
            bob.send(b"never finished")
            bob.sock.shutdown(socket.SHUT_WR)
        assert alice.hears() == "* bob left"


def test_a_member_that_never_reads_does_not_stall_the_room(chat_address):
    batch, most = 500, 40  # lines per batch; 40 batches are 10 MB
    with Chatter(chat_address, "alice") as alice, Chatter(chat_address, "bob") as bob:
        assert alice.hears() == "* bob joined"
        stuck = socket.socket()
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a tiny window
        stuck.settimeout(SOCKET_TIMEOUT)
        with stuck:
            stuck.connect(chat_address)
            stuck.sendall(b"mallory\n")  # ... and never reads a byte
            assert alice.hears() == "* mallory joined"
            assert bob.hears() == "* mallory joined"
            said, notices = [], []
            for first in range(0, batch * most, batch):
                # alice talks on; bob reads each batch, in order, in time
                alice.send(
                    b"".join(f"{n:05d} {'x' * 500}\n".encode() for n in range(first, first + batch))
                )
                while len(said) < first + batch:
                    line = bob.hears()
                    (notices if line.startswith("*") else said).append(line)
                if notices:
                    break
    assert notices == ["* mallory left"]  # dropped: it stopped reading
    assert said == [f"alice: {n:05d} {'x' * 500}" for n in range(len(said))]


def test_an_overlong_line_is_refused_and_its_sender_disconnected(chat_address):
    with Chatter(chat_address, "alice") as alice:
        with Chatter(chat_address, "bob") as bob:
            assert alice.hears() == "* bob joined"
            bob.send(b"x" * (MAX_LINE + 1) + b"\n")
            assert bob.hears() == f"error: line too long (max {MAX_LINE} bytes)"
            assert bob.rest_until_closed() == b""
        assert alice.hears() == "* bob left"
        with Chatter(chat_address, "carol"):
            assert alice.hears() == "* carol joined"


def test_a_line_of_exactly_the_maximum_length_is_relayed(chat_address):
    text = "y" * (MAX_LINE - 1)  # plus the b"\n": MAX_LINE bytes from readuntil's view
    with Chatter(chat_address, "alice") as alice, Chatter(chat_address, "bob") as bob:
        assert alice.hears() == "* bob joined"
        bob.say(text)
        assert alice.hears() == f"bob: {text}"


def test_a_line_that_is_not_utf8_gets_an_error_and_the_member_stays(chat_address):
    with Chatter(chat_address, "alice") as alice, Chatter(chat_address, "bob") as bob:
        assert alice.hears() == "* bob joined"
        bob.send(b"\xff\xfe oops\n")
        assert bob.hears() == "error: not UTF-8"
        bob.say("sorry")
        assert alice.hears() == "bob: sorry"


def test_a_silent_member_is_dropped_after_the_timeout():
    with run_example("concurrency", "chat_server", "--timeout", "0.5") as (_, host, port):
        with Chatter((host, port), "quiet") as quiet:
            assert quiet.rest_until_closed() == b""


def test_chat_client_sends_typed_lines_and_prints_the_room(chat_address):
    host, port = chat_address
    with Chatter(chat_address, "bob") as bob:
        client = subprocess.run(
            script_command("concurrency", "chat_client", "--port", str(port)),
            input="dave\nhello, everyone\n",
            capture_output=True,
            text=True,
            timeout=30,
            cwd=ROOT,
            env=script_env(),
        )
        assert bob.hears() == "* dave joined"
        assert bob.hears() == "dave: hello, everyone"
        assert bob.hears() == "* dave left"
    assert client.returncode == 0, client.stderr
    assert client.stdout.startswith("* welcome: send your nickname\n* you are dave\n")


def test_chat_client_reports_a_server_that_is_not_there():
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    result = run_script("concurrency", "chat_client", "--port", str(port))
    assert result.returncode == 1
    assert "cannot chat with" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("script", ["chat_server", "chat_client"])
def test_chat_scripts_explain_their_usage_with_help(script):
    result = run_script("concurrency", script, "--help")
    assert result.returncode == 0 and "--port" in result.stdout


def test_a_nickname_that_is_not_utf8_gets_an_error_and_another_try(chat_address):
    # The first version hung up without a word.
    with Chatter(chat_address) as newcomer:
        assert newcomer.ask(b"caf\xe9\n") == b"error: not UTF-8\n"
        assert newcomer.ask(b"cafe\n") == b"* you are cafe\n"


def test_a_huge_line_gets_the_error_line_not_a_reset(chat_address):
    # The server stops reading after MAX_LINE bytes; closing with the rest
    # unread would reset the connection and destroy the error line. 40 MB
    # is more than the kernel buffers hold (tcp_rmem's maximum is 32 MiB).
    with Chatter(chat_address, "alice") as alice:
        with Chatter(chat_address, "bob") as bob:
            assert alice.hears() == "* bob joined"
            bob.send(b"z" * 40_000_000 + b"\n")  # all of it, then read
            assert bob.hears() == f"error: line too long (max {MAX_LINE} bytes)"
            assert bob.rest_until_closed() == b""
        assert alice.hears() == "* bob left"


def test_the_transcript_on_the_slide_is_what_the_server_says(chat_address):
    """Replay examples/concurrency/chat_transcript.txt: "NAME > line" is
    sent by NAME, "NAME < line" must be the next line NAME receives."""
    transcript = EXAMPLES / "concurrency" / "chat_transcript.txt"
    clients: dict[str, LineClient] = {}
    try:
        for entry in transcript.read_text(encoding="utf-8").splitlines():
            name, _, rest = entry.partition(" ")
            rest = rest.strip()
            if name not in clients:
                clients[name] = LineClient(chat_address)
            if rest.startswith("> "):
                clients[name].send(rest[2:].encode() + b"\n")
            elif rest.startswith("< "):
                assert clients[name].line() == rest[2:].encode() + b"\n", entry
            else:
                assert rest == "closes the connection", entry
                clients.pop(name).sock.close()
    finally:
        for client in clients.values():
            client.sock.close()


def test_lines_queued_for_a_member_still_reach_it_before_its_error(chat_address):
    with Chatter(chat_address) as hasty:
        # The nickname and a line too long, in one send: the server has not
        # written "* you are" yet when it reads the long line.
        hasty.send(b"hasty\n" + b"z" * (MAX_LINE + 10) + b"\n")
        assert hasty.line() == b"* you are hasty\n"
        assert hasty.line() == f"error: line too long (max {MAX_LINE} bytes)\n".encode()
