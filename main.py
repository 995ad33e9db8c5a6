"""Launches the vsg desktop app (PySide6)."""

import sys

from vsg_qt.app import main

if __name__ == "__main__":
    sys.exit(main())
