"""Every link to a docs page and section — in docs/, README.md and the code's citations such as
``docs/analysis.md#sign-convention`` — points at a page and heading that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _anchor(heading: str) -> str:
    """GitHub's anchor of a markdown heading: lower case, punctuation dropped, spaces → '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_anchor(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", page.read_text(encoding="utf-8"), re.M)}


def _links() -> list[tuple[str, str, str]]:
    """(where, page, anchor) for every docs link."""
    out = []
    for md in [*DOCS.glob("*.md"), ROOT / "README.md"]:
        for m in re.finditer(r"\]\(([\w./-]*?)(?:#([\w-]+))?\)", md.read_text(encoding="utf-8")):
            target, anchor = m.group(1), m.group(2) or ""
            if target.startswith(("http", "mailto")) or (target and not target.endswith(".md")):
                continue
            page = (md.parent / target).resolve() if target else md
            out.append((md.name, str(page), anchor))
    for base in ("vsg_core", "vsg_qt", "vsg_core_rs/src"):
        for f in (ROOT / base).rglob("*"):
            if f.suffix in (".py", ".rs") and f.is_file():
                for m in re.finditer(r"docs/([\w-]+\.md)(?:#([\w-]+))?", f.read_text(encoding="utf-8")):
                    out.append((str(f.relative_to(ROOT)), str(DOCS / m.group(1)), m.group(2) or ""))
    return out


def test_docs_links_resolve() -> None:
    links = _links()
    assert len(links) > 20
    bad = [f"{where}: {Path(page).name}#{anchor}" for where, page, anchor in links
           if not Path(page).is_file() or (anchor and anchor not in _anchors(Path(page)))]
    assert not bad, bad


def test_code_and_docs_cite_no_outside_spec() -> None:
    """No page of docs/ points outside the repository for its facts."""
    for md in DOCS.glob("*.md"):
        text = md.read_text(encoding="utf-8")
        assert "../shared" not in text and "§" not in text, md.name
