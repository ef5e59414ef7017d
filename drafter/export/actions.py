"""The minutes' action table: lines "action, owner, due date" become a Word table the export itself writes.

A template's list field named `actions` (help: "One per line: action, owner, deadline") gives the lines to
tabulate: where consecutive lines of a section are items of that field and split into three parts, they are
written as one table (header row Action / Owner / Due, repeated on each page). The table is marked as the
export's own (caption `Drafter actions`, the separator in its description), so `drafter verify` reads each row
back as the exact line it came from: the approved content hash covers the table's text, and a table added
afterwards, or a row changed, is still found.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.run import Run
from lxml.etree import _Element

from drafter.export.common import paragraph_text

CAPTION = "Drafter actions"
FIELD = "actions"
# tried in order; the last three parts of the line (rsplit) are action, owner and due date, so an action may
# itself hold the separator
SEPARATORS = (" | ", "; ", " – ", " — ", ", ")
HEADERS = {"en": ("Action", "Owner", "Due"), "zh": ("事项", "负责人", "完成时限")}


def split(line: str) -> tuple[str, tuple[str, str, str]] | None:
    """(separator, (action, owner, due)) if the line is an action row, else None."""
    for sep in SEPARATORS:
        parts = line.strip().rsplit(sep, 2)
        if len(parts) == 3 and all(p.strip() == p and p for p in parts) and sep.join(parts) == line.strip():
            return sep, (parts[0], parts[1], parts[2])
    return None


def items(template_fields: list[tuple[str, str]], inputs: dict[str, str]) -> set[str]:
    """The lines of the template's `actions` list field (`template_fields`: (name, type) pairs)."""
    if (FIELD, "list") not in template_fields:
        return set()
    return {ln.strip() for ln in inputs.get(FIELD, "").splitlines() if ln.strip() and split(ln.strip())}


def _cell_text(cell: object, text: str) -> list[Run]:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    return [paragraph.add_run(text)]


def add_table(doc: Document, lines: list[str], language: str) -> list[Run]:
    """Write the rows; returns the runs of the content cells (for the section's comment)."""
    rows = [split(line) for line in lines]
    sep = rows[0][0] if rows[0] else ", "
    table = doc.add_table(rows=1, cols=3)
    if "Table Grid" in {s.name for s in doc.styles}:
        table.style = doc.styles["Table Grid"]
    header = table.rows[0]
    for cell, word in zip(header.cells, HEADERS.get(language, HEADERS["en"]), strict=True):
        cell.paragraphs[0].add_run(word).bold = True
    trpr = header._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))
    runs: list[Run] = []
    for found in rows:
        assert found is not None and found[0] == sep  # add_table is given lines of one separator (group_lines)
        row = table.add_row()
        for cell, text in zip(row.cells, found[1], strict=True):
            runs += _cell_text(cell, text)
    tblpr = table._tbl.tblPr
    for tag, value in (("w:tblCaption", CAPTION), ("w:tblDescription", sep)):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        tblpr.append(el)
    return runs


def group_lines(lines: list[str], action_items: set[str]) -> list[str | list[str]]:
    """The section's lines with each run of action rows (same separator) gathered into one list."""
    out: list[str | list[str]] = []
    for line in lines:
        found = split(line) if line.strip() in action_items and line == line.strip() else None
        last = out[-1] if out else None
        if found is not None and isinstance(last, list) and split(last[0]) and split(last[0])[0] == found[0]:  # type: ignore[index]
            last.append(line)
        elif found is not None:
            out.append([line])
        else:
            out.append(line)
    return out


# --- reading back ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionTable:
    """An action table read back: the lines it stands for, and its paragraphs (for comments)."""

    lines: list[str]
    paragraphs: list[_Element]
    element: _Element

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _prop(tbl: _Element, tag: str) -> str | None:
    el = tbl.find(f"{qn('w:tblPr')}/{qn(tag)}")
    return el.get(qn("w:val")) if el is not None else None


def read_table(tbl: _Element) -> ActionTable | None:
    """The export's action table as lines, or None if `tbl` is not one the export wrote (caption, separator,
    header row and three cells a row, nothing nested)."""
    if _prop(tbl, "w:tblCaption") != CAPTION:
        return None
    sep = _prop(tbl, "w:tblDescription")
    if sep not in SEPARATORS:
        return None
    rows = tbl.findall(qn("w:tr"))
    if len(rows) < 2 or tbl.find(f".//{qn('w:tbl')}") is not None:
        return None
    cells = [[c for c in row.findall(qn("w:tc"))] for row in rows]
    if any(len(r) != 3 for r in cells):
        return None
    texts = [["\n".join(paragraph_text(p) for p in c.findall(qn("w:p"))) for c in r] for r in cells]
    if tuple(texts[0]) not in HEADERS.values():
        return None
    lines = [sep.join(r) for r in texts[1:]]
    if any(split(line) is None or split(line)[0] != sep for line in lines):  # type: ignore[index]
        return None
    return ActionTable(lines, [p for r in cells[1:] for c in r for p in c.findall(qn("w:p"))], tbl)
