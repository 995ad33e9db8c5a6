"""The shipped type stub (vsg_core_rs/vsg_core_rs.pyi) matches the real compiled module.

Every public name of the module must be declared in the stub and vice versa; functions and methods must
have the same parameter names in the same order; the installed package must carry the stub and py.typed; and
real calls return values of exactly the types the stub declares (functions, properties, fields, methods).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import vsg_core_rs  # a missing extension must fail loudly, not skip

STUB = Path(__file__).resolve().parents[2] / "vsg_core_rs" / "vsg_core_rs.pyi"


def _params(fn: ast.FunctionDef) -> list[str]:
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args]
    if a.vararg:
        names.append("*" + a.vararg.arg)
    names += [x.arg for x in a.kwonlyargs]
    if a.kwarg:
        names.append("**" + a.kwarg.arg)
    return names


def _stub_tree() -> tuple[dict[str, list[str]], dict[str, dict[str, list[str] | None]], set[str]]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    funcs: dict[str, list[str]] = {}
    classes: dict[str, dict[str, list[str] | None]] = {}
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            funcs[node.name] = _params(node)
        elif isinstance(node, ast.ClassDef):
            members: dict[str, list[str] | None] = {}
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    members[item.name] = _params(item)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members[item.target.id] = None
                elif isinstance(item, ast.Assign):
                    for t in item.targets:
                        if isinstance(t, ast.Name):
                            members[t.id] = None
            classes[node.name] = members
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return funcs, classes, names


def _runtime_params(obj: object) -> list[str] | None:
    try:
        sig = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            out.append("*" + p.name)
        elif p.kind is p.VAR_KEYWORD:
            out.append("**" + p.name)
        else:
            out.append(p.name)
    return out


def _public(names: list[str]) -> set[str]:
    return {n for n in names if not n.startswith("_")}


def test_stub_declares_exactly_the_module_names() -> None:
    funcs, classes, names = _stub_tree()
    declared = set(funcs) | set(classes) | {n for n in names if not n.startswith("_")}
    # the package re-exports its native submodule (also named vsg_core_rs); that is not API
    actual = {n for n in _public(dir(vsg_core_rs)) if not inspect.ismodule(getattr(vsg_core_rs, n))}
    assert actual - declared == set(), f"in the module but not in the stub: {sorted(actual - declared)}"
    assert declared - actual == set(), f"in the stub but not in the module: {sorted(declared - actual)}"
    assert "__version__" in names and isinstance(vsg_core_rs.__version__, str)


def test_function_signatures_match() -> None:
    funcs, _, _ = _stub_tree()
    for name, params in funcs.items():
        runtime = _runtime_params(getattr(vsg_core_rs, name))
        assert runtime is not None, f"{name}: the compiled function exposes no signature"
        assert runtime == params, f"{name}: stub parameters {params} != module parameters {runtime}"


def test_class_members_match() -> None:
    _, classes, _ = _stub_tree()
    for cname, members in classes.items():
        cls = getattr(vsg_core_rs, cname)
        actual = _public([n for n in dir(cls) if n not in dir(object)])
        declared = _public(list(members))
        missing = actual - declared
        assert not missing, f"{cname}: members missing from the stub: {sorted(missing)}"
        extra = declared - actual
        assert not extra, f"{cname}: stub declares members the class lacks: {sorted(extra)}"
        for mname, params in members.items():
            if params is None or mname.startswith("__"):
                continue
            runtime = _runtime_params(getattr(cls, mname))
            if runtime is None:  # properties have no signature
                continue
            if params and params[0] in ("self", "cls") and (not runtime or runtime[0] not in ("self", "cls")):
                params = params[1:]
            assert runtime == params, f"{cname}.{mname}: stub {params} != module {runtime}"


def test_installed_package_ships_stub_and_py_typed() -> None:
    pkg_dir = Path(vsg_core_rs.__file__).parent
    stubs = list(pkg_dir.glob("*.pyi"))
    assert stubs, f"no .pyi shipped next to {vsg_core_rs.__file__}"
    assert (pkg_dir / "py.typed").exists(), f"py.typed missing in {pkg_dir}"


# ------------------------------------------------------------------------------------------ result types
# Real calls into the compiled module; every value is checked against the annotation the stub declares, and an
# instance of a result class (RESULT_CLASSES) is checked member by member (they nest classes in lists and dicts).
# Every stub function must have a sample call here.


def _typed_dicts() -> dict[str, ast.ClassDef]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)
            and any(isinstance(b, ast.Name) and b.id == "TypedDict" for b in n.bases)}


def _matches(value: object, node: ast.expr) -> bool:
    """Whether ``value`` has the type the stub annotation ``node`` describes (no coercion: an int is no float)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _matches(value, node.left) or _matches(value, node.right)
    if isinstance(node, ast.Constant) and node.value is None:
        return value is None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # forward reference
        return _matches(value, ast.parse(node.value, mode="eval").body)
    if isinstance(node, ast.Name):
        simple: dict[str, type | tuple[type, ...]] = {"str": str, "float": float, "bytes": bytes, "bool": bool}
        if node.id in ("Any", "object"):
            return True
        if node.id == "None":
            return value is None
        if node.id == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        if node.id in simple:
            return isinstance(value, simple[node.id])
        typed = _typed_dicts().get(node.id)
        if typed is not None:
            fields = {i.target.id: i.annotation for i in typed.body
                      if isinstance(i, ast.AnnAssign) and isinstance(i.target, ast.Name)}
            return (isinstance(value, dict) and set(value) == set(fields)
                    and all(_matches(value[k], a) for k, a in fields.items()))
        cls = getattr(vsg_core_rs, node.id)
        if node.id not in RESULT_CLASSES:  # the other classes are checked member by member below
            return isinstance(value, cls)
        return isinstance(value, cls) and all(_matches(getattr(value, name), ann)
                                              for name, ann in _class_fields(node.id).items())
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "npt.NDArray":
        import numpy as np

        return isinstance(value, np.ndarray) and value.dtype == np.dtype(ast.unparse(node.slice).split(".")[-1])
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        kind = node.value.id
        if kind == "list":
            return isinstance(value, list) and all(_matches(v, args[0]) for v in value)
        if kind == "dict":
            return isinstance(value, dict) and all(_matches(k, args[0]) and _matches(v, args[1])
                                                   for k, v in value.items())
        if kind == "tuple":
            if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
                return isinstance(value, tuple) and all(_matches(v, args[0]) for v in value)
            return isinstance(value, tuple) and len(value) == len(args) and all(
                _matches(v, a) for v, a in zip(value, args, strict=True))
        if kind == "Callable":
            return callable(value)
    raise AssertionError(f"the stub test cannot check the annotation {ast.unparse(node)}; teach _matches it")


def _class_fields(cname: str) -> dict[str, ast.expr]:
    """Annotated fields and properties the stub declares for class ``cname``."""
    node = _stub_nodes()[1][cname]
    out: dict[str, ast.expr] = {}
    for m in node.body:
        if isinstance(m, ast.AnnAssign) and isinstance(m.target, ast.Name):
            out[m.target.id] = m.annotation
        elif (isinstance(m, ast.FunctionDef) and m.returns is not None
              and any(isinstance(d, ast.Name) and d.id == "property" for d in m.decorator_list)):
            out[m.name] = m.returns
    return out


def _stub_nodes() -> tuple[dict[str, ast.FunctionDef], dict[str, ast.ClassDef]]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    return funcs, classes


def _samples(tmp: Path) -> dict[str, tuple]:
    rs = vsg_core_rs
    props = rs.StreamProps("A_AC3", "eng", "Main", 2, 48000)
    item = rs.PlanItem(rs.Track("Source 1", 1, "audio", props, -5), extracted_path=str(tmp / "a.ac3"),
                       is_default=True, source_path=None)
    direct = rs.PlanItem(rs.Track("Source 2", 3, "subtitles", rs.StreamProps("S_TEXT/ASS")),
                         source_path="/src/two.mkv")
    delays = rs.Delays({"Source 2": 120}, {"Source 2": 119.6}, 20, 19.6)
    import numpy as np

    rng = np.random.default_rng(7)
    ref = (rng.standard_normal(2000) * 2**24).astype(np.int32)
    tgt = np.concatenate([ref[:500], np.zeros(20, np.int32), ref[500:]]).astype(np.int32)
    pcm = (rng.standard_normal((1000, 2)) * 2**20).astype(np.int32)
    splice = rs.Splice(0.0, 20.0, 0, 20, 500, 1.9, 495, 505, 500, "low_energy")
    from vsg_core.analysis.drift import DriftConfig
    from vsg_core.analysis.records import ChunkResult

    # two delay steps: clusters, checks and segments are all non-empty; then a clean line (LINEAR_DRIFT: a fit)
    steps = [312.5, 312.4, 312.6, 312.5, 312.5, -1687.5, -1687.4, -1687.6, -1687.5, 812.5, 812.4, 812.6, 812.5]
    stepped = [ChunkResult(i + 1, 10.0 + 15.0 * i, round(r), r, 99.0, True) for i, r in enumerate(steps)]
    drifting = [ChunkResult(i + 1, 10.0 + 15.0 * i, round(3.0 * i), 3.0 * i, 95.0, True) for i in range(12)]
    chunk = rng.standard_normal(4800).astype(np.float32)
    span = rng.standard_normal(10_000).astype(np.float32)
    return {
        # analysis
        "correlate_chunks": ([chunk], [np.roll(chunk, 7)], "gcc_phat"),
        "place_chunks": (48000 * 600, 48000 * 600, 10, 15.0, 5.0, 95.0),
        "peak_confidence": (np.abs(rng.standard_normal(64)), 3),
        "fast_len": (1001,),
        "select_delay": (stepped, "Mode (Most Common)", 3, True, 3, "Source 2"),
        "dbscan_1d": ([1.0, 1.5, 40.0, 41.0, 200.0], 2.0, 2),
        "diagnose_drift": (stepped, DriftConfig().to_dict(), 23.976, 23.976, "A_AC3", 210.0),
        "diagnose_drift#linear": (drifting, DriftConfig().to_dict(), None, None, "A_FLAC", None),
        "format_log_message": ("warning", "text"),
        "timestamp_prefix": (1, 2, 3, "text"),
        "section": ("Mux",),
        "progress_line": (42.0,),
        "tail_block": ("stderr", "a\nb\n", 1),
        "mux_build_options": ([item, direct], delays, True, True, True, None, ["/f.ttf"], str(tmp / "out.mkv")),
        "mux_serialise_options": (["--sync", "0:+5"],),
        "mux_write_options_file": (["--sync", "0:+5"], str(tmp / "opts.json")),
        # vsg clip
        "clip_parse_timestamp": ("1:30",),
        "clip_format_timestamp": (90_500, "hms"),
        "clip_resolve_range": ("1:30", "2:45", None, 600_000),
        "clip_output_name": ("/m/Show.mkv", 90_000, 165_000, []),
        "clip_plan": ("/m/Show.mkv", None, str(tmp), 90_000, 165_000, "copy", "libx264", "aac", "fast", 23, 0, []),
        "clip_progress_fraction": ("out_time_ms=5000000\nprogress=continue\n", 10_000),
        # subtitles and frame math
        "subtitles_shift_bytes": (b"1\n00:00:01,000 --> 00:00:02,000\nHi\n", "srt", 500.0, None),
        "frames_time_to_frame": (1001.0, 24000 / 1001, "floor"),
        "frames_frame_to_time": (24, 24000 / 1001, "middle"),
        "frames_grid_frame_ms": (24000, 1001, 24),
        "frames_grid_frame_of": (24000, 1001, 1001.0),
        "frames_dhash": (bytes(i % 256 for i in range(33 * 32)) * 2, 33, 32),
        "frames_slide_distances": ([[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4]]),
        # audio correction
        "stepping_refine_splice": (ref, tgt, 1000, 0.0, 20.0, 400, 600, 100, 5, 0.02, 20, -40.0, [], True),
        "stepping_build_edl": ([0.0, 20.0], [splice], 2000, 1000),
        "stepping_assembly_plan": ([rs.AudioSegment(0.0, 1.0, 0, 0.0), rs.AudioSegment(1.0, 2.0, 20, 20.0)],
                                   1000, 0.0),
        "stepping_splice_audio": (pcm, [(0, 500, 0), (500, 20, None), (520, 480, 500)], 5),
        # analysis: reach (coarse search)
        "coarse_search": (span, [span[3000:4500].copy()], [(0, 8000)], 5, 1000.0, 20.0, 60.0, 0.1, -60.0),
    }


def test_function_results_have_the_declared_types(tmp_path: Path) -> None:
    funcs, _ = _stub_nodes()
    samples = _samples(tmp_path)
    unsampled = set(funcs) - {s.split("#")[0] for s in samples}
    assert not unsampled, f"stub functions without a sample call in this test: {sorted(unsampled)}"
    for sample, args in samples.items():
        name = sample.split("#")[0]
        value = getattr(vsg_core_rs, name)(*args)
        ann = funcs[name].returns
        assert ann is not None, f"{name}: the stub declares no return type"
        assert _matches(value, ann), f"{name}{args!r} returned {value!r}, not {ast.unparse(ann)}"


# Classes only functions create; test_function_results_have_the_declared_types checks every member of them.
RESULT_CLASSES = {"SelectionResult", "DriftDiagnosis", "DriftCluster", "DriftSegment", "ClusterCheck"}


def test_analysis_results_are_typed_objects(tmp_path: Path) -> None:
    """The analysis results are the stub's classes (not dicts), nested ones included, with real content."""
    samples = _samples(tmp_path)
    d = vsg_core_rs.diagnose_drift(*samples["diagnose_drift"])
    assert isinstance(d, vsg_core_rs.DriftDiagnosis) and d.kind == "STEPPING"
    assert d.clusters and all(isinstance(c, vsg_core_rs.DriftCluster) for c in d.clusters)
    assert list(d.clusters[0].checks) == ["chunks", "percentage", "duration", "match"]
    assert all(isinstance(c, vsg_core_rs.ClusterCheck) for c in d.clusters[0].checks.values())
    assert len(d.segments) == 3 and isinstance(d.segments[0], vsg_core_rs.DriftSegment)
    lin = vsg_core_rs.diagnose_drift(*samples["diagnose_drift#linear"])
    assert lin.kind == "LINEAR_DRIFT" and isinstance(lin.drift_ms_per_s, float) and abs(lin.drift_ms_per_s) > 0.1
    s = vsg_core_rs.select_delay(*samples["select_delay"])
    assert isinstance(s, vsg_core_rs.SelectionResult) and isinstance(s.lines, list)


def test_a_wrong_annotation_fails_the_check(tmp_path: Path) -> None:
    """The checker is not vacuous: a nested field annotated with the wrong type is caught."""
    d = vsg_core_rs.diagnose_drift(*_samples(tmp_path)["diagnose_drift"])
    good = ast.parse("DriftDiagnosis", mode="eval").body
    assert _matches(d, good)
    for wrong in ("list[DriftSegment]", "DriftSegment", "dict[str, object]"):
        assert not _matches(d, ast.parse(wrong, mode="eval").body), wrong
    seg = d.segments[0]
    assert _matches(seg, ast.parse("DriftSegment", mode="eval").body)
    assert not _matches(seg.delay_ms, ast.parse("float", mode="eval").body)  # an int is no float
    check = next(iter(d.clusters[0].checks.values()))
    assert not _matches(check.passed, ast.parse("int", mode="eval").body)


def _instances() -> dict[str, object]:
    rs = vsg_core_rs
    props = rs.StreamProps("A_AAC", "jpn", "Dub", 6, 44100)
    track = rs.Track("Source 2", 4, rs.TrackType.AUDIO, props, 12)
    return {
        "TrackType": rs.TrackType.SUBTITLES, "AnalysisMode": next(iter(_members(rs.AnalysisMode))),
        "SnapMode": next(iter(_members(rs.SnapMode))), "StepStatus": next(iter(_members(rs.StepStatus))),
        "CorrectionVerdict": next(iter(_members(rs.CorrectionVerdict))),
        "DiagnosisKind": next(iter(_members(rs.DiagnosisKind))),
        "StreamProps": props, "Track": track, "Attachment": rs.Attachment(2, "font.ttf", "/tmp/font.ttf"),
        "Delays": rs.Delays({"Source 2": -40}, {"Source 2": -40.25}, 0, 0.0),
        "PlanItem": rs.PlanItem(track, extracted_path="/x.aac", style_patch={"Default": {"Fontsize": 20}},
                                framelocked_stats={"moved": 3}, generated_source_track_id=7, source_path="/s.mkv"),
        "ClipTimestamp": rs.clip_parse_timestamp("PT1M30S"),
        "ClipRange": rs.clip_resolve_range("90", None, "75", None),
        "ClipPlan": rs.clip_plan("/m/Show.mkv", None, "/tmp", 0, 5000, "accurate", "libx264", "aac", "fast", 23,
                                 0, []),
        "SubtitleDocument": rs.SubtitleDocument.parse(SAMPLE_ASS, "ass"),
        "AudioSegment": rs.AudioSegment(0.0, 1.5, 20, 20.25, 0.0),
        "Splice": rs.Splice(0.0, 20.0, 0, 20, 500, 1.9, 495, 505, 500, "low_energy"),
    }


SAMPLE_ASS = (b"[Script Info]\nScriptType: v4.00+\nPlayResX: 640\nPlayResY: 360\n\n[V4+ Styles]\n"
              b"Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
              b"Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
              b"Alignment, MarginL, MarginR, MarginV, Encoding\n"
              b"Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,0,2,"
              b"10,10,10,1\n\n[Events]\n"
              b"Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
              b"Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,Hello\n")


def _members(cls: type) -> list[object]:
    return [getattr(cls, n) for n in dir(cls) if n.isupper() and isinstance(getattr(cls, n), cls)]


def _method_args(cname: str, mname: str, inst: object) -> tuple | None:
    """Arguments for a sample call of a method, or None when the stub test does not call it."""
    if mname in ("to_dict", "to_json"):
        return ()
    if mname == "from_json":
        return (inst.to_json(),)  # type: ignore[attr-defined]
    if mname == "from_dict":
        return (inst.to_dict(),)  # type: ignore[attr-defined]
    if mname == "from_value":
        return (inst.value,)  # type: ignore[attr-defined]
    if mname == "empty":
        return ()
    if mname in ("delay_for", "raw_delay_for"):
        return ("Source 2",)
    return {  # SubtitleDocument (each call on a fresh copy would be cleaner; the order keeps them valid)
        "parse": (SAMPLE_ASS, "ass"), "events": (), "style_names": (), "info_value": ("PlayResX",),
        "shift": (10.0,), "scale": (0.0, 0.0), "apply_edl": ([(0.0, 0.0, 0.0)], "start"),
        "fix_timing": (True, True, True, 1.0, 100.0, 20.0), "filter_styles": (["Default"], "include"),
        "multiply_font_size": (1.0,), "patch_styles": ({"Default": {"Fontsize": "20"}},),
        "rescale": (640, 360), "to_bytes": (None,),
    }.get(mname) if cname == "SubtitleDocument" else None


def test_class_members_have_the_declared_types() -> None:
    _, classes = _stub_nodes()
    instances = _instances()
    typed = _typed_dicts()
    for cname, node in classes.items():
        if cname in typed:
            continue
        if cname not in instances:
            assert cname in RESULT_CLASSES, f"{cname}: no sample instance in this test"
            continue  # result classes: checked member by member through their functions' results
        inst = instances[cname]
        for member in node.body:
            if isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name):
                value = getattr(inst, member.target.id)
                assert _matches(value, member.annotation), \
                    f"{cname}.{member.target.id} = {value!r}, not {ast.unparse(member.annotation)}"
            elif isinstance(member, ast.FunctionDef) and not member.name.startswith("__") and member.returns:
                if any(isinstance(d, ast.Name) and d.id == "property" for d in member.decorator_list):
                    value = getattr(inst, member.name)
                elif cname == "SubtitleDocument" and member.name == "to_ass":
                    srt = b"1\n00:00:01,000 --> 00:00:02,000\nHi\n"
                    value = vsg_core_rs.SubtitleDocument.parse(srt, "srt").to_ass()
                else:
                    args = _method_args(cname, member.name, inst)
                    if args is None:
                        raise AssertionError(f"{cname}.{member.name}: no sample call in this test")
                    value = getattr(inst, member.name)(*args)
                assert _matches(value, member.returns), \
                    f"{cname}.{member.name} gave {value!r}, not {ast.unparse(member.returns)}"
