"""One measurement run in a fresh process: load + index a corpus, then time searches.

Run by bench.py, never imported by it, so each load starts with cold imports and caches:

    python tests/benchmarks/_worker.py CORPUS_DIR OUT_JSON [--titles FILE] [--cache DIR]
        [--queries JSON_LIST] [--budget SECONDS] [--count-limit N]

Writes a JSON object: phase times (s), peak RSS after load+index (KiB), article/problem counts,
and one [query, prefix, seconds, hits] row per timed search call. A timed call is what the UI
does on a keystroke: the search, the N/M counter (`total`, `exact`) and the title spans and
snippet of the first SHOWN hits (they are computed lazily, so they must be forced to count).
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # before any other import: imports count as start-up

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

#: Rows of the list a screen shows, whose spans and snippets a keystroke pays for.
SHOWN = 40


def search_as_ui(lib: Any, prefix: str) -> int:
    """One keystroke's work: search, the counter, and the details of the hits on screen;
    returns the number of hits."""
    hits = lib.search(prefix)
    for hit in hits[:SHOWN]:
        _ = hit.title_spans, hit.snippet, hit.snippet_spans
    _ = getattr(hits, "total", None), getattr(hits, "exact", None)
    return len(hits)


def prefixes(query: str) -> list[str]:
    """Every prefix of `query`, as it is typed one character at a time."""
    return [query[: i + 1] for i in range(len(query))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--titles", type=Path, help="write the loaded titles here, one a line")
    parser.add_argument("--cache", type=Path, help="Library.load(..., cache=CACHE): warm start")
    parser.add_argument("--queries", default="[]", help="JSON list of queries to type")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds for all searches")
    parser.add_argument(
        "--count-limit", type=int, help="also record each prefix's match count at limit=N"
    )
    args = parser.parse_args()

    from reader.library import Library

    t_import = time.perf_counter()
    if args.cache is not None:
        lib = Library.load([args.corpus], cache=args.cache)
    else:
        lib = Library.load([args.corpus])
    t_load = time.perf_counter()
    _ = lib.index  # build the search index now, not on the first keystroke
    t_index = time.perf_counter()
    rss_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    if args.titles is not None:
        with open(args.titles, "w", encoding="utf-8") as handle:
            for article in lib.articles:
                handle.write(" ".join(article.title.split()) + "\n")

    # Each query typed a character at a time, as a user types it, the queries in a fixed
    # shuffled order: if the budget runs out, what was measured is still a fair sample of
    # the queries rather than the first few.
    queries: list[str] = json.loads(args.queries)
    order = list(queries)
    random.Random(0).shuffle(order)
    calls = [(q, p) for q in order for p in prefixes(q)]
    rows: list[tuple[str, str, float, int]] = []
    errors: dict[str, str] = {}
    search_start = time.perf_counter()
    for query, prefix in calls:
        if time.perf_counter() - search_start > args.budget:
            break
        t = time.perf_counter()
        try:
            hits = search_as_ui(lib, prefix)
        except Exception as exc:  # a broken engine must not stop the benchmark
            errors[prefix] = f"{type(exc).__name__}: {exc}"
            continue
        rows.append((query, prefix, time.perf_counter() - t, hits))

    # The match count a UI listing at most N hits shows in its "N/M" counter: the result's
    # `total` when the engine reports one, else the number of hits.
    counts: dict[str, int] = {}
    if args.count_limit:
        count_start = time.perf_counter()
        for query in queries:
            for prefix in prefixes(query):
                if time.perf_counter() - count_start > args.budget:
                    break
                try:
                    hits = lib.search(prefix, limit=args.count_limit)
                    counts[prefix] = getattr(hits, "total", len(hits))
                except Exception:  # already reported by the timed loop
                    continue

    result = {
        "import_s": t_import - _T0,
        "load_s": t_load - t_import,
        "index_s": t_index - t_load,
        "total_s": t_index - _T0,
        "rss_load_kib": rss_load,
        "rss_end_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "articles": len(lib.articles),
        "problems": sum(1 for p in lib.problems if getattr(p, "skipped", True)),
        "warnings": sum(1 for p in lib.problems if not getattr(p, "skipped", True)),
        "calls_planned": len(calls),
        "searches": rows,
        "search_errors": errors,
        "counts": counts,
    }
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
