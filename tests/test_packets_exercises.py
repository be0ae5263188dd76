"""Tests of lecture 2's lab (exercises/time_lab) and assignment (exercises/udp_ping).

They run against each exercise's solution.py by default. A student runs
them against the file they are completing, starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_packets_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail.
"""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.support import (
    assert_starters_fail,
    SOCKET_TIMEOUT,
    ServerThread,
    load_example,
    run_example,
    run_script,
)
from tests.support_packets import exchange, udp_socket

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

TIME_LAB = f"exercises/time_lab/{IMPL}"
UDP_PING = f"exercises/udp_ping/{IMPL}"
time_lab = load_example("packets", TIME_LAB)
udp_ping = load_example("packets", UDP_PING)
# The stand-in server of the assignment: drops every k-th datagram.
lossy_echo_server = load_example("packets", "lossy_echo_server")

PI_DAY = datetime(2025, 3, 14, 15, 9, 26, 535000, tzinfo=timezone.utc)


# The lab: the UDP time service ------------------------------------------------

def running_lab_server(max_requests: int) -> ServerThread:
    return ServerThread(time_lab.serve, time_lab.make_server(),
                        max_requests=max_requests)


class TestTimeLab:
    @pytest.mark.parametrize(
        ("request_bytes", "reply"),
        [
            (b"time", b"2025-03-14T15:09:26.535+00:00"),
            (b"unix", b"1741964966.535"),
            (b" TIME\n", b"2025-03-14T15:09:26.535+00:00"),
            (b"Unix", b"1741964966.535"),
        ],
        ids=["time", "unix", "time, upper case and whitespace", "unix, capital"],
    )
    def test_reply_tells_the_time_both_ways(self, request_bytes, reply):
        assert time_lab.reply_to(request_bytes, now=PI_DAY) == reply

    def test_time_reply_is_in_utc_even_for_another_zone(self):
        paris = PI_DAY.astimezone(timezone(timedelta(hours=1)))
        assert time_lab.reply_to(b"time", now=paris) == (
            b"2025-03-14T15:09:26.535+00:00")

    @pytest.mark.parametrize(
        ("request_bytes", "reply"),
        [
            (b"", b"error: empty request"),
            (b"x" * 65, b"error: request too long (max 64 bytes)"),
            (b"date", b"error: unknown request b'date'; try time or unix"),
            (b"\x00\xff" * 20,
             b"error: unknown request " + repr(b"\x00\xff" * 10).encode()
             + b"; try time or unix"),
        ],
        ids=["empty", "too long", "unknown", "binary garbage"],
    )
    def test_bad_requests_get_error_replies(self, request_bytes, reply):
        assert time_lab.reply_to(request_bytes, now=PI_DAY) == reply

    def test_reply_without_now_uses_the_current_time(self):
        reply = float(time_lab.reply_to(b"unix"))
        assert abs(reply - time.time()) < 30

    def test_server_survives_empty_oversized_and_garbage_datagrams(self):
        datagrams = [b"", b"q" * 65_507, b"\xde\xad\xbe\xef", b"unix"]
        with running_lab_server(max_requests=len(datagrams)) as server:
            replies = [exchange(server.address, data) for data in datagrams]
            server.wait()
        assert replies[0] == b"error: empty request"
        assert replies[1] == b"error: request too long (max 64 bytes)"
        assert replies[2].startswith(b"error: unknown request")
        assert abs(float(replies[3]) - time.time()) < 30

    def test_client_asks_and_returns_the_reply_bytes(self):
        with running_lab_server(max_requests=2) as server:
            iso = time_lab.ask(b"time", *server.address, timeout=SOCKET_TIMEOUT)
            error = time_lab.ask(b"when?", *server.address, timeout=SOCKET_TIMEOUT)
        assert datetime.fromisoformat(iso.decode()).utcoffset() == timedelta(0)
        assert error.startswith(b"error: unknown request")

    def test_client_raises_timeout_error_when_nobody_answers(self):
        with udp_socket() as silent:
            silent.bind(("127.0.0.1", 0))
            started = time.monotonic()
            with pytest.raises(TimeoutError):
                time_lab.ask(b"time", *silent.getsockname(), timeout=0.3)
            waited = time.monotonic() - started
        assert 0.25 < waited < SOCKET_TIMEOUT

    def test_client_ignores_a_datagram_from_another_sender(self):
        with udp_socket() as server, udp_socket() as stranger:
            server.bind(("127.0.0.1", 0))

            def answer_after_a_stranger():
                _, client = server.recvfrom(1024)
                stranger.sendto(b"spoofed", client)
                time.sleep(0.05)
                server.sendto(b"genuine", client)

            thread = threading.Thread(target=answer_after_a_stranger)
            thread.start()
            try:
                reply = time_lab.ask(b"time", *server.getsockname(),
                                     timeout=SOCKET_TIMEOUT)
            finally:
                thread.join(SOCKET_TIMEOUT)
        assert reply == b"genuine"

    def test_lab_scripts_server_and_client_talk_to_each_other(self):
        with run_example("packets", TIME_LAB, "server") as (_, host, port):
            result = run_script("packets", TIME_LAB, "client", "unix",
                                "--port", str(port))
        assert host == "127.0.0.1"
        assert result.returncode == 0, result.stderr
        assert abs(float(result.stdout) - time.time()) < 30

    def test_lab_client_script_accepts_a_host_name_like_localhost(self):
        with run_example("packets", TIME_LAB, "server") as (_, host, port):
            result = run_script("packets", TIME_LAB, "client", "unix",
                                "--host", "localhost", "--port", str(port),
                                "--timeout", str(SOCKET_TIMEOUT))
        assert result.returncode == 0, result.stderr
        assert abs(float(result.stdout) - time.time()) < 30

    def test_lab_script_explains_its_usage_with_help(self):
        result = run_script("packets", TIME_LAB, "--help")
        assert result.returncode == 0
        assert "server" in result.stdout and "client" in result.stdout


# The assignment: a UDP ping client ------------------------------------------

def lossy_server(drop_every: int = 0, delay: float = 0.0) -> ServerThread:
    return ServerThread(lossy_echo_server.serve, lossy_echo_server.make_server(),
                        drop_every=drop_every, delay=delay)


def ping(address, count, timeout=0.3, retries=0):
    lines: list[str] = []
    results = udp_ping.ping_all(*address, count=count, timeout=timeout,
                                retries=retries, report=lines.append)
    return results, lines


RTT_LINE = re.compile(r"seq=(\d+) rtt=(\d+\.\d{3}) ms")


class TestUdpPing:
    def test_every_ping_is_answered_by_a_server_that_drops_nothing(self):
        with lossy_server() as server:
            results, lines = ping(server.address, count=5)
        assert [result.sequence for result in results] == [1, 2, 3, 4, 5]
        assert all(result.rtt is not None and result.tries == 1
                   for result in results)
        assert all(0 < result.rtt < 0.3 for result in results)
        assert [RTT_LINE.fullmatch(line)[1] for line in lines] == list("12345")

    def test_without_retries_every_kth_ping_is_lost(self):
        with lossy_server(drop_every=4) as server:
            results, lines = ping(server.address, count=8, retries=0)
        lost = [result.sequence for result in results if result.rtt is None]
        assert lost == [4, 8]
        assert lines[3] == "seq=4 lost after 1 tries"
        assert udp_ping.summarize(results).startswith(
            "8 pings, 6 replies, 25.0% loss, rtt min/avg/max ")

    def test_a_retry_recovers_a_dropped_ping(self):
        # Datagrams 3 and 6 are dropped: ping 3's first try, then ping 5's.
        with lossy_server(drop_every=3) as server:
            results, lines = ping(server.address, count=5, retries=2)
        assert [result.tries for result in results] == [1, 1, 2, 1, 2]
        assert all(result.rtt is not None for result in results)
        assert RTT_LINE.match(lines[2])
        assert lines[2].endswith(" ms after 2 tries")
        assert udp_ping.summarize(results).startswith(
            "5 pings, 5 replies, 0.0% loss")

    def test_a_ping_is_lost_only_after_all_its_tries(self):
        with lossy_server(drop_every=1) as server:  # drops everything
            started = time.monotonic()
            results, lines = ping(server.address, count=2, timeout=0.2,
                                  retries=2)
            waited = time.monotonic() - started
        assert lines == ["seq=1 lost after 3 tries", "seq=2 lost after 3 tries"]
        assert udp_ping.summarize(results) == "2 pings, 0 replies, 100.0% loss"
        assert 6 * 0.2 * 0.9 < waited < 6 * 0.2 + SOCKET_TIMEOUT

    def test_a_late_echo_counts_for_its_own_ping_only(self):
        # Echoes come 0.3 s late; each try waits 0.2 s. A late echo of an
        # earlier ping must never be taken for the current one.
        with lossy_server(delay=0.3) as server:
            results, _ = ping(server.address, count=3, timeout=0.2, retries=3)
        answered = [result for result in results if result.rtt is not None]
        assert answered, "a late echo of the same ping counts"
        assert all(result.rtt >= 0.29 for result in answered)
        assert all(result.tries >= 2 for result in answered)

    def test_an_echo_from_another_address_or_of_garbage_is_ignored(self):
        with udp_socket() as server, udp_socket() as stranger:
            server.bind(("127.0.0.1", 0))

            def confuse_then_echo():
                data, client = server.recvfrom(1024)
                stranger.sendto(data, client)  # the right bytes, wrong sender
                server.sendto(b"ping 1", client)  # too short
                server.sendto(b"ping 1 x", client)  # not a try number
                server.sendto(b"ping 1 9", client)  # a try never sent
                time.sleep(0.05)
                server.sendto(data, client)

            thread = threading.Thread(target=confuse_then_echo)
            thread.start()
            try:
                results, lines = ping(server.getsockname(), count=1,
                                      timeout=SOCKET_TIMEOUT)
            finally:
                thread.join(SOCKET_TIMEOUT)
        assert results[0].rtt is not None and results[0].tries == 1
        assert results[0].rtt >= 0.04  # measured to the real echo

    def test_pings_are_the_datagrams_of_the_protocol(self):
        with udp_socket() as server:
            server.bind(("127.0.0.1", 0))

            def drop_first_then_echo():
                first, client = server.recvfrom(1024)
                second, client = server.recvfrom(1024)
                server.sendto(second, client)
                received.extend([first, second])

            received: list[bytes] = []
            thread = threading.Thread(target=drop_first_then_echo)
            thread.start()
            try:
                ping(server.getsockname(), count=1, timeout=0.3, retries=1)
            finally:
                thread.join(SOCKET_TIMEOUT)
        assert received == [b"ping 1 1", b"ping 1 2"]

    @pytest.mark.parametrize(
        ("results", "summary"),
        [
            ([(1, 0.001, 1), (2, 0.003, 1)],
             "2 pings, 2 replies, 0.0% loss, rtt min/avg/max 1.000/2.000/3.000 ms"),
            ([(1, None, 3), (2, 0.0005, 2), (3, None, 3)],
             "3 pings, 1 replies, 66.7% loss, rtt min/avg/max 0.500/0.500/0.500 ms"),
            ([(1, None, 1)], "1 pings, 0 replies, 100.0% loss"),
        ],
        ids=["all answered", "some lost", "all lost"],
    )
    def test_summary_reports_loss_and_rtts_in_milliseconds(self, results, summary):
        pings = [udp_ping.PingResult(*result) for result in results]
        assert udp_ping.summarize(pings) == summary

    @pytest.mark.parametrize(
        ("result", "line"),
        [
            ((1, 0.000213, 1), "seq=1 rtt=0.213 ms"),
            ((2, 0.0125, 2), "seq=2 rtt=12.500 ms after 2 tries"),
            ((3, None, 3), "seq=3 lost after 3 tries"),
        ],
        ids=["first try", "after a retry", "lost"],
    )
    def test_each_ping_gets_one_line(self, result, line):
        assert udp_ping.format_result(udp_ping.PingResult(*result)) == line

    def test_ping_script_reports_rtts_and_loss_against_the_lossy_server(self):
        with run_example("packets", "lossy_echo_server", "--drop-every", "2") as (
            _, host, port
        ):
            result = run_script("packets", UDP_PING, "--port", str(port),
                                "--count", "4", "--timeout", "0.3",
                                "--retries", "0")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert [RTT_LINE.fullmatch(line) is not None for line in lines[:4]] == [
            True, False, True, False]
        assert lines[1] == "seq=2 lost after 1 tries"
        assert lines[4].startswith("4 pings, 2 replies, 50.0% loss, rtt ")

    def test_ping_script_accepts_a_host_name_like_localhost(self):
        with run_example("packets", "lossy_echo_server") as (_, host, port):
            result = run_script("packets", UDP_PING, "--host", "localhost",
                                "--port", str(port), "--count", "2",
                                "--timeout", str(SOCKET_TIMEOUT),
                                "--retries", "0")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[2].startswith(
            "2 pings, 2 replies, 0.0% loss")

    def test_ping_script_exits_1_when_nothing_comes_back(self):
        with udp_socket() as silent:
            silent.bind(("127.0.0.1", 0))
            result = run_script("packets", UDP_PING, "--port",
                                str(silent.getsockname()[1]), "--count", "1",
                                "--timeout", "0.2", "--retries", "1")
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            "seq=1 lost after 2 tries", "1 pings, 0 replies, 100.0% loss"]
        assert "Traceback" not in result.stderr

    def test_ping_script_explains_its_usage_with_help(self):
        result = run_script("packets", UDP_PING, "--help")
        assert result.returncode == 0
        assert result.stdout.startswith(f"usage: {IMPL}.py")

    def test_ping_script_rejects_a_negative_retry_count(self):
        result = run_script("packets", UDP_PING, "--retries", "-1")
        assert result.returncode == 2
        assert "--retries >= 0" in result.stderr


# Given code: the command line -------------------------------------------------

@pytest.mark.parametrize(("script", "args"), [
    (TIME_LAB, ["server"]),
    (TIME_LAB, ["client"]),
    (UDP_PING, []),
], ids=["time lab server", "time lab client", "udp ping"])
def test_exercise_script_refuses_a_port_out_of_range(script, args):
    result = run_script("packets", script, *args, "--port", "99999")
    assert result.returncode == 2  # argparse's usage error, no traceback
    assert "99999 is not a port number (0 to 65535)" in result.stderr
    assert "Traceback" not in result.stderr


# The tests tell the starters from the solutions --------------------------------

GIVEN_CODE_TESTS = {
    "test_lab_script_explains_its_usage_with_help",
    "test_ping_script_explains_its_usage_with_help",
    "test_ping_script_rejects_a_negative_retry_count",
}


@pytest.mark.skipif(IMPL != "solution", reason="run from the solutions' run")
def test_exercise_tests_fail_against_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_packets_exercises.py",
        ("TestTimeLab", "TestUdpPing"),
        GIVEN_CODE_TESTS,
        tmp_path,
    )
