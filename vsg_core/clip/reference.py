"""Python reference of the clip core (the Rust port is vsg_core_rs/src/clip/; tests/parity/test_clip.py
compares both). Rules are described in docs/clip.md; messages are identical in both implementations."""

from __future__ import annotations

import math

from .types import ClipError, ClipPlan, ClipRange, ClipTimestamp, EncodeSettings

MAX_MS = 100_000 * 3_600_000
FORMS_HINT = ("use HH:MM:SS[.fff], MM:SS[.fff], seconds (90.5), a duration like 1h30m45.5s, or ISO 8601 "
              "like PT1H30M")
_DIGITS = frozenset("0123456789")
_U64 = 2**64  # the Rust port counts in u64: a sum or product at or above this is "too many digits"


def _add(total: int | None, v: int) -> int | None:
    if total is None or total + v >= _U64:
        return None
    return total + v


def _invalid(text: str, reason: str) -> ClipError:
    return ClipError(f"invalid timestamp '{text}': {reason}; {FORMS_HINT}")


def _uint(s: str) -> int | None:
    if not s or len(s) > 12 or not set(s) <= _DIGITS:
        return None
    return int(s)


def _frac_ms(digits: str) -> int | None:
    if not digits or not set(digits) <= _DIGITS:
        return None
    ms = int((digits + "000")[:3])
    if len(digits) > 3 and digits[3] >= "5":
        ms += 1
    return ms


def _decimal_seconds(s: str, comma: bool) -> int | None:
    idx = [i for i, c in enumerate(s) if c == "." or (comma and c == ",")]
    if not idx:
        v = _uint(s)
        return None if v is None else v * 1000
    i = idx[0]
    whole = _uint(s[:i])
    f = _frac_ms(s[i + 1:])
    if whole is None or f is None:
        return None
    return whole * 1000 + f


def _checked(text: str, ms: int | None) -> int:
    if ms is None:
        raise _invalid(text, "a number has too many digits")
    if ms > MAX_MS:
        raise _invalid(text, "it is longer than 100000 hours")
    return ms


def _strip(s: str) -> str:
    # Rust's str::trim removes Unicode White_Space; Python's str.strip also removes a few more (\x1c-\x1f).
    return s.strip(" \t\n\r\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                   "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def parse_timestamp(text: str) -> ClipTimestamp:
    t = _strip(text)
    if not t:
        raise _invalid(text, "it is empty")
    if t.startswith("-"):
        raise _invalid(text, "it is negative")
    if ":" in t:
        return _parse_colon(text, t)
    if t[0] in "Pp":
        return _parse_iso(text, t)
    if set(t) <= _DIGITS | {"."}:
        ms = _decimal_seconds(t, False)
        if ms is None:
            raise _invalid(text, "not a number of seconds")
        return ClipTimestamp(_checked(text, ms), "seconds")
    return _parse_human(text, t)


def _two_digits_below_60(s: str) -> int | None:
    if len(s) != 2:
        return None
    v = _uint(s)
    return v if v is not None and v < 60 else None


def _parse_colon(text: str, t: str) -> ClipTimestamp:
    parts = t.split(":")
    if len(parts) == 2:
        form = "ms"
    elif len(parts) == 3:
        form = "hms"
    else:
        raise _invalid(text, "too many ':' separators")
    sec_part = parts[-1]
    ss, dot, frac = sec_part.partition(".")
    secs = _two_digits_below_60(ss)
    if secs is None:
        raise _invalid(text, "seconds must be two digits from 00 to 59")
    f = 0
    if dot:
        fv = _frac_ms(frac)
        if fv is None:
            raise _invalid(text, "the fraction must be digits")
        f = fv
    if form == "hms":
        h = _uint(parts[0])
        if h is None:
            raise _invalid(text, "hours must be digits")
        m = _two_digits_below_60(parts[1])
        if m is None:
            raise _invalid(text, "minutes must be two digits from 00 to 59")
        total = h * 3_600_000 + m * 60_000 + secs * 1000 + f
    else:
        m2 = _uint(parts[0])
        if m2 is None:
            raise _invalid(text, "minutes must be digits")
        total = m2 * 60_000 + secs * 1000 + f
    return ClipTimestamp(_checked(text, total), form)


def _is_alpha(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _components(t: str) -> list[tuple[str, str]] | None:
    out: list[tuple[str, str]] = []
    i, n = 0, len(t)
    while i < n:
        j = i
        while j < n and (t[j] in _DIGITS or t[j] in ".,"):
            j += 1
        k = j
        while k < n and _is_alpha(t[k]):
            k += 1
        if k == i:
            return None
        out.append((t[i:j], t[j:k]))
        i = k
    return out


def _ascii_lower(s: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in s)


def _ascii_upper(s: str) -> str:
    return "".join(c.upper() if c.isascii() else c for c in s)


def _parse_human(text: str, t: str) -> ClipTimestamp:
    comps = _components(_ascii_lower(t))
    if comps is None:
        raise _invalid(text, "unexpected character")
    order = ("h", "m", "s", "ms")
    scale = (3_600_000, 60_000, 1000, 1)
    nxt = 0
    total = 0
    for num, unit in comps:
        if not num:
            raise _invalid(text, f"missing number before '{unit}'")
        if not unit:
            raise _invalid(text, f"missing unit after '{num}'")
        if unit not in order:
            raise _invalid(text, f"unknown unit '{unit}'")
        idx = order.index(unit)
        if idx < nxt:
            raise _invalid(text, "units must come in the order h, m, s, ms, each at most once")
        nxt = idx + 1
        if unit == "s":
            v = _decimal_seconds(num, False)
            if v is None:
                raise _invalid(text, f"'{num}' is not a number")
        else:
            if "." in num or "," in num:
                raise _invalid(text, "only seconds may have a fraction (write 1h30m, not 1.5h)")
            u = _uint(num)
            if u is None:
                raise _invalid(text, "a number has too many digits")
            v = u * scale[idx]
        total += v
    return ClipTimestamp(_checked(text, total), "human")


def _parse_iso(text: str, t: str) -> ClipTimestamp:
    body = _ascii_upper(t)[1:]
    date, tee, time = body.partition("T")
    total: int | None = 0
    any_part = False
    if date:
        comps = _components(date)
        if comps is None:
            raise _invalid(text, "unexpected character")
        for num, unit in comps:
            if unit != "D" or len(comps) != 1:
                raise _invalid(text, "only days (D) may come before T; years, months and weeks are not supported")
            d = _uint(num)
            if d is None:
                raise _invalid(text, "days must be a whole number")
            total = d * 86_400_000 if d * 86_400_000 < _U64 else None
            any_part = True
    if tee:
        if not time:
            raise _invalid(text, "nothing after T")
        comps = _components(time)
        if comps is None:
            raise _invalid(text, "unexpected character")
        order = ("H", "M", "S")
        scale = (3_600_000, 60_000, 1000)
        nxt = 0
        for num, unit in comps:
            if not num or not unit:
                raise _invalid(text, "each part needs a number and a unit (H, M or S)")
            if unit not in order or order.index(unit) < nxt:
                raise _invalid(text, "after T only H, M and S may follow, in that order, each at most once")
            idx = order.index(unit)
            nxt = idx + 1
            if idx == 2:
                v = _decimal_seconds(num, True)
                if v is None:
                    raise _invalid(text, f"'{num}' is not a number")
            else:
                if "." in num or "," in num:
                    raise _invalid(text, "only seconds may have a fraction")
                u = _uint(num)
                if u is None:
                    raise _invalid(text, "a number has too many digits")
                v = u * scale[idx]
            total = _add(total, v)
            any_part = True
    if not any_part:
        raise _invalid(text, "an ISO 8601 duration needs at least one part, like PT90S")
    return ClipTimestamp(_checked(text, total), "iso")


def _frac3(ms: int) -> str:
    return "" if ms % 1000 == 0 else f".{ms % 1000:03d}"


def _frac_trim(ms: int) -> str:
    s = _frac3(ms)
    return s.rstrip("0") if s else s


def format_timestamp(ms: int, form: str) -> str:
    if form not in ("hms", "ms", "seconds", "human", "iso"):
        raise ClipError(f"unknown timestamp form '{form}'; use one of hms, ms, seconds, human, iso")
    if ms < 0:
        raise ClipError(f"a time cannot be negative ({ms} ms)")
    h, m, s = ms // 3_600_000, (ms // 60_000) % 60, (ms // 1000) % 60
    if form == "hms":
        return f"{h:02d}:{m:02d}:{s:02d}{_frac3(ms)}"
    if form == "ms":
        return f"{ms // 60_000:02d}:{s:02d}{_frac3(ms)}"
    if form == "seconds":
        return f"{ms // 1000}{_frac_trim(ms)}"
    iso = form == "iso"
    out = "PT" if iso else ""
    if h > 0:
        out += f"{h}{'H' if iso else 'h'}"
    if m > 0:
        out += f"{m}{'M' if iso else 'm'}"
    if s > 0 or ms % 1000 != 0 or ms == 0:
        out += f"{s}{_frac_trim(ms)}{'S' if iso else 's'}"
    return out


def seconds_arg(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03d}"


def filename_time(ms: int) -> str:
    return f"{ms // 60_000:02d}-{(ms // 1000) % 60:02d}{_frac_trim(ms)}"


def _hms(ms: int) -> str:
    return format_timestamp(ms, "hms")


def resolve_range(start: str, end: str | None, duration: str | None, media_duration_ms: int | None) -> ClipRange:
    s = parse_timestamp(start).ms
    if end is not None and duration is not None:
        raise ClipError(f"give an end or a duration, not both (end '{end}', duration '{duration}')")
    if end is None and duration is None:
        raise ClipError(f"start '{start}' needs an end or a duration")
    if end is not None:
        e = parse_timestamp(end).ms
        if e <= s:
            raise ClipError(f"end '{end}' ({_hms(e)}) must be after start '{start}' ({_hms(s)})")
    else:
        assert duration is not None
        v = parse_timestamp(duration).ms
        if v == 0:
            raise ClipError(f"duration '{duration}' must be greater than 0")
        e = s + v
    if media_duration_ms is not None:
        if s >= media_duration_ms:
            raise ClipError(f"start '{start}' ({_hms(s)}) is past the end of the input "
                            f"({_hms(media_duration_ms)} long)")
        if e > media_duration_ms:
            what = f"end '{end}'" if end is not None else f"start '{start}' + duration '{duration}'"
            raise ClipError(f"{what} ({_hms(e)}) is past the end of the input ({_hms(media_duration_ms)} long)")
    return ClipRange(s, e)


CONTAINERS = ("mkv", "mp4", "m4v", "mov", "webm", "ts", "m2ts", "avi", "mka")
PRESET_CODECS = ("libx264", "libx265")
CRF_CODECS = ("libx264", "libx265", "libvpx-vp9", "libaom-av1", "libsvtav1")
MAX_CRF = 63
_UNSAFE = set('/\\:*?"<>|')


def _is_control(c: str) -> bool:
    o = ord(c)
    return o < 0x20 or 0x7F <= o < 0xA0


def _stem_and_ext(text: str) -> tuple[str, str]:
    s = text
    if "://" in s:
        cut = [i for i, c in enumerate(s) if c in "?#"]
        if cut:
            s = s[:cut[0]]
    last = max(s.rfind("/"), s.rfind("\\"))
    seg = s[last + 1:]
    dot = seg.rfind(".")
    if dot > 0:
        stem, ext = seg[:dot], _ascii_lower(seg[dot + 1:])
    else:
        stem, ext = seg, ""
    safe = "".join("_" if (_is_control(c) or c in _UNSAFE) else c for c in stem)
    if not _strip(safe):
        safe = "clip"
    return safe, (f".{ext}" if ext in CONTAINERS else ".mkv")


NAME_MAX = 255      # the most bytes a file name may have on the usual file systems
_COUNTER_ROOM = 5   # bytes kept free in an automatic name for the collision counter (_2 … _9999)


def _utf8_len(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


def _fit_stem(stem: str, rest: int) -> str:
    """``stem`` cut on a character boundary so that it and ``rest`` more bytes leave room for the counter within
    NAME_MAX (docs/clip.md#output-names)."""
    room = NAME_MAX - rest - _COUNTER_ROOM
    if _utf8_len(stem) <= room:
        return stem
    used = 0
    for i, c in enumerate(stem):
        used += _utf8_len(c)
        if used > room:
            return stem[:i]
    return stem


def output_name(text: str, rng: ClipRange, taken: list[str] | tuple[str, ...]) -> str:
    stem, ext = _stem_and_ext(text)
    tail = f"_clip_{filename_time(rng.start_ms)}_to_{filename_time(rng.end_ms)}"
    base = _fit_stem(stem, _utf8_len(tail + ext)) + tail
    name = base + ext
    used = set(taken)
    n = 2
    while name in used:
        name = f"{base}_{n}{ext}"
        n += 1
    return name


def _join(directory: str, name: str) -> str:
    if not directory:
        return name
    if directory.endswith(("/", "\\")):
        return directory + name
    return f"{directory}/{name}"


def _simple_word(s: str) -> bool:
    return bool(s) and all((c.isascii() and c.isalnum()) or c in "_-" for c in s)


def plan_clip(text: str, output: str | None, output_dir: str, rng: ClipRange, mode: str,
              settings: EncodeSettings, taken: list[str] | tuple[str, ...]) -> ClipPlan:
    if mode not in ("copy", "accurate"):
        raise ClipError(f"unknown clip mode '{mode}'; use copy or accurate")
    if not _strip(text):
        raise ClipError("the input is empty")
    if rng.end_ms <= rng.start_ms:
        raise ClipError(f"the range {rng.start_ms}..{rng.end_ms} ms is empty")
    st = settings
    if mode == "accurate":
        if not _simple_word(st.video_codec):
            raise ClipError(f"video codec '{st.video_codec}' is not an ffmpeg encoder name")
        if not _simple_word(st.audio_codec):
            raise ClipError(f"audio codec '{st.audio_codec}' is not an ffmpeg encoder name")
        if not _simple_word(st.preset):
            raise ClipError(f"preset '{st.preset}' is not a preset name")
        if not 0 <= st.crf <= MAX_CRF:
            raise ClipError(f"CRF {st.crf} is out of range 0..{MAX_CRF}")
    if output is not None:
        if not _strip(output):
            raise ClipError("the output name is empty")
        out = output
    else:
        out = _join(output_dir, output_name(text, rng, taken))
    args = ["-hide_banner", "-nostdin", "-loglevel", "error",
            "-ss", seconds_arg(rng.start_ms), "-i", text, "-t", seconds_arg(rng.duration_ms),
            "-map", "0:v?", "-map", "0:a?", "-map", "0:s?"]
    if mode == "copy":
        args += ["-c", "copy", "-avoid_negative_ts", "make_zero"]
    else:
        args += ["-c:v", st.video_codec]
        if st.video_codec in PRESET_CODECS:
            args += ["-preset", st.preset]
        if st.video_codec in CRF_CODECS:
            args += ["-crf", str(st.crf)]
        args += ["-c:a", st.audio_codec, "-c:s", "copy", "-avoid_negative_ts", "disabled"]
    if st.max_file_size > 0:
        args += ["-fs", str(st.max_file_size)]
    args += ["-progress", "pipe:1", "-nostats", "-y", out]
    return ClipPlan(out, tuple(args), rng.start_ms, rng.end_ms, mode)


def _clock_us(value: str) -> float | None:
    neg = value.startswith("-")
    v = value[1:] if neg else value
    parts = v.split(":")
    if len(parts) != 3:
        return None
    try:
        h, m, s = (_rust_float(p) for p in parts)
    except ValueError:
        return None
    if not all(math.isfinite(x) for x in (h, m, s)):
        return None
    t = (h * 3600.0 + m * 60.0 + s) * 1e6
    return -t if neg else t


def _rust_float(s: str) -> float:
    """float() restricted to what Rust's f64::from_str accepts (no spaces or underscores)."""
    if not s or not s.isascii() or s != s.strip() or "_" in s:
        raise ValueError(s)
    return float(s)


def _rust_i64(s: str) -> int | None:
    body = s[1:] if s[:1] in "+-" else s
    if not body or not set(body) <= _DIGITS:
        return None
    v = int(s)
    return v if -(2**63) <= v < 2**63 else None


def progress_fraction(text: str, duration_ms: int) -> float | None:
    us: float | None = None
    for raw in _lines(text):
        line = _strip(raw)
        key, eq, value = line.partition("=")
        if not eq:
            continue
        key, value = _strip(key), _strip(value)
        if key == "progress" and value == "end":
            return 1.0
        if key in ("out_time_us", "out_time_ms"):
            iv = _rust_i64(value)
            if iv is not None:
                us = float(iv)
        elif key == "out_time":
            cv = _clock_us(value)
            if cv is not None:
                us = cv
    if us is None or duration_ms == 0:
        return None
    return min(1.0, max(0.0, us / (duration_ms * 1000.0)))


def _lines(text: str) -> list[str]:
    """Rust's str::lines: split on \\n, drop one trailing empty line, strip a \\r before each \\n."""
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]
