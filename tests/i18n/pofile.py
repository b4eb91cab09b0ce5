"""A minimal reader of gettext .po files (enough for completeness checks; the test
suite must not depend on polib, which is only a translator's tool)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    occurrences: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def _unquote(text: str) -> str:
    # PO strings use C escapes, which match Python's for what gettext emits.
    return str(ast.literal_eval(text))


def read_po(path: Path) -> list[Entry]:
    """Entries of the catalogue, header included (check `is_header`)."""
    entries: list[Entry] = []
    current = Entry()
    started = False
    target: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#:"):
            current.occurrences.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if target is None:
                continue
            kind, index = target
            value = _unquote(line)
            if kind == "msgid":
                current.msgid += value
            elif kind == "msgid_plural":
                current.msgid_plural += value
            elif kind == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + value
            else:
                current.msgstr[index] += value
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current.msgstr:
            flush()  # a new entry without a blank line before it
        started = True
        value = _unquote(rest)
        if keyword == "msgctxt":
            current.msgctxt, target = value, ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, target = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = value, ("msgid_plural", 0)
        elif keyword == "msgstr":
            current.msgstr[0], target = value, ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            index = int(keyword[len("msgstr[") : -1])
            current.msgstr[index], target = value, ("msgstr", index)
    flush()
    return [e for e in entries if not e.obsolete]
