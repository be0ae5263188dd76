"""Record sample.pcap: real loopback traffic for the lecture (needs root).

The lecture decodes the packets in sample.pcap at the prompt, so that
everyone sees the same bytes. This script made that file: it opens a
packet socket on lo, then, on loopback, asks udp_time_server for the
time, sends b"hello" over a TCP connection and closes it, pings itself
with ICMP echo, and sends one UDP datagram over IPv6. It keeps only the
frames of that traffic (other programs may use lo at the same time).

    sudo python examples/packets/record_sample.py             # sample.pcap
    sudo python examples/packets/record_sample.py --output my.pcap
"""

from __future__ import annotations

import argparse
import os
import socket
import struct
import sys
import threading
from pathlib import Path

import sniffer
import udp_time_server
from capture_files import write_pcap
from decoder import ICMPHeader, decode

ICMP_ECHO_REQUEST = 8


def internet_checksum(data: bytes) -> int:
    """The 16-bit one's complement sum that IP, ICMP, TCP and UDP use."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmp_echo(identifier: int, sequence: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, identifier,
                         sequence)
    checksum = internet_checksum(header + payload)
    return struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, checksum, identifier,
                       sequence) + payload


def make_traffic(identifier: int) -> set[int]:
    """Send the sample's traffic on loopback; return the ports it used."""
    with udp_time_server.make_server() as time_server:
        server = threading.Thread(target=udp_time_server.serve,
                                  args=(time_server, 1))
        server.start()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.settimeout(5)
            client.sendto(b"time", time_server.getsockname())
            client.recvfrom(1024)
        server.join(5)
        udp_port = time_server.getsockname()[1]
    with socket.create_server(("127.0.0.1", 0)) as listener:
        tcp_port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", tcp_port), 5) as client:
            conn, _ = listener.accept()
            with conn:
                client.sendall(b"hello")
                conn.recv(1024)
                client.shutdown(socket.SHUT_WR)
                conn.recv(1024)  # b"": the client's FIN
    with socket.socket(socket.AF_INET, socket.SOCK_RAW,
                       socket.IPPROTO_ICMP) as pinger:
        pinger.settimeout(5)
        pinger.sendto(icmp_echo(identifier, 1, b"ping!"), ("127.0.0.1", 0))
        pinger.recvfrom(1024)  # our request, then the kernel's reply
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("::1", 0))
        v6_port = receiver.getsockname()[1]
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"over IPv6", ("::1", v6_port))
        receiver.recvfrom(1024)
    return {udp_port, tcp_port, v6_port}


def ours(frame: bytes, ports: set[int], identifier: int) -> bool:
    packet = decode(frame)
    if isinstance(packet.transport, ICMPHeader):
        return packet.transport.rest[:2] == struct.pack("!H", identifier)
    return sniffer.involves_ports(packet, ports)


def record(output: Path) -> int:
    """Capture the sample traffic into output; return the frame count."""
    identifier = os.getpid() & 0xFFFF
    with sniffer.open_live("lo") as sock:
        ports = make_traffic(identifier)
        frames = [frame for frame in sniffer.live_frames(sock, timeout=0.5)
                  if ours(frame, ports, identifier)]
    write_pcap(output, frames)
    return len(frames)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path,
                        default=Path(__file__).with_name("sample.pcap"),
                        help="where to write (default: sample.pcap here)")
    args = parser.parse_args(argv)
    try:
        count = record(args.output)
    except PermissionError:
        print("record_sample: needs root (a packet socket and a raw "
              "ICMP socket): run it with sudo", file=sys.stderr)
        return 2
    print(f"{count} packets written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
