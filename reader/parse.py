"""Article metadata from raw text. (Placeholder: being replaced.)"""

from __future__ import annotations

import re

from reader.article import Block, BlockKind, Metadata


def parse(text: str) -> Metadata:
    """Read title, dateline, byline, captions and blocks from an article's NFC text."""
    blocks = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            kind = BlockKind.TITLE if not blocks else BlockKind.BODY
            blocks.append(Block(kind, m.group(), m.start()))
    title = blocks[0].text.strip() if blocks else ""
    return Metadata(title=title, blocks=blocks, words=len(text.split()))
