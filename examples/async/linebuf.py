"""The line echo protocol of lectures 1 and 4, as a buffer with no I/O.

Every line a client sends (bytes ended by b"\\n") comes straight back. A
line longer than MAX_LINE bytes is refused with
``error: line too long (max 8192 bytes)`` and the server hangs up: it can
no longer tell where the next line begins. Both servers of this lecture
(yield_echo.py and await_echo.py) use it, so when they differ it is the
way they wait, not the protocol. It does not run alone.
"""

from __future__ import annotations

MAX_LINE = 8192  # bytes in one line, not counting the b"\n"
TOO_LONG_REPLY = f"error: line too long (max {MAX_LINE} bytes)\n".encode()


class LineTooLong(ValueError):
    """A client sent more than MAX_LINE bytes without a b"\\n"."""


# [start:linebuffer]
class LineBuffer:
    """Bytes in, complete lines out; an incomplete line is kept."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self.pending = b""

    def feed(self, data: bytes) -> bytes:
        """Return the complete lines so far; raise LineTooLong."""
        self.pending += data
        end = self.pending.rfind(b"\n") + 1  # 0: no complete line
        lines, self.pending = self.pending[:end], self.pending[end:]
        longest = max(map(len, lines.split(b"\n")))
        if max(longest, len(self.pending)) > self.max_line:
            raise LineTooLong()
        return lines
# [end:linebuffer]
