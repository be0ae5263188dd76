"""A CGI script that shows what it was given: its process id and the
CGI variables, one per line (the ones a web server sets, not PATH).

    curl 'http://127.0.0.1:8080/cgi-bin/environ.py/extra/path?a=1'
"""

import os
import sys

CGI_NAMES = ("GATEWAY_INTERFACE", "SERVER_", "REQUEST_", "SCRIPT_", "PATH_INFO",
             "QUERY_STRING", "REMOTE_", "CONTENT_", "HTTP_")


def main():
    lines = [f"pid {os.getpid()}"]
    lines += [f"{name}={value}" for name, value in sorted(os.environ.items())
              if name.startswith(CGI_NAMES)]
    sys.stdout.write("Content-Type: text/plain; charset=utf-8\n\n")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
