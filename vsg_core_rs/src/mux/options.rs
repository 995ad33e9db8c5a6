//! mkvmerge option tokens from a merge plan (docs/mux.md).
//!
//! A track that needs no processing is read by mkvmerge straight from its source file (`source_path`,
//! track id `track.id`), selected with `--video-tracks`/`--audio-tracks`/`--subtitle-tracks`; the tracks of
//! one source file share one mkvmerge input. A processed track is its own single-track input file
//! (`extracted_path`, track id 0). vsg deviation (upstream quirk): an `External` item without `sync_to`
//! gets the global shift (upstream: 0). Python reference: `vsg_core/mux/options.py`.
use crate::models::{Delays, PlanItem, TrackType};
use std::fmt;

/// The subset of the settings the options builder reads (docs/settings.md#adapters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MuxSettings {
    pub disable_track_statistics_tags: bool,
    /// Default true: `--compression 0:none` on every track.
    pub disable_header_compression: bool,
    pub apply_dialog_norm_gain: bool,
}

impl Default for MuxSettings {
    fn default() -> Self {
        MuxSettings {
            disable_track_statistics_tags: false,
            disable_header_compression: true,
            apply_dialog_norm_gain: false,
        }
    }
}

/// A plan that cannot be turned into options (the message is shown to the user).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MuxError(pub String);

impl fmt::Display for MuxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MuxError {}

fn is_type(item: &PlanItem, t: TrackType) -> bool {
    item.track.track_type == t
}

fn insert_after_last<'a>(list: &mut Vec<&'a PlanItem>, extra: Vec<&'a PlanItem>, t: TrackType) {
    match list.iter().rposition(|it| is_type(it, t)) {
        Some(pos) => {
            let tail = list.split_off(pos + 1);
            list.extend(extra);
            list.extend(tail);
        }
        None => list.extend(extra),
    }
}

/// docs/pipeline.md#mkvmerge-options: non-preserved items in plan order; preserved audio after the last audio item,
/// then preserved
/// subtitles after the last subtitle item (each appended when there is none). Preserved items of other
/// types are not muxed (as upstream; the pipeline never preserves video).
pub fn final_order(items: &[PlanItem]) -> Vec<&PlanItem> {
    let mut out: Vec<&PlanItem> = items.iter().filter(|it| !it.is_preserved).collect();
    let preserved = |t: TrackType| -> Vec<&PlanItem> {
        items
            .iter()
            .filter(|it| it.is_preserved && is_type(it, t))
            .collect()
    };
    insert_after_last(&mut out, preserved(TrackType::Audio), TrackType::Audio);
    insert_after_last(
        &mut out,
        preserved(TrackType::Subtitles),
        TrackType::Subtitles,
    );
    out
}

/// Positions (in final order) that carry the default/forced flags (docs/pipeline.md#mkvmerge-options).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FlagIndices {
    pub first_video: Option<usize>,
    pub default_audio: Option<usize>,
    pub default_sub: Option<usize>,
    pub forced_sub: Option<usize>,
}

impl FlagIndices {
    pub fn is_default(&self, i: usize) -> bool {
        [self.first_video, self.default_audio, self.default_sub].contains(&Some(i))
    }
}

pub fn flag_indices(order: &[&PlanItem]) -> FlagIndices {
    let first = |pred: &dyn Fn(&PlanItem) -> bool| order.iter().position(|it| pred(it));
    FlagIndices {
        first_video: first(&|it| is_type(it, TrackType::Video)),
        default_audio: first(&|it| is_type(it, TrackType::Audio) && it.is_default),
        default_sub: first(&|it| is_type(it, TrackType::Subtitles) && it.is_default),
        forced_sub: first(&|it| is_type(it, TrackType::Subtitles) && it.is_forced_display),
    }
}

/// The `--sync` value (ms) of one item; the first matching rule wins (docs/pipeline.md#mkvmerge-options).
pub fn track_delay(item: &PlanItem, delays: &Delays) -> i64 {
    let shift = i64::from(delays.global_shift_ms());
    let source = item.track.source.as_str();
    let t = item.track.track_type;
    if source == "Source 1" && t == TrackType::Audio {
        return i64::from(item.container_delay_ms) + shift;
    }
    if source == "Source 1" && t == TrackType::Video {
        return shift;
    }
    if t == TrackType::Subtitles && (item.stepping_adjusted || item.frame_adjusted) {
        return 0;
    }
    let key = if source == "External" {
        match item.sync_to.as_deref() {
            // vsg fix: upstream looked up None and used 0.
            None | Some("") => return shift,
            Some(k) => k,
        }
    } else {
        source
    };
    delays
        .source_delays_ms()
        .get(key)
        .map_or(0, |d| i64::from(*d))
}

/// Python's `str.isspace()` set: Unicode White_Space plus U+001C–U+001F (Rust's `char::is_whitespace`
/// lacks those four), so `apply_track_name` treats the same names as blank as the Python reference.
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn is_blank(s: &str) -> bool {
    s.chars().all(py_isspace)
}

fn push(tokens: &mut Vec<String>, option: &str, value: String) {
    tokens.push(option.to_string());
    tokens.push(value);
}

fn dialog_norm_codec(codec_id: &str) -> bool {
    let upper = codec_id.to_uppercase();
    upper.contains("AC3") || upper.contains("EAC3")
}

/// One mkvmerge input file and the final-order positions of the tracks read from it.
struct Input<'a> {
    path: &'a str,
    container: bool,
    members: Vec<usize>,
}

/// The file a plan item is read from: (`source_path`, true) for a direct track, (`extracted_path`, false)
/// for a processed one.
fn input_file(i: usize, item: &PlanItem) -> Result<(&str, bool), MuxError> {
    if let Some(p) = item.source_path.as_deref().filter(|p| !p.is_empty()) {
        return Ok((p, true));
    }
    item.extracted_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| (p, false))
        .ok_or_else(|| {
            MuxError(format!(
                "Plan item at index {i} ('{}') missing extracted_path",
                item.track.props.name
            ))
        })
}

/// The track id of an item inside its input file.
fn input_track_id(item: &PlanItem) -> u32 {
    if item.source_path.as_deref().is_some_and(|p| !p.is_empty()) {
        item.track.id
    } else {
        0
    }
}

/// Groups the items into mkvmerge inputs (in order of first use): the direct tracks of one source file
/// share an input unless the same track is used twice; every extracted file is its own input.
fn group_inputs<'a>(order: &[&'a PlanItem]) -> Result<Vec<Input<'a>>, MuxError> {
    let mut inputs: Vec<Input<'a>> = Vec::new();
    for (i, item) in order.iter().enumerate() {
        let (path, container) = input_file(i, item)?;
        let tid = input_track_id(item);
        let shared = inputs.iter_mut().find(|inp| {
            container
                && inp.container
                && inp.path == path
                && inp.members.iter().all(|&m| input_track_id(order[m]) != tid)
        });
        match shared {
            Some(inp) => inp.members.push(i),
            None => inputs.push(Input {
                path,
                container,
                members: vec![i],
            }),
        }
    }
    Ok(inputs)
}

/// Track selection of a source file read directly: only the planned tracks, none of its attachments,
/// chapters or tags (vsg writes those itself).
fn selection_tokens(tokens: &mut Vec<String>, order: &[&PlanItem], input: &Input<'_>) {
    let kinds = [
        (TrackType::Video, "--video-tracks", "--no-video"),
        (TrackType::Audio, "--audio-tracks", "--no-audio"),
        (TrackType::Subtitles, "--subtitle-tracks", "--no-subtitles"),
    ];
    for (kind, select, none) in kinds {
        let ids: Vec<String> = input
            .members
            .iter()
            .filter(|&&m| is_type(order[m], kind))
            .map(|&m| order[m].track.id.to_string())
            .collect();
        if ids.is_empty() {
            tokens.push(none.to_string());
        } else {
            push(tokens, select, ids.join(","));
        }
    }
    for flag in [
        "--no-attachments",
        "--no-chapters",
        "--no-global-tags",
        "--no-track-tags",
    ] {
        tokens.push(flag.to_string());
    }
}

/// The per-track options of the item at final position `i`, read as track `tid` of its input.
fn track_tokens(
    tokens: &mut Vec<String>,
    i: usize,
    item: &PlanItem,
    container: bool,
    delays: &Delays,
    flags: &FlagIndices,
    settings: &MuxSettings,
) {
    let tid = input_track_id(item);
    let props = &item.track.props;
    let lang = [item.custom_lang.as_str(), props.lang.as_str()]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or("und");
    push(tokens, "--language", format!("{tid}:{lang}"));
    if !item.custom_name.is_empty() {
        push(
            tokens,
            "--track-name",
            format!("{tid}:{}", item.custom_name),
        );
    } else if item.apply_track_name && !is_blank(&props.name) {
        push(tokens, "--track-name", format!("{tid}:{}", props.name));
    } else if container {
        // An extracted stream has no name; a track read from its source keeps none either.
        push(tokens, "--track-name", format!("{tid}:"));
    }
    // A track read from its source keeps its container delay, which the extracted stream lost.
    let own = if container {
        i64::from(item.track.container_delay_ms)
    } else {
        0
    };
    push(
        tokens,
        "--sync",
        format!("{tid}:{:+}", track_delay(item, delays) - own),
    );
    let default = if flags.is_default(i) { "yes" } else { "no" };
    push(tokens, "--default-track-flag", format!("{tid}:{default}"));
    if flags.forced_sub == Some(i) {
        push(tokens, "--forced-display-flag", format!("{tid}:yes"));
    } else if container {
        push(tokens, "--forced-display-flag", format!("{tid}:no"));
    }
    if settings.disable_header_compression {
        push(tokens, "--compression", format!("{tid}:none"));
    }
    if settings.apply_dialog_norm_gain
        && is_type(item, TrackType::Audio)
        && dialog_norm_codec(&props.codec_id)
    {
        push(
            tokens,
            "--remove-dialog-normalization-gain",
            tid.to_string(),
        );
    }
    if is_type(item, TrackType::Video) {
        if let Some(ar) = item.aspect_ratio.as_deref().filter(|a| !a.is_empty()) {
            push(tokens, "--aspect-ratio", format!("{tid}:{ar}"));
        }
    }
}

/// The complete token list. `output`, when given, is prepended as `--output <path>`
/// (docs/pipeline.md#mkvmerge-options).
pub fn build_options(
    items: &[PlanItem],
    delays: &Delays,
    settings: &MuxSettings,
    chapters_xml: Option<&str>,
    attachments: &[String],
    output: Option<&str>,
) -> Result<Vec<String>, MuxError> {
    let order = final_order(items);
    let flags = flag_indices(&order);
    let inputs = group_inputs(&order)?;
    let mut tokens: Vec<String> = Vec::new();
    if let Some(out) = output.filter(|o| !o.is_empty()) {
        push(&mut tokens, "--output", out.to_string());
    }
    if let Some(ch) = chapters_xml.filter(|c| !c.is_empty()) {
        push(&mut tokens, "--chapters", ch.to_string());
    }
    if settings.disable_track_statistics_tags {
        tokens.push("--disable-track-statistics-tags".to_string());
    }
    let mut position = vec![(0usize, 0u32); order.len()];
    for (n, input) in inputs.iter().enumerate() {
        if input.container {
            selection_tokens(&mut tokens, &order, input);
        }
        for &i in &input.members {
            track_tokens(
                &mut tokens,
                i,
                order[i],
                input.container,
                delays,
                &flags,
                settings,
            );
            position[i] = (n, input_track_id(order[i]));
        }
        tokens.push("(".to_string());
        tokens.push(input.path.to_string());
        tokens.push(")".to_string());
    }
    for a in attachments {
        push(&mut tokens, "--attach-file", a.clone());
    }
    if !order.is_empty() {
        let track_order = position
            .iter()
            .map(|(n, tid)| format!("{n}:{tid}"))
            .collect::<Vec<_>>()
            .join(",");
        push(&mut tokens, "--track-order", track_order);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{StreamProps, Track};
    use std::collections::BTreeMap;

    fn item(source: &str, id: u32, t: TrackType, codec: &str, lang: &str, path: &str) -> PlanItem {
        let mut props = StreamProps::new(codec);
        props.lang = lang.to_string();
        let mut it = PlanItem::new(Track::new(source, id, t, props));
        it.extracted_path = Some(path.to_string());
        it
    }

    fn delays(map: &[(&str, i32)], shift: i32) -> Delays {
        let rounded: BTreeMap<String, i64> = map
            .iter()
            .map(|(k, v)| (k.to_string(), i64::from(*v)))
            .collect();
        let raw: BTreeMap<String, f64> = map
            .iter()
            .map(|(k, v)| (k.to_string(), f64::from(*v)))
            .collect();
        Delays::new(rounded, raw, i64::from(shift), f64::from(shift)).unwrap()
    }

    /// The worked example of docs/pipeline.md#mkvmerge-options; the expected tokens are copied from it.
    #[test]
    fn worked_example_8_6() {
        let w = "/w/temp_work/orch_Movie_1700000000";
        let mut v = item(
            "Source 1",
            0,
            TrackType::Video,
            "V_MPEG4/ISO/AVC",
            "jpn",
            &format!("{w}/Source_1_track_Movie_0.h264"),
        );
        v.aspect_ratio = Some("16:9".into());
        let mut a1 = item(
            "Source 1",
            1,
            TrackType::Audio,
            "A_AC3",
            "jpn",
            &format!("{w}/Source_1_track_Movie_1.ac3"),
        );
        a1.container_delay_ms = -42;
        let mut a2 = item(
            "Source 2",
            1,
            TrackType::Audio,
            "A_EAC3",
            "eng",
            &format!("{w}/Source_2_track_Movie_1.eac3"),
        );
        a2.track.props.name = "English 5.1".into();
        a2.is_default = true;
        a2.apply_track_name = true;
        let mut s2 = item(
            "Source 2",
            3,
            TrackType::Subtitles,
            "S_TEXT/ASS",
            "eng",
            &format!("{w}/Source_2_track_Movie_3.ass"),
        );
        s2.is_default = true;
        s2.is_forced_display = true;
        let mut ext = item(
            "External",
            0,
            TrackType::Subtitles,
            "S_TEXT/ASS",
            "eng",
            &format!("{w}/signs.ass"),
        );
        ext.custom_name = "Signs".into();
        ext.sync_to = Some("Source 1".into());
        let d = delays(&[("Source 1", 300), ("Source 2", 0)], 300);
        let tokens = build_options(
            &[v, a1, a2, s2, ext],
            &d,
            &MuxSettings::default(),
            Some(&format!("{w}/Movie_chapters_modified.xml")),
            &[format!("{w}/Source 1_att_1_Font.ttf")],
            Some(&format!("{w}/temp_Movie.mkv")),
        )
        .unwrap();
        let expected = r#"["--output", "/w/temp_work/orch_Movie_1700000000/temp_Movie.mkv", "--chapters", "/w/temp_work/orch_Movie_1700000000/Movie_chapters_modified.xml", "--language", "0:jpn", "--sync", "0:+300", "--default-track-flag", "0:yes", "--compression", "0:none", "--aspect-ratio", "0:16:9", "(", "/w/temp_work/orch_Movie_1700000000/Source_1_track_Movie_0.h264", ")", "--language", "0:jpn", "--sync", "0:+258", "--default-track-flag", "0:no", "--compression", "0:none", "(", "/w/temp_work/orch_Movie_1700000000/Source_1_track_Movie_1.ac3", ")", "--language", "0:eng", "--track-name", "0:English 5.1", "--sync", "0:+0", "--default-track-flag", "0:yes", "--compression", "0:none", "(", "/w/temp_work/orch_Movie_1700000000/Source_2_track_Movie_1.eac3", ")", "--language", "0:eng", "--sync", "0:+0", "--default-track-flag", "0:yes", "--forced-display-flag", "0:yes", "--compression", "0:none", "(", "/w/temp_work/orch_Movie_1700000000/Source_2_track_Movie_3.ass", ")", "--language", "0:eng", "--track-name", "0:Signs", "--sync", "0:+300", "--default-track-flag", "0:no", "--compression", "0:none", "(", "/w/temp_work/orch_Movie_1700000000/signs.ass", ")", "--attach-file", "/w/temp_work/orch_Movie_1700000000/Source 1_att_1_Font.ttf", "--track-order", "0:0,1:0,2:0,3:0,4:0"]"#;
        assert_eq!(super::super::serialise_options(&tokens), expected);
    }

    #[test]
    fn preserved_items_follow_their_type() {
        let mut pa = item("Source 2", 1, TrackType::Audio, "A_AAC", "eng", "/pa");
        pa.is_preserved = true;
        let mut ps = item(
            "Source 2",
            2,
            TrackType::Subtitles,
            "S_TEXT/UTF8",
            "eng",
            "/ps",
        );
        ps.is_preserved = true;
        let v = item(
            "Source 1",
            0,
            TrackType::Video,
            "V_MPEG4/ISO/AVC",
            "und",
            "/v",
        );
        let a = item("Source 1", 1, TrackType::Audio, "A_FLAC", "und", "/a");
        let s = item(
            "Source 1",
            2,
            TrackType::Subtitles,
            "S_TEXT/ASS",
            "und",
            "/s",
        );
        let plan = vec![pa, ps, v, a, s.clone()];
        let order: Vec<_> = final_order(&plan)
            .iter()
            .map(|it| it.extracted_path.clone().unwrap())
            .collect();
        assert_eq!(order, ["/v", "/a", "/pa", "/s", "/ps"]);
        // No subtitle among the non-preserved items: preserved subtitles are appended.
        let mut ps2 = item(
            "Source 2",
            2,
            TrackType::Subtitles,
            "S_TEXT/UTF8",
            "eng",
            "/ps",
        );
        ps2.is_preserved = true;
        let plan = vec![ps2, item("Source 1", 0, TrackType::Video, "V", "und", "/v")];
        let order: Vec<_> = final_order(&plan)
            .iter()
            .map(|it| it.extracted_path.clone().unwrap())
            .collect();
        assert_eq!(order, ["/v", "/ps"]);
    }

    #[test]
    fn delay_rules() {
        let d = delays(&[("Source 1", 300), ("Source 2", -1002)], 300);
        let mut a = item("Source 1", 1, TrackType::Audio, "A_AC3", "und", "/a");
        a.container_delay_ms = -42;
        assert_eq!(track_delay(&a, &d), 258);
        let mut v = item("Source 1", 0, TrackType::Video, "V", "und", "/v");
        v.container_delay_ms = 99;
        assert_eq!(track_delay(&v, &d), 300);
        let mut s = item("Source 2", 3, TrackType::Subtitles, "S", "und", "/s");
        assert_eq!(track_delay(&s, &d), -1002);
        s.stepping_adjusted = true;
        assert_eq!(track_delay(&s, &d), 0);
        s.stepping_adjusted = false;
        s.frame_adjusted = true;
        assert_eq!(track_delay(&s, &d), 0);
        let mut ext = item("External", 0, TrackType::Subtitles, "S", "und", "/e");
        assert_eq!(
            track_delay(&ext, &d),
            300,
            "External without sync_to gets the global shift"
        );
        ext.sync_to = Some("Source 2".into());
        assert_eq!(track_delay(&ext, &d), -1002);
        ext.sync_to = Some("Source 9".into());
        assert_eq!(track_delay(&ext, &d), 0);
        let a3 = item("Source 3", 1, TrackType::Audio, "A", "und", "/a3");
        assert_eq!(track_delay(&a3, &d), 0);
    }

    #[test]
    fn flags_names_and_missing_path() {
        let d = delays(&[], 0);
        let mut s1 = item("Source 1", 2, TrackType::Subtitles, "S", "", "/s1");
        s1.apply_track_name = true;
        s1.track.props.name = " \u{1c}\u{3000}".into(); // blank for Python's str.strip()
        let mut s2 = item("Source 1", 3, TrackType::Subtitles, "S", "", "/s2");
        s2.is_default = true;
        s2.is_forced_display = true;
        s2.custom_lang = "fre".into();
        s2.apply_track_name = true;
        s2.track.props.name = " Signs ".into();
        let mut a = item("Source 1", 1, TrackType::Audio, "a_eac3", "und", "/a");
        a.is_default = false;
        let settings = MuxSettings {
            disable_track_statistics_tags: true,
            disable_header_compression: false,
            apply_dialog_norm_gain: true,
        };
        let t = build_options(&[s1, s2, a], &d, &settings, None, &[], None).unwrap();
        let expected: Vec<&str> = vec![
            "--disable-track-statistics-tags",
            "--language",
            "0:und",
            "--sync",
            "0:+0",
            "--default-track-flag",
            "0:no",
            "(",
            "/s1",
            ")",
            "--language",
            "0:fre",
            "--track-name",
            "0: Signs ",
            "--sync",
            "0:+0",
            "--default-track-flag",
            "0:yes",
            "--forced-display-flag",
            "0:yes",
            "(",
            "/s2",
            ")",
            "--language",
            "0:und",
            "--sync",
            "0:+0",
            "--default-track-flag",
            "0:no",
            "--remove-dialog-normalization-gain",
            "0",
            "(",
            "/a",
            ")",
            "--track-order",
            "0:0,1:0,2:0",
        ];
        assert_eq!(t, expected);
        let mut bad = item("Source 1", 1, TrackType::Audio, "A", "und", "");
        bad.track.props.name = "Main".into();
        let err = build_options(&[bad], &d, &MuxSettings::default(), None, &[], None).unwrap_err();
        assert_eq!(
            err.0,
            "Plan item at index 0 ('Main') missing extracted_path"
        );
        let none = build_options(&[], &d, &MuxSettings::default(), None, &[], None).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn direct_tracks_share_their_source_input() {
        let d = delays(&[("Source 2", 500)], 100);
        let direct = |id: u32, t: TrackType, cdelay: i32| {
            let mut it = item("Source 1", id, t, "C", "eng", "");
            it.extracted_path = None;
            it.source_path = Some("/src/one.mkv".into());
            it.track.container_delay_ms = cdelay;
            it
        };
        let mut v = direct(0, TrackType::Video, 10);
        v.is_default = true;
        let a2 = item("Source 2", 1, TrackType::Audio, "A", "jpn", "/tmp/a2.flac");
        let mut a1 = direct(1, TrackType::Audio, 30);
        a1.container_delay_ms = 20; // relative to the video
        a1.is_default = true;
        let settings = MuxSettings {
            disable_header_compression: false,
            ..MuxSettings::default()
        };
        let t = build_options(&[v, a2, a1], &d, &settings, None, &[], None).unwrap();
        let expected: Vec<&str> = vec![
            "--video-tracks",
            "0",
            "--audio-tracks",
            "1",
            "--no-subtitles",
            "--no-attachments",
            "--no-chapters",
            "--no-global-tags",
            "--no-track-tags",
            "--language",
            "0:eng",
            "--track-name",
            "0:",
            "--sync",
            "0:+90",
            "--default-track-flag",
            "0:yes",
            "--forced-display-flag",
            "0:no",
            "--language",
            "1:eng",
            "--track-name",
            "1:",
            "--sync",
            "1:+90",
            "--default-track-flag",
            "1:yes",
            "--forced-display-flag",
            "1:no",
            "(",
            "/src/one.mkv",
            ")",
            "--language",
            "0:jpn",
            "--sync",
            "0:+500",
            "--default-track-flag",
            "0:no",
            "(",
            "/tmp/a2.flac",
            ")",
            "--track-order",
            "0:0,1:0,0:1",
        ];
        assert_eq!(t, expected);
    }
}
