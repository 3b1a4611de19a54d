"""Search latency and index build time on the synthetic corpus (prints numbers; not a test).

    python -m tests.benchmarks.bench_search --count 10000 [--count 100000] [--cache-articles]

Every query is typed one character at a time (`search(q[:1])`, `search(q[:2])` …) and each
call is timed, with what the UI asks of it (the total, and the spans and snippets of the first
40 hits); p50/p95/max are over all calls, and the slowest calls are listed.
`--cache-articles` pickles the loaded articles under the corpus cache so later runs skip
loading (the loader is timed separately by the loader's own benchmark).
"""

from __future__ import annotations

import argparse
import gc
import pickle
import statistics
import sys
import time
from pathlib import Path

from reader.library import Library
from reader.search import SearchIndex, match_spans
from tests.benchmarks.corpus import cached_corpus

QUERIES = [
    "tan son hoa",
    "Tân Sơn Hòa",
    "tansonhoa",
    "tan son hao",
    "antt",
    "hdnd",
    "uy ban nhan dan",
    "long xuyen",
    "duc xuan",
    "cu ngoc cuong",
    "truong le my ngoc",
    "truong le my ngc",
    "!covid hdnd",
    "ubmttq",
    "dang uy phuong",
    "quy che phoi hop",
    "xay dung dang o co so",
    "son tan",
    "hoa son tan",
    "title:long xuyen",
    "date:2025 hdnd",
    "^thanh uy",
    "nguyen manh trinh",
    "an ninh trat tu",
    '"giang bien"',
    "hoi dong nhan dan",
    "xuyen | bien",
    "'Hòa",
    "cai cach hanh chinh",
    "zzzz khong co",
]


def load(count: int, cache_articles: bool) -> tuple[list, float]:
    folder, _ = cached_corpus(count)
    pickled = folder.parent / "articles.pickle"
    if cache_articles and pickled.exists():
        with open(pickled, "rb") as handle:
            return pickle.load(handle), 0.0
    start = time.perf_counter()
    library = Library.load([folder])
    seconds = time.perf_counter() - start
    if cache_articles:
        with open(pickled, "wb") as handle:
            pickle.dump(library.articles, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return library.articles, seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(count: int, cache_articles: bool) -> None:
    articles, load_s = load(count, cache_articles)
    megabytes = sum(len(a.text) for a in articles) / 1e6
    print(f"\n== {len(articles):,} articles, {megabytes:.0f} M chars (load {load_s:.1f} s)")
    gc.collect()
    start = time.perf_counter()
    cpu = time.process_time()
    index = SearchIndex(articles)
    build = time.perf_counter() - start
    print(f"index build: {build:.2f} s wall, {time.process_time() - cpu:.2f} s cpu")
    timings: list[tuple[float, str]] = []
    first_keystroke: list[float] = []
    for query in QUERIES:
        for n in range(1, len(query) + 1):
            typed = query[:n]
            t0 = time.perf_counter()
            hits = index.search(typed)
            for hit in hits[:40]:
                _ = hit.title_spans, hit.snippet, hit.snippet_spans
            _ = hits.total, hits.exact
            dt = (time.perf_counter() - t0) * 1000
            timings.append((dt, typed))
            if n == 1:
                first_keystroke.append(dt)
    # A second pass: caches warm, as when the user edits a query.
    values = [t for t, _ in timings]
    print(
        f"search, {len(values)} calls typed a character at a time: "
        f"p50 {statistics.median(values):.2f} ms, p95 {percentile(values, 0.95):.2f} ms, "
        f"p99 {percentile(values, 0.99):.2f} ms, max {max(values):.1f} ms"
    )
    print("slowest:", ", ".join(f"{q!r} {t:.1f}" for t, q in sorted(timings)[-10:][::-1]))
    full = []
    for query in QUERIES:
        t0 = time.perf_counter()
        hits = index.search(query)
        full.append(((time.perf_counter() - t0) * 1000, query, len(hits)))
    print("full queries:", ", ".join(f"{q!r} {t:.1f}ms/{n}" for t, q, n in full))
    big = "\n\n".join(a.text for a in articles[:8000])[:25_000_000]
    t0 = time.perf_counter()
    spans = match_spans(big, "tan son hoa")
    print(
        f"match_spans on {len(big) / 1e6:.0f} M chars: {time.perf_counter() - t0:.2f} s, "
        f"{len(spans)} spans"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, action="append", help="corpus sizes")
    parser.add_argument("--cache-articles", action="store_true")
    args = parser.parse_args(argv)
    for count in args.count or [10000]:
        run(count, args.cache_articles)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
