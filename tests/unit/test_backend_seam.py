"""The backend is chosen in one place: `vsg_core.backend.use_rust()`, called by each domain's `engine()`; no other
code compares the backend's name."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATTERN = re.compile(r"""(==|!=)\s*["']rust["']|["']rust["']\s*(==|!=)""")


def test_no_backend_name_comparison_outside_the_seam() -> None:
    offenders = []
    for package in ("vsg_core", "vsg_qt"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "vsg_core" / "backend.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PATTERN.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_pattern_catches_a_comparison() -> None:
    assert PATTERN.search('if backend == "rust":') and PATTERN.search("'rust' != b")
    assert not PATTERN.search('BACKENDS = ("python", "rust")')
