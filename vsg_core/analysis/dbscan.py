"""DBSCAN on 1-D delay values with scikit-learn semantics (docs/analysis.md#drift-and-stepping).

Neighbours of a point are the points at distance ≤ ``eps`` (itself included); a point is core iff it has at
least ``min_samples`` neighbours; clusters grow depth-first from core points in index order and are labelled
0, 1, 2 … in that order; border points join the first cluster that reaches them; the rest is noise (−1).

scikit-learn is given the exact 1-D distance matrix ``|y_i − y_j|`` (``metric="precomputed"``): that *is* the
Euclidean metric in one dimension, but it avoids sklearn's ``‖x‖² − 2xy + ‖y‖²`` expansion whose rounding
can move a pair that is exactly ``eps`` apart to the other side of the boundary. The Rust mirror
(``vsg_core_rs/src/analysis/dbscan.rs``) compares the same ``|y_i − y_j| ≤ eps`` and reproduces
scikit-learn's ``dbscan_inner``, so both give the same labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..backend import Backend
from .engine import engine


def dbscan_python(values: Sequence[float], eps: float, min_samples: int) -> list[int]:
    """The Python reference: scikit-learn (imported here, only when this runs) on the exact distances."""
    from sklearn.cluster import DBSCAN

    y = np.asarray(values, dtype=np.float64)
    if y.size == 0:
        return []
    distances = np.abs(y[:, None] - y[None, :])
    labels = DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed").fit(distances).labels_
    return [int(v) for v in labels]


def dbscan_labels(values: Sequence[float], eps: float, min_samples: int,
                  backend: Backend | None = None) -> list[int]:
    """Cluster labels (−1 = noise) of ``values``; ``backend`` None follows the active backend."""
    if eps <= 0:
        raise ValueError(f"DBSCAN epsilon must be > 0 ms, got {eps} (setting detection_dbscan_epsilon_ms)")
    if min_samples < 1:
        raise ValueError(f"DBSCAN min_samples must be >= 1, got {min_samples} "
                         "(setting detection_dbscan_min_samples)")
    return engine(backend).dbscan(values, eps, min_samples)
