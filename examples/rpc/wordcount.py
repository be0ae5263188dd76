"""Map-reduce word count: a process pool, then a dask cluster.

It demonstrates the same computation on two engines. The map step,
count_words, turns one text into a Counter; the reduce step, merge, adds
Counters together. With --engine pool the pieces go to a
multiprocessing.Pool on this machine; with --engine dask they go to the
workers of a dask.distributed LocalCluster, started on 127.0.0.1 for the
run (a real scheduler and real worker processes, talking over TCP).

    python examples/rpc/wordcount.py examples/rpc/corpus/*.txt
    python examples/rpc/wordcount.py --engine dask examples/rpc/corpus/*.txt
    python examples/rpc/wordcount.py --help
"""

import argparse
import json
import multiprocessing
import re
from collections import Counter
from functools import reduce
from pathlib import Path

WORD = re.compile(r"[a-z']+")


# [start:map_reduce]
def count_words(text: str) -> Counter:
    """Map: one text in, its word counts out."""
    return Counter(WORD.findall(text.lower()))


def merge(counts: list[Counter]) -> Counter:
    """Reduce: add the counts of every piece."""
    return reduce(lambda total, c: total + c, counts, Counter())
# [end:map_reduce]


# [start:pool]
def with_pool(texts: list[str], processes: int = 2) -> Counter:
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        return merge(pool.map(count_words, texts))
# [end:pool]


# [start:dask]
def with_dask(texts: list[str], workers: int = 2) -> Counter:
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                           host="127.0.0.1", dashboard_address=None)
    with cluster, Client(cluster) as client:
        pieces = client.scatter(texts)  # data to the workers, once
        counts = client.map(count_words, pieces)
        return client.submit(merge, counts).result()
# [end:dask]


ENGINES = {"pool": with_pool, "dask": with_dask}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--engine", choices=ENGINES, default="pool")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--top", type=int, default=5,
                        help="print the N commonest words (default 5)")
    parser.add_argument("--json", action="store_true",
                        help="print every count as JSON instead")
    args = parser.parse_args(argv)
    texts = [path.read_text(encoding="utf-8") for path in args.files]
    counts = ENGINES[args.engine](texts, args.workers)
    if args.json:
        print(json.dumps(dict(sorted(counts.items()))))
        return
    for word, count in counts.most_common(args.top):
        print(f"{count:4} {word}")


if __name__ == "__main__":
    main()
