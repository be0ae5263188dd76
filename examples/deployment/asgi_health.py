"""The health check as an ASGI application, for uvicorn (lecture 11's ASGI).

    python -m uvicorn --app-dir examples/deployment asgi_health:app --port 8000

GET /healthz answers {"status": "ok", "pid": ...}; anything else is 404.
"""

from __future__ import annotations

import json
import os


# [start:app]
async def app(scope, receive, send):
    """An ASGI app: one coroutine per request, messages in and out."""
    if scope["type"] != "http":
        return  # lifespan events: nothing to set up
    found = scope["path"] == "/healthz"
    body = json.dumps({"status": "ok", "pid": os.getpid()}).encode()
    await send({"type": "http.response.start",
                "status": 200 if found else 404,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body",
                "body": body if found else b"{}"})
# [end:app]
