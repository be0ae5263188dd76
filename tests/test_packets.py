"""Tests of the example programs of lecture 2, "UDP, raw packets and addresses".

Servers run for real on 127.0.0.1 at ports the OS picks, in a thread or as
the script a student starts. The sniffer captures live on the loopback
device (as root, like CI) while the tests send real UDP and TCP traffic,
and it must report exactly those packets. Capture files are checked
against dpkt, an independent reader.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
from datetime import datetime, timedelta, timezone

import dpkt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import (
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    example_path,
    in_thread,
    load_example,
    make_listener,
    read_exactly,
    reset_connection,
    run_example,
    run_script,
    script_env,
    start_example,
)
from tests.guards import children_of
from tests.support_packets import (
    exchange,
    is_root,
    needs_root,
    nothing_comes_back,
    require_tool,
    sniffing,
    tool_capturing,
    udp_socket,
)
from tests.test_packets_decoder import assert_decoders_agree

udp_time_server = load_example("packets", "udp_time_server")
udp_time_client = load_example("packets", "udp_time_client")
lossy_echo_server = load_example("packets", "lossy_echo_server")
socketserver_demo = load_example("packets", "socketserver_demo")
capture_files = load_example("packets", "capture_files")
decoder = load_example("packets", "decoder")
sniffer = load_example("packets", "sniffer")
record_sample = load_example("packets", "record_sample")

CHECKS = settings(
    max_examples=100, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PI_DAY = datetime(2025, 3, 14, 15, 9, 26, 535000, tzinfo=timezone.utc)


# The UDP time server -----------------------------------------------------------

def running_time_server(max_requests: int | None = None) -> ServerThread:
    return ServerThread(udp_time_server.serve, udp_time_server.make_server(),
                        max_requests=max_requests)


@pytest.mark.parametrize("request_bytes", [b"time", b"TIME", b" time\n"],
                         ids=["lower", "upper", "whitespace"])
def test_time_reply_is_the_utc_time_in_iso_format(request_bytes):
    reply = udp_time_server.reply_to(request_bytes, now=PI_DAY)
    assert reply == b"2025-03-14T15:09:26.535+00:00"


@pytest.mark.parametrize(
    ("request_bytes", "reply"),
    [
        (b"", b"error: empty request"),
        (b"x" * 65, b"error: request too long (max 64 bytes)"),
        (b"date", b"error: unknown request b'date'"),
        (b"\xff\x00garbage", b"error: unknown request b'\\xff\\x00garbage'"),
        (b"t" * 64, b"error: unknown request b'tttttttttttttttttttt'"),
    ],
    ids=["empty", "too long", "unknown", "binary garbage", "64 bytes: not too long"],
)
def test_time_server_answers_bad_requests_with_an_error(request_bytes, reply):
    assert udp_time_server.reply_to(request_bytes, now=PI_DAY) == reply


def test_time_server_answers_over_udp_with_the_current_time():
    with running_time_server(max_requests=1) as server:
        reply = exchange(server.address, b"time")
        server.wait()
    served = datetime.fromisoformat(reply.decode())
    assert abs(served - datetime.now(timezone.utc)) < timedelta(seconds=30)


def test_time_server_survives_empty_oversized_and_garbage_datagrams():
    bad = [b"", b"x" * 65_507, bytes(range(256)) * 4, b"\x00", b"time?"]
    with running_time_server(max_requests=len(bad) + 1) as server:
        errors = [exchange(server.address, datagram) for datagram in bad]
        after = exchange(server.address, b"time")
        server.wait()
    assert errors == [
        b"error: empty request",
        b"error: request too long (max 64 bytes)",
        b"error: request too long (max 64 bytes)",
        b"error: unknown request b'\\x00'",
        b"error: unknown request b'time?'",
    ]
    assert datetime.fromisoformat(after.decode()).tzinfo is not None


def test_time_server_goes_on_when_a_client_leaves_before_its_reply():
    with running_time_server(max_requests=2) as server:
        with udp_socket() as gone:
            gone.sendto(b"time", server.address)
        reply = exchange(server.address, b"time")
        server.wait()
    assert reply.startswith(b"20")


def test_time_server_answers_each_client_at_its_own_address():
    with running_time_server(max_requests=2) as server:
        with udp_socket() as first, udp_socket() as second:
            first.sendto(b"time", server.address)
            second.sendto(b"nope", server.address)
            first_reply = first.recvfrom(1024)[0]
            second_reply = second.recvfrom(1024)[0]
        server.wait()
    assert first_reply.startswith(b"20")
    assert second_reply == b"error: unknown request b'nope'"


def test_time_client_gets_the_time_from_the_server():
    with running_time_server(max_requests=1) as server:
        reply = udp_time_client.ask_time(*server.address, timeout=SOCKET_TIMEOUT)
    assert datetime.fromisoformat(reply).tzinfo is not None


def test_time_client_times_out_when_nobody_answers():
    with udp_socket() as silent:  # bound, but never replies
        silent.bind(("127.0.0.1", 0))
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            udp_time_client.ask_time(*silent.getsockname(), timeout=0.3)
        waited = time.monotonic() - started
    assert 0.25 < waited < SOCKET_TIMEOUT


def test_time_client_ignores_a_datagram_from_another_sender():
    with udp_socket() as server, udp_socket() as stranger:
        server.bind(("127.0.0.1", 0))

        def answer_after_a_stranger():
            request, client = server.recvfrom(1024)
            stranger.sendto(b"not the time", client)
            time.sleep(0.05)
            server.sendto(b"the real reply", client)

        thread = threading.Thread(target=answer_after_a_stranger)
        thread.start()
        try:
            reply = udp_time_client.ask_time(*server.getsockname(),
                                             timeout=SOCKET_TIMEOUT)
        finally:
            thread.join(SOCKET_TIMEOUT)
    assert reply == "the real reply"


def test_time_scripts_server_and_client_talk_to_each_other():
    with run_example("packets", "udp_time_server") as (_, host, port):
        result = run_script("packets", "udp_time_client", "--port", str(port))
    assert host == "127.0.0.1"
    assert result.returncode == 0, result.stderr
    assert datetime.fromisoformat(result.stdout.strip()).tzinfo is not None


def test_time_client_script_accepts_a_host_name_like_localhost():
    # recvfrom reports the reply's sender as ("127.0.0.1", port): a client
    # that compares it with ("localhost", port) hears "no reply".
    with run_example("packets", "udp_time_server") as (_, host, port):
        result = run_script("packets", "udp_time_client", "--host",
                            "localhost", "--port", str(port), "--timeout",
                            str(SOCKET_TIMEOUT))
    assert result.returncode == 0, result.stderr
    assert datetime.fromisoformat(result.stdout.strip()).tzinfo is not None


def test_time_client_script_reports_a_lost_reply_without_a_traceback():
    with udp_socket() as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        result = run_script("packets", "udp_time_client", "--port", str(port),
                            "--timeout", "0.3")
    assert result.returncode == 1
    assert f"no reply from 127.0.0.1:{port} within 0.3 s" in result.stderr
    assert "Traceback" not in result.stderr


def test_time_server_script_reports_a_port_already_in_use():
    with udp_socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        result = run_script("packets", "udp_time_server", "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("script", [
    "udp_time_server", "udp_time_client", "lossy_echo_server",
    "socketserver_demo", "sniffer", "decoder", "record_sample",
])
def test_script_explains_its_usage_with_help(script):
    result = run_script("packets", script, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: {script}.py")


@pytest.mark.parametrize(("script", "args"), [
    ("udp_time_server", []),
    ("udp_time_client", []),
    ("lossy_echo_server", []),
    ("socketserver_demo", []),
    ("socketserver_demo", ["--protocol", "udp"]),
    ("sniffer", ["--pcap", "examples/packets/sample.pcap"]),
], ids=["udp_time_server", "udp_time_client", "lossy_echo_server",
        "socketserver_demo tcp", "socketserver_demo udp", "sniffer filter"])
@pytest.mark.parametrize("port", ["99999", "-1"])
def test_script_refuses_a_port_out_of_range_as_a_usage_error(script, args,
                                                             port):
    result = run_script("packets", script, *args, "--port", port)
    assert result.returncode == 2  # argparse's usage error, no traceback
    assert f"{port} is not a port number (0 to 65535)" in result.stderr
    assert "Traceback" not in result.stderr


# The lossy echo server ----------------------------------------------------------

def test_lossy_server_drops_exactly_every_kth_datagram():
    server = lossy_echo_server.make_server()
    with ServerThread(lossy_echo_server.serve, server, drop_every=3,
                      max_datagrams=7) as running:
        answered = []
        with udp_socket() as client:
            for number in range(1, 8):
                client.sendto(f"#{number}".encode(), running.address)
                if not nothing_comes_back(client):
                    answered.append(number)
        running.wait()
    assert answered == [1, 2, 4, 5, 7]


def test_lossy_server_drops_nothing_by_default_and_echoes_any_bytes():
    datagrams = [b"", bytes(range(256)), b"ping 1 1", b"x" * 2048]
    server = lossy_echo_server.make_server()
    with ServerThread(lossy_echo_server.serve, server,
                      max_datagrams=len(datagrams)) as running:
        replies = [exchange(running.address, data) for data in datagrams]
    assert replies == datagrams


def test_lossy_server_cuts_an_oversized_datagram_and_goes_on():
    server = lossy_echo_server.make_server()
    with ServerThread(lossy_echo_server.serve, server, max_datagrams=2) as running:
        cut = exchange(running.address, b"y" * 10_000)
        after = exchange(running.address, b"still here")
    assert cut == b"y" * lossy_echo_server.MAX_DATAGRAM
    assert after == b"still here"


def test_lossy_server_delays_its_replies():
    server = lossy_echo_server.make_server()
    with ServerThread(lossy_echo_server.serve, server, delay=0.3,
                      max_datagrams=1) as running:
        started = time.monotonic()
        reply = exchange(running.address, b"slow")
        waited = time.monotonic() - started
    assert reply == b"slow"
    assert 0.25 < waited < SOCKET_TIMEOUT


def test_lossy_server_script_drops_as_told():
    with run_example("packets", "lossy_echo_server", "--drop-every", "2") as (
        _, host, port
    ):
        with udp_socket() as client:
            client.sendto(b"one", (host, port))
            first = client.recvfrom(100)[0]
            client.sendto(b"two", (host, port))
            second_lost = nothing_comes_back(client)
    assert first == b"one"
    assert second_lost


def test_lossy_server_script_rejects_a_negative_drop_rate():
    result = run_script("packets", "lossy_echo_server", "--drop-every", "-1")
    assert result.returncode == 2
    assert "cannot be negative" in result.stderr


# socketserver: TCP and UDP, plain, threading, forking ----------------------------

WORKER = re.compile(rb"\[pid (\d+) ([^\]]+)\] (.*)", re.DOTALL)


def served_by(reply: bytes) -> tuple[int, str, bytes]:
    """(pid, thread name, echoed data) from a demo server's reply."""
    match = WORKER.fullmatch(reply)
    assert match, reply
    return int(match[1]), match[2].decode(), match[3]


@pytest.mark.parametrize("mode", ["plain", "threading"])
def test_socketserver_tcp_echoes_each_line_and_names_its_worker(mode):
    server = socketserver_demo.make_server("tcp", mode)
    with socketserver_demo.running(server) as address:
        with connect(address) as client, client.makefile("rwb") as stream:
            replies = []
            for line in (b"one\n", b"two\n"):
                stream.write(line)
                stream.flush()
                replies.append(stream.readline())
    workers = [served_by(reply) for reply in replies]
    assert [data for *_, data in workers] == [b"one\n", b"two\n"]
    assert {pid for pid, *_ in workers} == {os.getpid()}


def test_socketserver_threading_tcp_uses_a_new_thread_per_connection():
    server = socketserver_demo.make_server("tcp", "threading")
    with socketserver_demo.running(server) as address:
        names = {served_by(socketserver_demo.ask_tcp(address, b"hi"))[1]
                 for _ in range(3)}
    assert len(names) == 3
    assert all("process_request_thread" in name for name in names)


def test_socketserver_plain_tcp_serves_all_in_the_serve_forever_thread():
    server = socketserver_demo.make_server("tcp", "plain")
    with socketserver_demo.running(server) as address:
        names = {served_by(socketserver_demo.ask_tcp(address, b"hi"))[1]
                 for _ in range(3)}
    assert len(names) == 1
    assert "serve_forever" in names.pop()


def test_socketserver_plain_tcp_waits_for_a_silent_client_threading_does_not():
    for mode, answered in (("threading", True), ("plain", False)):
        server = socketserver_demo.make_server("tcp", mode)
        with socketserver_demo.running(server) as address:
            with connect(address) as silent:
                silent.sendall(b"first\n")
                silent.recv(100)  # now its handler waits for the next line
                try:
                    socketserver_demo.ask_tcp(address, b"second", timeout=0.5)
                    got_reply = True
                except TimeoutError:
                    got_reply = False
        assert got_reply == answered, mode


def test_socketserver_tcp_refuses_an_overlong_line_and_serves_the_next_client():
    server = socketserver_demo.make_server("tcp", "threading")
    with socketserver_demo.running(server) as address:
        refused = socketserver_demo.ask_tcp(address, b"z" * 5000)
        after = socketserver_demo.ask_tcp(address, b"short")
    assert refused == b"error: line too long"
    assert served_by(after + b"\n")[2] == b"short\n"


def test_socketserver_tcp_logs_a_reset_client_and_goes_on(capsys):
    server = socketserver_demo.make_server("tcp", "plain")
    with socketserver_demo.running(server) as address:
        with connect(address) as rude:
            rude.sendall(b"x" * 100)  # no newline: the handler is mid-line
            time.sleep(0.1)
            reset_connection(rude)
        after = socketserver_demo.ask_tcp(address, b"next")
    assert served_by(after + b"\n")[2] == b"next\n"
    assert "failed" in capsys.readouterr().err


@pytest.mark.parametrize("mode", ["plain", "threading"])
def test_socketserver_udp_echoes_any_datagram_even_empty(mode):
    server = socketserver_demo.make_server("udp", mode)
    with socketserver_demo.running(server) as address:
        replies = [socketserver_demo.ask_udp(address, data)
                   for data in (b"", b"\xff\x00", b"datagram")]
    assert [served_by(reply)[2] for reply in replies] == [
        b"", b"\xff\x00", b"datagram"]


def test_socketserver_udp_cuts_an_oversized_datagram_to_max_line():
    server = socketserver_demo.make_server("udp", "plain")
    with socketserver_demo.running(server) as address:
        reply = socketserver_demo.ask_udp(address, b"w" * 5000)
    assert served_by(reply)[2] == b"w" * socketserver_demo.MAX_LINE


def wait_for_no_children(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while children_of(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("protocol", ["tcp", "udp"])
def test_socketserver_forking_serves_each_request_in_a_reaped_child(protocol):
    ask = socketserver_demo.ask_tcp if protocol == "tcp" else socketserver_demo.ask_udp
    with start_example("packets", "socketserver_demo", "--protocol", protocol,
                       "--mode", "forking", "--port", "0") as started:
        process, address, output = started
        host, _, port = address.rpartition(":")
        pids = [served_by(ask((host, int(port)), b"fork"))[0] for _ in range(3)]
        reaped = wait_for_no_children(process.pid)
        process.terminate()  # SIGTERM: a clean stop, like Ctrl-C
        process.wait(SOCKET_TIMEOUT)
    assert process.pid not in pids
    assert len(set(pids)) == 3  # a new child each time
    assert reaped, "the forking server left children unreaped"
    assert process.returncode == 0
    assert "Traceback" not in output.stderr


def test_socketserver_script_prints_its_class_and_address():
    with run_example("packets", "socketserver_demo", "--protocol", "udp",
                     "--mode", "threading") as (process, host, port):
        reply = socketserver_demo.ask_udp((host, port), b"hello")
    assert served_by(reply)[2] == b"hello"


# Capture files -------------------------------------------------------------------

SAMPLE = sniffer.SAMPLE_CAPTURE  # examples/packets/sample.pcap


def dpkt_records(path):
    with open(path, "rb") as stream:
        return [(timestamp, bytes(frame))
                for timestamp, frame in dpkt.pcap.Reader(stream)]


def test_sample_capture_reads_the_same_with_dpkt_and_decodes_the_same():
    capture = capture_files.read_pcap(SAMPLE.read_bytes())
    theirs = dpkt_records(SAMPLE)
    assert capture.problem is None
    assert capture.link == "ethernet"
    assert [record.data for record in capture.records] == [f for _, f in theirs]
    for record, (timestamp, _) in zip(capture.records, theirs, strict=True):
        assert record.timestamp == pytest.approx(float(timestamp), abs=1e-6)
        assert_decoders_agree(record.data, "ethernet")


def test_sample_capture_holds_the_traffic_the_lecture_describes():
    capture = capture_files.read_pcap(SAMPLE.read_bytes())
    lines = [decoder.describe(decoder.decode(record.data))
             for record in capture.records]
    assert len(lines) == 13
    assert lines[0].startswith("UDP 127.0.0.1:") and lines[0].endswith("b'time'")
    assert "[SYN]" in lines[2] and "[SYN,ACK]" in lines[3]
    assert lines[5].endswith("data=5 b'hello'")
    assert "echo-request" in lines[10] and "echo-reply" in lines[11]
    assert lines[12].startswith("UDP [::1]:")


@pytest.mark.parametrize("nano", [False, True], ids=["microseconds", "nanoseconds"])
@pytest.mark.parametrize("linktype", [dpkt.pcap.DLT_EN10MB, dpkt.pcap.DLT_RAW],
                         ids=["ethernet", "raw ip"])
def test_read_pcap_reads_files_that_dpkt_wrote(tmp_path, nano, linktype):
    from tests.test_packets_decoder import PACKETS

    packets = list(PACKETS.values())[:5]
    if linktype == dpkt.pcap.DLT_EN10MB:
        packets = [bytes(12) + b"\x08\x00" + raw for raw in packets]
    path = tmp_path / "dpkt.pcap"
    with open(path, "wb") as stream:
        writer = dpkt.pcap.Writer(stream, linktype=linktype, nano=nano)
        for number, raw in enumerate(packets):
            writer.writepkt(raw, ts=1_700_000_000.25 + number)
    capture = capture_files.read_pcap(path.read_bytes())
    assert capture.link == ("ethernet" if linktype == 1 else "raw")
    assert [record.data for record in capture.records] == packets
    assert [record.timestamp for record in capture.records] == pytest.approx(
        [1_700_000_000.25 + number for number in range(5)])


def test_big_endian_pcap_is_read_too():
    frame = bytes(12) + b"\x08\x00" + bytes.fromhex("4500001c") + bytes(24)
    data = (b"\xa1\xb2\xc3\xd4" + struct.pack(">HHiIII", 2, 4, 0, 0, 65535, 1)
            + struct.pack(">IIII", 10, 500_000, len(frame), len(frame)) + frame)
    capture = capture_files.read_pcap(data)
    assert capture.records[0].data == frame
    assert capture.records[0].timestamp == 10.5


def test_pcap_writer_output_is_read_by_dpkt(tmp_path):
    from tests.test_packets_decoder import PACKETS

    frames = [bytes(12) + b"\x08\x00" + raw for raw in PACKETS.values()]
    path = tmp_path / "ours.pcap"
    capture_files.write_pcap(path, frames)
    assert [frame for _, frame in dpkt_records(path)] == frames


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "a pcap file starts with a 24-byte header; this one has 0 bytes"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "not a pcap file: magic 47455420"),
        (b"\xd4\xc3\xb2\xa1" + struct.pack("<HHiIII", 2, 4, 0, 0, 65535, 147),
         "link-layer type 147 not supported"),
    ],
    ids=["empty", "not pcap", "unknown link type"],
)
def test_read_pcap_refuses_what_is_not_a_pcap_file(data, message):
    with pytest.raises(capture_files.CaptureFileError, match=re.escape(message)):
        capture_files.read_pcap(data)


def test_read_pcap_keeps_the_records_before_a_truncated_one():
    data = SAMPLE.read_bytes()
    capture = capture_files.read_pcap(data[:-10])
    assert len(capture.records) == 12
    assert capture.problem.startswith("record 13: ")


def test_read_pcap_refuses_an_unbelievable_record_length():
    data = bytearray(SAMPLE.read_bytes()[:24 + 16])
    data[24 + 8:24 + 12] = struct.pack("<I", 2**31)
    capture = capture_files.read_pcap(bytes(data))
    assert capture.records == []
    assert capture.problem == "record 1: length 2147483648 is not believable"


@CHECKS
@given(st.binary(max_size=300))
def test_random_bytes_after_a_pcap_header_never_crash_the_reader(tail):
    header = SAMPLE.read_bytes()[:24]
    capture = capture_files.read_pcap(header + tail)  # must not raise
    assert all(isinstance(record.data, bytes) for record in capture.records)


@CHECKS
@given(st.binary(max_size=64))
def test_random_files_are_refused_with_a_capture_file_error(data):
    try:
        capture_files.read_pcap(data)
    except capture_files.CaptureFileError:
        pass


# Hex dumps -----------------------------------------------------------------------

TCPDUMP_X = """\
# two packets, as tcpdump -x prints them
\t0x0000:  4500 0021 0001 0000 4011 7cca 7f00 0001
\t0x0010:  7f00 0001 9c40 c350 000d 0000 6865 6c6c
\t0x0020:  6f
\t0x0000:  4500 001c 0001 0000 4011 7ccf 7f00 0001
\t0x0010:  7f00 0001 9c40 c350 0008 0000
"""


def test_hex_dump_in_tcpdump_style_gives_the_packets():
    first, second = capture_files.parse_hex_dump(TCPDUMP_X)
    assert decoder.describe(decoder.decode(first, "raw")) == (
        "UDP 127.0.0.1:40000 > 127.0.0.1:50000 ip_len=33 data=5 b'hello'")
    assert decoder.decode(second, "raw").payload == b""


def test_hex_dump_accepts_plain_hex_separated_by_blank_lines():
    text = "45 00 00 1c\n00 01\n\nde ad be ef\n"
    assert capture_files.parse_hex_dump(text) == [
        bytes.fromhex("4500001c0001"), bytes.fromhex("deadbeef")]


def test_hex_dump_names_the_line_that_is_not_hex():
    with pytest.raises(capture_files.CaptureFileError,
                       match=r"line 2: not pairs of hex digits: '45 0'"):
        capture_files.parse_hex_dump("4500\n45 0\n")


@CHECKS
@given(st.text(max_size=200))
def test_random_text_is_parsed_or_refused_never_crashes(text):
    try:
        packets = capture_files.parse_hex_dump(text)
    except capture_files.CaptureFileError as error:
        assert str(error).startswith("line ")
    else:
        for raw in packets:
            decoder.describe(decoder.decode(raw, "raw"))


# The sniffer on files --------------------------------------------------------------

def test_sniffer_prints_one_line_per_packet_of_the_sample_capture():
    result = run_script("packets", "sniffer", "--pcap", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    capture = capture_files.read_pcap(SAMPLE.read_bytes())
    expected = [decoder.describe(decoder.decode(record.data))
                for record in capture.records]
    assert result.stdout.splitlines() == expected


def test_sniffer_port_filter_keeps_only_that_conversation():
    capture = capture_files.read_pcap(SAMPLE.read_bytes())
    tcp_port = decoder.decode(capture.records[2].data).transport.destination_port
    result = run_script("packets", "sniffer", "--pcap", str(SAMPLE),
                        "--port", str(tcp_port))
    lines = result.stdout.splitlines()
    assert len(lines) == 8
    assert all(line.startswith("TCP ") for line in lines)


def test_sniffer_reports_malformed_packets_and_goes_on(tmp_path):
    from tests.test_packets_decoder import PACKETS

    good = PACKETS["udp"]
    bad_ihl = b"\x44" + good[1:]
    cut_short = good[:25]
    path = tmp_path / "mixed.pcap"
    capture_files.write_pcap(path, [good, bad_ihl, b"\x00\x01", cut_short, good],
                             link_type=101)
    result = run_script("packets", "sniffer", "--pcap", str(path))
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0] == lines[4] == (
        "UDP 127.0.0.1:40000 > 127.0.0.1:50000 ip_len=33 data=5 b'hello'")
    assert lines[1] == "MALFORMED IPv4 IHL 4 is below the minimum 5"
    assert lines[2] == "MALFORMED not an IP packet: version field is 0"
    assert lines[3] == ("MALFORMED IPv4 total length 33 exceeds the 25 bytes "
                        "captured")


def test_sniffer_decodes_a_truncated_file_up_to_the_cut_and_says_so(tmp_path):
    path = tmp_path / "cut.pcap"
    path.write_bytes(SAMPLE.read_bytes()[:-10])
    result = run_script("packets", "sniffer", "--pcap", str(path))
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 12
    assert "stopped early: record 13:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", [b"", b"garbage" * 10, bytes(range(256))],
                         ids=["empty", "text", "binary"])
def test_sniffer_refuses_a_file_that_is_not_pcap_without_a_traceback(
    tmp_path, content
):
    path = tmp_path / "not.pcap"
    path.write_bytes(content)
    result = run_script("packets", "sniffer", "--pcap", str(path))
    assert result.returncode == 1
    assert f"sniffer: cannot read {path}" in result.stderr
    assert "Traceback" not in result.stderr


def test_sniffer_decodes_a_hex_dump_file(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text(TCPDUMP_X)
    result = run_script("packets", "sniffer", "--hex", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "UDP 127.0.0.1:40000 > 127.0.0.1:50000 ip_len=33 data=5 b'hello'",
        "UDP 127.0.0.1:40000 > 127.0.0.1:50000 ip_len=28 data=0",
    ]


def test_sniffer_reports_a_bad_hex_dump_line(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text("4500 001c\nxyz\n")
    result = run_script("packets", "sniffer", "--hex", str(path))
    assert result.returncode == 1
    assert "line 2: not pairs of hex digits" in result.stderr
    assert "Traceback" not in result.stderr


# Files that real tools wrote: snap lengths, -i any, pcapng, tcpdump -x -----------

TOOL_SAMPLES = example_path("packets", "sniffer").parent / "tool_samples"
# Every file in tool_samples/ holds the same nine packets (see its README).
SAMPLE_LINES = [
    "TCP 127.0.0.1:52386 > 127.0.0.1:45678 [SYN] seq=1151155699 win=65495 "
    "opts=mss,sack_ok,ts,nop,ws ip_len=60 data=0",
    "TCP 127.0.0.1:45678 > 127.0.0.1:52386 [SYN,ACK] seq=3955803049 "
    "ack=1151155700 win=65483 opts=mss,sack_ok,ts,nop,ws ip_len=60 data=0",
    "TCP 127.0.0.1:52386 > 127.0.0.1:45678 [ACK] seq=1151155700 "
    "ack=3955803050 win=64 opts=nop,nop,ts ip_len=52 data=0",
    "TCP 127.0.0.1:52386 > 127.0.0.1:45678 [PSH,ACK] seq=1151155700 "
    "ack=3955803050 win=64 opts=nop,nop,ts ip_len=292 data=240 "
    "b'hello hello hell'...",
    "TCP 127.0.0.1:45678 > 127.0.0.1:52386 [ACK] seq=3955803050 "
    "ack=1151155940 win=64 opts=nop,nop,ts ip_len=52 data=0",
    "TCP 127.0.0.1:45678 > 127.0.0.1:52386 [FIN,ACK] seq=3955803050 "
    "ack=1151155940 win=64 opts=nop,nop,ts ip_len=52 data=0",
    "TCP 127.0.0.1:52386 > 127.0.0.1:45678 [FIN,ACK] seq=1151155940 "
    "ack=3955803051 win=64 opts=nop,nop,ts ip_len=52 data=0",
    "TCP 127.0.0.1:45678 > 127.0.0.1:52386 [ACK] seq=3955803051 "
    "ack=1151155941 win=64 opts=nop,nop,ts ip_len=52 data=0",
    "UDP 127.0.0.1:56147 > 127.0.0.1:45678 ip_len=32 data=4 b'time'",
]


def sniffer_lines(*args: str) -> list[str]:
    result = run_script("packets", "sniffer", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize(("args", "link"), [
    (["--pcap", "lo.pcap"], "ethernet"),
    (["--pcap", "any-sll.pcap"], "linux_sll"),
    (["--pcap", "any-sll2.pcap"], "linux_sll2"),
    (["--pcap", "lo.pcapng"], "ethernet"),
    (["--hex", "lo-x.txt"], "raw"),
    (["--hex", "lo-xx.txt", "--link", "ethernet"], "ethernet"),
], ids=["tcpdump pcap", "tcpdump -i any, cooked v1", "tcpdump -i any, cooked v2",
        "dumpcap pcapng", "tcpdump -x", "tcpdump -xx"])
def test_sniffer_reads_each_file_that_real_tools_wrote(args, link):
    option, name, *rest = args
    assert sniffer_lines(option, str(TOOL_SAMPLES / name), *rest) == SAMPLE_LINES
    if option == "--pcap":
        capture = capture_files.read_pcap((TOOL_SAMPLES / name).read_bytes())
        assert capture.link == link and capture.problem is None


def test_tool_sample_agrees_with_dpkt():
    capture = capture_files.read_pcap((TOOL_SAMPLES / "lo.pcap").read_bytes())
    for record in capture.records:
        assert_decoders_agree(record.data, "ethernet")


def test_cooked_captures_carry_the_same_ip_packets_as_the_ethernet_one():
    def ip_packets(name: str, header: int) -> list[bytes]:
        capture = capture_files.read_pcap((TOOL_SAMPLES / name).read_bytes())
        return [record.data[header:] for record in capture.records]

    ethernet = ip_packets("lo.pcap", 14)
    assert ip_packets("any-sll.pcap", 16) == ethernet
    assert ip_packets("any-sll2.pcap", 20) == ethernet
    cooked = decoder.decode(
        capture_files.read_pcap((TOOL_SAMPLES / "any-sll2.pcap").read_bytes())
        .records[0].data, "linux_sll2")
    assert cooked.link.packet_type == "in" and cooked.link.ethertype == 0x0800


def test_a_snap_length_capture_is_truncated_not_malformed():
    # tcpdump -s 80 kept the first 80 bytes of the 306-byte data packet.
    lines = sniffer_lines("--pcap", str(TOOL_SAMPLES / "lo-snap80.pcap"))
    assert lines[3] == (
        "TCP 127.0.0.1:52386 > 127.0.0.1:45678 [PSH,ACK] seq=1151155700 "
        "ack=3955803050 win=64 opts=nop,nop,ts ip_len=292 data=14 "
        "b'hello hello he' [captured 80 of 306 bytes]")
    assert lines[:3] + lines[4:] == SAMPLE_LINES[:3] + SAMPLE_LINES[4:]


@pytest.mark.parametrize(("cut", "line"), [
    (40, "TRUNCATED TCP 127.0.0.1 > 127.0.0.1: TCP header needs 20 bytes, "
         "got 6 [captured 40 of 72 bytes]"),
    (30, "TRUNCATED IPv4 header needs 20 bytes, got 16 [captured 30 of 72 "
         "bytes]"),
    (60, "TCP 127.0.0.1:40000 > 127.0.0.1:50000 [PSH,ACK] seq=1000 ack=2000 "
         "win=65535 ip_len=58 data=6 b'GET / ' [captured 60 of 72 bytes]"),
], ids=["cut in the TCP header", "cut in the IP header", "cut in the data"])
def test_a_header_cut_by_the_snap_length_is_reported_as_truncated(tmp_path, cut,
                                                                  line):
    from tests.test_packets_decoder import TCP_PACKET

    frame = bytes(12) + b"\x08\x00" + TCP_PACKET
    path = tmp_path / "snapped.pcap"
    with capture_files.PcapWriter(path, snaplen=cut) as writer:
        writer.write(frame[:cut], original_length=len(frame))
    assert sniffer_lines("--pcap", str(path)) == [line]


def pcapng(order: str, packets: list[bytes], resolution: int = 6,
           link_type: int = 1, simple: bool = False) -> bytes:
    """A pcapng file, built here field by field (pcapng spec, section 4):
    a section header, one interface with if_tsresol, one block per packet."""
    def block(kind: int, body: bytes) -> bytes:
        body += bytes(-len(body) % 4)
        length = 12 + len(body)
        return (struct.pack(order + "II", kind, length) + body
                + struct.pack(order + "I", length))

    section = block(0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    tsresol = struct.pack(order + "HH", 9, 1) + bytes([resolution, 0, 0, 0])
    end = struct.pack(order + "HH", 0, 0)
    interface = block(1, struct.pack(order + "HHI", link_type, 0, 65535)
                      + tsresol + end)
    blocks = []
    for number, data in enumerate(packets):
        if simple:
            blocks.append(block(3, struct.pack(order + "I", len(data)) + data))
            continue
        stamp = (1_700_000_000 + number) * 10 ** resolution + 5
        blocks.append(block(6, struct.pack(order + "IIIII", 0, stamp >> 32,
                                           stamp & 0xFFFFFFFF, len(data),
                                           len(data)) + data))
    return section + interface + b"".join(blocks)


@pytest.mark.parametrize("order", ["<", ">"], ids=["little-endian", "big-endian"])
@pytest.mark.parametrize("resolution", [6, 9], ids=["microseconds", "nanoseconds"])
def test_pcapng_is_read_in_both_byte_orders_with_its_time_resolution(order,
                                                                     resolution):
    from tests.test_packets_decoder import PACKETS

    packets = list(PACKETS.values())[:4]
    capture = capture_files.read_pcap(pcapng(order, packets, resolution,
                                             link_type=101))
    assert capture.problem is None and capture.link == "raw"
    assert [record.data for record in capture.records] == packets
    assert [record.timestamp for record in capture.records] == pytest.approx(
        [1_700_000_000 + number + 5 / 10 ** resolution for number in range(4)])


def test_pcapng_simple_packet_blocks_are_read_too():
    from tests.test_packets_decoder import PACKETS

    packets = list(PACKETS.values())[:2]
    capture = capture_files.read_pcap(pcapng("<", packets, link_type=101,
                                             simple=True))
    assert [record.data for record in capture.records] == packets


def test_pcapng_cut_short_keeps_the_packets_before_and_says_so():
    data = (TOOL_SAMPLES / "lo.pcapng").read_bytes()
    whole = capture_files.read_pcap(data)
    capture = capture_files.read_pcap(data[:-200])  # the end: statistics
    assert capture.records == whole.records[:len(capture.records)]
    assert len(capture.records) < 9
    assert capture.problem.startswith(f"after packet {len(capture.records)}")


@CHECKS
@given(st.binary(max_size=300))
def test_random_bytes_after_a_pcapng_header_never_crash_the_reader(tail):
    head = pcapng("<", [], link_type=1)
    try:
        capture = capture_files.read_pcap(head + tail)
    except capture_files.CaptureFileError:
        return
    assert all(isinstance(record.data, bytes) for record in capture.records)


class CountingFile(io.BufferedReader):
    """A binary file that counts the bytes read through it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


@pytest.mark.parametrize("kind", ["pcap", "pcapng"])
def test_reading_the_first_records_reads_only_those(tmp_path, kind):
    frame = bytes(12) + b"\x08\x00" + bytes(1000)
    path = tmp_path / f"big.{kind}"
    if kind == "pcap":
        capture_files.write_pcap(path, [frame] * 4000)
    else:
        path.write_bytes(pcapng("<", [frame] * 4000))
    assert path.stat().st_size > 4_000_000
    with CountingFile(io.FileIO(path), buffer_size=1) as file:
        records = list(itertools.islice(capture_files.open_capture(file), 3))
        assert len(records) == 3
        assert file.bytes_read < 4 * 1100


def test_sniffer_count_3_on_a_large_file_does_not_read_it_whole(tmp_path, capsys):
    frame = bytes(12) + b"\x08\x00" + bytes.fromhex(
        "4500001c0001000040117cce7f0000017f000001d431c3cb00080000")
    path = tmp_path / "large.pcap"
    capture_files.write_pcap(path, [frame + bytes(1000)] * 5000)
    assert path.stat().st_size > 5_000_000
    tracemalloc.start()
    try:
        status = sniffer.main(["--pcap", str(path), "--count", "3"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert peak < 1_000_000  # the whole file would be 5 MB


def packets_in(path, port: int) -> int:
    """How many packets to or from port a capture file or a tcpdump -x
    text holds so far."""
    if path.suffix == ".txt":  # count tcpdump's summary lines
        ends = (f".{port} ", f".{port}:")
        return sum(1 for line in path.read_text().splitlines()
                   if not line[:1].isspace() and any(end in line for end in ends))
    try:
        capture = capture_files.read_pcap(path.read_bytes())
    except capture_files.CaptureFileError:
        return 0
    return sum(1 for record in capture.records if sniffer.involves_ports(
        decoder.decode(record.data, capture.link, record.original_length),
        {port}))


def wait_for_packets(files, port: int, count: int, poke=None) -> None:
    """Wait until every file holds `count` packets of port; poke() now and
    then (a tool may say it listens a moment before it captures)."""
    deadline = time.monotonic() + 20
    next_poke = 0.0
    while time.monotonic() < deadline:
        if all(packets_in(path, port) >= count for path in files.values()):
            return
        if poke is not None and time.monotonic() >= next_poke:
            poke()
            next_poke = time.monotonic() + 1
        time.sleep(0.1)
    counts = {name: packets_in(path, port) for name, path in files.items()}
    raise AssertionError(f"not {count} packets in every file: {counts}")


TRAFFIC = """\
import socket, sys
port = int(sys.argv[1])
with socket.create_server(("127.0.0.1", port)) as listener:
    with socket.create_connection(("127.0.0.1", port)) as client:
        conn, _ = listener.accept()
        with conn:
            client.sendall(b"hello " * 40)
            conn.recv(4096)
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
    udp.sendto(b"time", ("127.0.0.1", port))
"""


@needs_root
def test_sniffer_reads_what_tcpdump_and_dumpcap_record_now(tmp_path):
    tcpdump = require_tool("tcpdump", "tcpdump")
    dumpcap = require_tool("dumpcap", "wireshark-common")
    with make_listener() as free, make_listener() as other:
        port = free.getsockname()[1]  # the conversation's
        probe_port = other.getsockname()[1]  # datagrams until all listen
    bpf = f"port {port} or port {probe_port}"
    files = {name: tmp_path / name for name in (
        "lo.pcap", "snap80.pcap", "any-sll2.pcap", "any-sll.pcap", "x.txt",
        "xx.txt", "lo.pcapng")}
    as_root = [tcpdump, "-Z", "root", "-U"]  # root may write in tmp_path
    with contextlib.ExitStack() as tools:
        for command, stdout in [
            (as_root + ["-i", "lo", "-w", files["lo.pcap"], bpf], None),
            (as_root + ["-i", "lo", "-s", "80", "-w", files["snap80.pcap"],
                        bpf], None),
            (as_root + ["-i", "any", "-w", files["any-sll2.pcap"], bpf], None),
            (as_root + ["-i", "any", "-y", "LINUX_SLL", "-w",
                        files["any-sll.pcap"], bpf], None),
            (as_root + ["-i", "lo", "-l", "-nn", "-x", bpf], files["x.txt"]),
            (as_root + ["-i", "lo", "-l", "-nn", "-xx", bpf], files["xx.txt"]),
            ([dumpcap, "-q", "-i", "lo", "-f", bpf, "-w", files["lo.pcapng"]],
             None),
        ]:
            tools.enter_context(tool_capturing([str(part) for part in command],
                                               stdout))
        # A tool may say it listens a moment before it captures, and
        # libpcap hands packets over in blocks, up to a second late (a tool
        # stopped before that loses them). So: datagrams to another port
        # until every tool has one; then the conversation, until all have
        # its nine packets.
        with udp_socket() as probe:
            wait_for_packets(files, probe_port, 1, lambda: probe.sendto(
                b"ready?", ("127.0.0.1", probe_port)))
        script = tmp_path / "traffic.py"
        script.write_text(TRAFFIC)
        subprocess.run([sys.executable, str(script), str(port)], check=True,
                       timeout=30)
        wait_for_packets(files, port, 9)
    only = ["--port", str(port)]
    lines = sniffer_lines("--pcap", str(files["lo.pcap"]), *only)
    assert len(lines) == 9 and "data=240 b'hello hello hell'..." in lines[3]
    assert lines[8].endswith("data=4 b'time'")
    for name in ("any-sll2.pcap", "any-sll.pcap", "lo.pcapng"):
        assert sniffer_lines("--pcap", str(files[name]), *only) == lines, name
    assert sniffer_lines("--hex", str(files["x.txt"]), *only) == lines
    assert sniffer_lines("--hex", str(files["xx.txt"]), "--link", "ethernet",
                         *only) == lines
    snapped = sniffer_lines("--pcap", str(files["snap80.pcap"]), *only)
    assert snapped[3].endswith("data=14 b'hello hello he' "
                               "[captured 80 of 306 bytes]")
    assert snapped[:3] + snapped[4:] == lines[:3] + lines[4:]

# Live capture on the loopback device -------------------------------------------------

def tcp_conversation(port_holder: socket.socket, data: bytes) -> None:
    """Connect to the listener, send data, wait until it is read."""
    with connect(port_holder.getsockname()) as client:
        conn, _ = port_holder.accept()
        with conn:
            client.sendall(data)
            assert conn.recv(1024) == data


@needs_root
def test_live_sniffer_reports_the_exact_udp_and_tcp_packets_sent():
    with make_listener() as listener, udp_socket() as udp_server:
        tcp_port = listener.getsockname()[1]
        udp_server.bind(("127.0.0.1", 0))
        udp_port = udp_server.getsockname()[1]
        with sniffing("--port", str(udp_port), "--port", str(tcp_port),
                      "--count", "6", "--timeout", "20") as (process, output):
            with udp_socket() as client:
                client.sendto(b"hello udp", udp_server.getsockname())
                _, client_address = udp_server.recvfrom(100)
                udp_server.sendto(b"", client_address)  # an empty reply
                client.recvfrom(100)
            tcp_conversation(listener, b"hello tcp")
            process.wait(20)
    assert process.returncode == 0, output.stderr
    udp_client_port = client_address[1]
    lines = output.stdout.splitlines()
    assert lines[:2] == [
        f"UDP 127.0.0.1:{udp_client_port} > 127.0.0.1:{udp_port} "
        "ip_len=37 data=9 b'hello udp'",
        f"UDP 127.0.0.1:{udp_port} > 127.0.0.1:{udp_client_port} "
        "ip_len=28 data=0",
    ]
    tcp_lines = [re.sub(r" (seq|ack|win)=\d+", "", line) for line in lines[2:]]
    tcp_client_port = int(re.match(r"TCP 127.0.0.1:(\d+)", tcp_lines[0])[1])
    out = f"TCP 127.0.0.1:{tcp_client_port} > 127.0.0.1:{tcp_port}"
    back = f"TCP 127.0.0.1:{tcp_port} > 127.0.0.1:{tcp_client_port}"
    assert tcp_lines == [
        f"{out} [SYN] opts=mss,sack_ok,ts,nop,ws ip_len=60 data=0",
        f"{back} [SYN,ACK] opts=mss,sack_ok,ts,nop,ws ip_len=60 data=0",
        f"{out} [ACK] opts=nop,nop,ts ip_len=52 data=0",
        f"{out} [PSH,ACK] opts=nop,nop,ts ip_len=61 data=9 b'hello tcp'",
    ]


def bytes_covered(lines: list[str], port: int) -> int:
    """How many distinct stream bytes the TCP segments sent to port carry,
    from the sniffer's lines (a retransmission counts once)."""
    segments = sorted(
        (int(match["seq"]), int(match["data"])) for line in lines
        if (match := re.search(rf"> 127\.0\.0\.1:{port} .*seq=(?P<seq>\d+)"
                               r" .*data=(?P<data>\d+)", line)))
    covered, end = 0, 0
    for start, length in segments:
        covered += max(0, start + length - max(start, end))
        end = max(end, start + length)
    return covered


@needs_root
def test_live_sniffer_keeps_up_with_a_2_mb_transfer_and_reports_drops():
    # The packet socket's default buffer (about 200 KB) overflowed: a third
    # of this transfer's 64 KB frames were lost, and nothing said so.
    # Other programs may use lo too, so the capture is not stopped by a
    # quiet period: a last datagram marks the end, then Ctrl-C.
    data = bytes(2_000_000)
    lines: list[str] = []

    def read_lines(stream) -> None:
        lines.extend(stream)

    with make_listener() as listener:
        port = listener.getsockname()[1]
        with sniffing("--port", str(port)) as (process, output), \
                in_thread(read_lines, process.stdout):
            with connect(listener.getsockname()) as client:
                conn, _ = listener.accept()
                with conn, in_thread(client.sendall, data):
                    received = read_exactly(conn, len(data))
            with udp_socket() as marker:
                marker.sendto(b"the end", ("127.0.0.1", port))
            deadline = time.monotonic() + 30
            while (not any("b'the end'" in line for line in lines)
                   and time.monotonic() < deadline):
                time.sleep(0.1)
            process.send_signal(signal.SIGINT)
            process.wait(SOCKET_TIMEOUT)
    assert received == data
    assert process.returncode == 0, output.stderr
    assert any("b'the end'" in line for line in lines), "capture fell behind"
    assert bytes_covered(lines, port) == len(data)
    stats = re.search(r"the kernel passed (\d+) frames .* dropped (\d+) ",
                      output.stderr)
    assert stats, output.stderr
    assert int(stats[1]) > 0 and int(stats[2]) == 0


@needs_root
def test_live_capture_in_process_agrees_with_dpkt_and_numbers_tcp_bytes():
    with make_listener() as listener:
        port = listener.getsockname()[1]
        with sniffer.open_live("lo") as capture:
            tcp_conversation(listener, b"0123456789")
            frames = [frame for frame in sniffer.live_frames(capture, 0.5)
                      if sniffer.involves_ports(decoder.decode(frame), {port})]
            seen, dropped = sniffer.kernel_statistics(capture)
            buffer = capture.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    assert seen >= len(frames) and dropped == 0
    assert buffer >= sniffer.CAPTURE_BUFFER  # Linux reports twice the size
    packets = [decoder.decode(frame) for frame in frames]
    for frame in frames:
        assert_decoders_agree(frame, "ethernet")
        assert frame[:12] == bytes(12)  # loopback frames: all-zero MACs
    syn, syn_ack, ack, data = (packet.transport for packet in packets[:4])
    assert syn_ack.acknowledgment == syn.sequence + 1  # SYN counts as 1 byte
    assert ack.acknowledgment == syn_ack.sequence + 1
    assert data.sequence == syn.sequence + 1
    assert packets[3].payload == b"0123456789"
    mss = dict(syn.options)[2]
    assert struct.unpack("!H", mss)[0] > 1000


def test_sniffer_without_privileges_says_so_plainly_and_exits():
    command = [sys.executable, str(example_path("packets", "sniffer")),
               "--count", "1", "--timeout", "1"]
    if is_root():
        # Root without CAP_NET_RAW: the kernel refuses the packet socket.
        command = ["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw",
                   *command]
    result = subprocess.run(command, capture_output=True, text=True,
                            timeout=30, env=script_env())
    assert result.returncode == 2
    assert result.stdout == ""
    assert "live capture needs privileges" in result.stderr
    assert "sudo" in result.stderr and "--pcap FILE" in result.stderr
    assert "Traceback" not in result.stderr


@needs_root
def test_sniffer_reports_an_unknown_device_without_a_traceback():
    result = run_script("packets", "sniffer", "--interface", "nosuchdev0")
    assert result.returncode == 1
    assert "cannot capture on 'nosuchdev0'" in result.stderr
    assert "Traceback" not in result.stderr


@needs_root
def test_sniffer_count_not_reached_within_the_timeout_is_reported():
    with make_listener() as unused:
        port = unused.getsockname()[1]
        result = run_script("packets", "sniffer", "--port", str(port),
                            "--count", "1", "--timeout", "0.5")
    assert result.returncode == 1
    assert "only 0 of 1 packets within 0.5 s" in result.stderr


@needs_root
def test_record_sample_records_the_traffic_the_lecture_shows(tmp_path):
    output = tmp_path / "sample.pcap"
    result = run_script("packets", "record_sample", "--output", str(output))
    assert result.returncode == 0, result.stderr
    capture = capture_files.read_pcap(output.read_bytes())
    lines = [decoder.describe(decoder.decode(record.data))
             for record in capture.records]
    text = "\n".join(lines)
    assert result.stdout == f"{len(lines)} packets written to {output}\n"
    assert lines[0].endswith("data=4 b'time'")
    assert "[SYN]" in lines[2] and "[SYN,ACK]" in lines[3]
    assert "data=5 b'hello'" in text
    assert "echo-request" in text and "echo-reply" in text
    assert lines[-1].startswith("UDP [::1]:") and "b'over IPv6'" in lines[-1]
