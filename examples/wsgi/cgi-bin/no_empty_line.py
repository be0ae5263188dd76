"""A broken CGI script: it forgets the empty line after its headers, so
the server cannot tell where the body starts (cgi_launcher answers 502)."""

import sys

if __name__ == "__main__":
    sys.stdout.write("Content-Type: text/plain\nHello\n")
