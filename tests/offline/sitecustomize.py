"""Installs the offline guard in every Python subprocess started by the tests.

tests/guards.py puts this folder on PYTHONPATH for the test session; Python
imports ``sitecustomize`` at start-up.  See offline_guard.py.
"""

import offline_guard

offline_guard.install()
