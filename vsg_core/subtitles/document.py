"""Python reference of the lossless subtitle document (ASS/SSA, SRT, WebVTT); the Rust port is
``vsg_core_rs/src/subtitles``. Behaviour: docs/subtitles.md.

A document keeps every line of the file with its own terminator. Parsing picks out what vsg may change —
event times (exact float ms), event fields, style fields, ``[Script Info]`` values — and remembers where each
came from. Writing emits the original lines, replacing only the lines whose values changed, so an unmodified
file is written back byte for byte; a changed time is rounded once, on write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import textcodec
from .errors import SubtitleError
from .times import WS, FrameClock, format_ass, format_srt, format_vtt, parse_time, require_time, write_rounded

FORMATS = ("ass", "ssa", "srt", "vtt")
ASS_EVENT_FORMAT = ("Layer", "Start", "End", "Style", "Name", "MarginL", "MarginR", "MarginV", "Effect", "Text")
SSA_EVENT_FORMAT = ("Marked", "Start", "End", "Style", "Name", "MarginL", "MarginR", "MarginV", "Effect", "Text")
ASS_STYLE_FORMAT = ("Name", "Fontname", "Fontsize", "PrimaryColour", "SecondaryColour", "OutlineColour",
                    "BackColour", "Bold", "Italic", "Underline", "StrikeOut", "ScaleX", "ScaleY", "Spacing",
                    "Angle", "BorderStyle", "Outline", "Shadow", "Alignment", "MarginL", "MarginR", "MarginV",
                    "Encoding")
SSA_STYLE_FORMAT = ("Name", "Fontname", "Fontsize", "PrimaryColour", "SecondaryColour", "TertiaryColour",
                    "BackColour", "Bold", "Italic", "BorderStyle", "Outline", "Shadow", "Alignment", "MarginL",
                    "MarginR", "MarginV", "AlphaLevel", "Encoding")
STYLE_SECTIONS = ("v4+ styles", "v4 styles", "v4 styles+")
EVENT_KINDS = ("Dialogue", "Comment")
NAN = float("nan")


@dataclass
class Line:
    text: str
    eol: str


@dataclass
class Event:
    """One timed entry. ASS: ``fields`` are the raw comma-separated fields after ``Kind:``. SRT/VTT: the
    timing line is ``head + start token + mid + end token + tail``; ``block`` lists every line of the cue
    (dropped together when the event is deleted)."""

    kind: str
    line: int
    start: float
    end: float
    orig_start: float
    orig_end: float
    style: str = ""
    text: str = ""
    fields: list[str] | None = None
    prefix: str = ""
    idx: dict[str, int] = field(default_factory=dict)
    head: str = ""
    start_tok: str = ""
    mid: str = ""
    end_tok: str = ""
    tail: str = ""
    block: list[int] = field(default_factory=list)
    deleted: bool = False
    dirty: bool = False


@dataclass
class Style:
    line: int
    prefix: str
    fields: list[str]
    names: list[str]          # lower-case field names from the Format line
    dirty: bool = False

    @property
    def name(self) -> str:
        return self.get("name") or ""

    def get(self, key: str) -> str | None:
        try:
            i = self.names.index(key)
        except ValueError:
            return None
        return self.fields[i].strip(WS) if i < len(self.fields) else None

    def set(self, key: str, value: str) -> bool:
        try:
            i = self.names.index(key)
        except ValueError:
            return False
        if i >= len(self.fields):
            return False
        if self.fields[i] != value:
            self.fields[i] = value
            self.dirty = True
        return True


@dataclass
class InfoEntry:
    line: int
    key: str
    head: str                 # the line up to the value
    value: str
    dirty: bool = False


def _split_key(text: str) -> tuple[str, str] | None:
    """``Key: rest`` → (key stripped, rest) or None when there is no colon."""
    cut = text.find(":")
    if cut < 0:
        return None
    return text[:cut].strip(WS), text[cut + 1:]


def _split_fields(rest: str, n: int) -> list[str]:
    return rest.split(",", n - 1) if n > 0 else [rest]


class SubtitleDocument:
    def __init__(self, fmt: str, encoding: str, bom: bool, lines: list[Line]) -> None:
        self.fmt = fmt
        self.encoding = encoding
        self.bom = bom
        self.lines = lines
        self.eol = textcodec.dominant_eol([(ln.text, ln.eol) for ln in lines])
        self.events: list[Event] = []
        self.styles: list[Style] = []
        self.info: list[InfoEntry] = []

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, data: bytes, fmt: str) -> SubtitleDocument:
        fmt = fmt.lower().lstrip(".")
        if fmt not in FORMATS:
            raise SubtitleError(f"unsupported subtitle format '{fmt}': use one of ass, ssa, srt, vtt")
        text, encoding, bom = textcodec.decode(data)
        doc = cls(fmt, encoding, bom, [Line(t, e) for t, e in textcodec.split_lines(text)])
        if fmt in ("ass", "ssa"):
            doc._parse_ass()
        else:
            doc._parse_cues()
        return doc

    def _parse_ass(self) -> None:
        section = ""
        ssa = self.fmt == "ssa"
        style_names: list[str] | None = None
        event_names: list[str] | None = None
        for i, ln in enumerate(self.lines):
            t = ln.text
            stripped = t.strip(WS)
            if stripped.startswith("[") and stripped.endswith("]") and len(stripped) >= 2:
                section = stripped[1:-1].strip(WS).lower()
                if section == "v4 styles":
                    ssa = True
                continue
            if section == "script info":
                if stripped.startswith(";") or stripped.startswith("!:"):
                    continue
                kv = _split_key(t)
                if kv is None:
                    continue
                key, rest = kv
                value = rest.lstrip(WS)
                if key.lower() == "scripttype" and value.strip(WS).lower() == "v4.00":
                    ssa = True
                self.info.append(InfoEntry(i, key, t[:len(t) - len(value)], value))
            elif section in STYLE_SECTIONS:
                kv = _split_key(t)
                if kv is None:
                    continue
                key, rest = kv
                if key == "Format":
                    style_names = [f.strip(WS).lower() for f in rest.split(",")]
                elif key == "Style":
                    names = style_names or [f.lower() for f in (SSA_STYLE_FORMAT if ssa else ASS_STYLE_FORMAT)]
                    self.styles.append(Style(i, t[:len(t) - len(rest)], _split_fields(rest, len(names)), names))
            elif section == "events":
                kv = _split_key(t)
                if kv is None:
                    continue
                key, rest = kv
                if key == "Format":
                    event_names = [f.strip(WS).lower() for f in rest.split(",")]
                    for need in ("start", "end"):
                        if need not in event_names:
                            raise SubtitleError(f"line {i + 1}: the [Events] Format line has no "
                                                f"{need.capitalize()} field")
                elif key in EVENT_KINDS:
                    names = event_names or [f.lower() for f in (SSA_EVENT_FORMAT if ssa else ASS_EVENT_FORMAT)]
                    fields = _split_fields(rest, len(names))
                    if len(fields) < len(names):
                        raise SubtitleError(f"line {i + 1}: {key} line has {len(fields)} fields, the Format "
                                            f"line names {len(names)}")
                    idx = {n: k for k, n in reversed(list(enumerate(names)))}
                    start = require_time(fields[idx["start"]], "start", i + 1)
                    end = require_time(fields[idx["end"]], "end", i + 1)
                    style = fields[idx["style"]].strip(WS) if "style" in idx else ""
                    text = fields[idx["text"]] if "text" in idx else ""
                    self.events.append(Event(key, i, start, end, start, end, style, text, fields,
                                             t[:len(t) - len(rest)], idx))

    def _timing(self, i: int) -> tuple[float, float, str, str, str, str, str] | None:
        t = self.lines[i].text
        arrow = t.find("-->")
        if arrow < 0:
            return None
        left, right = t[:arrow], t[arrow + 3:]
        start = parse_time(left)
        if start is None:
            return None
        lead = len(left) - len(left.lstrip(WS))
        start_tok = left.strip(WS)
        r_lead = len(right) - len(right.lstrip(WS))
        rest = right[r_lead:]
        cut = next((k for k, c in enumerate(rest) if c in WS), len(rest))
        end_tok = rest[:cut]
        end = parse_time(end_tok)
        if end is None:
            return None
        head = t[:lead]
        mid = left[lead + len(start_tok):] + "-->" + right[:r_lead]
        return start, end, head, start_tok, mid, end_tok, rest[cut:]

    def _parse_cues(self) -> None:
        n = len(self.lines)
        vtt = self.fmt == "vtt"
        if vtt and not (n and self.lines[0].text.startswith("WEBVTT")):
            raise SubtitleError("not a WebVTT file: the first line is not WEBVTT")
        i = 1 if vtt else 0
        block_start = True          # at the first line of a block (after a blank line)
        in_other_block = False      # VTT NOTE / STYLE / REGION blocks and the header block
        if vtt:
            in_other_block = True
        prev_nonblank: int | None = None
        while i < n:
            t = self.lines[i].text
            if t.strip(WS) == "":
                block_start, in_other_block, prev_nonblank = True, False, None
                i += 1
                continue
            if vtt and block_start and (t.startswith("NOTE") or t.startswith("STYLE") or t.startswith("REGION")):
                in_other_block = True
            if in_other_block:
                block_start = False
                i += 1
                continue
            timing = self._timing(i)
            if timing is None:
                block_start = False
                prev_nonblank = i
                i += 1
                continue
            start, end, head, start_tok, mid, end_tok, tail = timing
            block = [prev_nonblank] if prev_nonblank is not None else []
            block.append(i)
            j = i + 1
            text_lines: list[str] = []
            while j < n and self.lines[j].text.strip(WS) != "":
                if self._timing(j) is not None:
                    break
                if j + 1 < n and self._timing(j + 1) is not None and _ascii_digits(self.lines[j].text.strip(WS)):
                    break
                text_lines.append(self.lines[j].text)
                block.append(j)
                j += 1
            if j < n and self.lines[j].text.strip(WS) == "":
                block.append(j)
            self.events.append(Event("Cue", i, start, end, start, end, "", "\n".join(text_lines),
                                     head=head, start_tok=start_tok, mid=mid, end_tok=end_tok, tail=tail,
                                     block=block))
            prev_nonblank = None
            block_start = False
            i = j

    # ------------------------------------------------------------------ writing
    def to_bytes(self, grid: FrameClock | None = None) -> bytes:
        return textcodec.encode(self.to_text(grid), self.encoding, self.bom)

    def to_text(self, grid: FrameClock | None = None) -> str:
        replaced: dict[int, str] = {}
        dropped: set[int] = set()
        for ev in self.events:
            if ev.deleted:
                if ev.fields is not None:
                    dropped.add(ev.line)
                else:
                    dropped.update(ev.block)
                continue
            if ev.start == ev.orig_start and ev.end == ev.orig_end and not ev.dirty:
                continue
            if ev.fields is not None:
                replaced[ev.line] = self._ass_event_line(ev, grid)
            else:
                replaced[ev.line] = self._cue_line(ev, grid)
        for st in self.styles:
            if st.dirty:
                replaced[st.line] = st.prefix + ",".join(st.fields)
        for e in self.info:
            if e.dirty:
                replaced[e.line] = e.head + e.value
        out: list[str] = []
        for i, ln in enumerate(self.lines):
            if i in dropped:
                continue
            out.append(replaced.get(i, ln.text))
            out.append(ln.eol)
        return "".join(out)

    def _times(self, ev: Event, precision: int, grid: FrameClock | None) -> tuple[int | None, int | None]:
        g = grid if ev.kind != "Comment" else None
        s = None if ev.start == ev.orig_start else write_rounded(ev.start, precision, g)
        e = None if ev.end == ev.orig_end else write_rounded(ev.end, precision, g)
        if s is not None and e is not None and e < s:
            e = s
        return s, e

    def _ass_event_line(self, ev: Event, grid: FrameClock | None) -> str:
        assert ev.fields is not None
        s, e = self._times(ev, 10, grid)
        fields = list(ev.fields)
        for key, val in (("start", s), ("end", e)):
            if val is not None:
                k = ev.idx[key]
                fields[k] = _replace_core(fields[k], format_ass(val // 10))
        return ev.prefix + ",".join(fields)

    def _cue_line(self, ev: Event, grid: FrameClock | None) -> str:
        s, e = self._times(ev, 1, grid)
        if self.fmt == "srt":
            st = ev.start_tok if s is None else format_srt(s)
            et = ev.end_tok if e is None else format_srt(e)
        else:
            st = ev.start_tok if s is None else format_vtt(s, ev.start_tok.count(":") == 2)
            et = ev.end_tok if e is None else format_vtt(e, ev.end_tok.count(":") == 2)
        return ev.head + st + ev.mid + et + ev.tail

    # ------------------------------------------------------------------ views
    def live_events(self) -> list[Event]:
        return [e for e in self.events if not e.deleted]

    def event_tuples(self) -> list[tuple[str, float, float, str, str]]:
        return [(e.kind, e.start, e.end, e.style, e.text) for e in self.events if not e.deleted]

    def style_names(self) -> list[str]:
        return [s.name for s in self.styles]

    def info_value(self, key: str) -> str | None:
        for e in self.info:
            if e.key.lower() == key.lower():
                return e.value
        return None

    def set_info(self, key: str, value: str) -> bool:
        for e in self.info:
            if e.key.lower() == key.lower():
                if e.value != value:
                    e.value, e.dirty = value, True
                return True
        return False


def _replace_core(field_text: str, new: str) -> str:
    """Replace a field's value, keeping the spaces/tabs around it."""
    core = field_text.strip(WS)
    if not core:
        return new
    lead = len(field_text) - len(field_text.lstrip(WS))
    return field_text[:lead] + new + field_text[lead + len(core):]


def _ascii_digits(s: str) -> bool:
    return s != "" and all("0" <= c <= "9" for c in s)


def parse(data: bytes, fmt: str) -> SubtitleDocument:
    return SubtitleDocument.parse(data, fmt)
