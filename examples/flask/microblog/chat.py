"""A live chat room: messages go out to every open page as server-sent
events (a long streaming response, one per page).

Each listener has a queue of its own, of bounded size. Sending a message
puts it in every queue without waiting; a listener whose queue is full
(a page that stopped reading) is dropped, so no one slows the room.
"""

from __future__ import annotations

import json
import queue
import threading

from flask import Blueprint, Response, abort, current_app, g, render_template, request

from .auth import login_required

bp = Blueprint("chat", __name__, url_prefix="/chat")

BACKLOG = 100  # messages a listener may fall behind before it is dropped
KEEPALIVE = 10.0  # seconds: a comment line then finds a vanished listener
CLOSED = None  # what a queue receives when the room closes


class Room:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.listeners: set[queue.Queue] = set()

    # [start:room]
    def join(self) -> queue.Queue:
        listener = queue.Queue(maxsize=BACKLOG)
        with self.lock:
            self.listeners.add(listener)
        return listener

    def send(self, message: dict) -> None:
        with self.lock:
            for listener in list(self.listeners):
                try:
                    listener.put_nowait(message)  # never waits
                except queue.Full:  # it stopped reading: drop it
                    self.listeners.discard(listener)
    # [end:room]

    def leave(self, listener: queue.Queue) -> None:
        with self.lock:
            self.listeners.discard(listener)

    def __contains__(self, listener: queue.Queue) -> bool:
        with self.lock:
            return listener in self.listeners

    def close(self) -> None:
        """End every stream (when the server stops)."""
        with self.lock:
            for listener in self.listeners:
                while True:
                    try:
                        listener.put_nowait(CLOSED)
                        break
                    except queue.Full:
                        listener.get_nowait()  # make room for the sign-off
            self.listeners.clear()


def current_room() -> Room:
    """This application's room (create_app makes one per app)."""
    return current_app.extensions["chat_room"]


# [start:event]
def event(message: dict) -> str:
    """One server-sent event: a data: line, then an empty line."""
    return f"data: {json.dumps(message)}\n\n"
# [end:event]


# [start:events]
def events(room: Room, listener: queue.Queue):
    """One page's stream: its messages, as events."""
    try:
        yield ": welcome\n\n"  # a comment: now the page knows
        while listener in room:  # until dropped, or the room closes
            try:
                message = listener.get(timeout=KEEPALIVE)
            except queue.Empty:
                yield ": still here\n\n"  # fails if the page is gone
                continue
            if message is not CLOSED:
                yield event(message)
    finally:
        room.leave(listener)
# [end:events]


# [start:stream]
@bp.get("/stream")
@login_required
def stream():
    room = current_room()
    listener = room.join()
    return Response(events(room, listener),
                    mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store"})
# [end:stream]


# [start:send]
@bp.post("/send")
@login_required
def send():
    text = request.form.get("text", "").strip()
    if not text or len(text) > 500:
        abort(400, "a message is 1 to 500 characters")
    current_room().send({"user": g.user.username, "text": text})
    return "", 204
# [end:send]


@bp.get("/")
@login_required
def page():
    return render_template("chat/room.html")
