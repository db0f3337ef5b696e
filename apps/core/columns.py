"""The column chooser of wide lists (issue 13 item 4): a list names its optional columns
and which of them show by default; a person ticks the ones they want in the filter bar.

The choice travels in the URL like every filter (`?cols=before&cols=value`), so a list with
its columns can be bookmarked and Back restores it. The chooser always sends `cols=-`, so
"every optional column unticked" differs from "no choice made" (the defaults).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PARAM = "cols"
MARK = "-"


@dataclass(frozen=True)
class OptionalColumn:
    name: str
    label: str
    default: bool = True  # shown until the person chooses


@dataclass(frozen=True)
class ColumnChoice:
    name: str
    label: str
    shown: bool


@dataclass(frozen=True)
class Columns:
    choices: tuple[ColumnChoice, ...]

    @property
    def hidden(self) -> frozenset[str]:
        return frozenset(c.name for c in self.choices if not c.shown)

    def __bool__(self) -> bool:
        return bool(self.choices)


def columns_chosen(params, optional: Sequence[OptionalColumn]) -> Columns:
    """Which optional columns this request shows (defaults unless the chooser was used)."""
    if PARAM in params:
        ticked = set(params.getlist(PARAM))
        return Columns(tuple(ColumnChoice(o.name, o.label, o.name in ticked) for o in optional))
    return Columns(tuple(ColumnChoice(o.name, o.label, o.default) for o in optional))
