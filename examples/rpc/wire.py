"""What an XML-RPC call looks like on the wire, captured as it is sent.

RecordingTransport is an xmlrpc.client.Transport that keeps a copy of the
body of every request it sends, so that a program (or a slide) can show
the exact XML of a call instead of a pasted copy::

    >>> from xmlrpc.client import ServerProxy
    >>> recorder = RecordingTransport()
    >>> kv = ServerProxy("http://127.0.0.1:8000", transport=recorder)
    >>> kv.exists("colour")
    >>> print(recorder.sent[-1].decode())
"""

import xmlrpc.client


# [start:recorder]
class RecordingTransport(xmlrpc.client.Transport):
    """A Transport that records the body of each request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []

    def send_content(self, connection, request_body: bytes) -> None:
        self.sent.append(request_body)
        super().send_content(connection, request_body)
# [end:recorder]
