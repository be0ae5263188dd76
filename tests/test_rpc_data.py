"""Tests of lecture 6's data-moving examples: passing a socket to another
process, arrays without copies, serialization formats, ZeroMQ, and the
word count on a process pool and on a dask cluster."""

import array
import json
import socket
import threading
from pathlib import Path

import pytest
import zmq

from tests.support import (
    connect,
    connected_pair,
    in_thread,
    load_example,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
    sending,
)
from tests.net import needs_unix_sockets

fd_passing = load_example("rpc", "fd_passing")
zero_copy = load_example("rpc", "zero_copy")
serial_costs = load_example("rpc", "serial_costs")
zmq_server = load_example("rpc", "zmq_server")
wordcount = load_example("rpc", "wordcount")
CORPUS = sorted(str(path) for path in (Path(wordcount.__file__).parent / "corpus").glob("*.txt"))


# Passing a socket to another process -----------------------------------------

@needs_unix_sockets
class TestFdPassing:
    def test_a_passed_connection_is_the_same_connection(self):
        left, right = socket.socketpair()
        with left, right, connected_pair() as (client, conn):
            fd_passing.pass_connection(left, conn)
            with fd_passing.receive_connection(right) as received:
                assert received.fileno() != conn.fileno()  # a new descriptor...
                client.sendall(b"ping")
                assert received.recv(4) == b"ping"  # ...for the same connection

    def test_receive_returns_none_when_the_other_side_closes(self):
        left, right = socket.socketpair()
        with right:
            left.close()
            assert fd_passing.receive_connection(right) is None

    def test_the_worker_process_answers_the_clients(self):
        with run_example("rpc", "fd_passing") as (parent, host, port):
            replies = []
            for word in (b"one\n", b"two\n"):
                with connect((host, port)) as client:
                    client.sendall(word)
                    replies.append(recv_until_eof(client))
        pids = {reply.split(b":")[0] for reply in replies}
        assert [reply.split(b": ")[1] for reply in replies] == [b"one\n", b"two\n"]
        assert len(pids) == 1
        assert pids != {f"worker {parent.pid}".encode()}  # not the parent

    def test_oversized_and_truncated_lines_get_clear_replies(self):
        with run_example("rpc", "fd_passing") as (_, host, port):
            with connect((host, port)) as client:
                client.sendall(b"x" * 5000 + b"\n")
                too_long = recv_until_eof(client)
            with connect((host, port)) as client:
                client.sendall(b"no newline")
                client.shutdown(socket.SHUT_WR)
                cut_short = recv_until_eof(client)
        assert too_long.endswith(b": error: line too long\n")
        assert cut_short.endswith(b": no newline")  # what came, no more

    def test_a_client_that_resets_does_not_stop_the_worker(self):
        with run_example("rpc", "fd_passing") as (_, host, port):
            rude = connect((host, port))
            reset_connection(rude)
            with connect((host, port)) as client:
                client.sendall(b"still there?\n")
                reply = recv_until_eof(client)
        assert reply.endswith(b": still there?\n")


# Arrays without copies -----------------------------------------------------------

class TestZeroCopy:
    @pytest.mark.parametrize("typecode", ["d", "i", "B"])
    def test_an_array_arrives_whole(self, typecode):
        values = array.array(typecode, range(100_000 if typecode != "B" else 256))
        with connected_pair() as (client, conn):
            with in_thread(zero_copy.send_array, client, values):
                received = zero_copy.recv_array(conn)
        assert received == values and received.typecode == typecode

    def test_eight_megabytes_arrive_in_many_recv_into_calls(self):
        values = array.array("d", range(1_000_000))
        with connected_pair() as (client, conn):
            with in_thread(zero_copy.send_array, client, values):
                received = zero_copy.recv_array(conn)
        assert received == values

    def test_truncated_array_raises_eof(self):
        header = zero_copy.HEADER.pack(b"d", 800)
        with connected_pair() as (client, conn):
            with sending(client, header, b"\x00" * 100, shutdown=True):
                with pytest.raises(EOFError, match="closed after 100 of 800"):
                    zero_copy.recv_array(conn)

    @pytest.mark.parametrize(("typecode", "size", "message"), [
        (b"z", 8, "unknown array type code"),
        (b"d", 7, "bad payload size"),
        (b"d", 1 << 40, "bad payload size"),
    ], ids=["bad type", "not a whole item", "oversized"])
    def test_a_bad_header_is_refused_before_allocating(self, typecode, size, message):
        with connected_pair() as (client, conn):
            client.sendall(zero_copy.HEADER.pack(typecode, size))
            with pytest.raises(ValueError, match=message):
                zero_copy.recv_array(conn)

    def test_script_sends_an_array_to_itself(self):
        result = run_script("rpc", "zero_copy", "--count", "1000000")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("8 MB in ")


# Serialization formats -------------------------------------------------------------

class TestSerialization:
    def test_every_codec_round_trips_the_records(self):
        records = serial_costs.make_records(100)
        copies = serial_costs.round_trips(records)
        assert list(copies) == ["struct", "marshal", "pickle", "json"]
        assert all(copy == records for copy in copies.values())

    def test_struct_packs_each_record_into_twenty_bytes(self):
        assert len(serial_costs.struct_encode(serial_costs.make_records(10))) == 200

    def test_the_table_names_where_it_ran(self):
        rows = serial_costs.measure(serial_costs.make_records(10), repeat=1)
        text = serial_costs.table(rows, 10)
        assert [row[0] for row in rows] == ["struct", "marshal", "pickle", "json"]
        assert text.splitlines()[-1].startswith("ran on: ")

def test_the_committed_results_come_from_this_script():
    """The table on the slide (results/serialization.txt) has the shape the
    script writes: the same formats, in order, and where it ran."""
    results = serial_costs.Path(serial_costs.__file__).parent / "results" / "serialization.txt"
    lines = results.read_text().splitlines()
    assert lines[0] == "10,000 records (int, float, float); best of 5 runs"
    assert [line.split()[0] for line in lines[2:6]] == list(serial_costs.CODECS)
    assert lines[-1].startswith("ran on: ")




# ZeroMQ ---------------------------------------------------------------------------

@pytest.fixture
def context():
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def zmq_endpoint(context):
    """The endpoint of zmq_server.serve running in a thread (4 requests)."""
    ready = threading.Event()
    endpoints = []

    def announce(endpoint):
        endpoints.append(endpoint)
        ready.set()

    thread = threading.Thread(target=zmq_server.serve,
                              args=(context, "tcp://127.0.0.1:*"),
                              kwargs={"max_requests": 4, "ready": announce})
    thread.start()
    assert ready.wait(5)
    yield endpoints[0]
    thread.join(5)
    assert not thread.is_alive()


def requester(context, endpoint):
    sock = context.socket(zmq.REQ)
    sock.setsockopt(zmq.RCVTIMEO, 5000)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    return sock


class TestZeroMQ:
    def test_req_rep_serves_the_json_registry(self, context, zmq_endpoint):
        with requester(context, zmq_endpoint) as req:
            req.send(b'{"id": 1, "method": "add", "params": [2, 3]}')
            first = json.loads(req.recv())
            req.send(b"not json")
            second = json.loads(req.recv())
            req.send(b'{"id": 2, "method": "upper", "params": ["zmq"]}')
            third = json.loads(req.recv())
            req.send(b'{"id": 3, "method": "add", "params": [1')  # truncated
            fourth = json.loads(req.recv())
        assert first == {"id": 1, "result": 5}
        assert second["error"].startswith("malformed request")
        assert third == {"id": 2, "result": "ZMQ"}
        assert fourth["error"].startswith("malformed request")

    def test_oversized_message_is_dropped_and_the_server_goes_on(self, context, zmq_endpoint):
        with requester(context, zmq_endpoint) as big:
            big.setsockopt(zmq.RCVTIMEO, 300)
            big.send(b"x" * (zmq_server.MAX_MESSAGE + 1))
            with pytest.raises(zmq.Again):
                big.recv()  # never answered: ZeroMQ cut that peer off
        with requester(context, zmq_endpoint) as req:
            for n in range(4):
                req.send(json.dumps({"id": n, "method": "add", "params": [n, n]}).encode())
                assert json.loads(req.recv()) == {"id": n, "result": 2 * n}

    def test_raw_tcp_garbage_and_resets_do_not_stop_the_server(self, context, zmq_endpoint):
        address = zmq_endpoint.removeprefix("tcp://").rsplit(":", 1)
        address = (address[0], int(address[1]))
        with connect(address) as stranger:  # not ZeroMQ at all
            stranger.sendall(b"GET / HTTP/1.0\r\n\r\n" * 10)
        rude = connect(address)
        reset_connection(rude)
        with requester(context, zmq_endpoint) as req:
            for n in range(4):
                req.send(json.dumps({"id": n, "method": "upper", "params": ["ok"]}).encode())
                assert json.loads(req.recv())["result"] == "OK"

    def test_pub_sub_delivers_only_subscribed_topics(self, context):
        with context.socket(zmq.PUB) as pub, context.socket(zmq.SUB) as sub:
            port = pub.bind_to_random_port("tcp://127.0.0.1")
            sub.setsockopt(zmq.RCVTIMEO, 5000)
            sub.connect(f"tcp://127.0.0.1:{port}")
            sub.subscribe(b"price")
            received = None
            for _ in range(100):  # a late joiner misses early messages
                pub.send(b"weather sunny")
                pub.send(b"price 42")
                if sub.poll(50):
                    received = sub.recv()
                    break
            assert received == b"price 42"

    def test_push_pull_spreads_tasks_over_workers(self, context):
        with context.socket(zmq.PUSH) as push, \
             context.socket(zmq.PULL) as a, context.socket(zmq.PULL) as b:
            port = push.bind_to_random_port("tcp://127.0.0.1")
            poller = zmq.Poller()
            for worker in (a, b):
                worker.connect(f"tcp://127.0.0.1:{port}")
                poller.register(worker, zmq.POLLIN)
            got = {a: [], b: []}

            def collect(timeout_ms):
                for sock, _ in poller.poll(timeout_ms):
                    got[sock].append(int(sock.recv_string()))

            sent = 0  # send until both workers have had a task (both connected)
            while not (got[a] and got[b]) and sent < 500:
                push.send_string(str(sent))
                sent += 1
                collect(10)
            while len(got[a]) + len(got[b]) < sent:
                before = len(got[a]) + len(got[b])
                collect(5000)
                assert len(got[a]) + len(got[b]) > before, "a task was lost"
        assert got[a] and got[b]  # both workers had a share
        assert sorted(got[a] + got[b]) == list(range(sent))  # none lost or doubled

    def test_zmq_script_answers_requests(self, context):
        with run_example("rpc", "zmq_server") as (_, host, port):
            with requester(context, f"tcp://{host}:{port}") as req:
                req.send(b'{"id": 1, "method": "add", "params": [20, 22]}')
                assert json.loads(req.recv()) == {"id": 1, "result": 42}


# Map-reduce: the same counts on a pool and on dask ---------------------------------

class TestWordCount:
    def test_count_words_and_merge(self):
        counts = [wordcount.count_words("The cat. The dog's bowl!"),
                  wordcount.count_words("the end")]
        total = wordcount.merge(counts)
        assert total == {"the": 3, "cat": 1, "dog's": 1, "bowl": 1, "end": 1}

    def test_pool_and_dask_give_the_same_counts_and_match_one_process(self):
        pool = run_script("rpc", "wordcount", "--json", *CORPUS, timeout=60)
        dask = run_script("rpc", "wordcount", "--json", "--engine", "dask", *CORPUS, timeout=60)
        assert pool.returncode == 0, pool.stderr
        assert dask.returncode == 0, dask.stderr
        texts = [Path(path).read_text(encoding="utf-8") for path in CORPUS]
        expected = wordcount.merge([wordcount.count_words(t) for t in texts])
        assert json.loads(pool.stdout) == json.loads(dask.stdout) == dict(expected)
        assert expected["the"] == 38

    def test_script_prints_the_commonest_words(self):
        result = run_script("rpc", "wordcount", "--top", "2", *CORPUS)
        assert result.stdout == "  38 the\n  23 a\n"
