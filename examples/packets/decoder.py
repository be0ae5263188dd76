"""Decode captured packets: Ethernet, Linux cooked (tcpdump -i any), IPv4,
IPv6, TCP, UDP and ICMP headers.

Every header is a fixed layout of bytes, so the struct module reads it: a
format string such as "!BBHHHBBH4s4s" names each field's size, and "!"
says "network byte order" (big-endian). Each parse_* function takes the
bytes of one layer, checks them, and returns the header plus the bytes it
carries (the next layer). Bytes that cannot be the header they should be
raise Malformed, with a message that says what is wrong.

decode() peels the layers of one captured frame and never raises: a
problem is recorded in the Packet it returns. A frame that the capture
cut short on purpose (a snap length, tcpdump -s 80) is not malformed:
given the frame's original length, decode() reads what is there and the
packet is marked truncated. describe() turns a Packet into one line of
text, the way the sniffer prints it.

Try it::

    python examples/packets/decoder.py 4500001c0001000040117cce7f0000017f000001d431c3cb00080000
    python examples/packets/decoder.py --help
"""

from __future__ import annotations

import argparse
import ipaddress
import struct
import sys
from dataclasses import dataclass, field

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD

PROTOCOL_NAMES = {1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6"}

ICMP_TYPES = {
    0: "echo-reply",
    3: "unreachable",
    5: "redirect",
    8: "echo-request",
    11: "time-exceeded",
}
ICMPV6_TYPES = {
    1: "unreachable",
    3: "time-exceeded",
    128: "echo-request",
    129: "echo-reply",
}

TCP_FLAG_NAMES = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]
TCP_OPTION_NAMES = {0: "eol", 1: "nop", 2: "mss", 3: "ws", 4: "sack_ok",
                    5: "sack", 8: "ts"}

PREVIEW_BYTES = 16  # how much of a payload describe() shows


class Malformed(ValueError):
    """These bytes cannot be the header they should be; says why."""


# Ethernet -----------------------------------------------------------------

ETHERNET = struct.Struct("!6s6sH")  # destination, source, EtherType


@dataclass
class Ethernet:
    destination: str
    source: str
    ethertype: int


def mac_address(raw: bytes) -> str:
    """b'\\x3c\\x22...' -> '3c:22:...'"""
    return ":".join(f"{byte:02x}" for byte in raw)


def parse_ethernet(data: bytes) -> tuple[Ethernet, bytes]:
    """The Ethernet header of a frame, and the packet it carries."""
    if len(data) < ETHERNET.size:
        raise Malformed(f"Ethernet header needs {ETHERNET.size} bytes, "
                        f"got {len(data)}")
    destination, source, ethertype = ETHERNET.unpack_from(data)
    header = Ethernet(mac_address(destination), mac_address(source), ethertype)
    return header, data[ETHERNET.size:]


# Linux cooked capture: the link header of tcpdump -i any ---------------------

# A capture on "any" device cannot use each device's own link header, so
# libpcap writes its own: LINKTYPE_LINUX_SLL (16 bytes) or, since libpcap
# 1.10, LINKTYPE_LINUX_SLL2 (20 bytes, with the interface index).
LINUX_SLL = struct.Struct("!HHH8sH")  # packet type, ARPHRD type, address
#                                       length, address, protocol
LINUX_SLL2 = struct.Struct("!HHIHBB8s")  # protocol, reserved, interface
#                       index, ARPHRD type, packet type, address length, address
PACKET_TYPES = {0: "in", 1: "broadcast", 2: "multicast", 3: "other-host",
                4: "out"}


@dataclass
class LinuxCooked:
    packet_type: str  # "in", "out"...: which way the packet went
    ethertype: int  # the protocol of the packet, as in Ethernet
    interface: int | None = None  # the device's index; SLL2 only


def parse_linux_cooked(data: bytes,
                       version: int = 1) -> tuple[LinuxCooked, bytes]:
    """The Linux cooked header (SLL, or SLL2 if version is 2) and the
    packet it carries."""
    layout = LINUX_SLL2 if version == 2 else LINUX_SLL
    if len(data) < layout.size:
        raise Malformed(f"Linux cooked v{version} header needs {layout.size}"
                        f" bytes, got {len(data)}")
    if version == 2:
        ethertype, _, interface, _, kind, _, _ = layout.unpack_from(data)
    else:
        kind, _, _, _, ethertype = layout.unpack_from(data)
        interface = None
    header = LinuxCooked(PACKET_TYPES.get(kind, f"type-{kind}"), ethertype,
                         interface)
    return header, data[layout.size:]


# IPv4 ---------------------------------------------------------------------

# [start:ipv4-format]
IPV4 = struct.Struct("!BBHHHBBH4s4s")  # 20 bytes without options
# version+IHL, TOS, total length, identification, flags+fragment offset,
# TTL, protocol, header checksum, source address, destination address
# [end:ipv4-format]


@dataclass
class IPv4:
    version: int
    header_length: int  # bytes: IHL (in 32-bit words) * 4
    tos: int
    total_length: int  # header + data, in bytes
    identification: int
    dont_fragment: bool
    more_fragments: bool
    fragment_offset: int  # in bytes (the field counts 8-byte units)
    ttl: int
    protocol: int
    checksum: int
    source: ipaddress.IPv4Address
    destination: ipaddress.IPv4Address
    options: bytes = b""


# [start:parse-ipv4]
def parse_ipv4(data: bytes, cut: bool = False) -> tuple[IPv4, bytes]:
    """The IPv4 header at the start of data, and the bytes it carries.

    cut: the capture kept only the first bytes of the packet, so the
    total length may exceed what is there.
    """
    if len(data) < IPV4.size:
        raise Malformed(f"IPv4 header needs {IPV4.size} bytes, got {len(data)}")
    (version_ihl, tos, total_length, identification, flags_offset,
     ttl, protocol, checksum, source, destination) = IPV4.unpack_from(data)
    version, ihl = version_ihl >> 4, version_ihl & 0x0F
    header_length = ihl * 4
    check_ipv4_lengths(version, header_length, total_length,
                       len(data), cut)
    header = IPv4(
        version, header_length, tos, total_length, identification,
        dont_fragment=bool(flags_offset & 0x4000),
        more_fragments=bool(flags_offset & 0x2000),
        fragment_offset=(flags_offset & 0x1FFF) * 8,
        ttl=ttl, protocol=protocol, checksum=checksum,
        source=ipaddress.IPv4Address(source),
        destination=ipaddress.IPv4Address(destination),
        options=data[IPV4.size:header_length],
    )
    return header, data[header_length:total_length]
# [end:parse-ipv4]


def check_ipv4_lengths(
    version: int, header_length: int, total_length: int, captured: int,
    cut: bool = False,
) -> None:
    """Raise Malformed unless the length fields fit each other and the data."""
    if version != 4:
        raise Malformed(f"IPv4 version field is {version}, not 4")
    if header_length < IPV4.size:
        raise Malformed(f"IPv4 IHL {header_length // 4} is below the minimum 5")
    if header_length > captured:
        raise Malformed(f"IPv4 IHL {header_length // 4} means a "
                        f"{header_length}-byte header; only {captured} bytes")
    if total_length < header_length:
        raise Malformed(f"IPv4 total length {total_length} is shorter than "
                        f"its {header_length}-byte header")
    if total_length > captured and not cut:
        raise Malformed(f"IPv4 total length {total_length} exceeds the "
                        f"{captured} bytes captured")


# IPv6 ---------------------------------------------------------------------

IPV6 = struct.Struct("!IHBB16s16s")  # 40 bytes, no options in this header


@dataclass
class IPv6:
    version: int
    traffic_class: int
    flow_label: int
    payload_length: int  # bytes after this 40-byte header
    next_header: int  # the protocol of the payload: 6 TCP, 17 UDP, 58 ICMPv6
    hop_limit: int
    source: ipaddress.IPv6Address
    destination: ipaddress.IPv6Address


def parse_ipv6(data: bytes, cut: bool = False) -> tuple[IPv6, bytes]:
    """The IPv6 header at the start of data, and the bytes it carries;
    cut: as for parse_ipv4."""
    if len(data) < IPV6.size:
        raise Malformed(f"IPv6 header needs {IPV6.size} bytes, got {len(data)}")
    (first_word, payload_length, next_header, hop_limit,
     source, destination) = IPV6.unpack_from(data)
    version = first_word >> 28
    if version != 6:
        raise Malformed(f"IPv6 version field is {version}, not 6")
    end = IPV6.size + payload_length
    if end > len(data) and not cut:
        raise Malformed(f"IPv6 payload length {payload_length} exceeds the "
                        f"{len(data) - IPV6.size} bytes captured")
    header = IPv6(
        version, (first_word >> 20) & 0xFF, first_word & 0xFFFFF,
        payload_length, next_header, hop_limit,
        ipaddress.IPv6Address(source), ipaddress.IPv6Address(destination),
    )
    return header, data[IPV6.size:end]


# TCP ----------------------------------------------------------------------

TCP = struct.Struct("!HHIIBBHHH")  # 20 bytes without options


@dataclass
class TCPHeader:
    source_port: int
    destination_port: int
    sequence: int
    acknowledgment: int
    header_length: int  # bytes: data offset (in 32-bit words) * 4
    flags: int  # one bit each, FIN = 1 ... CWR = 128
    window: int
    checksum: int
    urgent_pointer: int
    options: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def flag_names(self) -> list[str]:
        return [name for bit, name in enumerate(TCP_FLAG_NAMES)
                if self.flags & (1 << bit)]


# [start:parse-tcp]
def parse_tcp(data: bytes) -> tuple[TCPHeader, bytes]:
    """The TCP header at the start of data, and the payload after it."""
    if len(data) < TCP.size:
        raise Malformed(f"TCP header needs {TCP.size} bytes, got {len(data)}")
    (source_port, destination_port, sequence, acknowledgment, offset_byte,
     flags, window, checksum, urgent) = TCP.unpack_from(data)
    header_length = (offset_byte >> 4) * 4
    if header_length < TCP.size:
        raise Malformed(f"TCP data offset {header_length // 4} is below "
                        "the minimum 5")
    if header_length > len(data):
        raise Malformed(f"TCP data offset {header_length // 4} means a "
                        f"{header_length}-byte header; only {len(data)} bytes")
    options = parse_tcp_options(data[TCP.size:header_length])
    header = TCPHeader(source_port, destination_port, sequence,
                       acknowledgment, header_length, flags, window,
                       checksum, urgent, options)
    return header, data[header_length:]
# [end:parse-tcp]


def parse_tcp_options(data: bytes) -> list[tuple[int, bytes]]:
    """[(kind, value), ...]: NOP and end-of-list are one byte, the others
    are kind, length (of the whole option), value. End-of-list ends it."""
    options = []
    position = 0
    while position < len(data):
        kind = data[position]
        if kind in (0, 1):  # end of list, no-operation (padding)
            options.append((kind, b""))
            position += 1
            if kind == 0:
                break
            continue
        if position + 1 >= len(data):
            raise Malformed(f"TCP option {kind} has no length byte")
        length = data[position + 1]
        if length < 2 or position + length > len(data):
            raise Malformed(f"TCP option {kind} has a bad length {length}")
        options.append((kind, data[position + 2:position + length]))
        position += length
    return options


# UDP ----------------------------------------------------------------------

# [start:parse-udp]
UDP = struct.Struct("!HHHH")  # source port, destination port, length, checksum


@dataclass
class UDPHeader:
    source_port: int
    destination_port: int
    length: int  # header (8) + payload, in bytes
    checksum: int


def parse_udp(data: bytes, whole: bool = True) -> tuple[UDPHeader, bytes]:
    """The UDP header and its payload; whole=False for a first fragment,
    whose length field counts bytes that come in later fragments."""
    if len(data) < UDP.size:
        raise Malformed(f"UDP header needs {UDP.size} bytes, got {len(data)}")
    header = UDPHeader(*UDP.unpack_from(data))
    if header.length < UDP.size:
        raise Malformed(f"UDP length {header.length} is below the minimum 8")
    if whole and header.length > len(data):
        raise Malformed(f"UDP length {header.length} exceeds the "
                        f"{len(data)} bytes that arrived")
    end = header.length if whole else len(data)
    return header, data[UDP.size:end]
# [end:parse-udp]


# ICMP ---------------------------------------------------------------------

ICMP = struct.Struct("!BBH4s")  # type, code, checksum, rest of the header


@dataclass
class ICMPHeader:
    type: int
    code: int
    checksum: int
    rest: bytes  # for echo request/reply: identifier and sequence number
    version: int = 4  # 6 for ICMPv6, which has its own type numbers

    @property
    def type_name(self) -> str:
        names = ICMP_TYPES if self.version == 4 else ICMPV6_TYPES
        return names.get(self.type, f"type-{self.type}")

    @property
    def is_echo(self) -> bool:
        return self.type_name.startswith("echo-")


def parse_icmp(data: bytes, version: int = 4) -> tuple[ICMPHeader, bytes]:
    """The ICMP (or ICMPv6) header, and the data after it."""
    if len(data) < ICMP.size:
        raise Malformed(f"ICMP header needs {ICMP.size} bytes, got {len(data)}")
    header = ICMPHeader(*ICMP.unpack_from(data), version=version)
    return header, data[ICMP.size:]


# A whole frame ------------------------------------------------------------

@dataclass
class Packet:
    """What decode() found in one captured frame, layer by layer."""

    captured: int  # bytes in the frame
    original_length: int  # bytes the frame had on the wire
    link: Ethernet | LinuxCooked | None = None
    network: IPv4 | IPv6 | None = None
    transport: TCPHeader | UDPHeader | ICMPHeader | None = None
    payload: bytes = b""
    problem: str | None = None  # why decoding stopped early, if it did
    note: str | None = None  # something worth saying that is not an error

    @property
    def truncated(self) -> bool:
        """Did the capture keep only the first bytes (a snap length)?"""
        return self.captured < self.original_length


def decode(data: bytes, link: str = "ethernet",
           original_length: int | None = None) -> Packet:
    """Decode one frame: link is "ethernet", "linux_sll", "linux_sll2"
    (tcpdump -i any) or "raw" (a bare IP packet).

    original_length: the frame's length on the wire, if the capture kept
    fewer bytes. Never raises for bad bytes: the problem is recorded in
    the result.
    """
    packet = Packet(len(data), max(len(data), original_length or 0))
    try:
        if link == "ethernet":
            packet.link, data = parse_ethernet(data)
        elif link in ("linux_sll", "linux_sll2"):
            version = 2 if link == "linux_sll2" else 1
            packet.link, data = parse_linux_cooked(data, version)
        if packet.link and packet.link.ethertype not in (ETHERTYPE_IPV4,
                                                         ETHERTYPE_IPV6):
            packet.note = f"EtherType 0x{packet.link.ethertype:04x}"
            packet.payload = data
            return packet
        decode_network(packet, data)
    except Malformed as problem:
        packet.problem = str(problem)
    return packet


def decode_network(packet: Packet, data: bytes) -> None:
    """Fill in packet's network and transport layers from an IP packet."""
    version = data[0] >> 4 if data else None
    cut = packet.truncated
    if version == 6:
        packet.network, data = parse_ipv6(data, cut)
        decode_transport(packet, packet.network.next_header, data, 6,
                         whole=not cut)
        return
    if version != 4:
        raise Malformed(f"not an IP packet: version field is {version}")
    packet.network, data = parse_ipv4(data, cut)
    if packet.network.fragment_offset:
        # Only the first fragment carries the TCP/UDP header.
        packet.note = "fragment"
        packet.payload = data
        return
    decode_transport(packet, packet.network.protocol, data, 4,
                     whole=not (packet.network.more_fragments or cut))


def decode_transport(
    packet: Packet, protocol: int, data: bytes, version: int,
    whole: bool = True,
) -> None:
    if protocol == 6:
        packet.transport, packet.payload = parse_tcp(data)
    elif protocol == 17:
        packet.transport, packet.payload = parse_udp(data, whole)
    elif (protocol, version) in ((1, 4), (58, 6)):
        packet.transport, packet.payload = parse_icmp(data, version)
    else:
        packet.note = f"protocol {protocol}"
        packet.payload = data


# One line per packet ------------------------------------------------------

def endpoint(address, port: int | None = None) -> str:
    """'127.0.0.1:80', '[::1]:80', or just the address without a port."""
    if port is None:
        return str(address)
    if address.version == 6:
        return f"[{address}]:{port}"
    return f"{address}:{port}"


def preview(payload: bytes) -> str:
    shown = repr(payload[:PREVIEW_BYTES])
    return shown + "..." if len(payload) > PREVIEW_BYTES else shown


def describe(packet: Packet) -> str:
    """One line of text for a decoded packet."""
    ip, transport = packet.network, packet.transport
    # A header cut by the snap length is truncated, not malformed.
    label = "TRUNCATED" if packet.truncated else "MALFORMED"
    cut = (f" [captured {packet.captured} of {packet.original_length} "
           "bytes]" if packet.truncated else "")
    if ip is None:
        if packet.problem:
            return f"{label} {packet.problem}{cut}"
        return f"not IP: {packet.note}, {packet.captured} bytes{cut}"
    protocol = ip.protocol if isinstance(ip, IPv4) else ip.next_header
    name = PROTOCOL_NAMES.get(protocol, f"proto-{protocol}")
    ports = getattr(transport, "source_port", None), \
        getattr(transport, "destination_port", None)
    words = [name, endpoint(ip.source, ports[0]), ">",
             endpoint(ip.destination, ports[1])]
    if packet.problem:
        return f"{label} {' '.join(words)}: {packet.problem}{cut}"
    words += transport_words(transport)
    words += ip_words(ip, packet)
    words.append(f"data={len(packet.payload)}")
    if packet.payload:
        words.append(preview(packet.payload))
    return " ".join(words) + cut


def transport_words(transport) -> list[str]:
    if isinstance(transport, TCPHeader):
        words = [f"[{','.join(transport.flag_names)}]",
                 f"seq={transport.sequence}"]
        if transport.flags & 0x10:  # ACK
            words.append(f"ack={transport.acknowledgment}")
        words.append(f"win={transport.window}")
        if transport.options:
            names = (TCP_OPTION_NAMES.get(kind, str(kind))
                     for kind, _ in transport.options)
            words.append("opts=" + ",".join(names))
        return words
    if isinstance(transport, ICMPHeader):
        words = [transport.type_name, f"code={transport.code}"]
        if transport.is_echo:
            identifier, sequence = struct.unpack("!HH", transport.rest)
            words += [f"id={identifier}", f"seq={sequence}"]
        return words
    return []


def ip_words(ip: IPv4 | IPv6, packet: Packet) -> list[str]:
    if isinstance(ip, IPv6):
        return [f"ip_len={IPV6.size + ip.payload_length}"]
    words = [f"ip_len={ip.total_length}"]
    if ip.options:
        words.append(f"ip_opts={len(ip.options)}")
    if ip.more_fragments or ip.fragment_offset:
        more = "+MF" if ip.more_fragments else ""
        words.append(f"frag={ip.identification}@{ip.fragment_offset}{more}")
    return words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Decode one packet given in hexadecimal and print it.")
    parser.add_argument("hex", help="the packet's bytes in hex")
    parser.add_argument("--link", choices=["raw", "ethernet"], default="raw",
                        help="raw: starts at the IP header (default); "
                             "ethernet: starts with a 14-byte Ethernet header")
    args = parser.parse_args(argv)
    try:
        data = bytes.fromhex(args.hex)
    except ValueError as exc:
        print(f"not hexadecimal: {exc}", file=sys.stderr)
        return 1
    print(describe(decode(data, args.link)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
