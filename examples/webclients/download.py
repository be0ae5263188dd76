"""Download a large file without holding it in memory: requests, streamed.

``stream=True`` makes requests return as soon as the headers are in; the
body is then read a chunk at a time with ``iter_content`` and written to
disk, so a file of gigabytes needs only a chunk of memory.  The download
goes to a temporary name first, and is renamed only once complete.

    python examples/webclients/download.py URL FILE
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import requests


# [start:download]
def download(url: str, path: Path, chunk_size: int = 65536) -> int:
    """Save url's body to path, a chunk at a time; return its size."""
    partial = path.with_name(path.name + ".part")
    size = 0
    with requests.get(url, stream=True, timeout=(3, 10)) as response:
        response.raise_for_status()
        with partial.open("wb") as file:
            for chunk in response.iter_content(chunk_size):
                file.write(chunk)
                size += len(chunk)
    partial.replace(path)  # only a whole download gets the name
    return size
# [end:download]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Download URL to FILE, streamed.")
    parser.add_argument("url")
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        size = download(args.url, args.file)
    except requests.RequestException as error:
        print(f"download failed: {error}", file=sys.stderr)
        return 1
    print(f"{size} bytes saved to {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
