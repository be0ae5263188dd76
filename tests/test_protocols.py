"""Tests of lecture 3, "Protocols": mail (SMTP, POP3) and HTTP steps 1-3.

The SMTP server is aiosmtpd, for real, in examples/protocols/mail_server.py;
the POP3 and HTTP servers are the lecture's own. Mail goes in by SMTP and
comes out by POP3 through one maildir in a temporary folder. Every server listens on
127.0.0.1 at a port the operating system picks; clients are the standard
library's (smtplib, poplib) and plain sockets. The complete HTTP server
(steps 4 and 5, files and folders) is tested in test_protocols_http.py.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import os
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
    sending,
)
from tests.support_mail import matches, slide_transcript
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


def test_smtp_transcript_on_the_slide_is_what_the_server_answers(smtp):
    """The slide "Text protocols: commands and numbered replies" shows a
    real conversation with mail_server.py: replay it, compare."""
    address, _ = smtp
    slide = slide_transcript("Text protocols: commands and numbered replies")
    client = SMTPLines(address)
    try:
        real = [f"S: {line.decode().rstrip()}" for line in client.reply()]
        for line in slide:
            if line.startswith("C: "):
                real.append(line)
                real += [f"S: {reply.decode().rstrip()}"
                         for reply in client.say(line[3:].encode())]
    finally:
        client.close()
    assert len(slide) > 4
    assert matches(slide, "\n".join(real)), "\n".join(real)


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


def test_mail_server_error_reply_survives_a_megabyte_line(smtp):
    address, _ = smtp
    with connect(address) as client:
        with sending(client, b"EHLO " + b"x" * 1_000_000 + b"\r\nQUIT\r\n"):
            replies = recv_until_eof(client)
    assert replies == (b"220 mail.example.test Course mail server\r\n"
                       b"500 Command line too long\r\n221 Bye\r\n")


def test_mail_server_script_announces_its_address_and_prints_mail(tmp_path):
    maildir = str(tmp_path / "maildir")
    with run_example("protocols", "mail_server", "--maildir", maildir) as (
            process, host, port):
        with smtplib.SMTP(host, port, local_hostname=CLIENT_NAME,
                          timeout=SOCKET_TIMEOUT) as client:
            client.sendmail("a@example.test", ["b@example.test"],
                            b"Subject: printed\r\n\r\nhello\r\n")
        line = process.stdout.readline()
    assert host == "127.0.0.1"
    assert line == "--- from a@example.test to b@example.test\n"


# POP3: the lecture's server, the standard library's client ----------------------

SAMPLE_MESSAGES = [
    b"From: teacher@example.test\r\nSubject: Welcome\r\n\r\n"
    b"Welcome to the course!\r\n",
    b"From: robot@example.test\r\nSubject: Dots\r\n\r\n"
    b"A line that starts with a dot:\r\n.like this one\r\n",
]


def fill_maildir(folder, messages=SAMPLE_MESSAGES):
    """A maildir holding `messages`, delivered a minute apart (as files
    with local line ends, the way mail_server.py stores them)."""
    box = mailbox.Maildir(folder)
    for minute, content in enumerate(messages):
        key = box.add(content.replace(b"\r\n", b"\n"))
        delivered = 1_700_000_000 + 60 * minute
        os.utime(folder / "new" / key, (delivered, delivered))
    return folder


def pop3_running(folder, max_clients=1, timeout=10.0):
    return ServerThread(pop3_server.serve, pop3_server.make_server(),
                        folder, max_clients=max_clients, timeout=timeout)


def pop3_login(address):
    client = poplib.POP3(*address, timeout=SOCKET_TIMEOUT)
    client.user("student")
    client.pass_("secret")
    return client


class POP3Lines:
    """A test client that speaks POP3 by hand, one reply line at a time."""

    def __init__(self, address) -> None:
        self.sock = connect(address)
        self.reader = self.sock.makefile("rb")
        self.greeting = self.reader.readline()

    def say(self, line: bytes) -> bytes:
        self.sock.sendall(line + b"\r\n")
        return self.reader.readline()

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def test_multiline_stuffs_dots_and_ends_with_a_lone_dot():
    assert pop3_server.multiline([b"a", b".b", b""]) == b"a\r\n..b\r\n\r\n.\r\n"


def test_poplib_logs_in_lists_and_retrieves_messages(tmp_path):
    folder = fill_maildir(tmp_path / "maildir")
    with pop3_running(folder) as server:
        client = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        try:
            welcome = client.getwelcome()
            client.user("student")
            logged_in = client.pass_("secret")
            stat = client.stat()
            _, listing, _ = client.list()
            _, lines, _ = client.retr(2)
        finally:
            client.quit()
    sizes = [len(message) for message in SAMPLE_MESSAGES]
    assert welcome == b"+OK course POP3 server ready"
    assert logged_in == b"+OK 2 messages"
    assert stat == (2, sum(sizes))
    assert listing == [f"1 {sizes[0]}".encode(), f"2 {sizes[1]}".encode()]
    # poplib removed the stuffed dot: the message is back as it was.
    assert b"\r\n".join(lines) + b"\r\n" == SAMPLE_MESSAGES[1]


def test_pop3_numbers_messages_in_the_order_they_arrived(tmp_path):
    later_first = SAMPLE_MESSAGES[::-1]
    folder = fill_maildir(tmp_path / "maildir", later_first)
    with pop3_running(folder) as server:
        client = pop3_login(server.address)
        try:
            subjects = [client.top(n, 0)[1][1] for n in (1, 2)]
        finally:
            client.quit()
    assert subjects == [b"Subject: Dots", b"Subject: Welcome"]


def test_pop3_top_sends_the_headers_and_the_first_body_lines(tmp_path):
    folder = fill_maildir(tmp_path / "maildir")
    with pop3_running(folder) as server:
        client = pop3_login(server.address)
        try:
            _, none, _ = client.top(2, 0)
            _, one, _ = client.top(2, 1)
            _, all_of_it, _ = client.top(2, 99)
        finally:
            client.quit()
    head = [b"From: robot@example.test", b"Subject: Dots", b""]
    assert none == head
    assert one == head + [b"A line that starts with a dot:"]
    assert all_of_it == head + [b"A line that starts with a dot:",
                                b".like this one"]


def test_pop3_deletes_only_at_quit(tmp_path):
    folder = fill_maildir(tmp_path / "maildir")
    with pop3_running(folder, max_clients=2) as server:
        first = pop3_login(server.address)
        first.dele(1)
        during = first.stat()
        first.quit()
        second = pop3_login(server.address)
        after = second.stat()
        second.quit()
    assert during[0] == 1
    assert after[0] == 1
    (left,) = mailbox.Maildir(folder).values()
    assert left["Subject"] == "Dots"


def test_pop3_keeps_everything_when_the_client_leaves_without_quit(tmp_path):
    folder = fill_maildir(tmp_path / "maildir")
    with pop3_running(folder) as server:
        client = POP3Lines(server.address)
        try:
            for line in (b"USER student", b"PASS secret", b"DELE 1"):
                client.say(line)
        finally:
            client.close()
    assert len(mailbox.Maildir(folder)) == 2


def test_pop3_lists_its_capabilities_before_and_after_login(tmp_path):
    folder = fill_maildir(tmp_path / "maildir")
    with pop3_running(folder) as server:
        client = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        try:
            before = client.capa()
            client.user("student")
            client.pass_("secret")
            after = client.capa()
        finally:
            client.quit()
    assert before == after == {"USER": [], "TOP": []}


def test_pop3_refuses_a_wrong_password_and_commands_before_login(tmp_path):
    folder = fill_maildir(tmp_path / "maildir", [b"x\r\n"])
    with pop3_running(folder) as server:
        client = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        try:
            with pytest.raises(poplib.error_proto, match="log in first"):
                client.stat()
            client.user("student")
            with pytest.raises(poplib.error_proto, match="wrong"):
                client.pass_("guess")
            client.user("student")
            client.pass_("secret")
            with pytest.raises(poplib.error_proto, match="no such message"):
                client.retr(9)
            with pytest.raises(poplib.error_proto, match="unknown command"):
                client._shortcmd("XYZZY")
            assert client.noop() == b"+OK"
        finally:
            client.quit()


@pytest.mark.parametrize("command", [
    b"LIST \xc2\xb2", b"RETR \xc2\xb2", b"DELE \xc2\xb2", b"TOP \xc2\xb2 0",
    b"TOP 1 \xc2\xb2", b"LIST \xd9\xa1", b"RETR 1_0", b"LIST +1", b"LIST -1",
    b"LIST \xef\xbc\x91", b"RETR 0x1", b"TOP 1", b"TOP 1 -1", b"RETR",
    b"LIST 1 2",
], ids=lambda command: command.decode("utf-8"))
def test_pop3_message_numbers_are_ascii_digits_or_an_err(tmp_path, command):
    folder = fill_maildir(tmp_path / "maildir")
    with pop3_running(folder) as server:
        client = POP3Lines(server.address)
        try:
            client.say(b"USER student")
            client.say(b"PASS secret")
            reply = client.say(command)
            after = client.say(b"LIST 1")  # the session goes on
            client.say(b"QUIT")
        finally:
            client.close()
    assert reply.startswith(b"-ERR ")
    assert b"int()" not in reply and b"literal" not in reply
    assert after == f"+OK 1 {len(SAMPLE_MESSAGES[0])}\r\n".encode()
    assert len(mailbox.Maildir(folder)) == 2


def test_pop3_answers_no_such_message_for_a_deleted_or_missing_one(tmp_path):
    folder = fill_maildir(tmp_path / "maildir")
    with pop3_running(folder) as server:
        client = POP3Lines(server.address)
        try:
            client.say(b"USER student")
            client.say(b"PASS secret")
            client.say(b"DELE 1")
            replies = [client.say(line) for line in (
                b"LIST 1", b"RETR 1", b"DELE 1", b"LIST 3", b"LIST 0",
                b"LIST 99999999999999999999")]
            client.say(b"RSET")
        finally:
            client.close()
    assert replies == [b"-ERR no such message\r\n"] * 6


@pytest.mark.parametrize("bad", [b"x" * 300 + b"\r\n", b"x" * 5000],
                         ids=["long line", "endless line"])
def test_pop3_answers_an_oversized_line_with_err_then_closes(tmp_path, bad):
    with pop3_running(tmp_path / "maildir", max_clients=2) as server:
        with connect(server.address) as client:
            client.sendall(bad)
            reply = recv_until_eof(client)
        after = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        after.quit()
    assert reply == b"+OK course POP3 server ready\r\n-ERR line too long\r\n"


def test_pop3_error_reply_survives_a_megabyte_line(tmp_path):
    """The server stops reading at 256 bytes; if it closed at once, the
    unread megabyte would make the kernel answer with a reset, and the
    client would never read "-ERR line too long"."""
    with pop3_running(tmp_path / "maildir", max_clients=2) as server:
        with connect(server.address) as client:
            with sending(client, b"x" * 1_000_000 + b"\r\n"):
                reply = recv_until_eof(client)
        after = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        after.quit()
    assert reply == b"+OK course POP3 server ready\r\n-ERR line too long\r\n"


def test_pop3_drops_a_client_that_stops_mid_line_and_serves_the_next(tmp_path):
    with pop3_running(tmp_path / "maildir", max_clients=2, timeout=0.3) as server:
        with connect(server.address) as silent:
            silent.sendall(b"US")
            started = time.monotonic()
            reply = recv_until_eof(silent)  # the server gives up first
            waited = time.monotonic() - started
        after = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        after.quit()
    assert reply == b"+OK course POP3 server ready\r\n"
    assert 0.2 < waited < SOCKET_TIMEOUT


# SMTP in, POP3 out: one maildir ---------------------------------------------------

def test_mail_server_delivers_into_a_maildir_with_local_line_ends(tmp_path):
    store = mail_server.MailStore(tmp_path / "maildir")
    server = mail_server.MailServer(store)
    server.start()
    try:
        with smtplib.SMTP(*server.address, local_hostname=CLIENT_NAME,
                          timeout=SOCKET_TIMEOUT) as client:
            client.sendmail("a@example.test", ["b@example.test"],
                            b"Subject: kept\r\n\r\n.dot\r\n")
        store.wait_for(1)
    finally:
        server.stop()
    (name,) = [path.name for path in (tmp_path / "maildir" / "new").iterdir()]
    content = (tmp_path / "maildir" / "new" / name).read_bytes()
    assert content == b"Subject: kept\n\n.dot\n"


def test_mail_server_answers_451_when_it_cannot_store_and_goes_on(tmp_path):
    folder = tmp_path / "maildir"
    store = mail_server.MailStore(folder)
    server = mail_server.MailServer(store)
    server.start()
    try:
        for path in sorted(folder.iterdir()):
            path.rmdir()
        folder.rmdir()
        folder.write_bytes(b"")  # a file where the maildir was
        with smtplib.SMTP(*server.address, local_hostname=CLIENT_NAME,
                          timeout=SOCKET_TIMEOUT) as client:
            with pytest.raises(smtplib.SMTPDataError) as refused:
                client.sendmail("a@example.test", ["b@example.test"], b"x\r\n")
            assert client.noop()[0] == 250
    finally:
        server.stop()
    assert refused.value.smtp_code == 451
    assert store.deliveries == []


def test_pop3_answers_err_when_the_maildir_cannot_be_read_and_goes_on(tmp_path):
    not_a_maildir = tmp_path / "file"
    not_a_maildir.write_bytes(b"")
    with pop3_running(not_a_maildir, max_clients=2) as server:
        client = POP3Lines(server.address)
        try:
            client.say(b"USER student")
            reply = client.say(b"PASS secret")
        finally:
            client.close()
        after = poplib.POP3(*server.address, timeout=SOCKET_TIMEOUT)
        after.quit()
    assert reply == b"-ERR [SYS/TEMP] cannot read the mailbox now\r\n"


@pytest.mark.parametrize("script", ["mail_server", "pop3_server"])
def test_scripts_refuse_a_maildir_they_cannot_use(script, tmp_path):
    (tmp_path / "file").write_bytes(b"")
    result = run_script("protocols", script, "--port", "0",
                        "--maildir", str(tmp_path / "file"))
    assert result.returncode == 1
    assert result.stderr.startswith("cannot use the maildir ")
    assert "Traceback" not in result.stderr


def test_mail_sent_with_smtplib_is_read_back_with_poplib(tmp_path):
    folder = fill_maildir(tmp_path / "maildir", SAMPLE_MESSAGES[:1])
    store = mail_server.MailStore(folder)
    smtp_server = mail_server.MailServer(store)
    smtp_server.start()
    try:
        message = EmailMessage()
        message["From"] = "teacher@example.test"
        message["To"] = "student@example.test"
        message["Subject"] = "Grüße"
        message.set_content("Round trip.\n.starts with a dot\n")
        with smtplib.SMTP(*smtp_server.address, local_hostname=CLIENT_NAME,
                          timeout=SOCKET_TIMEOUT) as client:
            client.send_message(message)
        (delivery,) = store.wait_for(1)
    finally:
        smtp_server.stop()
    with pop3_running(folder) as server:
        client = pop3_login(server.address)
        try:
            count, total = client.stat()
            _, lines, octets = client.retr(2)
        finally:
            client.quit()
    arrived = email.message_from_bytes(b"\r\n".join(lines) + b"\r\n",
                                       policy=email.policy.default)
    assert count == 2
    assert total == len(SAMPLE_MESSAGES[0]) + len(delivery.content)
    assert b"\r\n".join(lines) + b"\r\n" == delivery.content
    assert arrived["Subject"] == "Grüße"
    assert arrived.get_content() == "Round trip.\r\n.starts with a dot\r\n"


def test_mail_and_pop3_scripts_share_a_maildir(tmp_path):
    folder = str(tmp_path / "maildir")
    with run_example("protocols", "mail_server", "--maildir", folder) as smtp_run, \
            run_example("protocols", "pop3_server", "--maildir", folder) as pop_run:
        _, smtp_host, smtp_port = smtp_run
        _, pop_host, pop_port = pop_run
        with smtplib.SMTP(smtp_host, smtp_port, local_hostname=CLIENT_NAME,
                          timeout=SOCKET_TIMEOUT) as client:
            client.sendmail("a@example.test", ["student@example.test"],
                            b"Subject: from one script to the other\r\n\r\nhi\r\n")
        client = poplib.POP3(pop_host, pop_port, timeout=SOCKET_TIMEOUT)
        try:
            client.user("student")
            client.pass_("secret")
            _, lines, _ = client.retr(1)
            client.dele(1)
        finally:
            client.quit()
    assert (smtp_host, pop_host) == ("127.0.0.1", "127.0.0.1")
    assert lines == [b"Subject: from one script to the other", b"", b"hi"]
    assert len(mailbox.Maildir(folder)) == 0


@pytest.mark.parametrize("script", ["mail_server", "pop3_server"])
@pytest.mark.parametrize("port", ["99999", "65536", "-1", "eighty"])
def test_scripts_refuse_an_impossible_port_with_a_usage_error(script, port, tmp_path):
    result = run_script("protocols", script, "--port", port,
                        "--maildir", str(tmp_path / "maildir"))
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ")
    assert "--port" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "maildir").exists()


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
