"""Tests of week 0's page: the commands and the transcripts it shows.

- first_evening.sh, the git / virtual environment / pytest sequence of the
  first evening, runs start to end in an empty folder, with a local bare
  repository standing in for the student's fork on GitHub and a local
  folder of wheels standing in for PyPI (nothing leaves the machine);
- traceback.txt and pdb_session.txt are what Python and pdb print for
  average.py today (examples/setup/record.py makes them, these tests make
  them again and compare);
- average.py does what the page says, bug included.
"""

import importlib.metadata
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.net import require_command
from tests.support import EXAMPLES, load_example, run_script

SETUP = EXAMPLES / "setup"
average = load_example("setup", "average")
record = load_example("setup", "record")


# The first evening's commands ----------------------------------------------


def wheel_of_installed(name: str, folder: Path) -> None:
    """Pack an installed pure-Python distribution back into a wheel (its
    RECORD lists its files; scripts outside site-packages are left out, pip
    makes them again from the entry points)."""
    dist = importlib.metadata.distribution(name)
    tag = f"{dist.metadata['Name'].replace('-', '_')}-{dist.version}-py3-none-any.whl"
    with zipfile.ZipFile(folder / tag, "w") as wheel:
        for file in dist.files:
            if not file.parts[0] == ".." and "__pycache__" not in file.parts:
                wheel.write(file.locate(), str(file))


def local_pypi(folder: Path) -> Path:
    """A folder of wheels with pytest and what it needs, for pip --no-index."""
    folder.mkdir()
    needed = ["pytest"]
    while needed:
        name = needed.pop()
        wheel_of_installed(name, folder)
        for requirement in importlib.metadata.requires(name) or []:
            if ";" not in requirement:  # extras and old-Python backports are not needed
                needed.append(requirement.split("<")[0].split(">")[0].split("=")[0].strip())
    return folder


def local_github(folder: Path) -> Path:
    """folder/YOUR-NAME/homework.git: a bare repository holding
    examples/setup/homework, as the student's fork on GitHub would."""
    work = folder / "work"
    shutil.copytree(SETUP / "homework", work)
    git = ["git", "-c", "user.name=Course", "-c", "user.email=course@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "."], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-q", "-m", "Homework for week 0"], check=True)
    bare = folder / "YOUR-NAME" / "homework.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


@pytest.fixture
def first_evening(tmp_path):
    """Run first_evening.sh in an empty folder; (result, the fork)."""
    require_command("git")
    fork = local_github(tmp_path / "github")
    wheels = local_pypi(tmp_path / "pypi")
    python_bin = tmp_path / "bin"
    python_bin.mkdir()
    (python_bin / "python3").symlink_to(sys.executable)
    home = tmp_path / "home"
    home.mkdir()
    student = tmp_path / "student"
    student.mkdir()
    env = {
        "PATH": f"{python_bin}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        # https://github.com/ is the local folder; nothing leaves the machine
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{tmp_path / 'github'}/.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://github.com/",
        # PyPI is the folder of wheels
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        ["bash", str(SETUP / "first_evening.sh")],
        cwd=student,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return result, fork, student


def test_the_first_evening_commands_run_in_an_empty_folder(first_evening):
    result, fork, student = first_evening
    assert result.returncode == 0, result.stdout + result.stderr
    # the clone, the venv with pytest in it, one test passed
    assert (student / "homework" / ".venv" / "bin" / "pytest").exists()
    assert "1 passed" in result.stdout
    # the pushed branch is on the fork, with the student's name added
    names = subprocess.run(
        ["git", "--git-dir", str(fork), "show", "add-my-name:students.txt"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert names.splitlines()[-1] == "Ada Lovelace"
    log = subprocess.run(
        ["git", "--git-dir", str(fork), "log", "--format=%an|%s", "main..add-my-name"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert log == "Ada Lovelace|Add my name to the class list\n"


# The transcripts on the slides ---------------------------------------------


def test_the_traceback_on_the_slide_is_what_python_prints():
    shown = (SETUP / "traceback.txt").read_text(encoding="utf-8")
    assert record.traceback_transcript() == shown


def test_the_pdb_session_on_the_slide_is_what_pdb_prints():
    shown = (SETUP / "pdb_session.txt").read_text(encoding="utf-8")
    assert record.pdb_transcript() == shown


def test_pdb_stops_on_the_empty_line_with_the_numbers_read_so_far():
    """What the session is for: the conditional breakpoint finds the culprit."""
    session = record.pdb_transcript()
    assert "(Pdb) p line\n''\n(Pdb) p scores\n[17, 12]\n" in session


# average.py -------------------------------------------------------------------


def test_read_scores_reads_one_number_a_line(tmp_path):
    scores = tmp_path / "scores.txt"
    scores.write_text("3\n4\n5\n", encoding="utf-8")
    assert average.read_scores(str(scores)) == [3, 4, 5]
    assert average.average([3, 4, 5]) == 4


def test_average_prints_the_count_and_the_average(tmp_path, capsys):
    scores = tmp_path / "scores.txt"
    scores.write_text("17\n12\n19\n", encoding="utf-8")
    average.main([str(scores)])
    assert capsys.readouterr().out == "3 scores, average 16.0\n"


def test_average_fails_on_the_blank_line_in_scores_txt():
    result = run_script("setup", "average", str(SETUP / "scores.txt"))
    assert result.returncode == 1
    last_line = result.stderr.splitlines()[-1]
    assert last_line == "ValueError: invalid literal for int() with base 10: ''"


def test_average_without_a_file_says_how_to_run_it():
    result = run_script("setup", "average")
    assert result.returncode == 1
    assert result.stderr == "usage: python average.py FILE\n"


def test_the_homework_test_passes_and_would_catch_a_wrong_greeting():
    hello = load_example("setup", "homework/hello")
    test_hello = load_example("setup", "homework/test_hello")
    test_hello.test_greeting_names_the_person()
    assert hello.greeting("Bob") == "Hello, Bob!" != hello.greeting("Ada")
