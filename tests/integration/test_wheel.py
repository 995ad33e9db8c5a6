"""`pip wheel .` gives one wheel (vsg_core, vsg_qt and the compiled vsg_core_rs) that works installed alone."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_one_wheel_installs_and_runs_outside_the_source_tree(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, cwd=tmp_path)
    built = list(wheels.glob("vsg-*.whl"))
    assert len(built) == 1, f"expected one vsg wheel, got {[w.name for w in wheels.iterdir()]}"
    names = zipfile.ZipFile(built[0]).namelist()
    for top in ("vsg_core/", "vsg_qt/", "vsg_core_rs/"):
        assert any(n.startswith(top) for n in names), f"{top} missing from {built[0].name}"
    assert any(n.startswith("vsg_core_rs/vsg_core_rs.") and n.endswith((".so", ".pyd")) for n in names)
    assert {"vsg_core_rs/vsg_core_rs.pyi", "vsg_core_rs/py.typed"} <= set(names)
    assert not any(n.startswith("vsg_core_rs/src/") or "/target/" in n for n in names), "Rust sources packed"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", str(built[0])], check=True, cwd=tmp_path)
    # the third-party dependencies come from the test environment (appended after the venv's own packages; its
    # .pth files, among them the editable install of this tree, are not processed); the wheel brings vsg itself
    site = Path(subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_test_dependencies.pth").write_text("".join(f"{d}\n" for d in sorted(deps)), encoding="utf-8")
    helped = subprocess.run([venv / "bin" / "vsg", "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "usage" in helped.stdout.lower()
    check = subprocess.run([py, "-c", "import vsg_core_rs, vsg_core, vsg_qt\n"
                            "for m in (vsg_core_rs, vsg_core, vsg_qt): print(m.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    for line in check.stdout.split():
        assert venv in Path(line).parents, f"{line} was imported instead of the installed wheel"
