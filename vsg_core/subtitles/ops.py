"""Python reference of the subtitle operations (docs/subtitles.md, "Operations"); the Rust port is
``vsg_core_rs/src/subtitles/ops.rs``. Every operation changes event times or fields in memory only; rounding
happens once when the document is written.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .document import WS, Event, SubtitleDocument
from .errors import SubtitleError

BOUNDARY_MODES = ("start", "midpoint", "majority")


@dataclass(frozen=True)
class Segment:
    """One EDL segment on the source's timeline: from ``start_s`` on, the source's content plays
    ``delay_ms`` (+ ``drift_ms_per_s`` per second since ``start_s``) later in the output."""

    start_s: float
    delay_ms: float
    drift_ms_per_s: float = 0.0


def shift(doc: SubtitleDocument, offset_ms: float) -> int:
    if not math.isfinite(offset_ms):
        raise SubtitleError(f"shift must be finite, got {offset_ms}")
    n = 0
    for ev in doc.live_events():
        ev.start += offset_ms
        ev.end += offset_ms
        n += 1
    return n


def scale(doc: SubtitleDocument, delay_at_0_ms: float, drift_ms_per_s: float) -> int:
    """Tempo change: a source time t plays at ``(t + delay_at_0) / (1 − drift/1000)`` in the output (the
    delay grows by ``drift_ms_per_s`` per second of output time)."""
    factor = 1.0 - drift_ms_per_s / 1000.0
    if not (math.isfinite(delay_at_0_ms) and math.isfinite(factor) and factor > 0):
        raise SubtitleError(f"bad tempo: delay {delay_at_0_ms} ms, drift {drift_ms_per_s} ms/s")
    n = 0
    for ev in doc.live_events():
        ev.start = (ev.start + delay_at_0_ms) / factor
        ev.end = (ev.end + delay_at_0_ms) / factor
        n += 1
    return n


def _seg_index(segs: Sequence[Segment], t_ms: float) -> int:
    k = 0
    for i, s in enumerate(segs):
        if s.start_s * 1000.0 <= t_ms:
            k = i
        else:
            break
    return k


def _offset(seg: Segment, t_ms: float) -> float:
    return seg.delay_ms + seg.drift_ms_per_s * (t_ms / 1000.0 - seg.start_s)


def _majority(segs: Sequence[Segment], start: float, end: float) -> int:
    """The segment holding the largest part of [start, end) (ties: the earlier one)."""
    if not end > start:
        return _seg_index(segs, start)
    best_k, best_len = 0, -math.inf
    for k in range(len(segs)):
        lo = segs[k].start_s * 1000.0 if k > 0 else -math.inf
        hi = segs[k + 1].start_s * 1000.0 if k + 1 < len(segs) else math.inf
        length = min(end, hi) - max(start, lo)
        if length > best_len:
            best_k, best_len = k, length
    return best_k


def apply_edl(doc: SubtitleDocument, segments: Sequence[Segment], mode: str = "start") -> dict[str, int]:
    """Move every event by the delay of the segment it belongs to (chosen by ``mode``: its start, its
    midpoint, or the segment holding most of it). Where a segment's delay is smaller than the previous one's,
    the first ``previous − delay`` ms of that segment are not in the output: events entirely inside are
    dropped, events starting inside start at its end."""
    if mode not in BOUNDARY_MODES:
        raise SubtitleError(f"unknown boundary mode '{mode}': use one of {', '.join(BOUNDARY_MODES)}")
    segs = sorted(segments, key=lambda s: s.start_s)
    if not segs:
        raise SubtitleError("the EDL has no segments")
    for s in segs:
        if not (math.isfinite(s.start_s) and math.isfinite(s.delay_ms) and math.isfinite(s.drift_ms_per_s)):
            raise SubtitleError("the EDL has a segment with a non-finite value")
    removed: list[tuple[float, float]] = [(0.0, 0.0)]
    for k in range(1, len(segs)):
        b = segs[k].start_s * 1000.0
        prev = _offset(segs[k - 1], b)
        cut = prev - segs[k].delay_ms
        removed.append((b, b + cut) if cut > 0 else (b, b))
    moved = dropped = clamped = spanning = 0
    for ev in doc.live_events():
        if mode == "start":
            k = _seg_index(segs, ev.start)
        elif mode == "midpoint":
            k = _seg_index(segs, (ev.start + ev.end) / 2.0)
        else:
            k = _majority(segs, ev.start, ev.end)
        if any(ev.start < s.start_s * 1000.0 < ev.end for s in segs[1:]):
            spanning += 1
        r0, r1 = removed[k]
        if r1 > r0 and ev.start >= r0 and ev.start < r1:
            if ev.end <= r1:
                ev.deleted = True
                dropped += 1
                continue
            ev.start = r1
            clamped += 1
        seg = segs[k]
        ev.start += _offset(seg, ev.start)
        ev.end += _offset(seg, ev.end)
        moved += 1
    return {"moved": moved, "dropped": dropped, "clamped": clamped, "spanning": spanning}


def plain_length(text: str) -> int:
    """Characters a viewer reads: override blocks ``{…}`` and ``\\N \\n \\h`` removed, whitespace not counted."""
    out = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "{":
            j = text.find("}", i)
            if j >= 0:
                i = j + 1
                continue
        if c == "\\" and i + 1 < n and text[i + 1] in "Nnh":
            i += 2
            continue
        if c not in " \t\r\n\u3000":
            out += 1
        i += 1
    return out


def fix_timing(doc: SubtitleDocument, *, overlaps: bool, short: bool, long: bool, min_gap_ms: float = 1.0,
               min_duration_ms: float = 500.0, max_cps: float = 20.0) -> dict[str, int]:
    """Long durations → overlaps → short durations, over dialogue events sorted by start."""
    if not (max_cps > 0 and min_duration_ms >= 0 and min_gap_ms >= 0):
        raise SubtitleError("timing fixes need max_cps > 0, min_duration_ms >= 0 and min_gap_ms >= 0")
    live = [e for e in doc.live_events() if e.kind != "Comment"]
    if not all(math.isfinite(e.start) and math.isfinite(e.end) for e in live):
        raise SubtitleError("timing fixes need finite event times")
    evs: list[Event] = sorted(live, key=lambda e: e.start)
    stats = {"long": 0, "overlaps": 0, "short": 0}
    if long:
        for e in evs:
            n = plain_length(e.text)
            if n > 0:
                ideal = max(n / max_cps * 1000.0 * 1.1, min_duration_ms)
                if e.end - e.start > ideal + 100.0:
                    e.end = e.start + ideal
                    stats["long"] += 1
    if overlaps:
        for a, b in itertools.pairwise(evs):
            if a.end > b.start:
                new = b.start - min_gap_ms
                if new > a.start + 100.0:
                    a.end = new
                    stats["overlaps"] += 1
    if short:
        for i, e in enumerate(evs):
            d = e.end - e.start
            if 0 < d < min_duration_ms:
                new = e.start + min_duration_ms
                if i + 1 < len(evs):
                    new = min(new, evs[i + 1].start - 1.0)
                if new > e.end:
                    e.end = new
                    stats["short"] += 1
    return stats


def _require_ass(doc: SubtitleDocument, what: str) -> None:
    if doc.fmt not in ("ass", "ssa"):
        raise SubtitleError(f"{what} needs an ASS/SSA file, this one is {doc.fmt.upper()}")


def filter_styles(doc: SubtitleDocument, styles: Sequence[str], mode: str = "include") -> dict[str, int]:
    """Keep the events whose style is (``include``) or is not (``exclude``) one of ``styles``."""
    _require_ass(doc, "a style filter")
    if mode not in ("include", "exclude"):
        raise SubtitleError(f"unknown style filter mode '{mode}': use include or exclude")
    wanted = {s.strip(WS) for s in styles}
    kept = removed = 0
    for e in doc.live_events():
        hit = e.style in wanted
        if hit != (mode == "include"):
            e.deleted = True
            removed += 1
        else:
            kept += 1
    return {"kept": kept, "removed": removed}


def _num(text: str | None) -> float | None:
    """A plain decimal number (``[+-]digits[.digits][e[+-]digits]``, spaces/tabs around ignored) or None."""
    if text is None:
        return None
    t = text.strip(WS)
    i, n = 0, len(t)
    if i < n and t[i] in "+-":
        i += 1
    int_digits = frac_digits = 0
    while i < n and "0" <= t[i] <= "9":
        i, int_digits = i + 1, int_digits + 1
    if i < n and t[i] == ".":
        i += 1
        while i < n and "0" <= t[i] <= "9":
            i, frac_digits = i + 1, frac_digits + 1
    if int_digits + frac_digits == 0:
        return None
    if i < n and t[i] in "eE":
        i += 1
        if i < n and t[i] in "+-":
            i += 1
        exp_digits = 0
        while i < n and "0" <= t[i] <= "9":
            i, exp_digits = i + 1, exp_digits + 1
        if exp_digits == 0:
            return None
    if i != n:
        return None
    v = float(t)
    return v if math.isfinite(v) else None


LIMIT = 1e15   # a style/tag number that would reach this is left as it is


def scaled_text(text: str, mul: float, add: float = 0.0) -> str:
    """``text`` as a number × ``mul`` + ``add`` (3 decimals at most), or ``text`` unchanged when it is not a
    plain number or the result is too large."""
    v = _num(text)
    if v is None:
        return text
    r = v * mul + add
    return fmt_num(r) if abs(r) < LIMIT else text


def fmt_num(v: float) -> str:
    """At most 3 decimals, trailing zeros and dot removed (``12.5``, ``3``)."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def multiply_font_size(doc: SubtitleDocument, factor: float) -> int:
    _require_ass(doc, "a font size multiplier")
    if not (math.isfinite(factor) and factor > 0):
        raise SubtitleError(f"font size multiplier must be > 0, got {factor}")
    n = 0
    for st in doc.styles:
        v = _num(st.get("fontsize"))
        if v is not None and abs(v * factor) < LIMIT and st.set("fontsize", str(round(v * factor))):
            n += 1
    return n


def patch_styles(doc: SubtitleDocument, patch: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Set fields (Format names, any case) of the named styles; returns the style names not found."""
    _require_ass(doc, "a style patch")
    missing = []
    for name, fields in patch.items():
        found = False
        for st in doc.styles:
            if st.name == name:
                found = True
                for key, value in fields.items():
                    if not st.set(key.lower(), str(value)):
                        raise SubtitleError(f"style '{name}' has no field '{key}'")
        if not found:
            missing.append(name)
    return missing


_UNIFORM_TAGS = ("fs", "bord", "xbord", "ybord", "shad", "xshad", "yshad", "blur", "fsp")


def _scale_tag_args(name: str, args: list[str], s: float, ox: float, oy: float) -> list[str]:
    sc = scaled_text
    if name in ("pos", "org") and len(args) == 2:
        return [sc(args[0], s, ox), sc(args[1], s, oy)]
    if name == "move" and len(args) in (4, 6):
        return [sc(args[0], s, ox), sc(args[1], s, oy), sc(args[2], s, ox), sc(args[3], s, oy), *args[4:]]
    if name in ("clip", "iclip") and len(args) == 4:
        return [sc(args[0], s, ox), sc(args[1], s, oy), sc(args[2], s, ox), sc(args[3], s, oy)]
    return args


def scale_tags(text: str, s: float, ox: float, oy: float) -> str:
    """Scale the geometry of override tags in ``{…}`` blocks (also inside ``\\t(…)``)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == "{":
            j = text.find("}", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append("{" + _scale_block(text[i + 1:j], s, ox, oy) + "}")
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _is_alpha(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z")


def _scale_block(block: str, s: float, ox: float, oy: float) -> str:
    out: list[str] = []
    i, n = 0, len(block)
    while i < n:
        c = block[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        j = i + 1
        while j < n and _is_alpha(block[j]):
            j += 1
        name = block[i + 1:j]
        out.append(block[i:j])
        i = j
        if i < n and block[i] == "(":
            depth, k = 0, i
            while k < n:
                if block[k] == "(":
                    depth += 1
                elif block[k] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            inner = block[i + 1:k]
            if name == "t":
                out.append("(" + _scale_block(inner, s, ox, oy) + (")" if k < n else ""))
            else:
                out.append("(" + ",".join(_scale_tag_args(name, inner.split(","), s, ox, oy))
                           + (")" if k < n else ""))
            i = k + 1
        elif name in _UNIFORM_TAGS:
            k = i
            if k < n and block[k] in "+-":
                k += 1
            while k < n and (block[k].isascii() and (block[k].isdigit() or block[k] == ".")):
                k += 1
            out.append(scaled_text(block[i:k], s))
            i = k
    return "".join(out)


def rescale(doc: SubtitleDocument, width: int, height: int) -> dict[str, float] | None:
    """Rescale to a new PlayRes keeping the aspect (uniform factor, centred): styles (size, outline,
    shadow, spacing, margins) and override-tag geometry. None when PlayRes is missing, 0 or already equal."""
    _require_ass(doc, "rescaling")
    if width <= 0 or height <= 0:
        raise SubtitleError(f"target size must be positive, got {width}x{height}")
    ws, hs = _num(doc.info_value("PlayResX")), _num(doc.info_value("PlayResY"))
    if not ws or not hs or ws <= 0 or hs <= 0 or (ws == width and hs == height):
        return None
    s = min(width / ws, height / hs)
    ox = (width - math.floor(ws * s + 0.5)) / 2.0
    oy = (height - math.floor(hs * s + 0.5)) / 2.0
    doc.set_info("PlayResX", str(width))
    doc.set_info("PlayResY", str(height))
    for st in doc.styles:
        for key in ("fontsize", "outline", "shadow", "spacing"):
            old = st.get(key)
            if old is not None and _num(old) is not None:
                st.set(key, scaled_text(old, s))
        for key in ("marginl", "marginr", "marginv"):
            v = _num(st.get(key))
            if v is not None and abs(v * s) < LIMIT:
                st.set(key, str(math.floor(v * s + 0.5)))
    for e in doc.live_events():
        if e.fields is not None and "text" in e.idx:
            k = e.idx["text"]
            new = scale_tags(e.fields[k], s, ox, oy)
            if new != e.fields[k]:
                e.fields[k] = new
                e.text = new
                e.dirty = True
    return {"scale": s, "offset_x": ox, "offset_y": oy}


def _srt_text_to_ass(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    simple = {"i": "\\i1", "/i": "\\i0", "b": "\\b1", "/b": "\\b0", "u": "\\u1", "/u": "\\u0", "s": "\\s1",
              "/s": "\\s0", "/font": "\\c"}
    while i < n:
        c = text[i]
        if c == "<":
            j = text.find(">", i)
            if j >= 0:
                tag = text[i + 1:j].strip(WS).lower()
                if tag in simple:
                    out.append("{" + simple[tag] + "}")
                elif tag.startswith("font"):
                    col = _font_colour(tag)
                    if col is not None:
                        out.append("{\\c&H" + col + "&}")
                i = j + 1
                continue
        if c == "\n":
            out.append("\\N")
        elif c != "\r":
            out.append(c)
        i += 1
    return "".join(out)


def _font_colour(tag: str) -> str | None:
    k = tag.find("color")
    if k < 0:
        return None
    rest = tag[k + 5:].lstrip(WS)
    if not rest.startswith("="):
        return None
    rest = rest[1:].strip(WS).strip("\"'")
    if rest.startswith("#"):
        rest = rest[1:]
    hexpart = rest[:6]
    if len(hexpart) != 6 or any(c not in "0123456789abcdef" for c in hexpart):
        return None
    return (hexpart[4:6] + hexpart[2:4] + hexpart[0:2]).upper()


ASS_HEADER = (
    "[Script Info]\n; Script converted by vsg\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n"
    "ScaledBorderAndShadow: yes\n\n[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
    "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
    "MarginR, MarginV, Encoding\n"
    "Style: Default,Arial,16,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1\n"
    "\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)


def srt_to_ass(doc: SubtitleDocument) -> SubtitleDocument:
    """A new ASS document (UTF-8, the source's line ending) with one Default-style dialogue per cue; the
    exact times carry over and are rounded when the new document is written."""
    if doc.fmt not in ("srt", "vtt"):
        raise SubtitleError(f"conversion to ASS needs an SRT or WebVTT file, this one is {doc.fmt.upper()}")
    body = [ASS_HEADER]
    evs = doc.live_events()
    for e in evs:
        body.append("Dialogue: 0,0:00:00.00,0:00:00.00,Default,,0,0,0,," + _srt_text_to_ass(e.text) + "\n")
    text = "".join(body).replace("\n", doc.eol)
    out = SubtitleDocument.parse(text.encode("utf-8"), "ass")
    for new, old in zip(out.events, evs, strict=True):
        new.start, new.end = old.start, old.end
        new.orig_start = new.orig_end = math.nan
    return out
