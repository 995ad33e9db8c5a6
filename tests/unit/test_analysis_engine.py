"""The analysis seam: one engine per backend, no backend-name tests elsewhere, scikit-learn loaded lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from vsg_core.analysis.engine import AnalysisEngine, PythonEngine, RustEngine, engine
from vsg_core.backend import set_backend

ANALYSIS = Path(__file__).resolve().parents[2] / "vsg_core" / "analysis"


def test_engine_follows_the_backend() -> None:
    assert isinstance(engine("python"), PythonEngine) and isinstance(engine("rust"), RustEngine)
    set_backend("python")
    try:
        assert engine().name == "python"
    finally:
        set_backend(None)
    members = [m for m in vars(AnalysisEngine) if not m.startswith("_") and m != "name"]
    for impl in (PythonEngine, RustEngine):
        assert all(callable(getattr(impl, m)) for m in members), impl


def test_no_backend_name_tests_outside_the_engine() -> None:
    for f in ANALYSIS.rglob("*.py"):
        if f.name != "engine.py":
            text = f.read_text()
            assert '== "rust"' not in text and "== 'rust'" not in text, f


def test_sklearn_is_imported_only_when_the_python_dbscan_runs() -> None:
    code = ("import sys, vsg_core.analysis.job, vsg_core.analysis.correlate, vsg_core.analysis.drift\n"
            "assert 'sklearn' not in sys.modules\n"
            "from vsg_core.analysis.dbscan import dbscan_labels\n"
            "assert dbscan_labels([0.0, 1.0, 50.0], 5.0, 2, backend='python') == [0, 0, -1]\n"
            "assert 'sklearn' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
