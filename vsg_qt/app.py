"""Entry point of the desktop app (`vsg-gui`, `./run.sh`, `python main.py`)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
               "NUMEXPR_NUM_THREADS")


def main(argv: Sequence[str] | None = None) -> int:
    for var in THREAD_VARS:  # before numpy/scipy are imported (docs/pipeline.md#desktop-app)
        os.environ.setdefault(var, "1")
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(list(argv if argv is not None else sys.argv))
    app.setApplicationName("Video Sync & Merge")
    app.setOrganizationName("vsg")
    win = MainWindow()
    win.show()
    code = app.exec()
    del win
    gc.collect()
    gc.collect()
    return code


if __name__ == "__main__":
    sys.exit(main())
