"""vsg_core_rs — the compiled compute core of vsg (the extension module ``vsg_core_rs.vsg_core_rs``).

The types and functions are described in ``vsg_core_rs.pyi``; call them through the domains' engines
(``vsg_core/<domain>/engine.py``), not directly.
"""

from .vsg_core_rs import *  # noqa: F403
from .vsg_core_rs import __version__ as __version__
