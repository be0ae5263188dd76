"""Check a GitHub Actions workflow file before GitHub sees it.

    python examples/deployment/check_workflow.py examples/deployment/ci.yml

A small schema of our own, for the mistakes that cost a push and a wait:
a job without runs-on or steps, a step with both (or neither of) `uses`
and `run`, an action not pinned to a version, a `needs` that names no job.
Exit status 0 if the file is fine; otherwise each problem is printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

STEP_KEYS = {"name", "id", "if", "uses", "run", "with", "env",
             "shell", "working-directory", "continue-on-error", "timeout-minutes"}


# [start:on]
def triggers(workflow: dict) -> object:
    """The `on:` section. YAML 1.1 (PyYAML) reads the bare key on as True."""
    return workflow.get("on", workflow.get(True))
# [end:on]


# [start:problems]
def problems(workflow: dict) -> list[str]:
    """What is wrong with a parsed workflow (an empty list: nothing)."""
    found = []
    if not triggers(workflow):
        found.append("no 'on:' section: the workflow never runs")
    jobs = workflow.get("jobs") or {}
    if not jobs:
        found.append("no jobs")
    for name, job in jobs.items():
        needs = job.get("needs", [])
        for needed in [needs] if isinstance(needs, str) else needs:
            if needed not in jobs:
                found.append(f"{name}: needs unknown job {needed!r}")
        if "runs-on" not in job:
            found.append(f"{name}: no runs-on")
        for number, step in enumerate(job.get("steps") or [], 1):
            found += step_problems(f"{name} step {number}", step)
        if not job.get("steps"):
            found.append(f"{name}: no steps")
    return found
# [end:problems]


def step_problems(where: str, step: dict) -> list[str]:
    found = [f"{where}: unknown key {key!r}" for key in step if key not in STEP_KEYS]
    if ("uses" in step) == ("run" in step):
        found.append(f"{where}: needs exactly one of 'uses' and 'run'")
    uses = step.get("uses", "")
    if uses and "@" not in uses and not uses.startswith("./"):
        found.append(f"{where}: {uses} is not pinned to a version (@v4)")
    return found


def check_file(path: Path) -> list[str]:
    try:
        workflow = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        return [f"not YAML: {error}"]
    if not isinstance(workflow, dict):
        return ["not a mapping of keys to values"]
    return problems(workflow)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        found = check_file(path)
        for problem in found:
            print(f"{path}: {problem}")
        if not found:
            print(f"{path}: ok")
        status = status or (1 if found else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
