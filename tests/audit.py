"""The drift audit: every piece of code in a lecture is accounted for.

A code block in source/*.rst must be one of:

* a session: ``>>>`` examples (``code-block:: pycon`` or a bare doctest
  block) and ``code-block:: python`` blocks, all executed by sybil;
* an include: ``literalinclude`` of a file under examples/, selected by
  ``:pyobject:`` or markers, whose lines the test run actually executes;
  or of a file that is not Python (a transcript) with ``:checked-by:`` the
  test that checks it, which must pass in the run;
* a fragment: ``.. fragment::`` with a ``:reason:``, counted, not run.

Anything else (a ``code-block`` in another language, a bare ``::`` literal
block, a ``pycon`` block with no prompt, an include by ``:lines:``...) is
*unaccounted* and fails tests/test_site.py.

Whether an include is tested is measured, not guessed from names: ``make
test`` runs the suite under coverage.py (examples/ only, subprocesses
included), and at the end of the run tests/audit_plugin.py asks, for each
included function or marked region, whether the run executed any of its
lines (for a function: a line of its body, since ``def`` itself runs on
import).  An include nobody runs fails the run.  ``make test`` prints the
table at the end of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.course import EXAMPLES, ROOT, SOURCE

DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (?P<name>[\w-]+)::\s*(?P<argument>.*?)\s*$")
OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*?)\s*$")
SELECTING_OPTIONS = {"pyobject", "start-after", "end-before", "start-at", "end-at"}
CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}
# Directives whose content is shown as literal text: never run, so never allowed.
OTHER_LITERAL_DIRECTIVES = {"parsed-literal", "highlight-block", "doctest", "testcode"}


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
        return f"{_shown(self.path)}:{self.line}"


def _shown(path: Path) -> str:
    """A path as a reader finds it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


@dataclass
class Region:
    """The lines of an example file that one literalinclude shows."""

    block: Block
    path: Path
    first: int
    last: int
    body_lines: set[int]  # lines inside function bodies (they run only when called)


@dataclass
class LectureAudit:
    path: Path
    sessions: int = 0  # doctest examples and python blocks executed by sybil
    includes: int = 0
    fragments: int = 0
    problems: list[str] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)  # what the includes show
    checkers: list[tuple[Block, str]] = field(default_factory=list)  # non-Python includes
    measured: bool = False  # whether coverage data decided which includes ran

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


def read_literal_blocks(path: Path) -> list[Block]:
    """Every bare ``::`` literal block (``Paragraph::`` or a lone ``::``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    for index, line in enumerate(lines):
        if not line.rstrip().endswith("::") or line.lstrip().startswith(".."):
            continue
        following = next((other for other in lines[index + 1 :] if other.strip()), "")
        if following and _indent(following) > _indent(line):
            content = []
            for other in lines[index + 1 :]:
                if other.strip() and _indent(other) <= _indent(line):
                    break
                content.append(other)
            blocks.append(Block(path, index + 1, "::", "", {}, content))
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


def audit_lecture(path: Path, examples: Path = EXAMPLES) -> LectureAudit:
    audit = LectureAudit(path)
    audit.sessions = count_doctest_examples(path)

    for block in read_literal_blocks(path):
        has_prompt = any(line.lstrip().startswith(">>>") for line in block.content)
        if not has_prompt:  # with a prompt, sybil runs it: counted with the sessions
            audit.problems.append(
                f"{block.where}: a bare '::' literal block is neither run nor marked; "
                "use a pycon session, a literalinclude or a fragment with a :reason:"
            )

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
        elif block.name in OTHER_LITERAL_DIRECTIVES:
            audit.problems.append(
                f"{block.where}: {block.name} is neither run nor marked; "
                "use a pycon session, a literalinclude or a fragment with a :reason:"
            )
        elif block.name == "literalinclude":
            problem = check_include(block, examples)
            if problem:
                audit.problems.append(f"{block.where}: {problem}")
            else:
                audit.includes += 1
                if "checked-by" in block.options:
                    audit.checkers.append((block, block.options["checked-by"]))
                else:
                    audit.regions.append(include_region(block))
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


def check_include(block: Block, examples: Path = EXAMPLES) -> str | None:
    """Why a literalinclude is not acceptable, or None when it is."""
    target = (block.path.parent / block.argument).resolve()
    if not target.is_file():
        return f"literalinclude target {block.argument} does not exist"
    try:
        inside_examples = target.relative_to(examples)
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
    if target.suffix != ".py":
        checker = block.options.get("checked-by")
        if not checker:
            return (
                f"literalinclude of {inside_examples}: a file that is not Python "
                "needs :checked-by: tests/test_x.py::test_name, the test that checks it"
            )
        test_file, _, test_name = checker.partition("::")
        test_path = ROOT / test_file
        if not test_path.is_file() or not re.search(
            rf"^\s*def {re.escape(test_name.split('[')[0])}\(", test_path.read_text(), re.M
        ):
            return f":checked-by: {checker} names no test"
        return None
    if "pyobject" in block.options and not _find(target, block.options["pyobject"]):
        return f"{inside_examples} defines no {block.options['pyobject']}"
    return None


def include_region(block: Block) -> Region:
    """The lines of the example that a (valid) literalinclude shows."""
    import ast

    target = (block.path.parent / block.argument).resolve()
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    first, last = 1, len(lines)
    if "pyobject" in block.options:
        node = _find(target, block.options["pyobject"])
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        last = node.end_lineno
    for option, after in (("start-after", True), ("start-at", False)):
        if marker := block.options.get(option):
            index = next(i for i, line in enumerate(lines) if marker in line)
            first = index + 1 + (1 if after else 0)
    for option, before in (("end-before", True), ("end-at", False)):
        if marker := block.options.get(option):
            rest = enumerate(lines[first - 1 :], start=first - 1)
            index = next(i for i, line in rest if marker in line)
            last = index + (0 if before else 1)
    body_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            body_lines.update(range(node.body[0].lineno, node.end_lineno + 1))
    return Region(block, target, first, last, {n for n in body_lines if first <= n <= last})


def region_problem(region: Region, statements: set[int], executed: set[int]) -> str | None:
    """Why a shown region does not count as tested, or None when the run executed it.

    A function body runs only when the function is called, so where the
    region has function bodies one of their statements must have run;
    elsewhere (module-level code) any of its statements.
    """
    shown = {line for line in statements if region.first <= line <= region.last}
    wanted = shown & region.body_lines or shown
    if not wanted or wanted & executed:
        return None
    what = region.block.options.get("pyobject") or f"lines {region.first}-{region.last}"
    return (
        f"{_shown(region.path)}: {what} is shown but no test ran it "
        f"(0 of {len(wanted)} lines executed)"
    )


def apply_coverage(audit: LectureAudit, coverage, passed: set[str] = frozenset()) -> None:
    """Add a problem for each include whose lines the measured run did not
    execute, and for each checked file whose test did not pass.

    ``coverage`` is a coverage.Coverage holding the (combined) data of the
    run; ``passed`` the node ids of the tests that passed in it.
    """
    for block, checker in audit.checkers:
        if not any(test == checker or test.startswith(checker + "[") for test in passed):
            audit.problems.append(
                f"{block.where}: {checker} (:checked-by:) did not pass in this run"
            )
    data = coverage.get_data()
    for region in audit.regions:
        statements = set(coverage.analysis2(str(region.path))[1])
        executed = set(data.lines(str(region.path)) or ())
        if problem := region_problem(region, statements, executed):
            audit.problems.append(f"{region.block.where}: {problem}")
    audit.measured = True


def _find(path: Path, dotted_name: str):
    """The definition of a (possibly dotted: Class.method) name in a Python file, or None."""
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
            return None
        scope = found.body
    return found


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
    measured = [audit.name for audit in audits if audit.measured]
    if measured:
        rows.append(f"includes checked against the lines this run executed: {', '.join(measured)}")
    else:
        rows.append("includes not measured in this run (make test measures them)")
    for audit in audits:
        rows.extend(f"  unaccounted: {problem}" for problem in audit.problems)
    return "\n".join(rows)
