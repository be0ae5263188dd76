"""Read and write captured packets: classic pcap files and hex dumps.

A pcap file (the format of tcpdump, and one that Wireshark reads and
writes) is a 24-byte global header followed by one record per packet: a
16-byte record header (timestamp, captured length, original length) and
the packet's bytes. The first four bytes, the "magic number", also tell
the byte order the file was written in and whether its timestamps count
microseconds or nanoseconds. Everything is read with struct.

A hex dump is text: the bytes of each packet in hexadecimal, as
``tcpdump -x`` prints them. See parse_hex_dump for the details.

This module has no command line of its own: sniffer.py --pcap FILE and
--hex FILE use it.
"""

from __future__ import annotations

import re
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# magic number -> (byte order, timestamp fraction units per second)
MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1_000_000),
    b"\xa1\xb2\xc3\xd4": (">", 1_000_000),
    b"\x4d\x3c\xb2\xa1": ("<", 1_000_000_000),
    b"\xa1\xb2\x3c\x4d": (">", 1_000_000_000),
}
# link-layer type -> how decoder.decode should read the packets. Raw IP
# is 101 in the file format, but old tools wrote 12 or 14 (BSD's values).
LINK_TYPES = {1: "ethernet", 101: "raw", 12: "raw", 14: "raw",
              228: "raw", 229: "raw"}
GLOBAL_HEADER = "HHiIII"  # version, version, zone, accuracy, snaplen, link
RECORD_HEADER = "IIII"  # seconds, fraction, captured length, original length
MAX_RECORD = 262_144  # larger records are a sign of a broken file


class CaptureFileError(ValueError):
    """The file is not a capture file this module can read; says why."""


@dataclass
class Record:
    timestamp: float  # seconds since 1970
    data: bytes
    original_length: int  # on the wire; more than len(data) if cut short


@dataclass
class Capture:
    link: str  # "ethernet" or "raw" (starts at the IP header)
    snaplen: int
    records: list[Record]
    problem: str | None = None  # why reading stopped before the end


# [start:read-pcap]
def read_pcap(data: bytes) -> Capture:
    """The packets of a classic pcap file, given its bytes."""
    if len(data) < 24:
        raise CaptureFileError(f"a pcap file starts with a 24-byte "
                               f"header; this one has {len(data)} bytes")
    if data[:4] not in MAGICS:
        raise CaptureFileError(f"not a pcap file: magic {data[:4].hex()}")
    order, units = MAGICS[data[:4]]
    *_, snaplen, link_type = struct.unpack_from(order + GLOBAL_HEADER, data, 4)
    if link_type not in LINK_TYPES:
        raise CaptureFileError(f"link-layer type {link_type} not supported")
    capture = Capture(LINK_TYPES[link_type], snaplen, [])
    record_header = struct.Struct(order + RECORD_HEADER)
    offset = 24
    while offset < len(data) and capture.problem is None:
        offset = read_record(data, offset, record_header, units, capture)
    return capture
# [end:read-pcap]


def read_record(
    data: bytes, offset: int, header: struct.Struct, units: int,
    capture: Capture,
) -> int:
    """Append the record at offset to capture; return the next offset.

    A record that does not fit is not appended: capture.problem says why.
    """
    number = len(capture.records) + 1
    if offset + header.size > len(data):
        capture.problem = f"record {number}: header cut short"
        return len(data)
    seconds, fraction, length, original = header.unpack_from(data, offset)
    offset += header.size
    if length > MAX_RECORD:
        capture.problem = f"record {number}: length {length} is not believable"
    elif offset + length > len(data):
        capture.problem = (f"record {number}: {length} bytes announced, "
                           f"{len(data) - offset} left in the file")
    else:
        capture.records.append(Record(seconds + fraction / units,
                                      data[offset:offset + length], original))
    return offset + length


class PcapWriter:
    """Write frames to a microsecond pcap file, little-endian, one at a
    time (the sniffer's --write). Each is stamped with the time it is
    written."""

    def __init__(self, path: Path, link_type: int = 1,
                 snaplen: int = 65535) -> None:
        self.file = open(path, "wb")
        self.file.write(b"\xd4\xc3\xb2\xa1")
        self.file.write(struct.pack("<" + GLOBAL_HEADER, 2, 4, 0, 0,
                                    snaplen, link_type))

    def write(self, frame: bytes) -> None:
        seconds, fraction = divmod(time.time_ns() // 1000, 1_000_000)
        self.file.write(struct.pack("<" + RECORD_HEADER, seconds, fraction,
                                    len(frame), len(frame)))
        self.file.write(frame)
        self.file.flush()  # a capture stopped with Ctrl-C keeps its packets

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def write_pcap(path: Path, frames: Iterable[bytes], link_type: int = 1) -> None:
    """Write all frames to a new pcap file."""
    with PcapWriter(path, link_type) as writer:
        for frame in frames:
            writer.write(frame)


# Hex dumps ----------------------------------------------------------------

OFFSET = re.compile(r"^\s*(?:0x)?([0-9a-fA-F]+):")


def parse_hex_dump(text: str) -> list[bytes]:
    """The packets in a hex dump.

    Each line holds hex digits, in groups of any size (``4500 003c`` or
    ``45 00 00 3c``), optionally after an offset ending in a colon
    (``0x0010:``), as ``tcpdump -x`` prints them. A blank line or an offset
    of 0 starts the next packet; ``#`` starts a comment. Anything else is
    an error naming the line.
    """
    packets: list[bytes] = []
    current = bytearray()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0]
        offset = OFFSET.match(line)
        if offset:
            line = line[offset.end():]
        starts_packet = not line.strip() or (offset and int(offset[1], 16) == 0)
        if starts_packet and current:
            packets.append(bytes(current))
            current = bytearray()
        digits = "".join(line.split())
        try:
            current += bytes.fromhex(digits)
        except ValueError:
            raise CaptureFileError(
                f"line {number}: not pairs of hex digits: {line.strip()!r}"
            ) from None
    if current:
        packets.append(bytes(current))
    return packets
