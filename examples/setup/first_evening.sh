#!/usr/bin/env bash
# Week 0: the first evening's commands, in the order you type them.
#
# Type them one at a time in a terminal; the slides show them a group at a
# time.  Replace YOUR-NAME with your GitHub user name, and "Ada Lovelace"
# with your own name.  The course's tests run this whole file in an empty
# folder, with a local stand-in for GitHub and for PyPI, so every command
# here is known to work as shown.
set -euo pipefail

# [start:identity]
git config --global user.name "Ada Lovelace"
git config --global user.email "ada@example.org"
git config --global init.defaultBranch main
# [end:identity]

# [start:clone]
git clone https://github.com/YOUR-NAME/homework.git
cd homework
git log --oneline
# [end:clone]

# [start:venv]
python3 -m venv .venv
source .venv/bin/activate
python -m pip install -r requirements.txt
# [end:venv]

# [start:pytest]
python -m pytest
# [end:pytest]

# [start:branch]
git switch -c add-my-name
echo "Ada Lovelace" >> students.txt
git status --short
git add students.txt
git commit -m "Add my name to the class list"
git push -u origin add-my-name
# [end:branch]
