"""Tests of lecture 4's lab (exercises/concurrent_sum) and assignment
(exercises/chat_commands).

They run against each exercise's solution.py by default. A student runs
them against the file they are completing, starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_concurrency_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail: the tests must
tell a finished exercise from an unfinished one.
"""

import os
import time

import pytest

from tests.net import SOCKET_TIMEOUT
from tests.support import (
    assert_starters_fail,
    ServerThread,
    load_example,
    run_example,
    run_script,
)
from tests.support_concurrency import LineClient

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

CONCURRENT_SUM = f"exercises/concurrent_sum/{IMPL}"
CHAT_COMMANDS = f"exercises/chat_commands/{IMPL}"
concurrent_sum = load_example("concurrency", CONCURRENT_SUM)

# seconds a client waits for a reply a concurrent server sends at once (less
# in the starters' run, where SOCKET_TIMEOUT is short)
PATIENCE = min(2.0, SOCKET_TIMEOUT)


# The lab: the sum server, many clients at once ---------------------------------


def running_sum_server(max_clients: int, timeout: float = 10.0) -> ServerThread:
    return ServerThread(
        concurrent_sum.serve,
        concurrent_sum.make_server(),
        max_clients=max_clients,
        timeout=timeout,
    )


class TestConcurrentSum:
    def test_one_client_gets_its_sums(self):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                replies = [client.ask(b"3 4\n"), client.ask(b"1 2 -3 40\n")]
            server.wait()
        assert replies == [b"7\n", b"40\n"]

    @pytest.mark.parametrize("line", [b"one two\n", b"1.5 2\n", b"1_000\n", b"\n"])
    def test_a_line_that_is_not_integers_gets_an_error(self, line):
        with running_sum_server(max_clients=1) as server:
            with LineClient(server.address) as client:
                reply = client.ask(line)
                assert client.ask(b"2 2\n") == b"4\n"  # and the client goes on
            server.wait()
        assert reply == b"error: expected integers, like 1 2 3\n"

    def test_second_client_is_served_while_the_first_is_mid_request(self):
        with running_sum_server(max_clients=2) as server:
            with LineClient(server.address) as first:
                first.send(b"1 ")  # half a request; the first client holds on
                with LineClient(server.address, timeout=PATIENCE) as second:
                    assert second.ask(b"2 3\n") == b"5\n"
                assert first.ask(b"1\n") == b"2\n"
            server.wait()

    def test_a_silent_client_does_not_delay_the_others(self):
        with running_sum_server(max_clients=2, timeout=10.0) as server:
            with LineClient(server.address):  # connected, says nothing
                started = time.monotonic()
                with LineClient(server.address, timeout=PATIENCE) as other:
                    assert other.ask(b"20 22\n") == b"42\n"
                assert time.monotonic() - started < PATIENCE

    def test_twenty_clients_connected_at_once_each_get_their_sum(self):
        clients = []
        with running_sum_server(max_clients=20) as server:
            try:
                for _ in range(20):  # all connected before any asks
                    clients.append(LineClient(server.address, timeout=PATIENCE))
                for number, client in enumerate(reversed(clients)):
                    assert client.ask(f"{number} {number}\n".encode()) == f"{2 * number}\n".encode()
            finally:
                for client in clients:
                    client.sock.close()
            server.wait()

    def test_serve_returns_after_max_clients_once_they_are_done(self):
        with running_sum_server(max_clients=2) as server:
            with (
                LineClient(server.address) as one,
                LineClient(server.address, timeout=PATIENCE) as two,
            ):
                assert two.ask(b"1 1\n") == b"2\n"
                assert one.ask(b"2 2\n") == b"4\n"
            server.wait()

    def test_lab_script_serves_two_clients_at_once(self):
        with run_example("concurrency", CONCURRENT_SUM) as (_, host, port):
            with LineClient((host, port)) as first:
                first.send(b"5")
                with LineClient((host, port), timeout=PATIENCE) as second:
                    assert second.ask(b"1 1\n") == b"2\n"
                assert first.ask(b" 5\n") == b"10\n"

    def test_lab_script_explains_its_usage_with_help(self):
        result = run_script("concurrency", CONCURRENT_SUM, "--help")
        assert result.returncode == 0 and "--port" in result.stdout


# The assignment: commands for the chat server -----------------------------------


@pytest.fixture
def chat_address():
    with run_example("concurrency", CHAT_COMMANDS) as (_, host, port):
        yield host, port


class Member(LineClient):
    def __init__(self, address, nickname: str) -> None:
        super().__init__(address)
        assert self.line() == b"* welcome: send your nickname\n"
        assert self.ask(f"{nickname}\n".encode()) == f"* you are {nickname}\n".encode()

    def say(self, text: str) -> None:
        self.send(f"{text}\n".encode())

    def hears(self) -> str:
        return self.line().decode("utf-8").rstrip("\n")


@pytest.fixture
def room(chat_address):
    """alice, bob and carol, each having heard the others join."""
    with Member(chat_address, "bob") as bob, Member(chat_address, "alice") as alice:
        assert bob.hears() == "* alice joined"
        with Member(chat_address, "carol") as carol:
            assert (bob.hears(), alice.hears()) == ("* carol joined", "* carol joined")
            yield alice, bob, carol


class TestChatCommands:
    def test_who_lists_every_member_sorted_to_the_asker_only(self, room):
        alice, bob, _ = room
        alice.say("/who")
        assert alice.hears() == "* online: alice, bob, carol"
        alice.say("after")
        assert bob.hears() == "alice: after"  # bob heard nothing of /who

    def test_msg_reaches_only_the_named_member(self, room):
        alice, bob, carol = room
        alice.say("/msg carol see you at 8")
        assert carol.hears() == "alice -> carol: see you at 8"
        alice.say("for everyone")
        assert bob.hears() == "alice: for everyone"  # bob never saw the /msg
        assert carol.hears() == "alice: for everyone"

    @pytest.mark.parametrize(
        ("line", "error"),
        [
            ("/msg dave hi", "error: no member named dave"),
            ("/msg carol", "error: usage: /msg NICKNAME TEXT"),
            ("/msg", "error: usage: /msg NICKNAME TEXT"),
        ],
        ids=["unknown member", "no text", "nothing"],
    )
    def test_msg_errors_go_back_to_the_sender(self, room, line, error):
        alice, _, _ = room
        alice.say(line)
        assert alice.hears() == error

    def test_nick_renames_and_tells_the_room(self, room):
        alice, bob, carol = room
        alice.say("/nick alicia")
        assert alice.hears() == "* you are alicia"
        assert (bob.hears(), carol.hears()) == ("* alice is now alicia",) * 2
        alice.say("hello again")
        assert bob.hears() == "alicia: hello again"
        bob.say("/who")
        assert bob.hears() == "* online: alicia, bob, carol"

    @pytest.mark.parametrize(
        ("new", "error"),
        [
            ("bob", "error: nickname bob is taken"),
            ("two words", "error: a nickname is 1 to 20 letters, digits or _"),
            ("", "error: a nickname is 1 to 20 letters, digits or _"),
        ],
        ids=["taken", "space", "empty"],
    )
    def test_nick_refuses_a_name_a_newcomer_could_not_take(self, room, new, error):
        alice, _, _ = room
        alice.say(f"/nick {new}")
        assert alice.hears() == error
        alice.say("/who")
        assert alice.hears() == "* online: alice, bob, carol"

    def test_a_renamed_member_leaving_is_announced_by_its_new_name(self, chat_address):
        with Member(chat_address, "bob") as bob:
            with Member(chat_address, "alice") as alice:
                assert bob.hears() == "* alice joined"
                alice.say("/nick ally")
                assert bob.hears() == "* alice is now ally"
            assert bob.hears() == "* ally left"
            with Member(chat_address, "alice"):  # the old name is free again
                assert bob.hears() == "* alice joined"

    def test_an_unknown_command_is_an_error_not_a_message(self, room):
        alice, bob, _ = room
        alice.say("/dance wildly")
        assert alice.hears() == "error: unknown command /dance"
        alice.say("plain")
        assert bob.hears() == "alice: plain"

    def test_chat_commands_script_explains_its_usage_with_help(self):
        result = run_script("concurrency", CHAT_COMMANDS, "--help")
        assert result.returncode == 0 and "--port" in result.stdout


# The tests tell the starters from the solutions ----------------------------------

# Tests that exercise only the code the starters are given, not the TODOs.
GIVEN_CODE_TESTS = {
    "test_one_client_gets_its_sums",
    "test_a_line_that_is_not_integers_gets_an_error",
    "test_lab_script_explains_its_usage_with_help",
    "test_an_unknown_command_is_an_error_not_a_message",
    "test_chat_commands_script_explains_its_usage_with_help",
}


@pytest.mark.skipif(IMPL != "solution", reason="run from the solutions' run")
def test_exercise_tests_fail_against_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_concurrency_exercises.py",
        ("TestConcurrentSum", "TestChatCommands"),
        GIVEN_CODE_TESTS,
        tmp_path,
        timeout=110,
        most_passing=0.5,  # the lab class is small: its given-code test is a big share
    )
