"""The abbreviation glossary (HĐND ↔ Hội đồng nhân dân), folded, for query rewriting."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from reader.bytefold import fold_bytes

__all__ = ["Glossary", "load_glossary"]

Tokens = tuple[str, ...]

#: Abbreviations this short are ordinary syllables too ("tu" is also "tự", "từ"): they are
#: expanded when typed, but a typed expansion is not rewritten to them.
MIN_REVERSE_LETTERS = 3


def _tokens(text: str) -> Tokens:
    return tuple(fold_bytes(text).decode("ascii").split())


@dataclass(slots=True)
class Glossary:
    """Folded abbreviations and their expansions, both ways."""

    #: joined abbreviation ("tphcm") -> the abbreviation's own token forms and expansions
    by_abbreviation: dict[str, tuple[list[Tokens], list[Tokens]]] = field(default_factory=dict)
    #: expansion tokens -> abbreviation token forms
    by_expansion: dict[Tokens, list[Tokens]] = field(default_factory=dict)
    max_expansion: int = 1

    def add(self, abbreviation: str, expansion: str) -> None:
        """Add one row: `expansion` may hold alternatives separated by "/" and notes in
        parentheses, which are dropped."""
        forms = _tokens(abbreviation)
        if not forms:
            return
        joined = "".join(forms)
        own, expansions = self.by_abbreviation.setdefault(joined, ([], []))
        if forms not in own:
            own.append(forms)
        for alternative in re.sub(r"\([^)]*\)", " ", expansion).split("/"):
            tokens = _tokens(alternative)
            if not tokens or tokens == forms:
                continue
            if tokens not in expansions:
                expansions.append(tokens)
            self.max_expansion = max(self.max_expansion, len(tokens))
            if len(joined) >= MIN_REVERSE_LETTERS:
                reverse = self.by_expansion.setdefault(tokens, [])
                if forms not in reverse:
                    reverse.append(forms)

    def rewrites(self, tokens: Tokens, limit: int = 24) -> list[Tokens]:
        """Other token sequences that mean `tokens`, found by replacing abbreviations with
        their expansions and expansions with their abbreviations (repeatedly, up to `limit`
        alternatives; `tokens` itself is not included)."""
        seen = {tokens}
        queue = [tokens]
        out: list[Tokens] = []
        while queue and len(out) < limit:
            current = queue.pop(0)
            # Short forms ("tu", "tp") are only expanded where the user typed them.
            for alternative in self._one_step(current, short=current is tokens):
                if alternative not in seen and len(alternative) <= 12:
                    seen.add(alternative)
                    out.append(alternative)
                    queue.append(alternative)
                    if len(out) >= limit:
                        break
        return out

    def _one_step(self, tokens: Tokens, *, short: bool) -> Iterable[Tokens]:
        n = len(tokens)
        for i in range(n):
            for j in range(i + 1, min(n, i + self.max_expansion) + 1):
                span = tokens[i:j]
                joined = "".join(span)
                entry = self.by_abbreviation.get(joined)
                if entry is not None and (short or len(joined) >= MIN_REVERSE_LETTERS):
                    own, expansions = entry
                    for replacement in (*own, *expansions):
                        if replacement != span:
                            yield tokens[:i] + replacement + tokens[j:]
                for replacement in self.by_expansion.get(span, ()):
                    yield tokens[:i] + replacement + tokens[j:]


def parse_glossary(text: str) -> Glossary:
    """A glossary from TSV text (`abbreviation<TAB>expansion`, a header line allowed)."""
    glossary = Glossary()
    for line in text.splitlines():
        abbreviation, sep, expansion = line.partition("\t")
        if not sep or abbreviation.strip().lower() == "abbreviation":
            continue
        glossary.add(abbreviation.strip(), expansion.strip())
    return glossary


@cache
def load_glossary() -> Glossary:
    """The glossary shipped with the package (reader/abbreviations.tsv)."""
    data = resources.files("reader").joinpath("abbreviations.tsv").read_text(encoding="utf-8")
    return parse_glossary(data)
