"""The packet decoder of lecture 2 (examples/packets/decoder.py), checked
against an independent decoder, dpkt, and against malformed input.

* dpkt builds packets (with IP options, TCP options, fragments, empty
  payloads, IPv6...), and both decoders read the same bytes: every header
  field must agree. Hypothesis generates many such packets; its settings
  are derandomized, so every run checks the same examples.
* Malformed input (truncated headers, wrong IHL or data offset, lengths
  beyond the buffer, random bytes) never raises: decode() reports what is
  wrong in Packet.problem, and describe() prints it.
"""

from __future__ import annotations

import struct

import dpkt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import load_example

decoder = load_example("packets", "decoder")

LOOPBACK = bytes([127, 0, 0, 1])
CHECKS = settings(
    max_examples=120, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# Building packets with dpkt -------------------------------------------------

def ipv4(data, protocol: int, *, options: bytes = b"", dont_fragment=False,
         more_fragments=False, offset=0, identification=1, ttl=64, tos=0,
         src=LOOPBACK, dst=LOOPBACK) -> bytes:
    """An IPv4 packet, built and checksummed by dpkt."""
    packet = dpkt.ip.IP(src=src, dst=dst, p=protocol, ttl=ttl, tos=tos,
                        id=identification, data=data)
    packet.opts = options
    packet.hl = 5 + len(options) // 4  # dpkt does not do this itself
    packet.df, packet.mf = int(dont_fragment), int(more_fragments)
    packet.offset = offset // 8  # dpkt counts 8-byte units, as the field
    packet.len = 20 + len(options) + len(bytes(data))
    return bytes(packet)


def tcp(payload: bytes = b"", *, options: bytes = b"", flags=dpkt.tcp.TH_ACK,
        sport=40000, dport=50000, seq=1000, ack=2000, win=65535, urp=0):
    segment = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq, ack=ack,
                           flags=flags, win=win, urp=urp, data=payload)
    segment.opts = options
    segment.off = 5 + len(options) // 4
    return segment


def udp(payload: bytes = b"", sport=40000, dport=50000):
    return dpkt.udp.UDP(sport=sport, dport=dport, ulen=8 + len(payload),
                        data=payload)


def icmp_echo(payload: bytes = b"", identifier=7, sequence=1, request=True):
    echo = dpkt.icmp.ICMP.Echo(id=identifier, seq=sequence, data=payload)
    kind = dpkt.icmp.ICMP_ECHO if request else dpkt.icmp.ICMP_ECHOREPLY
    return dpkt.icmp.ICMP(type=kind, code=0, data=echo)


def tcp_options_until_end(options):
    """dpkt reads on past an end-of-list option; the header stops there."""
    result = []
    for option in options:
        result.append(option)
        if option[0] == 0:
            break
    return result


# Field-by-field comparison ---------------------------------------------------

def assert_same_ipv4(mine, theirs) -> None:
    assert mine.version == theirs.v == 4
    assert mine.header_length == theirs.hl * 4
    assert mine.tos == theirs.tos
    assert mine.total_length == theirs.len
    assert mine.identification == theirs.id
    assert mine.dont_fragment == bool(theirs.df)
    assert mine.more_fragments == bool(theirs.mf)
    assert mine.fragment_offset == theirs.offset * 8
    assert mine.ttl == theirs.ttl
    assert mine.protocol == theirs.p
    assert mine.checksum == theirs.sum
    assert mine.source.packed == theirs.src
    assert mine.destination.packed == theirs.dst
    assert mine.options == theirs.opts


def assert_same_tcp(mine, theirs) -> None:
    assert mine.source_port == theirs.sport
    assert mine.destination_port == theirs.dport
    assert mine.sequence == theirs.seq
    assert mine.acknowledgment == theirs.ack
    assert mine.header_length == theirs.off * 4
    assert mine.flags == theirs.flags
    assert mine.window == theirs.win
    assert mine.checksum == theirs.sum
    assert mine.urgent_pointer == theirs.urp
    expected = tcp_options_until_end(dpkt.tcp.parse_opts(theirs.opts))
    assert mine.options == expected


def assert_same_udp(mine, theirs) -> None:
    assert mine.source_port == theirs.sport
    assert mine.destination_port == theirs.dport
    assert mine.length == theirs.ulen
    assert mine.checksum == theirs.sum


def assert_same_icmp(mine, theirs) -> None:
    assert mine.type == theirs.type
    assert mine.code == theirs.code
    assert mine.checksum == theirs.sum
    assert mine.rest == bytes(theirs.data)[:4]


def assert_same_ipv6(mine, theirs) -> None:
    assert mine.version == theirs.v == 6
    assert mine.traffic_class == theirs.fc
    assert mine.flow_label == theirs.flow
    assert mine.payload_length == theirs.plen
    assert mine.next_header == theirs.nxt
    assert mine.hop_limit == theirs.hlim
    assert mine.source.packed == theirs.src
    assert mine.destination.packed == theirs.dst


def assert_decoders_agree(raw: bytes, link: str = "raw") -> None:
    """Decode raw with both decoders and compare every field."""
    packet = decoder.decode(raw, link)
    assert packet.problem is None, packet.problem
    if link == "ethernet":
        frame = dpkt.ethernet.Ethernet(raw)
        assert packet.link.destination == ":".join(f"{b:02x}" for b in frame.dst)
        assert packet.link.source == ":".join(f"{b:02x}" for b in frame.src)
        assert packet.link.ethertype == frame.type
        theirs = frame.data
    elif raw[0] >> 4 == 6:
        theirs = dpkt.ip6.IP6(raw)
    else:
        theirs = dpkt.ip.IP(raw)
    if isinstance(theirs, dpkt.ip6.IP6):
        assert_same_ipv6(packet.network, theirs)
    else:
        assert_same_ipv4(packet.network, theirs)
    if isinstance(theirs.data, bytes):  # a later fragment: no transport header
        assert packet.transport is None
        assert packet.payload == theirs.data
        return
    transport = theirs.data
    compare = {dpkt.tcp.TCP: assert_same_tcp, dpkt.udp.UDP: assert_same_udp,
               dpkt.icmp.ICMP: assert_same_icmp,
               dpkt.icmp6.ICMP6: assert_same_icmp}[type(transport)]
    compare(packet.transport, transport)
    expected_payload = bytes(transport.data)
    if isinstance(transport, (dpkt.icmp.ICMP, dpkt.icmp6.ICMP6)):
        expected_payload = expected_payload[4:]
    assert packet.payload == expected_payload


# Hand-picked packets, with unusual options -------------------------------------

RECORD_ROUTE = b"\x07\x07\x04" + bytes(4) + b"\x00"  # 8 bytes with padding
ROUTER_ALERT = b"\x94\x04\x00\x00"
MSS_SACK_TS_WS = (b"\x02\x04\xff\xd7" b"\x04\x02" b"\x08\x0a" + bytes(8)
                  + b"\x01" b"\x03\x03\x07")
EOL_THEN_PADDING = b"\x01\x01\x00\x00"

PACKETS = {
    "udp": ipv4(udp(b"hello"), 17),
    "udp, empty payload": ipv4(udp(b""), 17),
    "tcp syn with mss, sack, timestamps, window scale":
        ipv4(tcp(options=MSS_SACK_TS_WS, flags=dpkt.tcp.TH_SYN), 6),
    "tcp, empty payload, no options": ipv4(tcp(), 6),
    "tcp psh+ack with data": ipv4(
        tcp(b"GET / HTTP/1.1\r\n\r\n",
            flags=dpkt.tcp.TH_PUSH | dpkt.tcp.TH_ACK), 6),
    "tcp, every flag, urgent pointer": ipv4(tcp(b"!", flags=0xFF, urp=1), 6),
    "tcp option list ended by eol": ipv4(tcp(options=EOL_THEN_PADDING), 6),
    "ip options: record route": ipv4(udp(b"x"), 17, options=RECORD_ROUTE),
    "ip options: router alert": ipv4(tcp(b"y"), 6, options=ROUTER_ALERT),
    "ip options, 40 bytes (IHL 15)": ipv4(udp(b""), 17, options=b"\x01" * 40),
    "ip and tcp options together": ipv4(tcp(b"both", options=MSS_SACK_TS_WS),
                                        6, options=ROUTER_ALERT),
    "first fragment (MF, offset 0)": ipv4(udp(b"A" * 24), 17,
                                          more_fragments=True,
                                          identification=4242),
    "middle fragment (MF, offset 1480)": ipv4(b"B" * 64, 17,
                                              more_fragments=True,
                                              offset=1480),
    "last fragment (offset 2960)": ipv4(b"C" * 10, 17, offset=2960),
    "dont-fragment flag": ipv4(udp(b"df"), 17, dont_fragment=True),
    "icmp echo request": ipv4(icmp_echo(b"ping!"), 1),
    "icmp echo reply, empty": ipv4(icmp_echo(b"", request=False), 1),
    "tos and ttl": ipv4(udp(b"q"), 17, tos=0xB8, ttl=1),
}


@pytest.mark.parametrize("raw", PACKETS.values(), ids=PACKETS.keys())
def test_decoder_agrees_with_dpkt_on_every_field(raw):
    assert_decoders_agree(raw)


@pytest.mark.parametrize("raw", PACKETS.values(), ids=PACKETS.keys())
def test_decoder_agrees_with_dpkt_inside_an_ethernet_frame(raw):
    frame = dpkt.ethernet.Ethernet(
        src=b"\x02\x00\x00\x00\x00\x01", dst=b"\xff" * 6,
        type=dpkt.ethernet.ETH_TYPE_IP, data=dpkt.ip.IP(raw))
    assert_decoders_agree(bytes(frame), "ethernet")


def ipv6(data, next_header: int, hop_limit=64, flow=0x12345, fc=0x28):
    packet = dpkt.ip6.IP6(src=b"\x00" * 15 + b"\x01", dst=b"\x00" * 15 + b"\x01",
                          nxt=next_header, hlim=hop_limit, data=data)
    packet.v, packet.fc, packet.flow = 6, fc, flow
    packet.plen = len(bytes(data))
    return bytes(packet)


IPV6_PACKETS = {
    "udp over ipv6": ipv6(udp(b"over IPv6"), 17),
    "tcp over ipv6 with options": ipv6(
        tcp(b"v6", options=MSS_SACK_TS_WS, flags=dpkt.tcp.TH_SYN), 6),
    "empty udp over ipv6": ipv6(udp(b""), 17),
    "icmpv6 echo request": ipv6(
        dpkt.icmp6.ICMP6(type=128, code=0, data=b"\x00\x01\x00\x02hi"), 58),
}


@pytest.mark.parametrize("raw", IPV6_PACKETS.values(), ids=IPV6_PACKETS.keys())
def test_decoder_agrees_with_dpkt_on_ipv6_packets(raw):
    assert_decoders_agree(raw)


def test_first_fragment_is_flagged_and_its_udp_header_decoded():
    packet = decoder.decode(PACKETS["first fragment (MF, offset 0)"], "raw")
    assert packet.network.more_fragments and packet.network.fragment_offset == 0
    assert packet.transport.source_port == 40000
    assert "frag=4242@0+MF" in decoder.describe(packet)


def test_later_fragment_has_no_transport_header_and_says_so():
    packet = decoder.decode(PACKETS["middle fragment (MF, offset 1480)"], "raw")
    assert packet.transport is None
    assert packet.note == "fragment"
    line = decoder.describe(packet)
    assert line.startswith("UDP 127.0.0.1 > 127.0.0.1 ")
    assert "@1480+MF" in line and "data=64" in line


def test_describe_shows_ports_flags_lengths_and_a_payload_preview():
    raw = PACKETS["tcp psh+ack with data"]
    assert decoder.describe(decoder.decode(raw, "raw")) == (
        "TCP 127.0.0.1:40000 > 127.0.0.1:50000 [PSH,ACK] seq=1000 ack=2000 "
        "win=65535 ip_len=58 data=18 b'GET / HTTP/1.1\\r\\n'..."
    )


def test_describe_names_tcp_options_and_ip_options():
    raw = PACKETS["ip and tcp options together"]
    line = decoder.describe(decoder.decode(raw, "raw"))
    assert "opts=mss,sack_ok,ts,nop,ws" in line
    assert "ip_opts=4" in line


def test_describe_shows_icmp_echo_identifier_and_sequence():
    line = decoder.describe(decoder.decode(PACKETS["icmp echo request"], "raw"))
    assert line == ("ICMP 127.0.0.1 > 127.0.0.1 echo-request code=0 id=7 seq=1 "
                    "ip_len=33 data=5 b'ping!'")


def test_describe_writes_ipv6_endpoints_in_brackets():
    line = decoder.describe(decoder.decode(IPV6_PACKETS["udp over ipv6"], "raw"))
    assert line.startswith("UDP [::1]:40000 > [::1]:50000 ip_len=57 data=9")


def test_ethernet_frame_of_another_protocol_is_named_not_decoded():
    arp = bytes(6) + bytes(6) + b"\x08\x06" + bytes(28)
    packet = decoder.decode(arp, "ethernet")
    assert packet.problem is None and packet.network is None
    assert decoder.describe(packet) == "not IP: EtherType 0x0806, 42 bytes"


def test_ip_packet_shorter_than_the_frame_ignores_ethernet_padding():
    raw = PACKETS["udp, empty payload"]  # 28 bytes: Ethernet pads to 46
    frame = bytes(12) + b"\x08\x00" + raw + bytes(18)
    packet = decoder.decode(frame, "ethernet")
    assert packet.problem is None
    assert packet.payload == b""


def test_decoder_script_decodes_a_packet_given_in_hex():
    from tests.support import run_script

    result = run_script("packets", "decoder", PACKETS["udp"].hex())
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("UDP 127.0.0.1:40000 > 127.0.0.1:50000 "
                             "ip_len=33 data=5 b'hello'\n")


def test_decoder_script_refuses_text_that_is_not_hex():
    from tests.support import run_script

    result = run_script("packets", "decoder", "45zz")
    assert result.returncode == 1
    assert "not hexadecimal" in result.stderr and "Traceback" not in result.stderr


# Generated packets: hypothesis builds them, both decoders read them ----------

ip_option = st.one_of(
    st.just(b"\x01"),  # NOP
    st.builds(lambda kind, data: bytes([kind, len(data) + 2]) + data,
              st.sampled_from([7, 68, 130, 131, 137, 148]),
              st.binary(min_size=0, max_size=8)),
)
tcp_option = st.one_of(
    st.just(b"\x01"),
    st.builds(lambda mss: b"\x02\x04" + struct.pack("!H", mss),
              st.integers(0, 0xFFFF)),
    st.builds(lambda shift: bytes([3, 3, shift]), st.integers(0, 14)),
    st.just(b"\x04\x02"),
    st.builds(lambda value, echo: b"\x08\x0a" + struct.pack("!II", value, echo),
              st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
    st.builds(lambda edges: bytes([5, 2 + 8 * len(edges)]) + b"".join(
        struct.pack("!II", *edge) for edge in edges),
        st.lists(st.tuples(st.integers(0, 2**32 - 1),
                           st.integers(0, 2**32 - 1)), min_size=1, max_size=3)),
)


def padded(options: list[bytes], limit: int = 40) -> bytes | None:
    """Options end-padded with end-of-list bytes to a multiple of 4."""
    data = b"".join(options)
    data += bytes(-len(data) % 4)
    return data if len(data) <= limit else None


options_block = {
    "ip": st.lists(ip_option, max_size=6).map(padded).filter(
        lambda data: data is not None),
    "tcp": st.lists(tcp_option, max_size=6).map(padded).filter(
        lambda data: data is not None),
}
payloads = st.binary(max_size=80)
ports = st.integers(0, 0xFFFF)


@st.composite
def transport_segments(draw):
    kind = draw(st.sampled_from(["tcp", "udp", "icmp"]))
    payload = draw(payloads)
    if kind == "tcp":
        return tcp(payload, options=draw(options_block["tcp"]),
                   flags=draw(st.integers(0, 0xFF)), sport=draw(ports),
                   dport=draw(ports), seq=draw(st.integers(0, 2**32 - 1)),
                   ack=draw(st.integers(0, 2**32 - 1)), win=draw(ports),
                   urp=draw(ports)), 6
    if kind == "udp":
        return udp(payload, draw(ports), draw(ports)), 17
    return icmp_echo(payload, draw(ports), draw(ports), draw(st.booleans())), 1


@st.composite
def ipv4_packets(draw):
    segment, protocol = draw(transport_segments())
    fragment = draw(st.sampled_from(["whole", "first", "later"]))
    if fragment == "later":
        segment = draw(payloads)  # a later fragment carries plain bytes
    return ipv4(
        segment, protocol, options=draw(options_block["ip"]),
        dont_fragment=fragment == "whole" and draw(st.booleans()),
        more_fragments=fragment == "first" or (fragment == "later"
                                               and draw(st.booleans())),
        offset=8 * draw(st.integers(1, 0x1FFF)) if fragment == "later" else 0,
        identification=draw(ports), ttl=draw(st.integers(0, 255)),
        tos=draw(st.integers(0, 255)),
        src=draw(st.binary(min_size=4, max_size=4)),
        dst=draw(st.binary(min_size=4, max_size=4)),
    )


@CHECKS
@given(ipv4_packets())
def test_decoder_agrees_with_dpkt_on_generated_ipv4_packets(raw):
    assert_decoders_agree(raw)


@CHECKS
@given(transport_segments(), st.integers(0, 255), st.integers(0, 0xFFFFF))
def test_decoder_agrees_with_dpkt_on_generated_ipv6_packets(
    segment, traffic_class, flow
):
    transport, protocol = segment
    if protocol == 1:  # ICMP over IPv6 is ICMPv6
        transport = dpkt.icmp6.ICMP6(type=transport.type + 120,
                                     code=0, data=bytes(transport.data))
        protocol = 58
    assert_decoders_agree(ipv6(transport, protocol, fc=traffic_class,
                               flow=flow))


# Malformed input: reported, never raised --------------------------------------

def problem_of(raw: bytes, link: str = "raw") -> str:
    packet = decoder.decode(raw, link)
    assert packet.problem is not None, "expected a problem to be reported"
    assert decoder.describe(packet).startswith("MALFORMED ")
    return packet.problem


def with_byte(raw: bytes, index: int, value: int) -> bytes:
    return raw[:index] + bytes([value]) + raw[index + 1:]


def with_field(raw: bytes, offset: int, value: int) -> bytes:
    return raw[:offset] + struct.pack("!H", value) + raw[offset + 2:]


UDP_PACKET = PACKETS["udp"]  # 20 IP + 8 UDP + 5 payload bytes
TCP_PACKET = PACKETS["tcp psh+ack with data"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "not an IP packet: version field is None"),
        (b"\x45" + bytes(10), "IPv4 header needs 20 bytes, got 11"),
        (with_byte(UDP_PACKET, 0, 0x44), "IPv4 IHL 4 is below the minimum 5"),
        (with_byte(UDP_PACKET, 0, 0x4F),
         "IPv4 IHL 15 means a 60-byte header; only 33 bytes"),
        (with_field(UDP_PACKET, 2, 500),
         "IPv4 total length 500 exceeds the 33 bytes captured"),
        (with_field(UDP_PACKET, 2, 12),
         "IPv4 total length 12 is shorter than its 20-byte header"),
        (with_byte(UDP_PACKET, 0, 0x35), "not an IP packet: version field is 3"),
        (with_field(UDP_PACKET, 24, 7), "UDP length 7 is below the minimum 8"),
        (with_field(UDP_PACKET, 24, 300),
         "UDP length 300 exceeds the 13 bytes that arrived"),
        (with_byte(TCP_PACKET, 32, 0x40), "TCP data offset 4 is below the minimum 5"),
        (with_byte(TCP_PACKET, 32, 0xF0),
         "TCP data offset 15 means a 60-byte header; only 38 bytes"),
        (ipv4(tcp(options=b"\x02\x09\x00\x00"), 6),
         "TCP option 2 has a bad length 9"),
        (ipv4(tcp(options=b"\x01\x01\x01\x08"), 6),
         "TCP option 8 has no length byte"),
        (ipv4(b"\x08\x00\x00", 1), "ICMP header needs 8 bytes, got 3"),
        (IPV6_PACKETS["udp over ipv6"][:39], "IPv6 header needs 40 bytes, got 39"),
        (IPV6_PACKETS["udp over ipv6"][:50],
         "IPv6 payload length 17 exceeds the 10 bytes captured"),
    ],
    ids=[
        "empty", "truncated IPv4 header", "IHL too small", "IHL too large",
        "total length beyond buffer", "total length below header",
        "wrong version", "UDP length too small", "UDP length beyond buffer",
        "TCP data offset too small", "TCP data offset too large",
        "TCP option length beyond header", "TCP option without length",
        "truncated ICMP", "truncated IPv6 header", "IPv6 payload cut",
    ],
)
def test_malformed_packet_is_reported_with_what_is_wrong(raw, expected):
    assert problem_of(raw) == expected


def test_truncated_ethernet_header_is_reported():
    assert problem_of(b"\x00" * 13, "ethernet") == (
        "Ethernet header needs 14 bytes, got 13")


@pytest.mark.parametrize("raw", [*PACKETS.values(), *IPV6_PACKETS.values()],
                         ids=[*PACKETS.keys(), *IPV6_PACKETS.keys()])
def test_every_truncation_of_a_packet_is_reported_not_raised(raw):
    for length in range(len(raw)):
        problem_of(raw[:length])


def test_malformed_tcp_line_keeps_the_addresses_it_could_read():
    line = decoder.describe(decoder.decode(with_byte(TCP_PACKET, 32, 0x40), "raw"))
    assert line == ("MALFORMED TCP 127.0.0.1 > 127.0.0.1: "
                    "TCP data offset 4 is below the minimum 5")


def assert_decodes_quietly(raw: bytes, link: str) -> None:
    packet = decoder.decode(raw, link)  # must not raise
    line = decoder.describe(packet)
    assert isinstance(line, str) and "\n" not in line


@CHECKS
@given(st.binary(max_size=200), st.sampled_from(["raw", "ethernet"]))
def test_random_bytes_never_crash_the_decoder(raw, link):
    assert_decodes_quietly(raw, link)


@CHECKS
@given(st.binary(max_size=120))
def test_random_bytes_after_a_plausible_ipv4_start_never_crash_it(tail):
    assert_decodes_quietly(b"\x45\x00" + tail, "raw")
    assert_decodes_quietly(b"\x60\x00" + tail, "raw")


@CHECKS
@given(st.sampled_from(sorted(PACKETS)), st.data())
def test_corrupted_bytes_in_a_valid_packet_never_crash_the_decoder(name, data):
    raw = bytearray(PACKETS[name])
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(raw) - 1))
        raw[index] = data.draw(st.integers(0, 255))
    assert_decodes_quietly(bytes(raw), "raw")
