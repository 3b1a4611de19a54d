"""Scale benchmark: load, index and search synthetic corpora; compare with fzf. Prints one
markdown table (one row per corpus size) ready to paste into the README.

    python -m tests.benchmarks.bench                      # 1k and 10k, a few minutes
    python -m tests.benchmarks.bench --sizes 1k,10k,100k  # 100k on demand
    python -m tests.benchmarks.bench --help

Per size:
- files / MB on disk of the cached synthetic corpus (tests/benchmarks/corpus.py);
- cold load+index: a fresh `_worker.py` process imports reader, runs `Library.load` and builds
  `Library.index`; the files are read once first so they sit in the OS page cache, and
  XDG_CACHE_HOME / READER_CACHE_DIR point at empty folders so no persistent cache can help;
- warm start: `Library.load(paths, cache=FOLDER)` in a fresh process, once to write the cache
  ("1st run") and once more reading it (n/a until `reader.cache` exists);
- peak RSS of the cold process after load+index (ru_maxrss), and of the warm one;
- `Library.search` p50/p95 for every prefix of every query (each query typed one character
  at a time, in order; the queries in a fixed shuffled order), overall and for the 3 hardest
  queries (by p95), within a time budget per size; typed in the cold process and in both
  warm-start ones, the numbers of the run with the median p95 (and the runs' p95 range);
- fzf on the same titles: `fzf --filter PREFIX` per prefix (includes process start), and
  keystroke-to-screen in a real 120x40 tmux pane (until the "N/M" counter shows the new count);
- our TUI (n/a until `reader.ui.app` exists): keystroke until its search worker is done and the
  result handled, under headless `App.run_test`; and keystroke-to-screen with `reader PATH` in a
  real 120x40 tmux pane ("/" opens the filter; until its "N/M" counter shows the count
  `Library.search` gives). In tmux, keystrokes that leave the counter unchanged are not
  counted (the screen cannot tell when they are done); cells say "(measured/planned)" when
  some of the rest were lost.

Generated corpora are cached (see corpus.cached_corpus); nothing is written to the repo.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__:
    from .corpus import GENERATOR_VERSION, cached_corpus
else:  # run as a script: python tests/benchmarks/bench.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.benchmarks.corpus import GENERATOR_VERSION, cached_corpus

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("_worker.py")

DEFAULT_SIZES = (1_000, 10_000)
DEFAULT_QUERIES = (
    "tan son hoa quy che",
    "antt",
    "hdnd",
    "uy ban nhan dan",
    "long xuyen",
    "truong le my ngc",
    "tansonhoa",
    "'duc xuan",
    "!covid hdnd",
)
PANE_SIZE = (120, 40)
KEY_TIMEOUT = 5.0  # seconds to wait for the screen after one keystroke
PANE_LIFETIME = 7200  # seconds before a benchmark's tmux pane command is stopped regardless

# --- Small helpers. ---------------------------------------------------------------------------


def prefixes(query: str) -> list[str]:
    """Every prefix of `query`, as it is typed one character at a time."""
    return [query[: i + 1] for i in range(len(query))]


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (0-100) of a non-empty sequence."""
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * pct / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


@dataclass(slots=True)
class Latency:
    """Latencies in seconds, and how many of the planned measurements they are."""

    values: list[float] = field(default_factory=list)
    planned: int = 0
    note: str = ""
    suffix: str = ""

    def cell(self) -> str:
        """`p50 / p95 ms`, with `(measured/planned)` when some were left out."""
        if not self.values:
            return f"n/a ({self.note})" if self.note else "n/a"
        text = f"{ms(percentile(self.values, 50))} / {ms(percentile(self.values, 95))}"
        if self.planned and len(self.values) < self.planned:
            text += f" ({len(self.values)}/{self.planned})"
        return text + self.suffix


def ms(seconds: float) -> str:
    """Milliseconds with sensible precision."""
    value = seconds * 1000
    return f"{value:.2f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def warm_page_cache(root: Path) -> tuple[int, int]:
    """Read every file under `root` once (so timed loads hit the page cache); (files, bytes)."""
    files = total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as handle:
                total += len(handle.read())
            files += 1
    return files, total


def child_env(cache_home: Path) -> dict[str, str]:
    """Environment for measured children: the repo importable, an isolated cache folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FZF_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["XDG_CACHE_HOME"] = str(cache_home)
    env["READER_CACHE_DIR"] = str(cache_home / "reader")
    env.pop("PYTHONSTARTUP", None)
    return env


def has_module(name: str) -> bool:
    """True if `name` is importable as a real module (not an empty namespace folder)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin not in (None, "namespace")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Load and search, in a fresh process. -----------------------------------------------------


def run_worker(
    corpus: Path,
    work: Path,
    cache_home: Path,
    *,
    queries: Sequence[str] = (),
    budget: float = 0.0,
    titles: Path | None = None,
    count_limit: int | None = None,
    cache: Path | None = None,
    timeout: float = 3600.0,
) -> dict:
    """Run _worker.py once; its JSON result, or {"error": ...}."""
    out = work / f"worker-{time.monotonic_ns()}.json"
    cmd = [sys.executable, str(WORKER), str(corpus), str(out)]
    cmd += ["--queries", json.dumps(list(queries)), "--budget", str(budget)]
    if titles is not None:
        cmd += ["--titles", str(titles)]
    if count_limit:
        cmd += ["--count-limit", str(count_limit)]
    if cache is not None:
        cmd += ["--cache", str(cache)]
    try:
        proc = subprocess.run(
            cmd, env=child_env(cache_home), cwd=work, timeout=timeout, capture_output=True
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if proc.returncode != 0 or not out.exists():
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:]
        return {"error": f"exit {proc.returncode}: {' '.join(tail)}"}
    return json.loads(out.read_text())


def measure_warm_start(
    corpus: Path, work: Path, queries: Sequence[str] = (), budget: float = 0.0
) -> tuple[dict, dict] | None:
    """(first run, which writes the cache; warm start) with the persistent cache, each in a
    fresh process that then types `queries` as the cold run does; None (n/a) until
    `reader.cache` exists.

    Both runs call `Library.load(paths, cache=FOLDER)` with an empty FOLDER at first.
    """
    if not has_module("reader.cache"):
        return None
    folder = work / f"cache-{time.monotonic_ns()}"
    folder.mkdir()
    first = run_worker(corpus, work, work, cache=folder, queries=queries, budget=budget)
    if "error" in first:
        return first, first
    return first, run_worker(corpus, work, work, cache=folder, queries=queries, budget=budget)


def median_run(runs: list[list[list]]) -> tuple[list[list], str]:
    """The search rows of the run whose p95 is the median of the runs' (a shared VM's speed
    varies by tens of percent within minutes), and a note of every run's p95."""
    runs = [rows for rows in runs if rows]
    if len(runs) < 2:
        return (runs[0] if runs else []), ""
    ranked = sorted(runs, key=lambda rows: percentile([r[2] for r in rows], 95))
    p95s = "-".join(ms(percentile([r[2] for r in rows], 95)) for rows in (ranked[0], ranked[-1]))
    return ranked[(len(ranked) - 1) // 2], f" (p95 {p95s} in {len(runs)} runs)"


def search_latencies(rows: list[list], planned: int) -> tuple[Latency, list[tuple[str, Latency]]]:
    """Overall latency of the timed search calls, and the 3 hardest queries by p95."""
    by_query: dict[str, list[float]] = defaultdict(list)
    for query, _prefix, seconds, _hits in rows:
        by_query[query].append(seconds)
    overall = Latency([r[2] for r in rows], planned)
    per_query = [
        (q, Latency(v, len(prefixes(q)))) for q, v in by_query.items() if v
    ]  # fmt: skip
    per_query.sort(key=lambda item: percentile(item[1].values, 95), reverse=True)
    return overall, per_query[:3]


# --- fzf. --------------------------------------------------------------------------------------


def fzf_filter(titles: Path, queries: Sequence[str]) -> tuple[Latency, dict[str, int]]:
    """Wall time of `fzf --filter PREFIX < titles` per prefix, and each prefix's match count."""
    latency = Latency()
    counts: dict[str, int] = {}
    env = child_env(Path(tempfile.gettempdir()))
    for query in queries:
        for prefix in prefixes(query):
            latency.planned += 1
            with open(titles, "rb") as stdin:
                t = time.perf_counter()
                proc = subprocess.run(
                    ["fzf", "--filter", prefix], stdin=stdin, capture_output=True, env=env
                )
                latency.values.append(time.perf_counter() - t)
            counts[prefix] = proc.stdout.count(b"\n")
    return latency, counts


class TmuxPane:
    """A command in a detached tmux pane on a private server, driven through control mode.

    Control mode (`tmux -C`) keeps one client connection open, so a screen poll costs ~0.1 ms
    instead of ~2 ms for a `tmux capture-pane` process; keys are sent as hex bytes (no quoting).
    tmux 3.3 keeps ~4 KB per full-screen capture in control mode until the server exits, so
    keystroke polls capture only the rows they need, at most one poll a millisecond, and the
    server lives for one measurement. `timeout` ends the pane command if we die first.
    """

    def __init__(self, command: str, size: tuple[int, int] = PANE_SIZE, env: dict | None = None):
        self.socket = f"reader-bench-{os.getpid()}-{time.monotonic_ns()}"
        self.env = env
        width, height = size
        self.height = height
        command = f"timeout --foreground {PANE_LIFETIME} {command}"
        self._tmux("new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height), command)
        self.client = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach-session", "-t", "bench"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
        )
        self._read_block()  # the reply to the attach itself
        self.command("refresh-client -f no-output")
        self.socket_path = self.command("display -p '#{socket_path}'")[0]

    def _tmux(self, *args: str) -> str:
        cmd = ["tmux", "-L", self.socket, "-f", "/dev/null", *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, env=self.env).stdout

    def command(self, line: str) -> list[str]:
        """Run one tmux command over the control connection; its output lines."""
        assert self.client.stdin is not None
        self.client.stdin.write(line + "\n")
        self.client.stdin.flush()
        return self._read_block()

    def _read_block(self) -> list[str]:
        """Lines of the next %begin … %end reply (notifications in between are skipped)."""
        assert self.client.stdout is not None
        out: list[str] = []
        while True:
            text = self.client.stdout.readline()
            if not text:
                raise RuntimeError("tmux control client exited")
            if text.startswith("%begin"):
                out = []
            elif text.startswith(("%end", "%error")):
                return out
            elif not text.startswith("%"):
                out.append(text.rstrip("\n"))

    def screen(self, rows: tuple[int, int] | None = None) -> list[str]:
        """The pane's text, or only rows `rows` (first, last; 0-based, inclusive)."""
        if rows is None:
            return self.command("capture-pane -p -t bench")
        return self.command(f"capture-pane -p -t bench -S {rows[0]} -E {rows[1]}")

    def type(self, text: str) -> None:
        """Send `text` as typed bytes."""
        self.command("send-keys -t bench -H " + " ".join(f"{b:02x}" for b in text.encode()))

    def key(self, name: str) -> None:
        """Send a named key (C-u, Escape, ...)."""
        self.command(f"send-keys -t bench {name}")

    def wait(
        self,
        done: Callable[[list[str]], bool],
        timeout: float = KEY_TIMEOUT,
        rows: tuple[int, int] | None = None,
        interval: float = 0.001,
    ) -> float | None:
        """Poll the screen (or `rows`) until `done(lines)`; seconds taken, or None on timeout."""
        start = time.perf_counter()
        while True:
            lines = self.screen(rows)
            now = time.perf_counter()
            if done(lines):
                return now - start
            if now - start > timeout:
                return None
            time.sleep(interval)

    def close(self) -> None:
        try:
            if self.client.stdin:
                self.client.stdin.close()
            self.client.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.client.kill()
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"], capture_output=True, env=self.env
        )
        with contextlib.suppress(OSError):
            os.unlink(self.socket_path)


_FZF_COUNTER = re.compile(r"^\s*(?:[^\s\d]\s*)?(\d+)/(\d+)")  # an optional spinner


def _fzf_state(lines: list[str]) -> tuple[str | None, int | None, int | None]:
    """(query shown in the prompt, matched, total) from an fzf screen (default layout)."""
    rows = [ln for ln in lines if ln.strip()]
    for i in range(len(rows) - 1, 0, -1):
        if rows[i].startswith(">"):
            m = _FZF_COUNTER.match(rows[i - 1])
            if m:
                return rows[i][2:].rstrip(), int(m.group(1)), int(m.group(2))
            break
    return None, None, None


def fzf_tmux(titles: Path, queries: Sequence[str], counts: dict[str, int]) -> Latency:
    """fzf keystroke-to-screen in a 120x40 tmux pane: until prompt and counter both update.

    Keystrokes that leave the match count unchanged (a space, a letter every title already
    matches) cannot be told apart from the echo alone, so they are left out of the figures.
    """
    total = titles.read_bytes().count(b"\n")
    changing = [
        p for q in queries for p, before in zip(prefixes(q), ["", *prefixes(q)], strict=False)
        if counts[p] != counts.get(before, total)
    ]  # fmt: skip
    latency = Latency(planned=len(changing))
    pane = TmuxPane(f"fzf < {shlex.quote(str(titles))}", env=child_env(titles.parent))
    rows = (pane.height - 2, pane.height - 1)  # the counter and the prompt
    try:
        loaded = pane.wait(
            lambda s: _fzf_state(s) == ("", total, total), timeout=120, rows=rows, interval=0.05
        )
        if loaded is None:
            latency.note = "fzf did not load"
            return latency
        failures = 0
        for query in queries:
            pane.key("C-u")
            if pane.wait(lambda s: _fzf_state(s) == ("", total, total), rows=rows) is None:
                latency.note = "fzf did not clear"
                return latency
            before = total
            for prefix in prefixes(query):
                expected = counts[prefix]
                want = prefix.rstrip()
                start = time.perf_counter()
                pane.type(prefix[-1])
                took = pane.wait(
                    lambda s, w=want, e=expected: _fzf_state(s)[:2] == (w, e), rows=rows
                )
                if took is None:
                    failures += 1
                    if failures >= 3:
                        latency.note = "screen did not match fzf --filter"
                        return latency
                elif expected != before:
                    latency.values.append(time.perf_counter() - start)
                before = expected
    finally:
        pane.close()
    return latency


# --- Our TUI (n/a until reader.ui.app exists). -----------------------------------------------


def tui_available() -> bool:
    """True once the TUI module exists."""
    return has_module("reader.ui.app")


def make_reader_app(corpus: Path) -> Any:
    """The reader App over `corpus`, for headless runs: the one place to adapt to the TUI's API."""
    from reader.ui.app import ReaderApp

    return ReaderApp([corpus])


def tui_search_limit() -> int:
    """How many hits the TUI's filter lists (its counter shows "N+/M" beyond)."""
    try:
        from reader.ui import app
    except Exception:
        return 500
    return int(getattr(app, "SEARCH_LIMIT", 500))


#: Worker groups of the TUI that a keystroke or the start-up waits for (others, such as a
#: folder watcher, run forever).
TUI_WORKER_GROUPS = ("load", "search")


async def _tui_idle(app: Any, pilot: Any) -> None:
    """Until no load/search worker is pending or running and their messages are handled."""
    from textual.worker import WorkerState

    busy = (WorkerState.PENDING, WorkerState.RUNNING)
    while True:
        await pilot.pause()
        if not any(w.state in busy and w.group in TUI_WORKER_GROUPS for w in app.workers):
            break
        await asyncio.sleep(0.0005)
    await pilot.pause()


async def _headless_keystrokes(corpus: Path, queries: Sequence[str]) -> dict[str, list[float]]:
    """Seconds from each key press until its search has finished and its result is shown
    ("values"), and the same for an unbound key ("floor": the harness's own cost, ~0.1 s,
    mostly `Pilot.press`/`pause` waiting for refreshes).

    "/" opens the filter, Escape closes it between queries.
    """
    app = make_reader_app(corpus)
    out: list[float] = []
    floor: list[float] = []
    async with app.run_test(size=PANE_SIZE) as pilot:
        await _tui_idle(app, pilot)
        for _ in range(10):
            start = time.perf_counter()
            await pilot.press("f24")
            await _tui_idle(app, pilot)
            floor.append(time.perf_counter() - start)
        for query in queries:
            await pilot.press("/")
            await pilot.pause()
            for ch in query:
                start = time.perf_counter()
                await pilot.press(ch)
                await _tui_idle(app, pilot)
                out.append(time.perf_counter() - start)
            await pilot.press("escape")
            await _tui_idle(app, pilot)
    return {"values": out, "floor": floor}


def measure_tui_headless(corpus: Path, queries: Sequence[str], work: Path) -> Latency:
    """Our TUI's keystroke latency under `App.run_test` (120x40), in a fresh process."""
    latency = Latency(planned=sum(len(q) for q in queries))
    if not tui_available():
        return latency
    out = work / "headless.json"
    cmd = [sys.executable, "-m", "tests.benchmarks.bench", "--_headless", str(corpus), str(out)]
    cmd += ["--queries", ",".join(queries)]
    try:
        proc = subprocess.run(
            cmd, cwd=REPO, env=child_env(work / "xdg-headless"), capture_output=True, timeout=1800
        )
    except subprocess.TimeoutExpired:
        latency.note = "timeout"
        return latency
    if proc.returncode != 0 or not out.exists():
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:]
        latency.note = f"error: {' '.join(tail)[:60]}"
        return latency
    result = json.loads(out.read_text())
    latency.values = result["values"]
    latency.suffix = f" (floor {ms(statistics.median(result['floor']))})"
    return latency


# The filter bar: "/", the query, then the counter "N/M" (N may carry a mark such as "≤" or
# "+"); no counter while the query is empty.
_TUI_BAR = re.compile(
    r"(?:^|\s)/\s(?P<q>.*?)\s+[^\s\d/]?(?P<n>\d[\d,]*)\+?/(?P<m>\d[\d,]*)(?=\s|$)"
)
_TUI_BAR_OPEN = re.compile(r"^\s?/\s")


def _tui_state(lines: list[str]) -> tuple[str, int] | None:
    """(query, N) from the TUI's filter bar, or None without a counter on screen."""
    for line in lines:
        m = _TUI_BAR.search(line)
        if m:
            return m.group("q").rstrip(), int(m.group("n").replace(",", ""))
    return None


def _bar_query(lines: list[str]) -> str | None:
    """The query in the filter bar, once it shows a counter."""
    state = _tui_state(lines)
    return state[0] if state else None


def _bar_row(lines: list[str]) -> int | None:
    """Index of the line showing the open filter bar."""
    return next((i for i, ln in enumerate(lines) if _TUI_BAR_OPEN.match(ln)), None)


def _wait_still(pane: TmuxPane, still: float, timeout: float) -> bool:
    """Wait until the screen shows something and has not changed for `still` seconds."""
    start = last_change = time.perf_counter()
    last: list[str] = []
    while time.perf_counter() - start < timeout:
        lines = pane.screen()
        now = time.perf_counter()
        if lines != last:
            last, last_change = lines, now
        elif any(ln.strip() for ln in lines) and now - last_change >= still:
            return True
        time.sleep(0.05)
    return False


def _cache_written(cache_home: Path) -> bool:
    """Whether the reader's persistent cache under `cache_home` is written (and no write is
    under way): a cold start writes it once loaded, which competes with the keys typed."""
    folder = cache_home / "reader"
    names = [p.name for p in folder.glob("*")] if folder.is_dir() else []
    return any(n.endswith(".cache") and not n.startswith(".tmp-") for n in names) and not any(
        n.startswith(".tmp-") for n in names
    )


def _wait_cache(cache_home: Path, timeout: float = 300) -> bool:
    """Until `_cache_written`; False on timeout."""
    end = time.perf_counter() + timeout
    while not _cache_written(cache_home):
        if time.perf_counter() > end:
            return False
        time.sleep(0.05)
    return True


def measure_tui_tmux(
    corpus: Path, queries: Sequence[str], work: Path, counts: dict[str, int]
) -> Latency:
    """Our TUI in a real 120x40 tmux pane: `reader PATH`, "/" opens the filter, then type.

    A keystroke counts once the bar shows the prefix and the counter the match count the
    library gives for it (`counts`: `Library.search(...).total`). As for fzf, keystrokes that
    leave the counter unchanged are left out. Typing starts once the first start's cache is
    written (keys typed meanwhile are the start-up measurement's).
    """

    def count(prefix: str) -> int | None:  # the TUI searches the stripped query
        return counts.get(prefix.rstrip())

    changing = [
        p for q in queries for p, before in zip(prefixes(q), ["", *prefixes(q)], strict=False)
        if count(p) is not None and (before == "" or count(p) != count(before))
    ]  # fmt: skip
    latency = Latency(planned=len(changing))
    exe = shutil.which("reader") or str(Path(sys.executable).with_name("reader"))
    if not tui_available() or not os.path.exists(exe):
        return latency
    command = f"{shlex.quote(exe)} {shlex.quote(str(corpus))}"
    cache_home = work / "xdg-tmux"
    pane = TmuxPane(command, env=child_env(cache_home))
    try:
        # Drawn (keys sent before the app is mounted get lost), then loaded and indexed: a
        # probe query gets a counter (the bar says "indexing…" until then).
        if not _wait_still(pane, 0.5, timeout=120):
            latency.note = "reader did not start"
            return latency
        # The bar's row can move when loading ends (a progress bar goes away): watch the
        # whole screen until loaded, then find the row again each time the bar opens.
        pane.type("/")
        probe = pane.wait(_bar_row, interval=0.01) is not None
        pane.type("a")
        probe = probe and (
            pane.wait(lambda s: _bar_query(s) == "a", timeout=1800, interval=0.05) is not None
        )
        if not probe:
            latency.note = "no filter counter after loading"
            return latency
        if not _wait_cache(cache_home):
            latency.note = "the cache was not written"
            return latency
        failures = 0
        for query in queries:
            # Escape closes the bar; wait for it (an Escape followed at once by "/" can be
            # read as Alt+/).
            pane.key("Escape")
            if pane.wait(lambda s: _bar_row(s) is None, interval=0.005) is None:
                latency.note = "filter bar did not close"
                return latency
            pane.type("/")
            if pane.wait(lambda s: _bar_row(s) is not None, interval=0.005) is None:
                latency.note = "filter bar did not open"
                return latency
            bar = _bar_row(pane.screen())
            if bar is None:
                latency.note = "filter bar did not stay open"
                return latency
            rows = (bar, bar)
            for prefix in prefixes(query):
                start = time.perf_counter()
                pane.type(prefix[-1])
                typed = prefix.rstrip()
                expected = count(prefix)
                if expected is None:
                    pane.wait(lambda s, p=typed: _bar_query(s) == p, rows=rows)
                    continue
                want = (typed, expected)
                took = pane.wait(lambda s, w=want: _tui_state(s) == w, rows=rows)
                if took is None:
                    failures += 1
                    if failures >= 3:
                        latency.note = "counter did not match Library.search"
                        return latency
                elif prefix in changing:
                    latency.values.append(time.perf_counter() - start)
    finally:
        pane.close()
    return latency


_LIST_ROW = re.compile(r"\d\d/\d\d/\d{4}")  # a date: the list shows articles
_BAR_TEXT = re.compile(r"^\s?/\s(?P<q>\S*)")  # the filter bar's query (typed without spaces)
LOAD_KEYS = "tansonhoaquyche"  # typed into the filter while loading, erased, typed again …


@dataclass(slots=True)
class Startup:
    """Start-up in tmux: seconds to the first frame, to the first listed article and until
    the whole folder is searchable (the filter's counter shows N/M: loaded and indexed)."""

    frame: float | None = None
    rows: float | None = None
    searchable: float | None = None

    def cell(self) -> str:
        if self.frame is None:
            return "n/a"
        later = [f"{t:.2f}" if t is not None else "n/a" for t in (self.rows, self.searchable)]
        return " · ".join([f"{self.frame:.2f}", *later])


def measure_tui_startup(corpus: Path, work: Path) -> tuple[Startup, Startup, Latency]:
    """`reader PATH` in a real 120x40 tmux pane: cold (an empty cache folder), cold again
    while keys are typed, then warm.

    Cold and warm: seconds from launch to the first frame, to the first article row in the
    list and until the filter's counter shows N/M for "a" (all loaded and indexed). In the
    second cold run, letters are typed into the filter ("/", then LOAD_KEYS, then BackSpaces
    down to one letter, over and over) and each key is timed until the bar shows it, until
    the load is over: indexed (the bar's counter says "indexing…" until then) and the cache
    written. That run is separate because a key storm (100+ keys a second) slows the load.
    """
    cold, warm, keys = Startup(), Startup(), Latency()
    exe = shutil.which("reader") or str(Path(sys.executable).with_name("reader"))
    if not tui_available() or not os.path.exists(exe):
        return cold, warm, keys
    command = f"{shlex.quote(exe)} {shlex.quote(str(corpus))}"
    cache_home = work / "xdg-startup"

    def listed(lines: list[str]) -> bool:
        return any(_LIST_ROW.search(line[: PANE_SIZE[0] // 2]) for line in lines[1:])

    # Cold and quiet (when all of it is searchable), cold again while keys are typed (a key
    # storm: it slows the load), then warm from the first run's cache.
    runs = (
        (cold, cache_home / "a", False),
        (None, cache_home / "b", True),
        (warm, cache_home / "a", False),
    )
    for result, home, typing in runs:
        env = child_env(home)
        if result is not warm:
            # Cold means the files are in the OS page cache; this VM pages out what was
            # not read for about a minute (DAMON), and fzf ran since bench_size read them.
            warm_page_cache(corpus)

        def loaded(lines: list[str], home: Path = home) -> bool:  # N/M shows once indexed
            return _tui_state(lines) is not None and _cache_written(home)

        start = time.perf_counter()
        pane = TmuxPane(command, env=env)
        try:
            took = pane.wait(lambda s: any(line.strip() for line in s), timeout=60)
            frame = None if took is None else time.perf_counter() - start
            took = pane.wait(listed, timeout=600, interval=0.005)
            rows = None if took is None else time.perf_counter() - start
            if typing:
                if rows is not None:
                    _keys_while_loading(pane, loaded, keys)
                continue
            assert result is not None
            result.frame, result.rows = frame, rows
            pane.type("/")
            pane.wait(_bar_row, interval=0.01)
            pane.type("a")
            if pane.wait(lambda s: _tui_state(s) is not None, timeout=1800, interval=0.01):
                result.searchable = time.perf_counter() - start
            pane.wait(loaded, timeout=1800, interval=0.05)
        finally:
            pane.close()
    return cold, warm, keys


def _keys_while_loading(pane: TmuxPane, loaded: Callable[[list[str]], bool], keys: Latency) -> None:
    """Type into the filter until the load ends, timing each key until it shows."""
    pane.type("/")
    if pane.wait(_bar_row, interval=0.005) is None:
        keys.note = "filter bar did not open"
        return
    typed = ""
    adding = True
    while True:
        # Between one letter and all of LOAD_KEYS (an empty bar shows its placeholder).
        if len(typed) == len(LOAD_KEYS):
            adding = False
        elif len(typed) <= 1:
            adding = True
        start = time.perf_counter()
        if adding:
            typed += LOAD_KEYS[len(typed)]
            pane.type(typed[-1])
        else:
            typed = typed[:-1]
            pane.key("BSpace")

        def shown(lines: list[str], want: str = typed) -> bool:
            row = _bar_row(lines)
            m = _BAR_TEXT.match(lines[row]) if row is not None else None
            return m is not None and m.group("q") == want

        took = pane.wait(shown, interval=0.002)
        if took is None:
            keys.note = "a key did not show"
            return
        if loaded(pane.screen()):
            break  # the load ended meanwhile: this key may have waited for a search
        keys.values.append(time.perf_counter() - start)
        keys.planned += 1


# --- Per size, and the table. ------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One corpus size's results, already formatted for the table."""

    size: int
    cells: dict[str, str]
    notes: list[str]


COLUMNS = (
    ("articles", "articles"),
    ("disk", "files · MB"),
    ("loaded", "loaded (skipped)"),
    ("cold", "cold load+index s"),
    ("warm", "warm start s"),
    ("rss", "peak RSS MB"),
    ("search", "search p50 / p95 ms"),
    ("hardest", "3 hardest queries p50 / p95 ms"),
    ("fzf_filter", "fzf --filter p50 / p95 ms"),
    ("fzf_tmux", "fzf tmux p50 / p95 ms"),
    ("startup", "tmux start cold / warm: frame · rows · searchable s"),
    ("load_keys", "keys while loading p50 / p95 / max ms"),
    ("tui_headless", "reader headless p50 / p95 ms"),
    ("tui_tmux", "reader tmux p50 / p95 ms"),
)


def bench_size(size: int, args: argparse.Namespace, work: Path) -> Row:
    """Generate (or reuse) the corpus of `size` articles and measure everything on it."""
    notes: list[str] = []
    corpus, _ = cached_corpus(size, args.seed)
    files, total = warm_page_cache(corpus)
    cells = {"articles": f"{size:,}", "disk": f"{files:,} · {total / 1e6:,.1f}"}
    cache_home = work / f"xdg-{size}"
    titles = work / f"titles-{size}.txt"
    log(f"[{size:,}] cold load + {args.search_budget:.0f} s of searches …")
    count_limit = tui_search_limit() if args.tmux and tui_available() else None
    res = run_worker(
        corpus,
        work,
        cache_home,
        queries=args.queries,
        budget=args.search_budget,
        titles=titles,
        count_limit=count_limit,
    )
    if "error" in res:
        notes.append(f"{size:,}: load failed: {res['error']}")
        cells["cold"] = "error"
        return Row(size, cells, notes)
    cells["loaded"] = f"{res['articles']:,} ({res['problems']:,})"
    cells["cold"] = f"{res['total_s']:.2f} (load {res['load_s']:.2f} · index {res['index_s']:.2f})"
    cells["rss"] = f"{res['rss_load_kib'] / 1024:,.0f}"

    warm = measure_warm_start(corpus, work, args.queries, args.search_budget)
    if warm is None:
        cells["warm"] = "n/a"
    elif "error" in warm[1]:
        cells["warm"] = "error"
        notes.append(f"{size:,}: warm start failed: {warm[1]['error']}")
    else:
        first, again = warm
        cells["warm"] = f"{again['total_s']:.2f} (1st run {first['total_s']:.2f})"
        cells["rss"] += f" (warm {again['rss_load_kib'] / 1024:,.0f})"

    for prefix, error in list(res["search_errors"].items())[:3]:
        notes.append(f"{size:,}: search({prefix!r}) failed: {error[:100]}")
    # The searches of the cold run and of both warm-start runs: the median run's numbers.
    runs = [res["searches"]]
    if warm is not None:
        runs += [run.get("searches", []) for run in warm]
    rows, spread = median_run(runs)
    overall, hardest = search_latencies(rows, res["calls_planned"])
    overall.suffix = spread
    cells["search"] = overall.cell()
    cells["hardest"] = "; ".join(f"`{q}` {lat.cell()}" for q, lat in hardest) or "n/a"
    if len(overall.values) < res["calls_planned"]:
        notes.append(
            f"{size:,}: only {len(overall.values)} of {res['calls_planned']} search calls fit"
            f" in the {args.search_budget:.0f} s budget (random sample of all prefixes)"
        )

    if args.fzf and shutil.which("fzf"):
        log(f"[{size:,}] fzf --filter …")
        filt, counts = fzf_filter(titles, args.queries)
        cells["fzf_filter"] = filt.cell()
        if args.tmux and shutil.which("tmux"):
            log(f"[{size:,}] fzf in tmux …")
            try:
                lat = fzf_tmux(titles, args.queries, counts)
                cells["fzf_tmux"] = lat.cell()
            except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
                cells["fzf_tmux"] = f"n/a ({type(exc).__name__})"
    if args.tmux and shutil.which("tmux"):
        log(f"[{size:,}] reader start-up in tmux …")
        try:
            cold, warm, keys = measure_tui_startup(corpus, work)
            cells["startup"] = f"{cold.cell()} / {warm.cell()}"
            cells["load_keys"] = keys.cell()
            if keys.values:
                cells["load_keys"] += f" / {ms(max(keys.values))} (n={len(keys.values)})"
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            cells["startup"] = f"n/a ({type(exc).__name__})"
    log(f"[{size:,}] reader TUI …")
    cells["tui_headless"] = measure_tui_headless(corpus, args.queries, work).cell()
    if args.tmux and shutil.which("tmux"):
        log(f"[{size:,}] reader in tmux …")
        try:
            cells["tui_tmux"] = measure_tui_tmux(corpus, args.queries, work, res["counts"]).cell()
        except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
            cells["tui_tmux"] = f"n/a ({type(exc).__name__})"
    return Row(size, cells, notes)


def render(rows: Sequence[Row]) -> str:
    """The markdown table."""
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "|".join("---:" if key != "hardest" else "---" for key, _ in COLUMNS) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(row.cells.get(key, "n/a") for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def describe_machine() -> str:
    """One line about where the numbers come from."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        commit = "?"
    fzf = ""
    if shutil.which("fzf"):
        fzf = subprocess.run(["fzf", "--version"], capture_output=True, text=True).stdout.split()[0]
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, reader@{commit}, corpus generator "
        f"v{GENERATOR_VERSION}" + (f", fzf {fzf}" if fzf else "")
    )


def parse_sizes(text: str) -> list[int]:
    """'1k,10k,100000' -> [1000, 10000, 100000]."""
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        scale = 1000 if part.endswith("k") else 1
        out.append(int(float(part.rstrip("k")) * scale))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Load/search/fzf benchmark on synthetic corpora; prints a markdown table."
    )
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                        help="corpus sizes, e.g. 1k,10k,100k (default 1k,10k)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--queries", type=lambda s: [q for q in s.split(",") if q],
                        default=list(DEFAULT_QUERIES), help="comma-separated queries")  # fmt: skip
    parser.add_argument("--search-budget", type=float, default=60.0,
                        help="seconds of search calls per size (default 60)")  # fmt: skip
    parser.add_argument("--no-fzf", dest="fzf", action="store_false", help="skip fzf")
    parser.add_argument("--no-tmux", dest="tmux", action="store_false", help="skip tmux panes")
    parser.add_argument("--json", type=Path, help="also write the table cells as JSON here")
    parser.add_argument("--_headless", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._headless:  # child mode for measure_tui_headless
        corpus, out = args._headless
        out.write_text(json.dumps(asyncio.run(_headless_keystrokes(corpus, args.queries))))
        return 0

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="reader-bench-run-") as tmp:
        for size in args.sizes:
            rows.append(bench_size(size, args, Path(tmp)))
    print(render(rows))
    print()
    print(f"_{describe_machine()}; queries: {', '.join(f'`{q}`' for q in args.queries)}._")
    print(
        "_Search: every prefix of every query (each typed in order), in process, in three"
        " processes (the run with the median p95); tmux columns: keystrokes that change the"
        " N/M counter; fzf --filter includes process start; reader headless includes the Pilot"
        " harness (its floor: an unbound key)._"
    )
    for row in rows:
        for note in row.notes:
            print(f"- {note}")
    if args.json:
        args.json.write_text(json.dumps([{"size": r.size, **r.cells} for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
