"""Tests of lecture 3, "Protocols": the IMAP slide, against a real IMAP server.

The IMAP conversation on the slide "IMAP: tagged commands, mail stays on
the server" is replayed here against Dovecot (Debian: apt-get install
dovecot-imapd), started for each test in a temporary folder with its own
configuration: no root needed, 127.0.0.1 only, one user in a passwd-file,
and a maildir holding two messages. The test sends the slide's client
lines and compares the server's answers with the slide's, so the slide
shows what a real server says. Without Dovecot the tests are skipped with
the command that installs it; under CI=true they fail instead.
"""

from __future__ import annotations

import grp
import imaplib
import mailbox
import os
import pwd
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.net import require_command

from tests.support import EXIT_TIMEOUT, SOCKET_TIMEOUT, connect
from tests.support_mail import matches, slide_transcript

IMAP_SLIDE = "IMAP: tagged commands, mail stays on the server"
MESSAGES = [
    b"From: teacher@example.test\nSubject: Welcome\n\nWelcome to the course!\n",
    b"From: robot@example.test\nSubject: Dots\n\n"
    b"A line that starts with a dot:\n.like this one\n",
]
READY_TIMEOUT = 15.0  # for Dovecot to start and answer a greeting

CONFIG = """\
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
login_greeting = Course IMAP server ready.
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{folder}/maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/home
}}
service anvil {{
  chroot =
}}
service auth-worker {{
  user = $default_internal_user
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def find_dovecot() -> str:
    """The dovecot program; skip (or fail under CI) when it is missing."""
    return require_command("dovecot", "dovecot-imapd")


def free_port() -> int:
    """A port that was free a moment ago (Dovecot cannot listen on 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def greeting(port: int) -> bytes:
    """The first line Dovecot sends, or b"" if nothing listens yet."""
    try:
        with connect(("127.0.0.1", port), timeout=1.0) as client:
            with client.makefile("rb") as reader:
                return reader.readline()
    except OSError:
        return b""


def wait_until_ready(process: subprocess.Popen, port: int, log: Path) -> None:
    """Until the authentication process is up, Dovecot greets with
    "Waiting for authentication process to respond"; wait for the real
    greeting."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if b"Course IMAP server ready" in greeting(port):
            return
        time.sleep(0.1)
    details = log.read_text(errors="replace") if log.exists() else ""
    raise AssertionError(f"Dovecot did not start on port {port}:\n{details}")


@pytest.fixture
def imap_address():
    """(host, port) of a Dovecot serving user "student" (password
    "secret") a maildir with MESSAGES in it, oldest first."""
    program = find_dovecot()
    # As root, Dovecot refuses to run its login process: run all of it as
    # "nobody" then. Otherwise it runs as whoever runs the tests.
    account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(account.pw_gid).gr_name
    with tempfile.TemporaryDirectory(prefix="course-imap-") as temporary:
        folder = Path(temporary)
        box = mailbox.Maildir(folder / "maildir")
        for minute, content in enumerate(MESSAGES):
            key = box.add(content)
            delivered = 1_700_000_000 + 60 * minute
            os.utime(folder / "maildir" / "new" / key, (delivered, delivered))
        (folder / "passwd").write_text("student:{PLAIN}secret\n")
        port = free_port()
        (folder / "dovecot.conf").write_text(CONFIG.format(
            folder=folder, user=account.pw_name, group=group,
            uid=account.pw_uid, gid=account.pw_gid, port=port))
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
        as_root = os.geteuid() == 0
        process = subprocess.Popen(
            [program, "-F", "-c", str(folder / "dovecot.conf")],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            user=account.pw_uid if as_root else None,
            group=account.pw_gid if as_root else None,
            extra_groups=[] if as_root else None,
        )
        try:
            wait_until_ready(process, port, folder / "dovecot.log")
            yield "127.0.0.1", port
        finally:
            process.send_signal(signal.SIGTERM)  # the master stops the rest
            try:
                process.communicate(timeout=EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate(timeout=EXIT_TIMEOUT)


def replay(address, transcript: list[str]) -> str:
    """Send the client's ("C: ") lines of a transcript, each after the
    server's lines before it; return everything as "C: "/"S: " lines."""
    said: list[str] = []
    with connect(address, timeout=SOCKET_TIMEOUT) as client:
        with client.makefile("rb") as reader:
            said.append(f"S: {reader.readline().decode().rstrip()}")
            for line in transcript:
                if not line.startswith("C: "):
                    continue
                said.append(line)
                client.sendall(line[3:].encode() + b"\r\n")
                said.extend(answer(reader, line[3:].split(" ")[0]))
    return "\n".join(said)


def answer(reader, tag: str) -> list[str]:
    """The server's lines up to the tagged one that ends the answer; a
    literal {n} is read as exactly n bytes."""
    lines = []
    while True:
        line = reader.readline()
        if not line:
            raise AssertionError(f"the server closed before answering {tag}")
        text = line.decode().rstrip("\r\n")
        lines.append(f"S: {text}".rstrip())
        if literal := re.search(r"\{(\d+)\}$", text):
            data = reader.read(int(literal.group(1))).decode()
            lines.extend(f"S: {part}".rstrip() for part in data.split("\r\n")[:-1])
        elif text.startswith(tag + " "):
            return lines


def test_imap_slide_is_what_dovecot_answers(imap_address):
    slide = slide_transcript(IMAP_SLIDE)
    real = replay(imap_address, slide)
    assert matches(slide, real), f"the slide:\n{chr(10).join(slide)}\n\nDovecot:\n{real}"


def test_imap_slide_literal_announces_the_bytes_that_follow():
    slide = slide_transcript(IMAP_SLIDE)
    (start,) = [n for n, line in enumerate(slide) if re.search(r"\{\d+\}$", line)]
    count = int(re.search(r"\{(\d+)\}$", slide[start]).group(1))
    following = [line[3:] for line in slide[start + 1:]]
    data = "".join(line + "\r\n" for line in following[:following.index(")")])
    assert len(data.encode()) == count


def test_imap_body_marks_a_message_seen_and_body_peek_does_not(imap_address):
    with imaplib.IMAP4(*imap_address, timeout=SOCKET_TIMEOUT) as client:
        client.login("student", "secret")
        client.select("INBOX")
        client.fetch("1", "(BODY.PEEK[])")
        _, peeked = client.fetch("1", "(FLAGS)")
        client.fetch("1", "(BODY[])")
        _, read = client.fetch("1", "(FLAGS)")
    assert b"\\Seen" not in peeked[0]
    assert b"\\Seen" in read[0]
