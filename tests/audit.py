"""The drift audit: every piece of code in a lecture is accounted for.

A code block in source/*.rst must be one of:

* a session: ``>>>`` examples (``code-block:: pycon`` or a bare doctest
  block) and ``code-block:: python`` blocks, all executed by sybil;
* an include: ``literalinclude`` of a file under examples/ that a test in
  tests/test_<lecture>*.py exercises, selected by ``:pyobject:`` or markers;
* a fragment: ``.. fragment::`` with a ``:reason:``, counted, not run.

Anything else (a ``code-block`` in another language, a ``pycon`` block with
no prompt, an include by ``:lines:``...) is *unaccounted* and fails
tests/test_site.py.  ``make test`` prints the table at the end of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
EXAMPLES = ROOT / "examples"
TESTS = ROOT / "tests"

DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (?P<name>[\w-]+)::\s*(?P<argument>.*?)\s*$")
OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*?)\s*$")
SELECTING_OPTIONS = {"pyobject", "start-after", "end-before", "start-at", "end-at"}
CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}


@dataclass
class Block:
    """One directive of a lecture, with its options and content."""

    path: Path
    line: int
    name: str
    argument: str
    options: dict[str, str]
    content: list[str]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


@dataclass
class LectureAudit:
    path: Path
    sessions: int = 0  # doctest examples and python blocks executed by sybil
    includes: int = 0
    fragments: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem


def read_blocks(path: Path) -> list[Block]:
    """Every directive in an .rst file, with its options and indented content."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    for index, line in enumerate(lines):
        match = DIRECTIVE.match(line)
        if not match:
            continue
        indent = len(match["indent"])
        options: dict[str, str] = {}
        content: list[str] = []
        body = index + 1
        while (
            body < len(lines)
            and (match_option := OPTION.match(lines[body]))
            and _indent(lines[body]) > indent
        ):
            options[match_option["name"]] = match_option["value"]
            body += 1
        while body < len(lines) and (not lines[body].strip() or _indent(lines[body]) > indent):
            content.append(lines[body])
            body += 1
        blocks.append(Block(path, index + 1, match["name"], match["argument"], options, content))
    return blocks


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def count_doctest_examples(path: Path) -> int:
    """Prompts that sybil runs: each ``>>>`` line starts one example."""
    return sum(
        1
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith(">>>")
    )


def tested_example_files(lecture: str) -> str:
    """The text of the lecture's test modules, where tested examples are named."""
    return "\n".join(
        path.read_text(encoding="utf-8") for path in sorted(TESTS.glob(f"test_{lecture}*.py"))
    )


def audit_lecture(path: Path) -> LectureAudit:
    audit = LectureAudit(path)
    audit.sessions = count_doctest_examples(path)
    test_text = tested_example_files(path.stem)

    for block in read_blocks(path):
        has_prompt = any(line.lstrip().startswith(">>>") for line in block.content)
        if block.name in CODE_DIRECTIVES:
            language = block.argument or "(none)"
            if language == "pycon" and has_prompt:
                continue  # counted with the doctest examples
            if language in ("python", "python3") and not has_prompt:
                audit.sessions += 1  # PythonCodeBlockParser runs it
                continue
            if language in ("python", "python3"):
                audit.problems.append(f"{block.where}: '>>>' inside a python code-block; use pycon")
            else:
                audit.problems.append(
                    f"{block.where}: code-block:: {language} is neither run nor marked; "
                    "use a pycon session, a literalinclude or a fragment with a :reason:"
                )
        elif block.name == "literalinclude":
            problem = check_include(block, test_text)
            if problem:
                audit.problems.append(f"{block.where}: {problem}")
            else:
                audit.includes += 1
        elif block.name == "fragment":
            if not block.options.get("reason"):
                audit.problems.append(f"{block.where}: fragment without a :reason:")
            elif has_prompt:
                audit.problems.append(
                    f"{block.where}: a fragment with '>>>' would still be run by sybil"
                )
            else:
                audit.fragments += 1
    return audit


def check_include(block: Block, test_text: str) -> str | None:
    """Why a literalinclude is not acceptable, or None when it is."""
    target = (block.path.parent / block.argument).resolve()
    if not target.is_file():
        return f"literalinclude target {block.argument} does not exist"
    try:
        inside_examples = target.relative_to(EXAMPLES)
    except ValueError:
        return f"literalinclude target {block.argument} is not under examples/"
    if "lines" in block.options:
        return "literalinclude selects by :lines:, which drifts; use :pyobject: or markers"
    if not SELECTING_OPTIONS.intersection(block.options) and "whole-file" not in block.options.get(
        "class", ""
    ):
        # a whole short file is fine too, when it says so with :class: whole-file
        return "literalinclude selects nothing: use :pyobject:, markers, or :class: whole-file"
    for option in ("start-after", "end-before", "start-at", "end-at"):
        marker = block.options.get(option)
        if marker and marker not in target.read_text(encoding="utf-8"):
            return f"marker {marker!r} not found in {inside_examples}"
    if "pyobject" in block.options and not _defines(target, block.options["pyobject"]):
        return f"{inside_examples} defines no {block.options['pyobject']}"
    names = [part.removesuffix(".py") for part in inside_examples.parts[1:]]
    if not all(re.search(rf"\b{re.escape(name)}\b", test_text) for name in names):
        return f"examples/{inside_examples} is not exercised by tests/test_{block.path.stem}*.py"
    return None


def _defines(path: Path, dotted_name: str) -> bool:
    """Whether a Python file defines a (possibly dotted: Class.method) name."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    scope: list[ast.stmt] = tree.body
    for part in dotted_name.split("."):
        found = next(
            (
                node
                for node in scope
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and node.name == part
            ),
            None,
        )
        if found is None:
            return False
        scope = found.body
    return True


def lecture_files() -> list[Path]:
    return sorted(SOURCE.glob("**/*.rst"))


def audit_all() -> list[LectureAudit]:
    return [audit_lecture(path) for path in lecture_files()]


def format_table(audits: list[LectureAudit]) -> str:
    header = f"{'lecture':<16} {'sessions':>8} {'includes':>8} {'fragments':>9} {'unaccounted':>11}"
    rows = [header, "-" * len(header)]
    for audit in audits:
        sessions, includes, fragments = audit.sessions, audit.includes, audit.fragments
        rows.append(
            f"{audit.name:<16} {sessions:>8} {includes:>8} {fragments:>9} {len(audit.problems):>11}"
        )
    for audit in audits:
        rows.extend(f"  unaccounted: {problem}" for problem in audit.problems)
    return "\n".join(rows)
