"""Parser speed on the synthetic corpus and on huge inputs (prints numbers; not a test).

    python -m tests.benchmarks.bench_parse [--count 10000] [--repeat 3] [--check [REV]]

Each article is decoded once, then `parse` is timed per article (best of `--repeat` runs per
article): p50, mean, p99 and max in µs, and the total. The huge cases are the 25 MB article
and the 1.3 MB single line of tests/hostile.py (when present) and the two big texts of
tests/test_parse.py. `--check` also loads reader/parse.py as of git revision REV (default: the
last commit before the speed-up), asserts that every result is identical, and times both
parsers taking turns on each text, so a change in machine load hits them alike.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reader.article import Metadata
from reader.decode import decode_bytes
from reader.parse import parse
from tests.benchmarks.corpus import cached_corpus

ROOT = Path(__file__).resolve().parents[2]
#: The parser before the speed-up: the reference for --check.
OLD_REV = "15e55b9"

Parse = Callable[[str], Metadata]


def load_texts(count: int) -> list[str]:
    """The decoded texts of the cached synthetic corpus of `count` articles."""
    folder, _ = cached_corpus(count, quiet=True)
    paths = sorted(p for p in folder.rglob("*") if p.is_file())
    return [decode_bytes(p.read_bytes()).text for p in paths]


def huge_texts() -> dict[str, str]:
    """The large inputs the parser must stay fast on."""
    para = "Đoàn công tác làm việc với địa phương về công tác xây dựng Đảng năm 2024. " * 6
    out = {
        "test 1.3 MB line": "Chiều 22-10, "
        + "Đảng ủy các phường ký kết quy chế phối hợp, " * 30_000,
        "test 20k paragraphs": "Tiêu đề\n\n" + (para + "\n\n") * 20_000,
    }
    try:
        from tests import hostile
    except ImportError:
        return out
    out["hostile 25 MB"] = decode_bytes(hostile._big_article("Bài rất dài 25 MB")).text
    out["hostile 1.3 MB line"] = decode_bytes(hostile._one_line("Một dòng duy nhất")).text
    return out


def load_old(rev: str) -> Parse:
    """`parse` from reader/parse.py at git revision `rev`."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:reader/parse.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_parse.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_parse", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse


def time_each(fns: list[Parse], texts: list[str], repeat: int) -> list[list[float]]:
    """Seconds per text for each function, best of `repeat`.

    The functions take turns on each text, so a change in machine load hits them alike.
    """
    best = [[float("inf")] * len(texts) for _ in fns]
    clock = time.perf_counter
    gc.disable()
    try:
        for _ in range(repeat):
            for i, text in enumerate(texts):
                for fn, times in zip(fns, best, strict=True):
                    t0 = clock()
                    fn(text)
                    dt = clock() - t0
                    if dt < times[i]:
                        times[i] = dt
    finally:
        gc.enable()
    return best


def report(parsers: dict[str, Parse], texts: list[str], huge: dict[str, str], repeat: int) -> None:
    """Print per-article statistics, then the time of each huge text, for each parser."""
    names, fns = list(parsers), list(parsers.values())
    for name, times in zip(names, time_each(fns, texts, repeat), strict=True):
        us = sorted(t * 1e6 for t in times)
        p99 = us[min(len(us) - 1, int(len(us) * 0.99))]
        print(
            f"{name}: {len(texts):,} articles: p50 {statistics.median(us):.1f} µs, "
            f"mean {statistics.fmean(us):.1f} µs, p99 {p99:.1f} µs, max {us[-1]:.1f} µs, "
            f"total {sum(us) / 1e6:.2f} s"
        )
    for label, text in huge.items():
        runs = 1 if len(text) > 5_000_000 else repeat
        best = [min(t) for t in time_each(fns, [text], runs)]
        ms = ", ".join(f"{name} {t * 1e3:.0f} ms" for name, t in zip(names, best, strict=True))
        print(f"{label} ({len(text) / 1e6:.1f} M chars): {ms}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", nargs="?", const=OLD_REV, metavar="REV")
    args = ap.parse_args(argv)
    texts = load_texts(args.count)
    huge = huge_texts()
    if args.check:
        old = load_old(args.check)
        for i, text in enumerate([*texts, *huge.values()]):
            if old(text) != parse(text):
                print(f"MISMATCH on text {i}", file=sys.stderr)
                return 1
        print(f"identical to {args.check} on {len(texts) + len(huge):,} texts")
        report({f"old {args.check}": old, "new": parse}, texts, huge, args.repeat)
    else:
        report({"parse": parse}, texts, huge, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
