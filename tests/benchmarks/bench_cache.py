"""Warm-start benchmark: cold load (no cache, then writing it) and warm start, each in a fresh
process, with peak RSS; prints one markdown table. On demand, never run by pytest.

    python -m tests.benchmarks.bench_cache                 # 10k
    python -m tests.benchmarks.bench_cache --sizes 10k,100k

Per size: the cached synthetic corpus (tests/benchmarks/corpus.py) is read once so its files
sit in the page cache; a child process then runs `Library.load(paths, cache=DIR)` (which also
restores or builds the index and writes the cache when needed) and a first search. Times
exclude the interpreter start, include imports. "cold" starts from an empty cache folder (its
time includes building the index and writing the cache); "warm" is the next process; "1%
changed" touches one file in a hundred first (their mtimes are put back afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

WARM = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from reader.library import Library
lib = Library.load([sys.argv[1]], cache=sys.argv[2])
t1 = time.perf_counter()
hits = lib.search("tan son hoa", limit=500)
t2 = time.perf_counter()
print(json.dumps({
    "load": t1 - t0, "search": t2 - t1, "articles": len(lib.articles), "total": hits.total,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def _run(code: str, corpus: Path, cache: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), READER_CACHE_DIR=str(cache))
    out = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(cache)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def _disk(root: Path) -> int:
    total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as handle:
                total += len(handle.read())
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k", help="comma-separated corpus sizes")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from tests.benchmarks.corpus import cached_corpus

    print(
        "| files | MB on disk | cold load+index+write s | cache MB | warm s | warm RSS MB "
        "| warm 1% changed s | cold RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size in (_size(s) for s in args.sizes.split(",")):
        corpus, _ = cached_corpus(size, 1)
        disk = _disk(corpus)  # also puts the files in the page cache
        with tempfile.TemporaryDirectory(prefix="reader-cache-bench-") as tmp:
            cache = Path(tmp)
            started = time.perf_counter()
            cold = _run(WARM, corpus, cache)
            cold_wall = time.perf_counter() - started
            cache_mb = sum(p.stat().st_size for p in cache.iterdir()) / 2**20
            warm = _run(WARM, corpus, cache)
            touched = [(p, p.stat()) for p in sorted(corpus.rglob("*.txt"))[::100]]
            try:
                for path, st in touched:
                    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
                changed = _run(WARM, corpus, cache)
            finally:  # the corpus is shared with the other benchmarks: put the times back
                for path, st in touched:
                    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
            assert warm["articles"] == cold["articles"] == changed["articles"]
            assert warm["total"] == cold["total"] == changed["total"]
        print(
            f"| {size:,} | {disk / 2**20:,.0f} | {cold['load']:.2f} ({cold_wall:.1f} wall) "
            f"| {cache_mb:,.0f} | {warm['load']:.2f} | {warm['rss_mb']:,.0f} "
            f"| {changed['load']:.2f} | {cold['rss_mb']:,.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
