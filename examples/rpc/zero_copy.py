"""Send a large array over a socket without copying it in Python.

It demonstrates memoryview and recv_into: the sender hands the kernel a
view of the array's own memory, and the receiver asks the kernel to write
straight into a preallocated array, piece by piece, instead of building
the bytes from many chunks (each join or += copies everything again).
A 13-byte header carries the array's type code and size first.

    python examples/rpc/zero_copy.py      # sends 10 million doubles to itself
    python examples/rpc/zero_copy.py --help
"""

import argparse
import array
import socket
import struct
import threading
import time

HEADER = struct.Struct("!cQ")  # type code, payload size in bytes
MAX_PAYLOAD = 1 << 30  # refuse to allocate more than 1 GiB for a stranger


# [start:send]
def send_array(sock: socket.socket, values: array.array) -> None:
    payload = memoryview(values).cast("B")  # same memory, as bytes
    header = HEADER.pack(values.typecode.encode(), payload.nbytes)
    sock.sendall(header)
    sock.sendall(payload)
# [end:send]


# [start:recv]
def recv_array(sock: socket.socket) -> array.array:
    typecode, size = HEADER.unpack(recv_exactly(sock, HEADER.size))
    values = new_array(typecode.decode("ascii", "replace"), size)
    view = memoryview(values).cast("B")
    received = 0
    while received < size:
        count = sock.recv_into(view[received:])  # no new bytes
        if count == 0:
            raise EOFError(f"closed after {received} of {size} bytes")
        received += count
    return values
# [end:recv]


def new_array(typecode: str, size: int) -> array.array:
    """An array of `size` bytes of type `typecode`, after checking both."""
    if typecode not in array.typecodes:
        raise ValueError(f"unknown array type code {typecode!r}")
    itemsize = array.array(typecode).itemsize
    if size > MAX_PAYLOAD or size % itemsize:
        raise ValueError(f"bad payload size {size} for type {typecode!r}")
    return array.array(typecode, bytes(size))


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    received = 0
    while received < size:
        count = sock.recv_into(view[received:])
        if count == 0:
            raise EOFError(f"peer closed after {received} of {size} bytes")
        received += count
    return bytes(buffer)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000_000,
                        help="how many doubles to send (default %(default)s)")
    args = parser.parse_args(argv)
    values = array.array("d", range(args.count))
    left, right = socket.socketpair()
    with left, right:
        sender = threading.Thread(target=send_array, args=(left, values))
        started = time.perf_counter()
        sender.start()
        received = recv_array(right)
        sender.join()
        elapsed = time.perf_counter() - started
    assert received == values
    megabytes = values.itemsize * len(values) / 1e6
    print(f"{megabytes:.0f} MB in {elapsed:.3f} s")


if __name__ == "__main__":
    main()
