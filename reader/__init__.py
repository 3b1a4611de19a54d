"""reader: a keyboard-driven terminal reader for folders of plain-text news articles."""

__version__ = "0.1.0"
