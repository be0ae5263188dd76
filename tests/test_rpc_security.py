"""Tests of lecture 6's authentication and TLS examples: HMAC
challenge-response (hmac_auth.py) and a TLS echo server (tls_echo.py) with
certificates made at test time by trustme."""

import socket
import ssl

import pytest
import trustme

from tests.support import (
    ServerThread,
    connect,
    load_example,
    read_exactly,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
)
from tests.support_rpc import certificates

hmac_auth = load_example("rpc", "hmac_auth")
tls_echo = load_example("rpc", "tls_echo")

KEY = b"a key both sides were given in advance"


# HMAC challenge-response -------------------------------------------------------

class TestHmacFunctions:
    def test_the_right_key_verifies(self):
        challenge = hmac_auth.make_challenge()
        assert hmac_auth.verify(KEY, challenge, hmac_auth.answer(KEY, challenge))

    def test_a_wrong_key_does_not_verify(self):
        challenge = hmac_auth.make_challenge()
        assert not hmac_auth.verify(KEY, challenge, hmac_auth.answer(b"guess", challenge))

    def test_an_answer_to_another_challenge_does_not_verify(self):
        old, new = hmac_auth.make_challenge(), hmac_auth.make_challenge()
        assert old != new  # 32 random bytes: never the same twice
        assert not hmac_auth.verify(KEY, new, hmac_auth.answer(KEY, old))

    def test_answer_is_hmac_sha256(self):
        import hashlib
        import hmac
        assert hmac_auth.answer(b"k", b"c") == hmac.new(b"k", b"c", hashlib.sha256).digest()


def running_hmac_server(max_clients: int, timeout: float = 5.0) -> ServerThread:
    return ServerThread(hmac_auth.serve, hmac_auth.make_server(), KEY,
                        max_clients=max_clients, timeout=timeout)


class TestHmacServer:
    def test_client_with_the_key_is_welcomed(self):
        with running_hmac_server(1) as server:
            with connect(server.address) as client:
                verdict = hmac_auth.prove_identity(client, KEY)
        assert verdict == hmac_auth.WELCOME

    def test_client_with_a_wrong_key_is_refused(self):
        with running_hmac_server(2) as server:
            with connect(server.address) as client:
                verdict = hmac_auth.prove_identity(client, b"wrong key")
            with connect(server.address) as client:
                after = hmac_auth.prove_identity(client, KEY)
        assert verdict == hmac_auth.REFUSED
        assert after == hmac_auth.WELCOME

    def test_a_replayed_answer_is_refused(self):
        with running_hmac_server(2) as server:
            # An eavesdropper records a genuine exchange...
            with connect(server.address) as client:
                challenge = read_exactly(client, hmac_auth.CHALLENGE_SIZE)
                recorded = hmac_auth.answer(KEY, challenge)
                client.sendall(recorded)
                assert recv_until_eof(client) == hmac_auth.WELCOME
            # ...and replays the answer without knowing the key.
            with connect(server.address) as attacker:
                read_exactly(attacker, hmac_auth.CHALLENGE_SIZE)
                attacker.sendall(recorded)
                verdict = recv_until_eof(attacker)
        assert verdict == hmac_auth.REFUSED

    def test_oversized_answer_is_refused_and_the_rest_ignored(self):
        with running_hmac_server(2) as server:
            with connect(server.address) as client:
                read_exactly(client, hmac_auth.CHALLENGE_SIZE)
                client.sendall(b"A" * 10_000)
                verdict = recv_until_eof(client)
            with connect(server.address) as client:
                after = hmac_auth.prove_identity(client, KEY)
        assert verdict == hmac_auth.REFUSED
        assert after == hmac_auth.WELCOME

    def test_truncated_answer_and_reset_are_dropped_and_the_server_goes_on(self):
        with running_hmac_server(3) as server:
            with connect(server.address) as client:
                read_exactly(client, hmac_auth.CHALLENGE_SIZE)
                client.sendall(b"short")
                client.shutdown(socket.SHUT_WR)
                assert recv_until_eof(client) == b""  # no verdict: dropped
            rude = connect(server.address)
            read_exactly(rude, hmac_auth.CHALLENGE_SIZE)
            reset_connection(rude)
            with connect(server.address) as client:
                after = hmac_auth.prove_identity(client, KEY)
        assert after == hmac_auth.WELCOME

    def test_silent_client_is_dropped_after_the_timeout(self):
        with running_hmac_server(2, timeout=0.3) as server:
            with connect(server.address) as silent:
                read_exactly(silent, hmac_auth.CHALLENGE_SIZE)
                assert recv_until_eof(silent) == b""
            with connect(server.address) as client:
                assert hmac_auth.prove_identity(client, KEY) == hmac_auth.WELCOME

    def test_script_reads_its_key_from_a_file(self, tmp_path):
        key_file = tmp_path / "secret.key"
        key_file.write_bytes(KEY)
        with run_example("rpc", "hmac_auth", "--key-file", str(key_file)) as (_, host, port):
            with connect((host, port)) as client:
                assert hmac_auth.prove_identity(client, KEY) == hmac_auth.WELCOME
        assert "usage:" in run_script("rpc", "hmac_auth", "--help").stdout


# TLS ---------------------------------------------------------------------------

@pytest.fixture
def certs(tmp_path):
    return certificates(tmp_path)


def running_tls_server(certfile, max_clients: int, timeout: float = 5.0) -> ServerThread:
    context = tls_echo.server_context(str(certfile))
    return ServerThread(tls_echo.serve, tls_echo.make_server(), context,
                        max_clients=max_clients, timeout=timeout)


class TestTls:
    def test_verified_connection_echoes_a_line(self, certs):
        client = tls_echo.client_context(str(certs.ca_file))
        with running_tls_server(certs.server_file, 1) as server:
            reply = tls_echo.echo(server.address, b"over tls\n", client)
        assert reply == b"over tls\n"

    def test_client_context_verifies_by_default(self):
        context = tls_echo.client_context()
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname

    def test_certificate_from_an_untrusted_ca_is_refused(self, certs):
        stranger = trustme.CA()  # the client trusts this one, not the server's
        client = ssl.create_default_context()
        stranger.configure_trust(client)
        with running_tls_server(certs.server_file, 2) as server:
            with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
                tls_echo.echo(server.address, b"hi\n", client)
            trusted = tls_echo.client_context(str(certs.ca_file))
            after = tls_echo.echo(server.address, b"after\n", trusted)
        assert after == b"after\n"

    def test_certificate_for_another_name_is_refused(self, tmp_path):
        certs = certificates(tmp_path, "other.example")
        client = tls_echo.client_context(str(certs.ca_file))
        with running_tls_server(certs.server_file, 1) as server:
            with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
                tls_echo.echo(server.address, b"hi\n", client, server_hostname="localhost")

    def test_a_client_without_tls_is_dropped_and_the_server_goes_on(self, certs):
        with running_tls_server(certs.server_file, 2) as server:
            with connect(server.address) as plain:
                plain.sendall(b"GET / HTTP/1.0\r\n\r\n")
                try:
                    garbage = recv_until_eof(plain)
                except ConnectionResetError:
                    garbage = b""
            after = tls_echo.echo(server.address, b"ok\n",
                                  tls_echo.client_context(str(certs.ca_file)))
        assert b"GET" not in garbage  # nothing echoed in clear
        assert after == b"ok\n"

    def test_oversized_line_gets_an_error_reply(self, certs):
        client = tls_echo.client_context(str(certs.ca_file))
        with running_tls_server(certs.server_file, 2) as server:
            too_long = tls_echo.echo(server.address, b"x" * 10_000 + b"\n", client)
            after = tls_echo.echo(server.address, b"next\n", client)
        assert (too_long, after) == (b"error: line too long\n", b"next\n")

    def test_truncated_handshake_and_silence_are_dropped(self, certs):
        with running_tls_server(certs.server_file, 3, timeout=0.3) as server:
            with connect(server.address) as client:
                client.sendall(b"\x16\x03\x01\x02\x00\x01")  # a ClientHello cut short
                client.shutdown(socket.SHUT_WR)
                recv_until_eof(client)
            with connect(server.address) as silent:
                assert recv_until_eof(silent) == b""  # dropped at the timeout
            after = tls_echo.echo(server.address, b"ok\n",
                                  tls_echo.client_context(str(certs.ca_file)))
        assert after == b"ok\n"

    def test_script_serves_tls_with_a_certificate_file(self, certs):
        with run_example("rpc", "tls_echo", "--cert", str(certs.server_file)) as (_, host, port):
            reply = tls_echo.echo((host, port), b"script\n",
                                  tls_echo.client_context(str(certs.ca_file)))
        assert reply == b"script\n"
        assert "usage:" in run_script("rpc", "tls_echo", "--help").stdout
