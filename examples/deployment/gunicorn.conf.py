"""gunicorn's settings for the microblog: a Python file gunicorn reads.

    gunicorn --config examples/deployment/gunicorn.conf.py

Everything that differs between machines comes from the environment
(BIND, WEB_CONCURRENCY); the rest is the same everywhere.
"""

import os
from pathlib import Path

# [start:workers]
wsgi_app = "wsgi:application"
chdir = str(Path(__file__).parent)           # where wsgi.py is
# loopback only: nginx is the one client
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"     # one request at a time per worker process
timeout = 30              # silent this long: killed, replaced
graceful_timeout = 20     # on reload or stop: time to finish requests
max_requests = 1000       # recycle workers now and then (leaks)
max_requests_jitter = 100
# [end:workers]

# [start:logging]
accesslog = "-"           # standard output: the supervisor keeps it
errorlog = "-"
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(M)sms id=%({x-request-id}i)s')
logconfig_dict = {        # the app's own logger, next to gunicorn's
    "loggers": {"microblog.requests": {
        "level": "INFO", "handlers": ["error_console"],
        "propagate": False}},
}
# [end:logging]
