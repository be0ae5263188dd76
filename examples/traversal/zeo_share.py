"""Two processes, one database: a ZEO server and clients that count visits.

A FileStorage can be opened by one process only.  A ZEO server owns the
storage and serves it over TCP; each client process opens ZEO.DB(address)
and uses the objects as usual.  Clients that write at the same time
conflict; each retries its transaction, so no visit is lost.

    python zeo_share.py server --data /tmp/zeo --port 8100
    python zeo_share.py visit --port 8100 --times 100     # in two terminals
    python zeo_share.py count --port 8100
"""

from __future__ import annotations

import argparse
from pathlib import Path

import transaction
import ZEO
import ZODB.FileStorage
from ZEO.StorageServer import StorageServer
from ZODB.POSException import ConflictError


def serve(data: Path, host: str, port: int) -> None:
    """Serve the FileStorage in data/Data.fs until Ctrl-C."""
    data.mkdir(parents=True, exist_ok=True)
    path = str(data / "Data.fs")
    ZODB.DB(path).close()  # the root object exists before clients race for it
    storage = ZODB.FileStorage.FileStorage(path)
    server = StorageServer((host, port), {"1": storage})
    print(f"ZEO listening on {server.addr[0]}:{server.addr[1]}", flush=True)
    try:
        server.loop()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def visit(db, times: int) -> int:
    """Add a visit `times` times, a transaction each; return how
    many transactions lost a conflict and ran again."""
    manager = transaction.TransactionManager()
    conn = db.open(manager)
    retries = 0
    try:
        for _ in range(times):
            for attempt in manager.attempts(50):
                with attempt:  # commit; on a conflict: abort, again
                    root = conn.root()
                    root["visits"] = root.get("visits", 0) + 1
                retries += 1
            retries -= 1  # the attempt that succeeded was no retry
    finally:
        conn.close()
    return retries


def count(db) -> int:
    conn = db.open(transaction.TransactionManager())
    try:
        return conn.root().get("visits", 0)
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n\n")[0])
    parser.add_argument("command", choices=["server", "visit", "count"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100, help="server: 0 picks a free port")
    parser.add_argument("--data", type=Path, default=Path("zeo-data"), help="server's folder")
    parser.add_argument("--times", type=int, default=100, help="visits to make")
    args = parser.parse_args()
    if args.command == "server":
        serve(args.data, args.host, args.port)
        return
    db = ZEO.DB((args.host, args.port), wait_timeout=10)
    try:
        if args.command == "visit":
            retries = visit(db, args.times)
            print(f"{args.times} visits made, {retries} conflicts retried")
        else:
            print(f"{count(db)} visits")
    except ConflictError as error:
        raise SystemExit(f"gave up after too many conflicts: {error}") from None
    finally:
        db.close()


if __name__ == "__main__":
    main()
