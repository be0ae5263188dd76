"""Lecture 8: the chat room's server-sent events, over real HTTP, with
listeners that read, one that stops reading, and one that vanishes."""

from __future__ import annotations

import time

import pytest

from tests.net import reset_connection
from tests.support_flask import Browser, EventStream, closing_app, make_app, microblog, served

chat = microblog.chat


@pytest.fixture
def app(tmp_path):
    with closing_app(make_app(f"sqlite:///{tmp_path}/microblog.sqlite")) as app:
        yield app


@pytest.fixture
def server(app):
    with served(app) as url:
        yield url


@pytest.fixture
def alice(server):
    browser = Browser(server)
    browser.register("alice")
    return browser


@pytest.fixture
def bob(server):
    browser = Browser(server)
    browser.register("bob")
    return browser


def listening(server, browser, **options) -> EventStream:
    """An open stream, once the room has counted it."""
    stream = EventStream(server, browser.cookie_header(), **options)
    try:
        head = stream.read_head()
        assert "Content-Type: text/event-stream" in head, head
        assert stream.readline() == b": welcome\n"
    except BaseException:
        stream.close()
        raise
    return stream


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_an_event_is_a_data_line_and_an_empty_line():
    assert chat.event({"user": "ada", "text": "hi"}) == 'data: {"user": "ada", "text": "hi"}\n\n'


def test_every_listener_hears_every_message_in_order(server, alice, bob):
    with listening(server, alice) as first, listening(server, bob) as second:
        assert alice.say("hello") == 204
        assert bob.say("hi alice") == 204
        expected = [{"user": "alice", "text": "hello"}, {"user": "bob", "text": "hi alice"}]
        assert [first.next_event(), first.next_event()] == expected
        assert [second.next_event(), second.next_event()] == expected


def test_html_in_a_message_travels_as_text(server, alice):
    with listening(server, alice) as stream:
        alice.say("<b>bold</b>")
        assert stream.next_event()["text"] == "<b>bold</b>"  # the page sets textContent


def test_a_listener_that_stops_reading_does_not_stall_the_room(app, server, alice, bob):
    room = app.extensions["chat_room"]
    with listening(server, alice, receive_buffer=4096) as stuck, listening(server, bob) as reader:
        wait_for(lambda: len(room.listeners) == 2)
        started = time.monotonic()
        sent = 0
        # until the stuck page's socket buffers and then its queue are full
        # (the same call as /chat/send makes: quicker than HTTP), in batches
        # that the reader reads in between, as a live page does
        while len(room.listeners) == 2 and sent < 20_000:
            batch = [f"{sent + number:05} " + "x" * 490 for number in range(50)]
            for text in batch:
                room.send({"user": "bob", "text": text})  # never waits
            assert [reader.next_event()["text"] for _ in batch] == batch
            sent += len(batch)
        assert len(room.listeners) == 1, "the stuck page was never dropped"
        assert sent > chat.BACKLOG
        assert bob.say("still talking") == 204
        assert reader.next_event()["text"] == "still talking"
        assert time.monotonic() - started < 30
        # the stuck page's stream has ended: what it finally reads is the
        # messages from before it was dropped, then the end of the stream
        # (a browser's EventSource then reconnects)
        with pytest.raises(EOFError):
            while True:
                stuck.next_event()


def test_a_vanished_listener_leaves_the_room(app, server, alice, bob):
    room = app.extensions["chat_room"]
    gone = listening(server, alice)
    with listening(server, bob) as reader:
        wait_for(lambda: len(room.listeners) == 2)
        reset_connection(gone.sock)
        gone.file.close()
        for number in range(5):
            bob.say(f"message {number}")
            assert reader.next_event()["text"] == f"message {number}"
        wait_for(lambda: len(room.listeners) == 1)  # a write failed: it left


def test_the_room_closing_ends_every_stream(app, server, alice):
    with listening(server, alice) as stream:
        app.extensions["chat_room"].close()
        with pytest.raises(EOFError):
            stream.next_event()


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_an_empty_or_long_message_is_400_and_not_sent(server, alice, text):
    with listening(server, alice) as stream:
        assert alice.say(text) == 400
        alice.say("after")
        assert stream.next_event()["text"] == "after"


def test_a_message_without_csrf_token_is_400(app, server, alice):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{server}/chat/send", data=b"text=forged")
    with pytest.raises(urllib.error.HTTPError) as caught:
        alice.opener.open(request, timeout=5)
    caught.value.close()
    assert caught.value.code == 400


def test_an_anonymous_visitor_cannot_listen(server):
    with EventStream(server, cookie="") as stream:
        head = stream.read_head()
    assert head.startswith("HTTP/1.1 302 ") and "Location: /auth/login" in head
