"""Tests of lecture 3, "Protocols": mail (SMTP, POP3) and HTTP steps 1-3.

The SMTP server is aiosmtpd, for real, in examples/protocols/mail_server.py;
the POP3 and HTTP servers are the lecture's own. Every server listens on
127.0.0.1 at a port the operating system picks; clients are the standard
library's (smtplib, poplib) and plain sockets. The complete HTTP server
(steps 4 and 5, files and folders) is tested in test_protocols_http.py.
"""

from __future__ import annotations

import poplib
import smtplib
import time
from email.message import EmailMessage

import pytest

from tests.support import (
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    load_example,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
)
from tests.support_protocols import Response, exchange, get, http_server

mail_server = load_example("protocols", "mail_server")
pop3_server = load_example("protocols", "pop3_server")
http_step1 = load_example("protocols", "http_step1")
http_step2 = load_example("protocols", "http_step2")
http_step3 = load_example("protocols", "http_step3")

CLIENT_NAME = "client.example.test"  # so smtplib need not look up our name


# SMTP: a real server (aiosmtpd) with the lecture's MailStore ----------------

@pytest.fixture
def smtp():
    """A fresh MailServer for one test: (address, store)."""
    store = mail_server.MailStore()
    server = mail_server.MailServer(store)
    server.start()
    try:
        yield server.address, store
    finally:
        server.stop()


class SMTPLines:
    """A test client that speaks SMTP by hand, reply by reply."""

    def __init__(self, address) -> None:
        self.sock = connect(address)
        self.reader = self.sock.makefile("rb")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def reply(self) -> list[bytes]:
        lines = [self.reader.readline()]
        while lines[-1][3:4] == b"-":
            lines.append(self.reader.readline())
        return lines

    def say(self, line: bytes) -> list[bytes]:
        self.sock.sendall(line + b"\r\n")
        return self.reply()


def test_mail_server_greets_with_its_fixed_name_and_ident(smtp):
    address, _ = smtp
    client = SMTPLines(address)
    try:
        greeting = client.reply()
        ehlo = client.say(b"EHLO " + CLIENT_NAME.encode())
    finally:
        client.close()
    assert greeting == [b"220 mail.example.test Course mail server\r\n"]
    assert ehlo[0] == b"250-mail.example.test\r\n"
    assert ehlo[-1].startswith(b"250 ")


def test_smtp_by_hand_delivers_a_message_with_its_envelope(smtp):
    address, store = smtp
    client = SMTPLines(address)
    try:
        client.reply()
        replies = [client.say(line)[-1][:3] for line in (
            b"EHLO client.example.test",
            b"MAIL FROM:<teacher@example.test>",
            b"RCPT TO:<student@example.test>",
            b"RCPT TO:<assistant@example.test>",
            b"DATA",
        )]
        client.sock.sendall(b"Subject: by hand\r\n\r\nLine one\r\n"
                            b"..a line that starts with a dot\r\n")
        accepted = client.say(b".")
        bye = client.say(b"QUIT")
    finally:
        client.close()
    assert replies == [b"250", b"250", b"250", b"250", b"354"]
    assert accepted == [b"250 Message accepted for delivery\r\n"]
    assert bye[0].startswith(b"221")
    (delivery,) = store.wait_for(1)
    assert delivery.mail_from == "teacher@example.test"
    assert delivery.rcpt_tos == ["student@example.test", "assistant@example.test"]
    # The server removed the dot-stuffing: one dot is left.
    assert delivery.content == (b"Subject: by hand\r\n\r\nLine one\r\n"
                                b".a line that starts with a dot\r\n")
    assert delivery.message()["Subject"] == "by hand"


def test_smtp_commands_out_of_order_get_503_and_the_session_goes_on(smtp):
    address, store = smtp
    client = SMTPLines(address)
    try:
        client.reply()
        client.say(b"EHLO client.example.test")
        early_rcpt = client.say(b"RCPT TO:<student@example.test>")
        early_data = client.say(b"DATA")
        unknown = client.say(b"FLY ME TO THE MOON")
        mail_from = client.say(b"MAIL FROM:<teacher@example.test>")
    finally:
        client.close()
    assert early_rcpt[0].startswith(b"503")
    assert early_data[0].startswith(b"503")
    assert unknown[0].startswith(b"500")
    assert mail_from[0].startswith(b"250")
    assert store.deliveries == []


def test_smtplib_sends_a_message_that_arrives_intact(smtp):
    address, store = smtp
    message = EmailMessage()
    message["From"] = "teacher@example.test"
    message["To"] = "student@example.test"
    message["Subject"] = "Grüße"
    message.set_content("Ünïcödé body\n.starts with a dot\n")
    with smtplib.SMTP(*address, local_hostname=CLIENT_NAME,
                      timeout=SOCKET_TIMEOUT) as client:
        refused = client.send_message(message)
    assert refused == {}
    (delivery,) = store.wait_for(1)
    arrived = delivery.message()
    assert delivery.rcpt_tos == ["student@example.test"]
    assert arrived["Subject"] == "Grüße"
    # On the wire every line ends in CRLF, so that is how it arrives.
    assert arrived.get_content() == "Ünïcödé body\r\n.starts with a dot\r\n"


def test_mail_server_keeps_serving_after_a_client_vanishes_mid_data(smtp):
    address, store = smtp
    client = SMTPLines(address)
    try:
        client.reply()
        for line in (b"EHLO x.example.test", b"MAIL FROM:<a@example.test>",
                     b"RCPT TO:<b@example.test>", b"DATA"):
            client.say(line)
        client.sock.sendall(b"Subject: never finished\r\n\r\nhalf a mes")
        reset_connection(client.sock)
    finally:
        client.close()
    with smtplib.SMTP(*address, local_hostname=CLIENT_NAME,
                      timeout=SOCKET_TIMEOUT) as after:
        after.sendmail("a@example.test", ["b@example.test"], b"Subject: ok\r\n\r\nok\r\n")
    (delivery,) = store.wait_for(1)
    assert delivery.message()["Subject"] == "ok"


def test_mail_server_refuses_an_oversized_command_line(smtp):
    address, _ = smtp
    client = SMTPLines(address)
    try:
        client.reply()
        reply = client.say(b"EHLO " + b"x" * 5000)
    finally:
        client.close()
    assert reply[0].startswith(b"500")


def test_mail_server_script_announces_its_address_and_prints_mail():
    with run_example("protocols", "mail_server") as (process, host, port):
        with smtplib.SMTP(host, port, local_hostname=CLIENT_NAME,
                          timeout=SOCKET_TIMEOUT) as client:
            client.sendmail("a@example.test", ["b@example.test"],
                            b"Subject: printed\r\n\r\nhello\r\n")
        line = process.stdout.readline()
    assert host == "127.0.0.1"
    assert line == "--- from a@example.test to b@example.test\n"


# POP3: the lecture's server, the standard library's client ----------------------

def pop3_running(mailbox, max_clients=1, timeout=10.0):
    return ServerThread(pop3_server.serve, pop3_server.make_server(),
                        mailbox, max_clients=max_clients, timeout=timeout)


def test_multiline_stuffs_dots_and_ends_with_a_lone_dot():
    assert pop3_server.multiline([b"a", b".b", b""]) == b"a\r\n..b\r\n\r\n.\r\n"


def test_poplib_logs_in_lists_and_retrieves_messages():
    mailbox = list(pop3_server.SAMPLE_MESSAGES)
    with pop3_running(mailbox) as server:
        client = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        try:
            welcome = client.getwelcome()
            client.user("student")
            client.pass_("secret")
            stat = client.stat()
            _, listing, _ = client.list()
            _, lines, _ = client.retr(2)
        finally:
            client.quit()
    sizes = [len(message) for message in pop3_server.SAMPLE_MESSAGES]
    assert welcome == b"+OK course POP3 server ready"
    assert stat == (2, sum(sizes))
    assert listing == [f"1 {sizes[0]}".encode(), f"2 {sizes[1]}".encode()]
    # poplib removed the stuffed dot: the message is back as it was.
    assert b"\r\n".join(lines) + b"\r\n" == pop3_server.SAMPLE_MESSAGES[1]


def test_pop3_deletes_only_at_quit():
    mailbox = list(pop3_server.SAMPLE_MESSAGES)
    with pop3_running(mailbox, max_clients=2) as server:
        first = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        first.user("student")
        first.pass_("secret")
        first.dele(1)
        during = first.stat()
        first.quit()
        second = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        second.user("student")
        second.pass_("secret")
        after = second.stat()
        second.quit()
    assert during[0] == 1
    assert after[0] == 1
    assert mailbox == [pop3_server.SAMPLE_MESSAGES[1]]


def test_pop3_refuses_a_wrong_password_and_commands_before_login():
    with pop3_running([b"x\r\n"]) as server:
        client = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        try:
            with pytest.raises(poplib.error_proto, match="log in first"):
                client.stat()
            client.user("student")
            with pytest.raises(poplib.error_proto, match="wrong"):
                client.pass_("guess")
            client.user("student")
            client.pass_("secret")
            with pytest.raises(poplib.error_proto, match="no message 9"):
                client.retr(9)
            with pytest.raises(poplib.error_proto, match="unknown command"):
                client._shortcmd("XYZZY")
            assert client.noop() == b"+OK"
        finally:
            client.quit()


@pytest.mark.parametrize("bad", [b"x" * 300 + b"\r\n", b"x" * 5000],
                         ids=["long line", "endless line"])
def test_pop3_answers_an_oversized_line_with_err_then_closes(bad):
    with pop3_running([], max_clients=2) as server:
        with connect(server.address) as client:
            client.sendall(bad)
            reply = recv_until_eof(client)
        after = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        after.quit()
    assert reply == b"+OK course POP3 server ready\r\n-ERR line too long\r\n"


def test_pop3_drops_a_client_that_stops_mid_line_and_serves_the_next():
    with pop3_running([], max_clients=2, timeout=0.3) as server:
        with connect(server.address) as silent:
            silent.sendall(b"US")
            started = time.monotonic()
            reply = recv_until_eof(silent)  # the server gives up first
            waited = time.monotonic() - started
        after = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        after.quit()
    assert reply == b"+OK course POP3 server ready\r\n"
    assert 0.2 < waited < SOCKET_TIMEOUT


def test_pop3_script_announces_its_address_and_serves_samples():
    with run_example("protocols", "pop3_server") as (_, host, port):
        client = poplib.POP3(host, port, timeout=SOCKET_TIMEOUT)
        client.user("student")
        client.pass_("secret")
        count, _ = client.stat()
        client.quit()
    assert (host, count) == ("127.0.0.1", 2)


# HTTP step 1: 200 to everything ------------------------------------------------

def test_step1_answers_any_request_with_200_and_the_right_length():
    with http_server(http_step1.handle_client) as server:
        raw = exchange(server.address, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        nonsense = exchange(server.address, b"PLEASE\r\n\r\n")
    for response in (Response.parse(raw), Response.parse(nonsense)):
        assert response.status == 200
        assert response.body == b"Hello from step 1!\n"
        assert int(response.headers["content-length"]) == len(response.body)


def test_step1_drops_an_oversized_line_and_serves_the_next_client():
    with http_server(http_step1.handle_client) as server:
        dropped = exchange(server.address, b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\n")
        after = get(server.address, "/")
    assert dropped == b""
    assert after.status == 200


def test_step1_drops_a_client_that_closes_mid_request():
    with http_server(http_step1.handle_client) as server:
        dropped = exchange(server.address, b"GET / HTTP/1.1\r\nHo", shutdown=True)
        after = get(server.address, "/")
    assert (dropped, after.status) == (b"", 200)


def test_step1_script_is_a_server_that_curl_style_clients_can_use():
    with run_example("protocols", "http_step1") as (_, host, port):
        response = get((host, port), "/anything")
    assert (host, response.status) == ("127.0.0.1", 200)


# HTTP step 2: parse the request -------------------------------------------------

def test_step2_parse_request_splits_line_and_headers():
    request = http_step2.parse_request(
        [b"GET /a?b=1 HTTP/1.1\r\n", b"Host: example.test\r\n",
         b"User-Agent:  curl/8.0 \r\n"])
    assert request == http_step2.Request(
        "GET", "/a?b=1", "HTTP/1.1",
        {"host": "example.test", "user-agent": "curl/8.0"})


@pytest.mark.parametrize("lines", [
    [b"GET /\r\n"], [b"GET / HTTP/1.1 extra\r\n"], [b"GET / HTTP/1.1\r\n", b"no colon\r\n"],
], ids=["two parts", "four parts", "header without colon"])
def test_step2_parse_request_raises_valueerror_on_malformed_heads(lines):
    with pytest.raises(ValueError):
        http_step2.parse_request(lines)


def test_step2_reports_what_it_understood_and_drops_what_it_did_not():
    with http_server(http_step2.handle_client) as server:
        good = get(server.address, "/path?q=1", extra="X-Test: yes\r\n")
        dropped = exchange(server.address, b"NONSENSE\r\n\r\n")
        after = get(server.address, "/")
    assert good.status == 200
    assert good.body.decode() == ("method: GET\ntarget: /path?q=1\n"
                                  "version: HTTP/1.1\nheader host: 127.0.0.1\n"
                                  "header x-test: yes\n")
    assert dropped == b""
    assert after.status == 200


# HTTP step 3: error statuses ------------------------------------------------------

def step3(data: bytes, **kwargs) -> Response:
    with http_server(http_step3.handle_client, **kwargs) as server:
        return Response.parse(exchange(server.address, data))


@pytest.mark.parametrize(("request_head", "status"), [
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200),
    (b"GET / HTTP/1.0\r\n\r\n", 200),  # 1.0 needs no Host
    (b"GET /\r\n\r\n", 400),
    (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", 400),
    (b"G(E)T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/one\r\nHost: x\r\n\r\n", 400),
    (b"GET index.html HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n", 400),
    (b"\xff\xfe\r\n\r\n", 400),
    (b"\r\n", 400),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 405),
    (b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    (b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
], ids=[
    "good", "HTTP/1.0 without Host", "no version", "two spaces", "four parts",
    "bad method", "bad version", "target without slash", "control character",
    "raw non-ASCII", "HTTP/1.1 without Host", "two Hosts", "space before colon",
    "folded header", "header without colon", "binary garbage", "empty line",
    "HTTP/2.0", "HTTP/1.2", "POST with a body", "DELETE", "unknown method",
])
def test_step3_answers_each_request_with_the_right_status(request_head, status):
    response = step3(request_head)
    assert response.status == status, response.body
    assert int(response.headers["content-length"]) == len(response.body)


def test_step3_joins_repeated_headers_with_commas():
    response = step3(b"GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\nAccept: b\r\n\r\n")
    assert b"header accept: a, b\n" in response.body


def test_step3_405_names_the_allowed_methods():
    response = step3(b"PUT / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (response.status, response.headers["allow"]) == (405, "GET, HEAD")


def test_step3_accepts_a_request_line_of_exactly_the_limit():
    padding = http_step3.MAX_LINE - len(b"GET / HTTP/1.1\r\n")
    line = b"GET /" + b"a" * padding + b" HTTP/1.1\r\n"
    assert len(line) == http_step3.MAX_LINE
    assert step3(line + b"Host: x\r\n\r\n").status == 200


@pytest.mark.parametrize(("request_head", "status"), [
    (b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET /" + b"a" * 100_000, 414),  # and no end in sight
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 10_000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Many: 1\r\n" * 200 + b"\r\n", 431),
], ids=["long request line", "endless request line", "long header", "many headers"])
def test_step3_answers_oversized_requests_and_keeps_serving(request_head, status):
    with http_server(http_step3.handle_client) as server:
        response = Response.parse(exchange(server.address, request_head))
        after = get(server.address, "/")
    assert response.status == status
    assert after.status == 200


def test_step3_answers_half_a_request_with_408_after_the_timeout():
    with http_server(http_step3.handle_client, timeout=0.3) as server:
        with connect(server.address) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # no empty line
            started = time.monotonic()
            response = Response.parse(recv_until_eof(client))
            waited = time.monotonic() - started
        after = get(server.address, "/")
    assert response.status == 408
    assert 0.2 < waited < SOCKET_TIMEOUT
    assert after.status == 200


def test_step3_survives_a_client_that_resets_mid_request():
    with http_server(http_step3.handle_client) as server:
        with connect(server.address) as rude:
            rude.sendall(b"GET / HTTP/1.1\r\nHo")
            reset_connection(rude)
        after = get(server.address, "/")
    assert after.status == 200


def test_step3_head_gets_the_get_headers_without_a_body():
    with http_server(http_step3.handle_client) as server:
        got = get(server.address, "/x")
        head = Response.parse(exchange(
            server.address, b"HEAD /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
    # The same report as for GET, with another method in it.
    head_body = got.body.replace(b"method: GET", b"method: HEAD")
    assert head.status == 200 and head.body == b""
    assert int(head.headers["content-length"]) == len(head_body)


def test_step3_script_answers_405_from_a_subprocess():
    with run_example("protocols", "http_step3") as (_, host, port):
        response = Response.parse(exchange(
            (host, port), b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"))
    assert response.status == 405


@pytest.mark.parametrize("script", [
    "mail_server", "pop3_server", "http_step1", "http_step2", "http_step3",
    "http_step4", "http_step5",
])
def test_every_script_explains_itself_with_help(script):
    result = run_script("protocols", script, "--help")
    assert result.returncode == 0, result.stderr
    assert "--port" in result.stdout
