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
    for f in _code_files():
        for m in re.finditer(r"docs/([\w-]+\.md)(?:#([\w-]+))?", f.read_text(encoding="utf-8")):
            out.append((str(f.relative_to(ROOT)), str(DOCS / m.group(1)), m.group(2) or ""))
    return out


CODE_DIRS = ("vsg_core", "vsg_qt", "vsg_core_rs/src", "tests", "bench")


def _code_files() -> list[Path]:
    """Every Python and Rust source of the project (the stub included), caches excluded."""
    files = [f for base in CODE_DIRS for f in (ROOT / base).rglob("*")
             if f.suffix in (".py", ".rs", ".pyi") and f.is_file() and "__pycache__" not in f.parts]
    return [*files, ROOT / "vsg_core_rs" / "vsg_core_rs.pyi"]


# Citations of a document outside the repository: a section sign, "spec" followed by "section", the original
# shared reference folder. Built from pieces so that this file does not match itself.
OUTSIDE = re.compile("|".join([
    "\u00a7",                               # the section sign
    r"\bspec\s+section",
    r"\b(?:pipeline_ui|correction_subtitles|upstream_head)\.md",
    r"spec\s+analysis\.md",
    r"\.\./" + "shared",
]), re.IGNORECASE)


def test_docs_links_resolve() -> None:
    links = _links()
    assert len(links) > 20
    bad = [f"{where}: {Path(page).name}#{anchor}" for where, page, anchor in links
           if not Path(page).is_file() or (anchor and anchor not in _anchors(Path(page)))]
    assert not bad, bad


def test_code_and_docs_cite_no_outside_spec() -> None:
    """Neither a docs page, README nor any source file points outside the repository for its facts."""
    files = [*DOCS.glob("*.md"), ROOT / "README.md", *_code_files()]
    assert len(files) > 100
    bad = [f"{f.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
           for f in files for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
           if OUTSIDE.search(line)]
    assert not bad, bad


def test_code_cites_docs_sections() -> None:
    """The facts the code relies on are cited as docs sections, and the test above sees them (a guard against a
    file list that silently became empty)."""
    cited = {(Path(page).name, anchor) for where, page, anchor in _links() if not where.endswith(".md")}
    for page, anchor in [("analysis.md", "sign-convention"), ("analysis.md", "drift-and-stepping"),
                         ("pipeline.md", "mkvmerge-options"), ("chapters.md", "keyframe-snap")]:
        assert (page, anchor) in cited


def test_outside_pattern_catches_citations() -> None:
    """The pattern really catches the forms the old comments used (written here without the literal sign)."""
    sign = chr(0xA7)
    spec, md = "spec", ".md"
    for text in [f"({spec} {sign}7.9)", f"({sign}10.1.1)", f"{spec} Section 4", f"see pipeline_ui{md}",
                 "../" + "shared/spec/analysis.md", f"{spec} analysis{md} {sign}3"]:
        assert OUTSIDE.search(text), text
    assert not OUTSIDE.search("docs/analysis.md#confidence; CorrelationOptions.spec(); the spec profile")
