"""Discovery of the external programs vsg drives (ffmpeg, mkvmerge, …)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from .errors import ToolMissingError

# Debian/Ubuntu package that provides each tool, for the error message.
PACKAGES = {
    "ffmpeg": "ffmpeg",
    "ffprobe": "ffmpeg",
    "mkvmerge": "mkvtoolnix",
    "mkvextract": "mkvtoolnix",
    "mkvpropedit": "mkvtoolnix",
    "rubberband": "rubberband-cli",
    "espeak-ng": "espeak-ng",
}

REQUIRED = ("ffmpeg", "ffprobe", "mkvmerge", "mkvextract")
OPTIONAL = ("mkvpropedit", "rubberband", "videodiff")


@dataclass(frozen=True)
class ToolSet:
    paths: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.paths[name]

    def get(self, name: str) -> str | None:
        return self.paths.get(name)


def install_hint(names: list[str] | tuple[str, ...]) -> str:
    pkgs = sorted({PACKAGES.get(n, n) for n in names})
    return f"install it with: sudo apt-get install {' '.join(pkgs)} (or run ./setup_env.sh)"


def which(name: str) -> str | None:
    return shutil.which(name)


def require(*names: str) -> ToolSet:
    """Paths of the named tools; raises ToolMissingError naming every missing one."""
    found: dict[str, str] = {}
    missing: list[str] = []
    for n in names:
        p = which(n)
        if p is None:
            missing.append(n)
        else:
            found[n] = p
    if missing:
        raise ToolMissingError(
            f"required program(s) not found on PATH: {', '.join(missing)}; {install_hint(missing)}"
        )
    return ToolSet(found)


def discover(required: tuple[str, ...] = REQUIRED, optional: tuple[str, ...] = OPTIONAL) -> ToolSet:
    """Required tools (error if missing) plus whichever optional ones are installed."""
    tools = require(*required)
    paths = dict(tools.paths)
    for n in optional:
        p = which(n)
        if p is not None:
            paths[n] = p
    return ToolSet(paths)
