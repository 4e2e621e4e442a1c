"""A small fixed-width text table for the CLI's human output.

Cells often hold finding-sourced text (types, ids) that an attacker can influence, so control
characters (ANSI escapes, newlines, tabs) are replaced before they reach the terminal, and long
cells are shortened with an ellipsis so one odd value cannot wreck the layout.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

MISSING = "-"


def clean_cell(value: object, max_width: int | None = None) -> str:
    """One printable line: ``None`` → ``-``, control characters → space, ellipsis if too long."""
    if value is None:
        return MISSING
    text = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in str(value)
    ).rstrip()  # leading spaces are kept: timelines indent with them
    if not text.strip():
        return MISSING
    if max_width is not None and len(text) > max_width:
        return text[: max(max_width - 1, 0)] + "…"
    return text


def render_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    max_width: int | None = 60,
    right_align: Iterable[int] = (),
    indent: str = "",
) -> str:
    """Headers and rows as aligned columns separated by two spaces; no trailing newline.

    ``right_align`` holds column indexes for numbers (durations, counts) so they line up.
    """
    header_cells = [clean_cell(h) for h in headers]
    body = [[clean_cell(cell, max_width) for cell in row] for row in rows]
    for number, row in enumerate(body):
        if len(row) != len(header_cells):
            raise ValueError(f"row {number} has {len(row)} cells, expected {len(header_cells)}")
    widths = [len(h) for h in header_cells]
    for row in body:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    right = set(right_align)

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return (indent + "  ".join(parts)).rstrip()

    return "\n".join([line(header_cells), *(line(row) for row in body)])
