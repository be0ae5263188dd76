"""A CGI script that takes its time: ?seconds=N (at most 60) before it
answers, to see the launcher give up on it (504 Gateway Timeout).

    curl -i 'http://127.0.0.1:8080/cgi-bin/slow.py?seconds=15'
"""

import os
import sys
import time
from urllib.parse import parse_qs


def main():
    query = parse_qs(os.environ.get("QUERY_STRING", ""))
    seconds = min(float(query.get("seconds", ["1"])[0]), 60)
    time.sleep(seconds)
    sys.stdout.write(f"Content-Type: text/plain\n\nslept {seconds} s\n")


if __name__ == "__main__":
    main()
