"""State shared by the steps of one job (docs/pipeline.md#data-model)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..extraction import OpenedSource
from ..identification import MediaCache
from ..jobs.discovery import JobSpec
from ..jobs.layout import Layout
from ..log import JobLog
from ..models import Delays, PlanItem
from ..progress import ProgressReporter


@dataclass
class JobContext:
    job: JobSpec
    settings: Settings
    log: JobLog
    temp_dir: Path
    output_dir: Path
    final_output: Path | None                    # None: analyse only
    layout: Layout | None
    progress: Callable[[float], None] = lambda _f: None
    media: MediaCache = field(default_factory=MediaCache)  # the job's identification of every file
    reporter: ProgressReporter | None = None      # structured progress (phase, source, chunk) for displays
    # filled by the steps
    analysis: Any = None                         # vsg_core.analysis.job.JobAnalysis
    delays: Delays | None = None
    opened: dict[str, OpenedSource] = field(default_factory=dict)
    items: list[PlanItem] = field(default_factory=list)
    chapters_xml: Path | None = None
    attachments: list[Path] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    manual_delays: dict[str, float] = field(default_factory=dict)   # source key → delay (ms) given by the user
    corrections: list[Any] = field(default_factory=list)   # vsg_core.correction.apply.CorrectionReport
    background: Any = None   # vsg_core.pipeline.background.Background: work prepared during the analysis

    @property
    def and_merge(self) -> bool:
        return self.final_output is not None

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)
        self.log.warning(msg)
