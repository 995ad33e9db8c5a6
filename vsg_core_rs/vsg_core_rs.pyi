"""Type stubs for vsg_core_rs, the compiled compute core of vsg (PyO3 + maturin).

tests/unit/test_rust_stub.py checks that every public name of the real module is declared here with
matching parameter names, and that nothing is declared here that the module lacks.
"""

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__version__: str

# --- logging (shared formats) ---
def format_log_message(level: str, msg: str) -> str: ...
def timestamp_prefix(hours: int, minutes: int, seconds: int, msg: str) -> str: ...
def section(name: str) -> str: ...
def progress_line(percent: float) -> str: ...
def tail_block(stream: str, text: str, lines: int) -> str | None: ...
