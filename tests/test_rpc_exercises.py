"""Tests of lecture 6's lab (exercises/kv_expiry) and assignment
(exercises/secure_rpc).

They run against each exercise's solution.py by default. A student runs
them against the file they are completing, starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_rpc_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail.
"""

import json
import os
import socket
import ssl
import time
import xmlrpc.client

import pytest
import trustme

from tests.support import (
    ServerThread,
    assert_starters_fail,
    connect,
    connected_pair,
    in_thread,
    load_example,
    read_exactly,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
)
from tests.net import serving_forever as serving
from tests.support_rpc import certificates

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

KV_EXPIRY = f"exercises/kv_expiry/{IMPL}"
SECURE_RPC = f"exercises/secure_rpc/{IMPL}"
kv_expiry = load_example("rpc", KV_EXPIRY)
secure_rpc = load_example("rpc", SECURE_RPC)


# The lab: a key-value server with expiry, and a client library -------------

class FakeClock:
    """A clock the test moves by hand: expiry without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def kv_url(clock):
    with kv_expiry.make_server(clock=clock) as server, serving(server) as (host, port):
        yield f"http://{host}:{port}"


@pytest.fixture
def kv(kv_url):
    with kv_expiry.KVClient(kv_url) as client:
        yield client


class TestKvExpiry:
    def test_store_keeps_a_value_without_ttl_forever(self, clock):
        store = kv_expiry.ExpiringStore(clock)
        store.set("k", "v")
        clock.now += 10**9
        assert store.get("k") == "v"
        assert store.ttl("k") == -1

    def test_store_forgets_a_key_when_its_ttl_has_passed(self, clock):
        store = kv_expiry.ExpiringStore(clock)
        store.set("short", 1, 5)
        store.set("long", 2, 50)
        clock.now += 4.5
        assert store.get("short") == 1 and store.ttl("short") == pytest.approx(0.5)
        clock.now += 0.5
        assert not store.exists("short")
        assert store.keys() == ["long"]
        with pytest.raises(xmlrpc.client.Fault) as fault:
            store.get("short")
        assert fault.value.faultCode == kv_expiry.NO_SUCH_KEY

    def test_setting_again_replaces_the_ttl(self, clock):
        store = kv_expiry.ExpiringStore(clock)
        store.set("k", "old", 1)
        store.set("k", "new")
        clock.now += 5
        assert store.get("k") == "new"

    @pytest.mark.parametrize(("key", "ttl"), [("", 0), (7, 0), ("k", -1), ("k", "soon")])
    def test_store_refuses_bad_keys_and_ttls(self, clock, key, ttl):
        store = kv_expiry.ExpiringStore(clock)
        with pytest.raises(xmlrpc.client.Fault) as fault:
            store.set(key, "v", ttl)
        assert fault.value.faultCode == kv_expiry.BAD_REQUEST

    def test_client_reads_and_writes_like_a_dict(self, kv):
        kv["colour"] = "blue"
        kv["size"] = 3
        assert kv["colour"] == "blue"
        assert "size" in kv and "weight" not in kv
        del kv["size"]
        assert kv.keys() == ["colour"]

    def test_client_raises_keyerror_for_a_missing_key(self, kv):
        with pytest.raises(KeyError):
            kv["nothing"]
        with pytest.raises(KeyError):
            del kv["nothing"]
        with pytest.raises(KeyError):
            kv.ttl("nothing")

    def test_client_raises_valueerror_for_a_bad_ttl(self, kv):
        with pytest.raises(ValueError, match="ttl"):
            kv.set("k", "v", ttl=-5)

    def test_keys_expire_across_the_network(self, kv, clock):
        kv.set("session", "abc", ttl=30)
        kv.set("user", "ada")
        assert kv.ttl("session") == pytest.approx(30)
        clock.now += 31
        assert "session" not in kv
        assert kv.keys() == ["user"]
        with pytest.raises(KeyError):
            kv["session"]

    def test_malformed_xml_does_not_stop_the_server(self, kv_url, kv):
        host_port = kv_url.removeprefix("http://")
        host, port = host_port.split(":")
        with connect((host, int(port))) as client:
            client.sendall(b"POST /RPC2 HTTP/1.0\r\nContent-Length: 5\r\n\r\n<oops")
            reply = recv_until_eof(client)
        assert b"<fault>" in reply
        kv["after"] = 1
        assert kv["after"] == 1

    def test_lab_script_serves_the_store(self):
        with run_example("rpc", KV_EXPIRY) as (_, host, port):
            with kv_expiry.KVClient(f"http://{host}:{port}") as kv:
                kv.set("k", "v", ttl=60)
                assert kv["k"] == "v"

    def test_lab_script_explains_its_usage_with_help(self):
        result = run_script("rpc", KV_EXPIRY, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout


# The assignment: authenticated RPC over TLS -----------------------------------

KEY = b"the class's shared secret"


@pytest.fixture
def certs(tmp_path):
    return certificates(tmp_path)


def server_context(certs) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certs.server_file))
    return context


def client_context(certs) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certs.ca_file))


def running_secure_server(certs, max_clients: int, timeout: float = 5.0) -> ServerThread:
    return ServerThread(secure_rpc.serve, socket.create_server(("127.0.0.1", 0)),
                        server_context(certs), KEY, max_clients=max_clients, timeout=timeout)


class TestSecureRpc:
    def test_client_with_the_key_calls_functions(self, certs):
        with running_secure_server(certs, 1) as server:
            with secure_rpc.connect(server.address, client_context(certs), KEY) as proxy:
                assert proxy.add(2, 3) == 5
                assert proxy.upper("tls") == "TLS"
                with pytest.raises(secure_rpc.RemoteError, match="no such method"):
                    proxy.shutdown()

    @pytest.mark.parametrize(("key", "passed", "verdict"), [
        (KEY, True, b"OK\n"), (b"not the key", False, b"NO\n"),
    ], ids=["right key", "wrong key"])
    def test_authenticate_checks_the_answer_to_its_challenge(self, key, passed, verdict):
        import hashlib
        import hmac

        results = []
        with connected_pair() as (client, conn):
            with in_thread(lambda: results.append(secure_rpc.authenticate(conn, KEY))):
                challenge = read_exactly(client, secure_rpc.CHALLENGE_SIZE)
                client.sendall(hmac.new(key, challenge, hashlib.sha256).digest())
                answer = read_exactly(client, 3)
        assert (results, answer) == ([passed], verdict)

    def test_wrong_key_is_refused_and_the_server_goes_on(self, certs):
        with running_secure_server(certs, 2) as server:
            with pytest.raises(secure_rpc.AuthenticationFailed):
                secure_rpc.connect(server.address, client_context(certs), b"wrong")
            with secure_rpc.connect(server.address, client_context(certs), KEY) as proxy:
                assert proxy.add(1, 1) == 2

    def test_replayed_answer_is_refused(self, certs):
        import hashlib
        import hmac

        def talk(answer_for):
            with socket.create_connection(server.address, timeout=5) as raw:
                with client_context(certs).wrap_socket(raw, server_hostname="localhost") as tls:
                    challenge = read_exactly(tls, 32)
                    answer = answer_for(challenge)
                    tls.sendall(answer)
                    return answer, read_exactly(tls, 3)

        with running_secure_server(certs, 2) as server:
            recorded, first = talk(lambda c: hmac.new(KEY, c, hashlib.sha256).digest())
            _, replayed = talk(lambda c: recorded)
        assert (first, replayed) == (b"OK\n", b"NO\n")

    def test_calls_before_authenticating_are_not_run(self, certs):
        with running_secure_server(certs, 1) as server:
            with socket.create_connection(server.address, timeout=5) as raw:
                with client_context(certs).wrap_socket(raw, server_hostname="localhost") as tls:
                    read_exactly(tls, 32)
                    tls.sendall(b'{"id": 1, "method": "add", "params": [1, 2]}\n')
                    verdict = recv_until_eof(tls)
        assert verdict == b"NO\n"

    def test_untrusted_certificate_is_refused_by_the_client(self, certs):
        stranger = ssl.create_default_context()
        trustme.CA().configure_trust(stranger)
        with running_secure_server(certs, 1) as server:
            with pytest.raises(ssl.SSLCertVerificationError):
                secure_rpc.connect(server.address, stranger, KEY)

    def test_certificate_for_another_name_is_refused(self, tmp_path):
        certs = certificates(tmp_path, "elsewhere.example")
        with running_secure_server(certs, 1) as server:
            with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
                secure_rpc.connect(server.address, client_context(certs), KEY)

    def test_plain_tcp_client_is_dropped_and_the_server_goes_on(self, certs):
        with running_secure_server(certs, 2) as server:
            with connect(server.address) as plain:
                plain.sendall(b'{"id": 1, "method": "add", "params": [1, 2]}\n')
                try:
                    reply = recv_until_eof(plain)
                except ConnectionResetError:
                    reply = b""
            with secure_rpc.connect(server.address, client_context(certs), KEY) as proxy:
                assert proxy.add(2, 2) == 4
        assert b"result" not in reply

    def test_malformed_and_oversized_requests_after_authentication(self, certs):
        with running_secure_server(certs, 2) as server:
            with secure_rpc.connect(server.address, client_context(certs), KEY) as proxy:
                proxy._tls.sendall(b"{not json\n")
                malformed = json.loads(proxy._replies.readline())
                assert proxy.add(3, 4) == 7
                proxy._tls.sendall(b"x" * (secure_rpc.MAX_LINE + 10) + b"\n")
                oversized = json.loads(proxy._replies.readline())
            with secure_rpc.connect(server.address, client_context(certs), KEY) as proxy:
                assert proxy.upper("next") == "NEXT"
        assert malformed["error"].startswith("malformed request")
        assert oversized == {"id": None, "error": "request too long"}

    def test_truncated_answer_reset_and_silence_are_dropped(self, certs):
        with running_secure_server(certs, 4, timeout=0.3) as server:
            # A client that resets mid-handshake. (Reset before the server
            # calls wrap_socket, and Python 3.11-3.13's ssl module leaks the
            # server's socket: the test gives the server time to start.)
            rude = connect(server.address)
            rude.sendall(b"\x16\x03\x01")
            time.sleep(0.2)
            reset_connection(rude)
            with socket.create_connection(server.address, timeout=5) as raw:
                with client_context(certs).wrap_socket(raw, server_hostname="localhost") as tls:
                    read_exactly(tls, 32)
                    tls.sendall(b"short")
                    # then we go silent: dropped at the server's timeout
                    assert recv_until_eof(tls) == b""
            with connect(server.address) as silent:
                assert recv_until_eof(silent) == b""  # no handshake: dropped
            with secure_rpc.connect(server.address, client_context(certs), KEY) as proxy:
                assert proxy.add(0, 0) == 0

    def test_assignment_script_serves_with_a_certificate_and_key_file(self, certs, tmp_path):
        key_file = tmp_path / "secret.key"
        key_file.write_bytes(KEY)
        with run_example("rpc", SECURE_RPC, "--cert", str(certs.server_file),
                         "--key-file", str(key_file)) as (_, host, port):
            with secure_rpc.connect((host, port), client_context(certs), KEY) as proxy:
                assert proxy.add(40, 2) == 42

    def test_assignment_script_explains_its_usage_with_help(self):
        result = run_script("rpc", SECURE_RPC, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout


# The tests tell the starters from the solutions ------------------------------

GIVEN_CODE_TESTS = {
    "test_lab_script_explains_its_usage_with_help",
    "test_assignment_script_explains_its_usage_with_help",
}


@pytest.mark.skipif(IMPL != "solution", reason="run from the solutions' run")
def test_exercise_tests_fail_against_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_rpc_exercises.py",
        ("TestKvExpiry", "TestSecureRpc"),
        GIVEN_CODE_TESTS,
        tmp_path,
    )
