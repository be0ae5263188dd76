"""The whole stack on loopback: the microblog under gunicorn, nginx in front.

    SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex())') \
        python examples/deployment/stack.py --port 8080

It makes a folder for the run (database, logs, nginx's pid and temp files),
migrates the database, starts gunicorn on a loopback port nobody else is
told about, renders nginx.conf from nginx.conf.template, starts nginx on
--port, waits until /healthz answers through nginx, and prints
"stack listening on HOST:PORT". Ctrl-C stops both, gracefully.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLASK_EXAMPLES = HERE.parent / "flask"
TEMPLATE = HERE / "nginx.conf.template"


# [start:render]
def render(template: str, **values: object) -> str:
    """Fill in every {{name}}; a name with no value is an error."""
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for {{{{{name}}}}}")
        return str(values[name])
    return re.sub(r"\{\{(\w+)\}\}", value, template)
# [end:render]


def find_nginx() -> str:
    """nginx's path: Debian installs it in /usr/sbin, not always on PATH."""
    path = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if path is None:
        raise SystemExit("nginx is not installed: apt-get install nginx")
    return path


def mime_types(nginx: str) -> str:
    """The mime.types file that comes with nginx (Debian: /etc/nginx)."""
    for folder in ("/etc/nginx", str(Path(nginx).parent.parent / "conf")):
        if Path(folder, "mime.types").is_file():
            return f"{folder}/mime.types"
    raise SystemExit("nginx's mime.types not found")


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (nginx cannot be told 'port 0')."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def nginx_config(folder: Path, host: str, port: int, upstream: str,
                 template: str | None = None) -> Path:
    """Write folder/nginx.conf from the template; return its path."""
    nginx = find_nginx()
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(exist_ok=True)
    text = render(template or TEMPLATE.read_text(), prefix=folder,
                  host=host, port=port, upstream=upstream,
                  static_root=HERE / "static", user=getpass.getuser(),
                  mime_types=mime_types(nginx))
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def wait_until_healthy(url: str, process: subprocess.Popen,
                       timeout: float = 20.0) -> None:
    """Poll url until it answers 200; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def migrate(environ: dict[str, str]) -> None:
    """`flask db upgrade`: the release step that makes the tables."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "microblog", "db", "upgrade"],
        cwd=FLASK_EXAMPLES, env=environ, check=True, capture_output=True,
        timeout=60)


@dataclass
class Stack:
    """A running stack: its addresses, processes and files."""

    folder: Path
    url: str               # nginx: the only address the world is given
    app_url: str           # gunicorn: loopback, for nginx (and tests)
    gunicorn: subprocess.Popen
    nginx: subprocess.Popen | None


def start_gunicorn(folder: Path, environ: dict[str, str], host: str,
                   workers: int) -> tuple[subprocess.Popen, str]:
    """gunicorn on a socket we bind here and hand over (no port race)."""
    listener = socket.create_server((host, 0))
    port = listener.getsockname()[1]
    with listener, open(folder / "gunicorn.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn",
             "--config", str(HERE / "gunicorn.conf.py"),
             "--bind", f"fd://{listener.fileno()}",
             "--workers", str(workers), "--pid", str(folder / "gunicorn.pid")],
            env=environ, stdout=log, stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()])
    return process, f"http://{host}:{port}"


def stop(process: subprocess.Popen, sig: int) -> None:
    """Ask process to stop with sig (a graceful one); kill it if it won't."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(25)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextmanager
def running_nginx(folder: Path, host: str, port: int, upstream: str,
                  template: str | None = None):
    """nginx on host:port (0: a free port) in front of upstream; yield its URL."""
    port = port or free_port(host)
    conf = nginx_config(folder, host, port, upstream, template)
    nginx = subprocess.Popen(
        [find_nginx(), "-p", str(folder), "-c", str(conf),
         "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(host, port, nginx)
        yield f"http://{host}:{port}", nginx
    finally:
        stop(nginx, signal.SIGQUIT)    # nginx: finish, then exit


def wait_until_listening(host: str, port: int, process: subprocess.Popen,
                         timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited ({process.returncode})")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port}")


@contextmanager
def running_app(folder: Path, host: str = "127.0.0.1", workers: int = 2,
                environ: dict[str, str] | None = None, tables: bool = True):
    """Migrate (unless not `tables`), start gunicorn, wait for /healthz;
    yield (process, URL)."""
    environ = dict(os.environ if environ is None else environ)
    environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/microblog.sqlite")
    environ["PYTHONDONTWRITEBYTECODE"] = "1"
    if tables:
        migrate(environ)
    gunicorn, app_url = start_gunicorn(folder, environ, host, workers)
    try:
        wait_until_healthy(app_url + "/healthz", gunicorn)
        yield gunicorn, app_url
    finally:
        stop(gunicorn, signal.SIGTERM)     # gunicorn: graceful shutdown


@contextmanager
def running_stack(folder: Path, host: str = "127.0.0.1", port: int = 0,
                  workers: int = 2, environ: dict[str, str] | None = None,
                  template: str | None = None):
    """gunicorn, then nginx in front of it; yield a Stack; stop both."""
    with running_app(folder, host, workers, environ) as (gunicorn, app_url):
        upstream = app_url.removeprefix("http://")
        with running_nginx(folder, host, port, upstream, template) as (url, nginx):
            yield Stack(folder, url, app_url, gunicorn, nginx)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080,
                        help="nginx's port (0: any free one)")
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, template: str | None = None) -> int:
    args = parse_args(argv)
    if "SECRET_KEY" not in os.environ:
        print("SECRET_KEY is not set: see --help", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="stack-") as folder:
        with running_stack(Path(folder), args.host, args.port,
                           args.workers, template=template) as stack:
            print(f"stack listening on {stack.url.split('//')[1]}", flush=True)
            try:
                signal.sigwait({signal.SIGINT, signal.SIGTERM})
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
