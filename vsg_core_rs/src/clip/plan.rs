//! Clip plans: the output name and the ffmpeg arguments of one clip (docs/clip.md, "Plans").
//!
//! Stream copy (`Copy`) seeks the input to the keyframe at or before the start and copies packets, so the
//! clip really begins on that keyframe; `Accurate` decodes from there and re-encodes the video with the
//! configured codec, preset and CRF so the clip starts and ends on the requested frames.
use super::error::{ClipError, ClipErrorKind};
use super::timestamp::{filename_time, seconds_arg};
use super::validate::ClipRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClipMode {
    Copy,
    Accurate,
}

impl ClipMode {
    pub fn name(self) -> &'static str {
        match self {
            ClipMode::Copy => "copy",
            ClipMode::Accurate => "accurate",
        }
    }

    pub fn from_name(name: &str) -> Option<ClipMode> {
        match name {
            "copy" => Some(ClipMode::Copy),
            "accurate" => Some(ClipMode::Accurate),
            _ => None,
        }
    }
}

/// Encoder settings for `Accurate` clips, and the size cap for every clip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeSettings {
    pub video_codec: String,
    pub audio_codec: String,
    pub preset: String,
    pub crf: u32,
    /// ffmpeg `-fs` in bytes; 0 = no limit.
    pub max_file_size: u64,
}

/// One clip to plan. `taken`: file names (not paths) already present in the output folder or given to
/// earlier clips of the same batch; an automatic name never repeats one of them.
#[derive(Clone, Debug)]
pub struct ClipRequest {
    pub input: String,
    pub output: Option<String>,
    pub output_dir: String,
    pub range: ClipRange,
    pub mode: ClipMode,
    pub settings: EncodeSettings,
    pub taken: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClipPlan {
    /// Where the clip goes (the output path given, or output_dir joined with the automatic name).
    pub output: String,
    /// ffmpeg arguments without the program name; the last one is the output path.
    pub args: Vec<String>,
    pub start_ms: u64,
    pub end_ms: u64,
    pub mode: ClipMode,
}

/// Containers a clip keeps when the input has one of them; anything else (URLs without one) gets `.mkv`.
const CONTAINERS: [&str; 9] = [
    "mkv", "mp4", "m4v", "mov", "webm", "ts", "m2ts", "avi", "mka",
];
/// Encoders that understand `-preset` / `-crf`.
const PRESET_CODECS: [&str; 2] = ["libx264", "libx265"];
const CRF_CODECS: [&str; 5] = [
    "libx264",
    "libx265",
    "libvpx-vp9",
    "libaom-av1",
    "libsvtav1",
];
pub const MAX_CRF: u32 = 63;

/// (stem, extension with dot) of the input's last path or URL segment, made safe for a file name.
fn stem_and_ext(input: &str) -> (String, String) {
    let mut s = input;
    if s.contains("://") {
        if let Some(i) = s.find(['?', '#']) {
            s = &s[..i];
        }
    }
    let last = s.rsplit(['/', '\\']).next().unwrap_or("");
    let (stem, ext) = match last.rfind('.') {
        Some(i) if i > 0 => (&last[..i], last[i + 1..].to_ascii_lowercase()),
        _ => (last, String::new()),
    };
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let safe = if safe.trim().is_empty() {
        "clip".to_string()
    } else {
        safe
    };
    let ext = if CONTAINERS.contains(&ext.as_str()) {
        format!(".{}", ext)
    } else {
        ".mkv".to_string()
    };
    (safe, ext)
}

/// The most bytes a file name may have on the usual file systems.
pub const NAME_MAX: usize = 255;
/// Bytes kept free in an automatic name for the collision counter (`_2` … `_9999`).
const COUNTER_ROOM: usize = 5;

/// `stem`, cut on a character boundary so that it and `rest` more bytes leave room for the counter within
/// [`NAME_MAX`] (docs/clip.md#output-names).
fn fit_stem(stem: &str, rest: usize) -> &str {
    let room = NAME_MAX.saturating_sub(rest + COUNTER_ROOM);
    if stem.len() <= room {
        return stem;
    }
    let end = stem
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take_while(|&e| e <= room)
        .last()
        .unwrap_or(0);
    &stem[..end]
}

/// `NAME_clip_01-30_to_02-45.mkv`, or `…_2.mkv`, `…_3.mkv` when a name is taken; NAME is cut so the name
/// stays within [`NAME_MAX`] bytes.
pub fn output_name(input: &str, range: &ClipRange, taken: &[String]) -> String {
    let (stem, ext) = stem_and_ext(input);
    let tail = format!(
        "_clip_{}_to_{}",
        filename_time(range.start_ms),
        filename_time(range.end_ms)
    );
    let base = format!("{}{}", fit_stem(&stem, tail.len() + ext.len()), tail);
    let mut name = format!("{}{}", base, ext);
    let mut n = 2u32;
    while taken.iter().any(|t| t == &name) {
        name = format!("{}_{}{}", base, n, ext);
        n += 1;
    }
    name
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if dir.ends_with('/') || dir.ends_with('\\') {
        format!("{}{}", dir, name)
    } else {
        format!("{}/{}", dir, name)
    }
}

fn request_err(message: String) -> ClipError {
    ClipError::new(ClipErrorKind::InvalidRequest, message)
}

fn simple_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The output path and ffmpeg arguments of one clip.
pub fn plan_clip(req: &ClipRequest) -> Result<ClipPlan, ClipError> {
    if req.input.trim().is_empty() {
        return Err(request_err("the input is empty".to_string()));
    }
    if req.range.end_ms <= req.range.start_ms {
        return Err(request_err(format!(
            "the range {}..{} ms is empty",
            req.range.start_ms, req.range.end_ms
        )));
    }
    let st = &req.settings;
    if req.mode == ClipMode::Accurate {
        if !simple_word(&st.video_codec) {
            return Err(request_err(format!(
                "video codec '{}' is not an ffmpeg encoder name",
                st.video_codec
            )));
        }
        if !simple_word(&st.audio_codec) {
            return Err(request_err(format!(
                "audio codec '{}' is not an ffmpeg encoder name",
                st.audio_codec
            )));
        }
        if !simple_word(&st.preset) {
            return Err(request_err(format!(
                "preset '{}' is not a preset name",
                st.preset
            )));
        }
        if st.crf > MAX_CRF {
            return Err(request_err(format!(
                "CRF {} is out of range 0..{}",
                st.crf, MAX_CRF
            )));
        }
    }
    let output = match &req.output {
        Some(o) if !o.trim().is_empty() => o.clone(),
        Some(_) => return Err(request_err("the output name is empty".to_string())),
        None => join(
            &req.output_dir,
            &output_name(&req.input, &req.range, &req.taken),
        ),
    };
    let mut args: Vec<String> = Vec::new();
    let mut push = |items: &[&str]| args.extend(items.iter().map(|s| s.to_string()));
    push(&["-hide_banner", "-nostdin", "-loglevel", "error"]);
    push(&["-ss", &seconds_arg(req.range.start_ms), "-i", &req.input]);
    push(&["-t", &seconds_arg(req.range.duration_ms())]);
    push(&["-map", "0:v?", "-map", "0:a?", "-map", "0:s?"]);
    match req.mode {
        ClipMode::Copy => push(&["-c", "copy", "-avoid_negative_ts", "make_zero"]),
        ClipMode::Accurate => {
            push(&["-c:v", &st.video_codec]);
            if PRESET_CODECS.contains(&st.video_codec.as_str()) {
                push(&["-preset", &st.preset]);
            }
            if CRF_CODECS.contains(&st.video_codec.as_str()) {
                push(&["-crf", &st.crf.to_string()]);
            }
            // Subtitle events that began before the cut keep earlier timestamps; shifting them to 0
            // (the muxer's default) would start the picture late, so timestamps stay as decoded.
            push(&[
                "-c:a",
                &st.audio_codec,
                "-c:s",
                "copy",
                "-avoid_negative_ts",
                "disabled",
            ]);
        }
    }
    if st.max_file_size > 0 {
        push(&["-fs", &st.max_file_size.to_string()]);
    }
    push(&["-progress", "pipe:1", "-nostats", "-y", &output]);
    Ok(ClipPlan {
        output,
        args,
        start_ms: req.range.start_ms,
        end_ms: req.range.end_ms,
        mode: req.mode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EncodeSettings {
        EncodeSettings {
            video_codec: "libx264".into(),
            audio_codec: "aac".into(),
            preset: "fast".into(),
            crf: 23,
            max_file_size: 0,
        }
    }

    fn req(input: &str, mode: ClipMode) -> ClipRequest {
        ClipRequest {
            input: input.into(),
            output: None,
            output_dir: "out".into(),
            range: ClipRange {
                start_ms: 90_000,
                end_ms: 165_000,
            },
            mode,
            settings: settings(),
            taken: vec![],
        }
    }

    #[test]
    fn names_avoid_collisions() {
        let r = ClipRange {
            start_ms: 90_000,
            end_ms: 165_000,
        };
        assert_eq!(
            output_name("/x/My Film.MKV", &r, &[]),
            "My Film_clip_01-30_to_02-45.mkv"
        );
        let taken = vec![
            "a_clip_01-30_to_02-45.mp4".to_string(),
            "a_clip_01-30_to_02-45_2.mp4".to_string(),
        ];
        assert_eq!(
            output_name("a.mp4", &r, &taken),
            "a_clip_01-30_to_02-45_3.mp4"
        );
        assert_eq!(
            output_name("https://h/v/show.webm?sig=1/2", &r, &[]),
            "show_clip_01-30_to_02-45.webm"
        );
        assert_eq!(
            output_name("https://h/", &r, &[]),
            "clip_clip_01-30_to_02-45.mkv"
        );
        assert_eq!(
            output_name("a:b*c.bin", &r, &[]),
            "a_b_c_clip_01-30_to_02-45.mkv"
        );
    }

    #[test]
    fn long_names_fit_the_file_name_limit() {
        let r = ClipRange {
            start_ms: 90_000,
            end_ms: 165_000,
        };
        let stem = "é".repeat(125) + "x"; // 251 bytes: a 255-byte input name with ".mkv"
        let name = output_name(&format!("/x/{stem}.mkv"), &r, &[]);
        assert!(
            name.len() <= NAME_MAX - COUNTER_ROOM,
            "{} bytes",
            name.len()
        );
        assert!(name.ends_with("_clip_01-30_to_02-45.mkv"));
        assert!(stem.starts_with(name.split("_clip_").next().unwrap()));
        let taken = vec![name.clone()];
        let second = output_name(&format!("/x/{stem}.mkv"), &r, &taken);
        assert!(second.len() <= NAME_MAX && second.ends_with("_2.mkv"));
    }

    #[test]
    fn copy_and_accurate_args() {
        let p = plan_clip(&req("in.mkv", ClipMode::Copy)).unwrap();
        assert_eq!(p.output, "out/in_clip_01-30_to_02-45.mkv");
        let a = p.args.join(" ");
        assert!(a.contains("-ss 90.000 -i in.mkv -t 75.000"), "{a}");
        assert!(a.contains("-c copy -avoid_negative_ts make_zero"), "{a}");
        assert_eq!(p.args.last().unwrap(), &p.output);
        let mut r = req("in.mkv", ClipMode::Accurate);
        r.settings.max_file_size = 1000;
        r.output = Some("x.mkv".into());
        let a = plan_clip(&r).unwrap().args.join(" ");
        assert!(
            a.contains("-c:v libx264 -preset fast -crf 23 -c:a aac -c:s copy -avoid_negative_ts disabled -fs 1000"),
            "{a}"
        );
        let mut r = req("in.mkv", ClipMode::Accurate);
        r.settings.crf = 64;
        assert_eq!(
            plan_clip(&r).unwrap_err().kind,
            ClipErrorKind::InvalidRequest
        );
        r.settings.crf = 20;
        r.settings.preset = "a b".into();
        assert!(plan_clip(&r).unwrap_err().message.contains("'a b'"));
    }
}
