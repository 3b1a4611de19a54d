"""The `reader` command: the TUI by default, and `list`, `show`, `search` for scripts.

Exit codes, like grep: 0 when something was loaded (for `search`: something matched),
1 when nothing could be loaded (for `search`: no hit), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from reader import __version__
from reader.article import Article
from reader.library import Library, Problem
from reader.sanitize import clean_name

MAX_PROBLEM_LINES = 20
SUBCOMMANDS = ("list", "show", "search")


def sample_folder() -> Path:
    """The sample articles: shipped inside the package, or beside it in a checkout."""
    packaged = Path(__file__).parent / "articles"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "articles"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a short usage line, like grep
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _paths_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders of .txt/.md articles (default: the samples)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the subcommands (the TUI form is `reader [PATH ...]`)."""
    parser = _Parser(
        prog="reader",
        description="Read folders of plain-text news articles.",
        epilog="Run `reader [PATH ...]` with no command to open the reader.",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    p = sub.add_parser("list", help="one line per article (JSON lines with --json)")
    _paths_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON lines")
    p = sub.add_parser("show", help="print one article, formatted like the reader pane")
    p.add_argument("id", metavar="ID", help="the article's id, as `reader list` prints it")
    _paths_arg(p)
    p = sub.add_parser("search", help="articles matching a query, best first")
    p.add_argument("query", metavar="QUERY", help="the query; syntax below")
    _paths_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON lines")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N hits (default 50)")
    return parser


def _tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reader",
        usage="reader [PATH ...]\n       reader {list,show,search} ...",
        description="A keyboard-driven reader for folders of plain-text news articles. "
        "With no PATH, opens the bundled sample articles.",
        epilog="Commands for scripts: `reader list`, `reader show ID`, `reader search QUERY` "
        "(each takes --help). In the reader, press ? for the keys.",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _paths_arg(parser)
    return parser


def _load(paths: Sequence[str]) -> Library:
    library = Library.load(list(paths) or [sample_folder()], cache=True)
    _report(library.problems)
    return library


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems[:MAX_PROBLEM_LINES]:
        print(f"reader: {problem.path}: {problem.reason}", file=sys.stderr)
    if len(problems) > MAX_PROBLEM_LINES:
        print(f"reader: … and {len(problems) - MAX_PROBLEM_LINES} more problems", file=sys.stderr)


def _article_json(article: Article) -> dict[str, object]:
    return {
        "id": article.id,
        "path": clean_name(str(article.path)),  # names are untrusted, and may not be UTF-8
        "title": article.title,
        "title_derived": article.title_derived,
        "date": article.date.iso() if article.date else None,
        "time": article.time,
        "author": article.author,
        "section": article.section,
        "views": article.views,
        "encoding": article.encoding,
        "words": article.words,
        "captions": article.captions,
    }


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_list(args: argparse.Namespace) -> int:
    """`reader list`: one line per article, newest first."""
    library = _load(args.paths)
    for article in library.articles:
        if args.json:
            _print_json(_article_json(article))
        else:
            date = article.date.iso() if article.date else "-"
            print(f"{article.id}\t{date}\t{article.title}")
    return 0 if library.articles else 1


def cmd_show(args: argparse.Namespace) -> int:
    """`reader show ID`: the article formatted like the reader pane."""
    library = _load(args.paths)
    if not library.articles:
        return 1
    article = library.get(args.id)
    if article is None:
        print(f"reader: no article with id {args.id!r} (see `reader list`)", file=sys.stderr)
        return 1
    if sys.stdout.isatty():
        _print_rich(article)
    else:
        sys.stdout.write(_plain(article))
    return 0


def _plain(article: Article) -> str:
    from reader.render import plain_article

    return plain_article(article)


def _print_rich(article: Article) -> None:
    from rich.console import Console
    from rich.padding import Padding
    from rich.rule import Rule

    from reader.render import article_paragraphs

    console = Console(highlight=False, emoji=False, markup=False)
    for para in article_paragraphs(article):
        console.print(Padding(para.text, (0, 0, 0, para.indent)))
        if para.title:
            console.print(Rule(style="dim"))
        elif para.kind != "heading":
            console.print()


def cmd_search(args: argparse.Namespace) -> int:
    """`reader search QUERY`: hits best first; exit 1 when nothing matched."""
    if args.limit < 1:
        print("reader: error: --limit must be at least 1", file=sys.stderr)
        return 2
    library = _load(args.paths)
    if not library.articles:
        return 1
    # A script's query is complete: the trailing space tells the engine that the last word
    # is finished (while typing, it is read as a prefix).
    hits = library.search(args.query + " ", limit=args.limit)
    for hit in hits:
        if args.json:
            _print_json(
                {
                    "id": hit.article.id,
                    "title": hit.article.title,
                    "score": round(hit.score, 4),
                    "title_spans": [list(s) for s in hit.title_spans],
                    "snippet": hit.snippet,
                    "snippet_spans": [list(s) for s in hit.snippet_spans],
                }
            )
        else:
            print(f"{hit.article.id}\t{hit.article.title}")
    return 0 if hits else 1


def run_tui(argv: Sequence[str]) -> int:
    """`reader [PATH ...]`: open the reader."""
    args = _tui_parser().parse_args(argv)
    paths = [Path(p) for p in args.paths] or [sample_folder()]
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if len(missing) == len(paths):
        for p in missing:
            print(f"reader: no such file or folder: {clean_name(str(p))}", file=sys.stderr)
        return 2
    # Textual draws at most TEXTUAL_FPS frames a second, and only when something changed: at
    # its default of 60, a search result waited up to 17 ms for its frame (and a keystroke
    # waits for two: the input's echo, then the hits). In tmux over 10,000 articles, 120 gave
    # keystroke-to-screen p50 26 / p95 57 ms, 240 gave 18 / 45, 1000 gave 19 / 53 (frames
    # competing with the search).
    os.environ.setdefault("TEXTUAL_FPS", "240")
    from reader import parallel_load
    from reader.ui.app import ReaderApp

    parallel_load.prepare()  # before the UI captures stderr (see there)

    ReaderApp(paths, label=None if args.paths else "sample articles").run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `reader` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUBCOMMANDS:
        return run_tui(argv)
    args = build_parser().parse_args(argv)
    handler = {"list": cmd_list, "show": cmd_show, "search": cmd_search}[args.command]
    try:
        return handler(args)
    except BrokenPipeError:  # `reader list | head`
        sys.stderr.close()
        return 0
