"""Assignment: a zero-downtime deploy script (solution).

    python examples/deployment/exercises/zero_downtime/solution.py \
        --releases /srv/microblog/releases --version 2.1 \
        --pid-file /run/microblog/gunicorn.pid --health http://127.0.0.1:8000/healthz

The layout: releases/<version>/ holds each release (here, just its VERSION
file), releases/current is a symbolic link to the running one, and
gunicorn runs with RELEASE_DIR=releases/current. A deploy:

1. refuses to start unless the running service is healthy;
2. makes the new release folder (a version is never deployed twice);
3. points `current` at it atomically (a new link, renamed over the old);
4. sends gunicorn's master SIGHUP: new workers start on the new release,
   old ones finish their requests first;
5. waits until the health check reports the new version, N times in a row
   (every worker has been replaced); otherwise points `current` back,
   sends SIGHUP again, and fails.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path


class DeployError(RuntimeError):
    """The deploy did not happen, or was rolled back."""


def running_version(health_url: str) -> str | None:
    """The version /healthz reports, or None if it does not answer."""
    try:
        with urllib.request.urlopen(health_url, timeout=2) as reply:
            return json.load(reply)["version"]
    except (OSError, ValueError, KeyError):
        return None


def point_current_at(releases: Path, version: str) -> None:
    """releases/current -> releases/<version>, replaced in one rename."""
    new_link = releases / f".current-{os.getpid()}"
    new_link.unlink(missing_ok=True)
    new_link.symlink_to(version)
    os.replace(new_link, releases / "current")


def wait_for_version(health_url: str, version: str, timeout: float,
                     in_a_row: int = 10) -> bool:
    """True once `in_a_row` consecutive checks report `version`."""
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        seen = seen + 1 if running_version(health_url) == version else 0
        if seen >= in_a_row:
            return True
        time.sleep(0.05)
    return False


def deploy(releases: Path, version: str, gunicorn_pid: int,
           health_url: str, timeout: float = 30.0) -> None:
    """Deploy `version` with no request lost, or raise DeployError."""
    previous = running_version(health_url)
    if previous is None:
        raise DeployError("the service is not healthy: not deploying")
    release = releases / version
    if release.exists():
        raise DeployError(f"release {version} exists already")
    release.mkdir(parents=True)
    (release / "VERSION").write_text(version + "\n")
    point_current_at(releases, version)
    os.kill(gunicorn_pid, signal.SIGHUP)
    if not wait_for_version(health_url, version, timeout):
        point_current_at(releases, previous)
        os.kill(gunicorn_pid, signal.SIGHUP)
        raise DeployError(f"{version} did not become healthy: back to {previous}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--pid-file", type=Path, required=True)
    parser.add_argument("--health", required=True, help="the /healthz URL")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    pid = int(args.pid_file.read_text())
    try:
        deploy(args.releases, args.version, pid, args.health, args.timeout)
    except DeployError as error:
        print(f"deploy failed: {error}", file=sys.stderr)
        return 1
    print(f"deployed {args.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
