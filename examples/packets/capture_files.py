"""Read and write captured packets: pcap and pcapng files, hex dumps.

A pcap file (the format of tcpdump, and one that Wireshark reads and
writes) is a 24-byte global header followed by one record per packet: a
16-byte record header (timestamp, captured length, original length) and
the packet's bytes. The first four bytes, the "magic number", also tell
the byte order the file was written in and whether its timestamps count
microseconds or nanoseconds. Everything is read with struct.

A pcapng file (Wireshark's and dumpcap's default) is a sequence of
blocks, each with a type and a length: a section header, one block per
capture interface (with its link type), then one block per packet. See
PcapngReader.

Both are read lazily, one record at a time from an open file, so that
``sniffer.py --pcap FILE --count 3`` reads three records, not the file.

A hex dump is text: the bytes of each packet in hexadecimal, as
``tcpdump -x`` prints them. See parse_hex_dump for the details.

This module has no command line of its own: sniffer.py --pcap FILE and
--hex FILE use it.
"""

from __future__ import annotations

import io
import re
import struct
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# magic number -> (byte order, timestamp fraction units per second)
MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1_000_000),
    b"\xa1\xb2\xc3\xd4": (">", 1_000_000),
    b"\x4d\x3c\xb2\xa1": ("<", 1_000_000_000),
    b"\xa1\xb2\x3c\x4d": (">", 1_000_000_000),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"  # the type of a section header block
# link-layer type -> how decoder.decode should read the packets. Raw IP
# is 101 in the file format, but old tools wrote 12 or 14 (BSD's values).
# 113 and 276 are Linux "cooked" headers, written by tcpdump -i any.
LINK_TYPES = {1: "ethernet", 101: "raw", 12: "raw", 14: "raw",
              228: "raw", 229: "raw", 113: "linux_sll", 276: "linux_sll2"}
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
    link: str  # "ethernet", "raw" (starts at the IP header), "linux_sll"...
    snaplen: int
    records: list[Record]
    problem: str | None = None  # why reading stopped before the end


def read_pcap(data: bytes) -> Capture:
    """All the packets of a pcap or pcapng file, given its bytes."""
    reader = open_capture(io.BytesIO(data))
    records = list(reader)
    return Capture(reader.link, reader.snaplen, records, reader.problem)


def open_capture(file: BinaryIO) -> PcapReader | PcapngReader:
    """A reader of the pcap or pcapng file open in `file`: iterate over
    it for the records, one at a time."""
    start = file.tell()
    magic = file.read(4)
    file.seek(start)
    if magic == PCAPNG_MAGIC:
        return PcapngReader(file)
    return PcapReader(file)


# [start:read-pcap]
class PcapReader:
    """The records of a classic pcap file, read as they are asked for.

    The global header is read at once (CaptureFileError if it is not
    one); a record that does not fit ends the iteration, and `problem`
    then says why.
    """

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.problem: str | None = None
        header = file.read(24)
        if len(header) < 24:
            raise CaptureFileError(f"a pcap file starts with a 24-byte "
                                   f"header; this one has {len(header)} bytes")
        if header[:4] not in MAGICS:
            raise CaptureFileError(
                f"not a pcap file: magic {header[:4].hex()} (nor pcapng)")
        order, self.units = MAGICS[header[:4]]
        *_, self.snaplen, link_type = struct.unpack_from(
            order + GLOBAL_HEADER, header, 4)
        self.link = link_name(link_type)
        self.record_header = struct.Struct(order + RECORD_HEADER)

    def __iter__(self) -> Iterator[Record]:
        number = 0
        while header := self.file.read(self.record_header.size):
            number += 1
            if len(header) < self.record_header.size:
                self.problem = f"record {number}: header cut short"
                return
            seconds, fraction, length, original = \
                self.record_header.unpack(header)
            if length > MAX_RECORD:
                self.problem = (f"record {number}: length {length} is not "
                                "believable")
                return
            data = self.file.read(length)
            if len(data) < length:
                self.problem = (f"record {number}: {length} bytes announced, "
                                f"{len(data)} left in the file")
                return
            yield Record(seconds + fraction / self.units, data, original)
# [end:read-pcap]


def link_name(link_type: int) -> str:
    if link_type not in LINK_TYPES:
        raise CaptureFileError(f"link-layer type {link_type} not supported")
    return LINK_TYPES[link_type]


# pcapng ---------------------------------------------------------------------

SECTION_HEADER, INTERFACE, SIMPLE_PACKET, ENHANCED_PACKET = (
    0x0A0D0D0A, 1, 3, 6)
BYTE_ORDER_MAGIC = 0x1A2B3C4D
MAX_BLOCK = 1024 * 1024  # larger blocks are a sign of a broken file


@dataclass
class Interface:
    link: str
    snaplen: int
    units: int  # timestamp units per second (option if_tsresol)


class PcapngReader:
    """The packets of a pcapng file, read as they are asked for.

    A pcapng file is a sequence of blocks: type (4 bytes), total length
    (4), body, total length again. A section header block (SHB) starts
    each section and tells its byte order; an interface description block
    (IDB) names each capture device's link type; an enhanced packet block
    (EPB) or a simple packet block (SPB) holds one packet. Other blocks
    (name resolution, statistics...) are skipped.
    """

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.problem: str | None = None
        self.order = "<"
        self.interfaces: list[Interface] = []  # of the current section
        self.link: str | None = None  # the first interface's
        self.snaplen = 0
        self.number = 0  # packets so far, for messages
        # The capture's link type is in the first interface block, which
        # may come after other blocks: read up to the first packet.
        first = self.next_record()
        if self.link is None:
            raise CaptureFileError(self.problem
                                   or "pcapng file without an interface")
        self.pending = [first] if first is not None else []

    def __iter__(self) -> Iterator[Record]:
        yield from self.pending
        while (record := self.next_record()) is not None:
            yield record

    def read_block(self) -> tuple[int, bytes]:
        """The next block's type and body; (0, b"") at the end."""
        head = self.file.read(8)
        if not head:
            return 0, b""
        if len(head) < 8:
            raise CaptureFileError("block header cut short")
        body_start = b""
        if head[:4] == PCAPNG_MAGIC:  # a new section: find its byte order
            body_start = self.file.read(4)
            for order in "<>":
                if body_start == struct.pack(order + "I", BYTE_ORDER_MAGIC):
                    self.order = order
                    break
            else:
                raise CaptureFileError("section header: unknown byte order "
                                       f"{body_start.hex()}")
        block_type, length = struct.unpack(self.order + "II", head)
        if length < 12 or length % 4 or length > MAX_BLOCK:
            raise CaptureFileError(f"block of type {block_type}: length "
                                   f"{length} is not believable")
        body = body_start + self.file.read(length - 8 - len(body_start))
        if len(body) < length - 8:
            raise CaptureFileError(f"block of type {block_type}: {length} "
                                   f"bytes announced, {len(body) + 8} left")
        if struct.unpack_from(self.order + "I", body, len(body) - 4)[0] \
                != length:
            raise CaptureFileError(f"block of type {block_type}: the two "
                                   "lengths differ")
        return block_type, body[:-4]

    def next_record(self) -> Record | None:
        """The next packet, reading the blocks before it; None at the end
        or on a problem (then self.problem says what)."""
        while self.problem is None:
            try:
                block_type, body = self.read_block()
                if block_type == 0:
                    return None
                if block_type == SECTION_HEADER:
                    self.interfaces = []  # interfaces count per section
                elif block_type == INTERFACE:
                    self.interfaces.append(self.parse_interface(body))
                elif block_type in (ENHANCED_PACKET, SIMPLE_PACKET):
                    self.number += 1
                    return self.parse_packet(block_type, body)
            except (CaptureFileError, struct.error) as error:
                self.problem = f"after packet {self.number}: {error}"
        return None

    def parse_interface(self, body: bytes) -> Interface:
        link_type, _, snaplen = struct.unpack_from(self.order + "HHI", body)
        units = 1_000_000
        for code, value in self.options(body[8:]):
            if code == 9 and value:  # if_tsresol: 10**-n or 2**-n seconds
                exponent = value[0] & 0x7F
                units = 2 ** exponent if value[0] & 0x80 else 10 ** exponent
        interface = Interface(link_name(link_type), snaplen, units)
        if self.link is None:
            self.link, self.snaplen = interface.link, snaplen
        elif interface.link != self.link:
            raise CaptureFileError(
                f"interfaces with different link types ({self.link}, "
                f"{interface.link}) are not supported")
        return interface

    def parse_packet(self, block_type: int, body: bytes) -> Record:
        if block_type == SIMPLE_PACKET:  # no timestamp, interface 0
            (original,) = struct.unpack_from(self.order + "I", body)
            interface, high, low = 0, 0, 0
            length = min(original, len(body) - 4)
            start = 4
        else:
            interface, high, low, length, original = struct.unpack_from(
                self.order + "IIIII", body)
            start = 20
        if interface >= len(self.interfaces):
            raise CaptureFileError(f"packet on interface {interface}, which "
                                   "no interface block describes")
        if start + length > len(body):
            raise CaptureFileError(f"packet of {length} bytes in a block of "
                                   f"{len(body)}")
        units = self.interfaces[interface].units
        return Record(((high << 32) | low) / units,
                      body[start:start + length], original)

    def options(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        """(code, value) of each option: 2-byte code, 2-byte length, the
        value padded to 4 bytes; code 0 ends the list."""
        position = 0
        while position + 4 <= len(data):
            code, length = struct.unpack_from(self.order + "HH", data,
                                              position)
            if code == 0:
                return
            yield code, data[position + 4:position + 4 + length]
            position += 4 + (length + 3) // 4 * 4


# Writing pcap ---------------------------------------------------------------

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

    def write(self, frame: bytes, original_length: int | None = None) -> None:
        seconds, fraction = divmod(time.time_ns() // 1000, 1_000_000)
        self.file.write(struct.pack("<" + RECORD_HEADER, seconds, fraction,
                                    len(frame), original_length or len(frame)))
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

# "0x0010:" (tcpdump) or "00000010:"; not the "02:" of a time "02:09:56".
OFFSET = re.compile(r"^\s*(?:0x([0-9a-fA-F]+)|([0-9a-fA-F]{4,})):(?=\s|$)")
HEX_ONLY = re.compile(r"[0-9a-fA-F\s]*")


def parse_hex_dump(text: str) -> list[bytes]:
    """The packets in a hex dump.

    Each line holds hex digits, in groups of any size (``4500 003c`` or
    ``45 00 00 3c``), optionally after an offset ending in a colon
    (``0x0010:``), as ``tcpdump -x`` and ``-xx`` print them. A blank line
    or an offset of 0 starts the next packet; ``#`` starts a comment. In
    a dump with offsets, a line without one is tcpdump's summary of the
    next packet ("12:00:00.000 IP 127.0.0.1.40000 > ..."): it starts
    the next packet, and its text is skipped. Anything else is an error
    naming the line.
    """
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    tcpdump_style = any(OFFSET.match(line) for line in lines)
    packets: list[bytes] = []
    current = bytearray()
    for number, line in enumerate(lines, start=1):
        offset = OFFSET.match(line)
        if offset:
            line = line[offset.end():]
        summary = (tcpdump_style and not offset
                   and not HEX_ONLY.fullmatch(line))
        starts_packet = (summary or not line.strip()
                         or (offset and int(offset[1] or offset[2], 16) == 0))
        if starts_packet and current:
            packets.append(bytes(current))
            current = bytearray()
        if summary:
            continue
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
