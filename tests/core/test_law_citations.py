"""Code and docs cite the law through docs/law.md: every section (`law.md §N`) and every
numbered rule (`Rn`) they cite exists there, and nothing cites a digest outside the
repository by its rule numbers."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAW = ROOT / "docs" / "law.md"
SOURCES = [
    *(ROOT / "motcua").rglob("*.py"),
    *(ROOT / "motcua").rglob("*.html"),
    *(p for p in (ROOT / "docs").rglob("*.md") if p != LAW),
    ROOT / "README.md",
]

# "law.md §1.11(3)", "law.md §3.2–3.4", "law.md §7.2, §7.4", "law.md R3, R3a".
CITATION = re.compile(
    r"law\.md`?,? ?((?:§ ?\d+(?:\.\d+)*(?:\([0-9a-zđ]+\))*|R\d+[a-z]?|[–,;/ -]|and)+)"
)
SECTION_IN_CITATION = re.compile(r"(?:§ ?|[–-])(\d+(?:\.\d+)*)")
RULE = re.compile(r"\bR(\d{1,2}[a-z]?)\b")
HEADING = re.compile(r"^#+ §(\d+(?:\.\d+)*) ", re.M)
RULE_DEFINED = re.compile(r"^- \*\*R(\d+[a-z]?)\*\*", re.M)


def _law() -> tuple[set[str], set[str]]:
    text = LAW.read_text(encoding="utf-8")
    return set(HEADING.findall(text)), set(RULE_DEFINED.findall(text))


def _cited() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    sections: dict[str, set[str]] = {}
    rules: dict[str, set[str]] = {}
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        for match in CITATION.finditer(text):
            for number in SECTION_IN_CITATION.findall(match.group(1)):
                sections.setdefault(number, set()).add(name)
        if path.suffix in (".py", ".html") or "law.md" in text:
            for number in RULE.findall(text):
                rules.setdefault(number, set()).add(name)
    return sections, rules


def test_the_law_summary_defines_its_sections_and_rules():
    sections, rules = _law()
    assert {"0.2", "1.11", "14.3", "15"} <= sections
    assert {"1", "3", "3a", "10", "10a", "10b", "11", "12", "14", "32"} <= rules


def test_every_cited_section_and_rule_exists_in_law_md():
    defined_sections, defined_rules = _law()
    cited_sections, cited_rules = _cited()
    assert cited_sections and cited_rules  # the scan finds the citations
    missing_sections = {
        n: sorted(f) for n, f in cited_sections.items() if n not in defined_sections
    }
    missing_rules = {n: sorted(f) for n, f in cited_rules.items() if n not in defined_rules}
    assert missing_sections == {}, "sections cited but not in docs/law.md"
    assert missing_rules == {}, "rules cited but not in docs/law.md"


def test_no_citation_of_a_digest_outside_the_repository():
    outside = [
        str(p.relative_to(ROOT))
        for p in SOURCES
        if re.search(r"domain\.md", p.read_text(encoding="utf-8"))
    ]
    assert outside == []
