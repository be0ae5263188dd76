"""One web root for the tests of every HTTP server in the course.

    build_web_root(base)   create base/www (returned) and base/secret.txt

The folder holds what a real web root holds, and every odd case that has
ever broken one of our servers, so that each server meets all of them:

* text (UTF-8, several TCP segments), binary (every byte value), a PNG,
  an index.html, a file with no extension;
* names with a space, with accents, with HTML special characters, and one
  that is not valid UTF-8 (a Latin-1 byte, as a file copied from an old disk);
* a nested folder and an empty folder;
* symbolic links: one to a file outside the root, one to a folder outside
  it, one that stays inside, and one that points to itself (a loop).
"""

from __future__ import annotations

import os
from pathlib import Path

TEXT = "Grüße aus dem Netz: ünïcödé text.\n" * 50
# Every byte value, and more than one TCP segment's worth.
BINARY = bytes(range(256)) * 1024
# The smallest valid PNG: an 8-byte signature and a 1x1 image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
SECRET = b"the secret that lives outside the web root\n"
# A file name that is not UTF-8: Python shows it with a surrogate escape.
NON_UTF8_NAME = os.fsdecode(b"caf\xe9-latin1.txt")


def build_web_root(base: Path) -> Path:
    """Create base/www (returned) with files to serve, and base/secret.txt
    outside it, with symbolic links pointing both ways."""
    root = base / "www"
    (root / "docs" / "sub dir").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "hello.txt").write_text(TEXT, encoding="utf-8")
    (root / "data.bin").write_bytes(BINARY)
    (root / "logo.png").write_bytes(PNG)
    (root / "index.html").write_text("<h1>Home</h1>\n", encoding="utf-8")
    (root / "café.txt").write_text("accents in a name\n", encoding="utf-8")
    (root / "with space.txt").write_text("a space in a name\n", encoding="utf-8")
    (root / "noextension").write_bytes(b"\x00\x01 unknown type")
    (root / "docs" / "notes.md").write_text("# Notes\n", encoding="utf-8")
    (root / "docs" / "a&b <c>.txt").write_text("escaped\n", encoding="utf-8")
    (root / "docs" / "sub dir" / "deep.json").write_text('{"deep": true}\n')
    (root / NON_UTF8_NAME).write_bytes(b"an old file\n")
    (base / "secret.txt").write_bytes(SECRET)
    (root / "link-out.txt").symlink_to(base / "secret.txt")
    (root / "dir-out").symlink_to(base, target_is_directory=True)
    (root / "link-in.txt").symlink_to(root / "hello.txt")
    (root / "loop").symlink_to(root / "loop")
    return root
