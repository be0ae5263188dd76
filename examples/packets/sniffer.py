"""A packet sniffer: one line per IPv4/IPv6 packet, TCP, UDP or ICMP.

It captures live from a network device (the loopback device "lo" by
default) through a Linux packet socket (AF_PACKET), which hands it every
frame that passes the device, with its Ethernet header. Opening such a
socket needs privileges: root, or the CAP_NET_RAW capability. Without them
the sniffer says so and exits; it can always decode packets that were
captured before, from a pcap file or a hex dump.

Run it::

    sudo python examples/packets/sniffer.py                 # live, on lo
    sudo python examples/packets/sniffer.py --port 50007 --count 10
    sudo python examples/packets/sniffer.py --write out.pcap
    python examples/packets/sniffer.py --pcap examples/packets/sample.pcap
    python examples/packets/sniffer.py --pcap any.pcapng    # pcapng, -i any
    python examples/packets/sniffer.py --hex dump.txt       # tcpdump -x text
    python examples/packets/sniffer.py --hex dump.txt --link ethernet  # -xx
    python examples/packets/sniffer.py --help

Stop a live capture with Ctrl-C.
"""

from __future__ import annotations

import argparse
import socket
import struct
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from capture_files import (
    CaptureFileError,
    PcapWriter,
    Record,
    open_capture,
    parse_hex_dump,
)
from decoder import Packet, decode, describe

SAMPLE_CAPTURE = Path(__file__).with_name("sample.pcap")
ETH_P_ALL = 0x0003  # "every protocol", from <linux/if_ether.h>
MAX_FRAME = 65_535 + 14  # the largest IP packet plus an Ethernet header
# Linux's numbers, which the socket module does not name:
SOL_PACKET = 263  # <linux/socket.h>
PACKET_STATISTICS = 6  # <linux/if_packet.h>
SO_RCVBUFFORCE = 33  # <asm-generic/socket.h>
# Frames wait in the socket's receive buffer while we decode and print;
# when it is full the kernel drops them. The default, about 200 KB, holds
# three of the 64 KB frames a fast transfer on lo sends.
CAPTURE_BUFFER = 32 * 1024 * 1024  # bytes

NEEDS_PRIVILEGES = """\
sniffer: live capture needs privileges.
A packet socket (AF_PACKET) sees every frame on the device, so Linux lets
only root, or a program with the CAP_NET_RAW capability, open one.
  - run it as root:     sudo {python} {script} ...
  - or decode packets captured before, which needs no privileges:
                        python {script} --pcap FILE   (or --hex FILE)"""


# [start:open-live]
def open_live(interface: str = "lo") -> socket.socket:
    """A packet socket that receives every frame on interface.

    Raises PermissionError without root or CAP_NET_RAW.
    """
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    try:
        grow_receive_buffer(sock, CAPTURE_BUFFER)
        sock.bind((interface, 0))
    except OSError:
        sock.close()
        raise
    return sock
# [end:open-live]


# [start:buffer]
def grow_receive_buffer(sock: socket.socket, size: int) -> int:
    """Ask for a receive buffer of `size` bytes; return what we got.

    SO_RCVBUF is capped at /proc/sys/net/core/rmem_max; SO_RCVBUFFORCE
    is not, but needs the CAP_NET_ADMIN capability (root has it).
    """
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, size)
    except OSError:  # PermissionError without CAP_NET_ADMIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)
    return sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)


def kernel_statistics(sock: socket.socket) -> tuple[int, int]:
    """(frames, drops): what reached the packet socket, and how many of
    those the kernel dropped because the buffer was full. Reading the
    statistics resets them to zero."""
    stats = sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
    return struct.unpack("II", stats)  # struct tpacket_stats
# [end:buffer]


# [start:live-frames]
def live_frames(sock: socket.socket,
                timeout: float | None) -> Iterator[bytes]:
    """Frames as they arrive; stop after `timeout` s of silence."""
    sock.settimeout(timeout)
    while True:
        try:
            frame, address = sock.recvfrom(MAX_FRAME)
        except TimeoutError:
            return
        # address: (device, protocol, packet type, hardware, MAC)
        # On lo each packet passes twice: sent, then received.
        if address[2] != socket.PACKET_OUTGOING:
            yield frame
# [end:live-frames]


def involves_ports(packet: Packet, ports: set[int]) -> bool:
    """True if packet has a TCP or UDP port in ports (or ports is empty)."""
    if not ports:
        return True
    transport = packet.transport
    return (getattr(transport, "source_port", None) in ports
            or getattr(transport, "destination_port", None) in ports)


def as_records(frames: Iterable[bytes]) -> Iterator[Record]:
    """Whole frames (live, or from a hex dump) as records stamped now."""
    for frame in frames:
        yield Record(time.time(), frame, len(frame))


# [start:show]
def show(records: Iterable[Record], link: str,
         ports: set[int] = frozenset(), count: int | None = None,
         writer: PcapWriter | None = None) -> int:
    """Print a line per packet that involves ports; count them."""
    shown = 0
    # [start:show-loop]
    for record in records:
        packet = decode(record.data, link, record.original_length)
        if not involves_ports(packet, ports):
            continue
        print(describe(packet), flush=True)
        if writer is not None:
            writer.write(record.data, record.original_length)
        shown += 1
        if shown == count:
            break
    # [end:show-loop]
    return shown
# [end:show]


def capture_live(args: argparse.Namespace) -> int:
    try:
        sock = open_live(args.interface)
    except PermissionError:
        script = Path(sys.argv[0]).name or "sniffer.py"
        print(NEEDS_PRIVILEGES.format(python="python", script=script),
              file=sys.stderr)
        return 2
    except OSError as exc:  # no such device
        print(f"sniffer: cannot capture on {args.interface!r}: {exc}",
              file=sys.stderr)
        return 1
    writer = PcapWriter(args.write) if args.write else None
    with sock:
        print(f"Sniffer listening on {args.interface}", flush=True)
        try:
            frames = live_frames(sock, args.timeout)
            shown = show(as_records(frames), "ethernet",
                         set(args.port or ()), args.count, writer)
        except KeyboardInterrupt:
            shown = None
        finally:
            if writer is not None:
                writer.close()
            report_drops(sock, args.interface)
    if shown is not None and args.count is not None and shown < args.count:
        print(f"sniffer: only {shown} of {args.count} packets within "
              f"{args.timeout} s", file=sys.stderr)
        return 1
    return 0


def report_drops(sock: socket.socket, interface: str) -> None:
    """Say on stderr how many frames the kernel counted and dropped."""
    frames, drops = kernel_statistics(sock)
    twice = " (on lo, each packet twice: sent and received)" \
        if interface == "lo" else ""
    print(f"sniffer: the kernel passed {frames} frames to the socket"
          f"{twice}, dropped {drops} of them (buffer full)",
          file=sys.stderr, flush=True)


def decode_file(args: argparse.Namespace) -> int:
    if args.hex:
        try:
            text = Path(args.hex).read_text(errors="replace")
            frames = parse_hex_dump(text)
        except (OSError, CaptureFileError) as exc:
            print(f"sniffer: cannot read {args.hex}: {exc}", file=sys.stderr)
            return 1
        show(as_records(frames), args.link, set(args.port or ()), args.count)
        return 0
    try:
        file = open(args.pcap, "rb")
    except OSError as exc:
        print(f"sniffer: cannot read {args.pcap}: {exc}", file=sys.stderr)
        return 1
    with file:
        try:
            capture = open_capture(file)
        except CaptureFileError as exc:
            print(f"sniffer: cannot read {args.pcap}: {exc}", file=sys.stderr)
            return 1
        # Records are read as show() asks for them: --count 3 reads
        # three, however large the file.
        show(capture, capture.link, set(args.port or ()), args.count)
    if capture.problem:
        print(f"sniffer: stopped early: {capture.problem}", file=sys.stderr)
        return 1
    return 0


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Print one line per captured IP packet: live (needs "
                    "root), from a pcap file, or from a hex dump.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pcap", metavar="FILE",
                        help="decode a pcap or pcapng file instead")
    source.add_argument("--hex", metavar="FILE",
                        help="decode a hex dump (tcpdump -x) instead")
    parser.add_argument("--link", choices=["raw", "ethernet", "linux_sll",
                                           "linux_sll2"], default="raw",
                        help="with --hex: packets start at the IP header "
                             "(raw, the default: tcpdump -x), at an "
                             "Ethernet header (tcpdump -xx on lo or eth0) "
                             "or at a Linux cooked header (-xx -i any)")
    parser.add_argument("--interface", default="lo",
                        help="device to capture on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, action="append",
                        help="show only TCP/UDP packets to or from this "
                             "port; repeat for several")
    parser.add_argument("--count", type=int,
                        help="stop after this many packets")
    parser.add_argument("--timeout", type=float,
                        help="stop after this many seconds without a packet")
    parser.add_argument("--write", metavar="FILE",
                        help="also save the packets shown to a pcap file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.pcap or args.hex:
        return decode_file(args)
    if not hasattr(socket, "AF_PACKET"):
        print("sniffer: live capture needs Linux (AF_PACKET); use --pcap "
              "or --hex here", file=sys.stderr)
        return 2
    return capture_live(args)


if __name__ == "__main__":
    sys.exit(main())
