"""Finding article files under the paths the user gives. (Placeholder: being replaced.)"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".txt", ".md")


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A candidate article file: `id` is its path relative to the folder it was found in."""

    path: Path
    id: str
    display: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that was skipped (or read with doubts), and why."""

    path: str
    reason: str
    skipped: bool = True


def discover(paths: Sequence[Path]) -> Iterator[FoundFile | Problem]:
    """Yield article files under `paths` in a stable order, and a Problem for each bad path."""
    for root in paths:
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file() and p.suffix.lower() in SUFFIXES:
                    rel = p.relative_to(root).as_posix()
                    yield FoundFile(p, rel, str(p))
        elif root.is_file():
            yield FoundFile(root, root.name, str(root))
        else:
            yield Problem(str(root), "no such file or folder")
