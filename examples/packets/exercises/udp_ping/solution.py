"""Assignment: a UDP "ping" client with timeouts and retries (solution).

It sends `count` pings to a UDP echo server and reports, for each, the
round-trip time (RTT) or that it was lost, then a summary line, as the
ping command does:

    seq=1 rtt=0.213 ms
    seq=2 rtt=0.187 ms after 2 tries
    seq=3 lost after 3 tries
    3 pings, 2 replies, 33.3% loss, rtt min/avg/max 0.187/0.200/0.213 ms

A ping is the datagram b"ping SEQ TRY" (TRY counts from 1); the server
echoes it. UDP promises nothing, so for each ping the client waits at most
`timeout` seconds for the echo and then tries again, up to `retries` more
times, before it counts the ping as lost. An echo may come late: a reply
to an earlier try of the same ping still counts (its RTT is measured
from that try), and a reply to an earlier ping is ignored.

Your task (in starter.py): complete ping_once, format_result and
summarize. ping_all and the command line are given. The tests run your
client against lossy_echo_server.py, which drops every k-th datagram::

    COURSE_IMPL=starter python -m pytest tests/test_packets_exercises.py -k UdpPing

and by hand, in two terminals (from examples/packets)::

    python lossy_echo_server.py --drop-every 3
    python exercises/udp_ping/starter.py --port 50125 --count 10
"""

import argparse
import socket
import sys
import time
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50125


@dataclass
class PingResult:
    sequence: int
    rtt: float | None  # seconds; None if every try went unanswered
    tries: int  # how many datagrams were sent for this ping


def ping_once(sock: socket.socket, address: tuple[str, int], sequence: int,
              timeout: float = 1.0, retries: int = 2) -> PingResult:
    """Ping address until an echo comes, at most 1 + retries times."""
    sent_at: dict[int, float] = {}
    for attempt in range(1, retries + 2):
        sock.sendto(f"ping {sequence} {attempt}".encode(), address)
        sent_at[attempt] = time.monotonic()
        deadline = sent_at[attempt] + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                reply, sender = sock.recvfrom(1024)
            except TimeoutError:
                break
            received = time.monotonic()
            answered = echoed_try(reply, sequence) if sender == address else None
            if answered in sent_at:
                return PingResult(sequence, received - sent_at[answered],
                                  attempt)
    return PingResult(sequence, None, retries + 1)


# Given: reading an echo.

def echoed_try(reply: bytes, sequence: int) -> int | None:
    """The TRY of an echo of b"ping SEQ TRY" for this sequence, else None."""
    words = reply.split()
    expected = [b"ping", str(sequence).encode()]
    if len(words) == 3 and words[:2] == expected:
        try:
            return int(words[2])
        except ValueError:
            return None
    return None


def format_result(result: PingResult) -> str:
    """One line per ping: 'seq=1 rtt=0.213 ms', '... after 2 tries',
    or 'seq=3 lost after 3 tries'."""
    if result.rtt is None:
        return f"seq={result.sequence} lost after {result.tries} tries"
    line = f"seq={result.sequence} rtt={result.rtt * 1000:.3f} ms"
    if result.tries > 1:
        line += f" after {result.tries} tries"
    return line


def summarize(results: list[PingResult]) -> str:
    """'N pings, M replies, X% loss' and, if any replies, the RTTs in ms."""
    rtts = [result.rtt * 1000 for result in results if result.rtt is not None]
    loss = 100 * (len(results) - len(rtts)) / len(results) if results else 0.0
    line = f"{len(results)} pings, {len(rtts)} replies, {loss:.1f}% loss"
    if rtts:
        average = sum(rtts) / len(rtts)
        line += f", rtt min/avg/max {min(rtts):.3f}/{average:.3f}/{max(rtts):.3f} ms"
    return line


# Given code: ping several times, and the command line.

def ping_all(host: str, port: int, count: int = 4, timeout: float = 1.0,
             retries: int = 2, report=print) -> list[PingResult]:
    """Send `count` pings one after another; report a line for each."""
    results = []
    # recvfrom names the sender by IP address: resolve "localhost" once.
    address = (socket.gethostbyname(host), port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for sequence in range(1, count + 1):
            result = ping_once(sock, address, sequence, timeout, retries)
            report(format_result(result))
            results.append(result)
    return results


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ping a UDP echo server; report RTTs and loss.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="server address (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="server port (default: %(default)s)")
    parser.add_argument("--count", type=int, default=4,
                        help="pings to send (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=1.0,
                        help="seconds to wait for each echo "
                             "(default: %(default)s)")
    parser.add_argument("--retries", type=int, default=2,
                        help="more tries before a ping counts as lost "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    if args.count < 1 or args.retries < 0 or args.timeout <= 0:
        parser.error("need --count >= 1, --retries >= 0, --timeout > 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = ping_all(args.host, args.port, args.count, args.timeout,
                           args.retries)
    except OSError as exc:
        print(f"cannot ping {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    print(summarize(results))
    # Like ping: exit status 0 if any echo came back, 1 if none did.
    return 0 if any(result.rtt is not None for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
