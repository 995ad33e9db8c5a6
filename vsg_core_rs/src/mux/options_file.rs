//! The mkvmerge options file (docs/pipeline.md#mkvmerge-options): the tokens as a single-line JSON array with `", "`
//! between elements,
//! non-ASCII characters written raw (UTF-8), JSON escapes for `"` `\` and the control characters
//! U+0000–U+001F (`\b \f \n \r \t`, the rest as `\u00xx` with lower-case hex), no trailing newline, no BOM.
//! This is exactly what Python's `json.dumps(tokens, ensure_ascii=False)` writes (U+007F and U+2028 stay raw).
use std::fmt::Write as _;
use std::path::Path;

/// Appends `s` as a JSON string literal with the escapes described in the module docs.
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The options file text for `tokens`.
pub fn serialise_options<S: AsRef<str>>(tokens: &[S]) -> String {
    let mut out =
        String::with_capacity(2 + tokens.iter().map(|t| t.as_ref().len() + 4).sum::<usize>());
    out.push('[');
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_json_string(&mut out, t.as_ref());
    }
    out.push(']');
    out
}

/// Writes the options file; the error message is `Failed to write mkvmerge options file: <e>`.
pub fn write_options_file<S: AsRef<str>>(tokens: &[S], path: &Path) -> Result<(), String> {
    std::fs::write(path, serialise_options(tokens).as_bytes())
        .map_err(|e| format!("Failed to write mkvmerge options file: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_simple() {
        let none: [&str; 0] = [];
        assert_eq!(serialise_options(&none), "[]");
        assert_eq!(
            serialise_options(&["--sync", "0:+300"]),
            "[\"--sync\", \"0:+300\"]"
        );
    }

    #[test]
    fn escapes_like_python_json_dumps() {
        // Expected text written by hand from the JSON escape rules (json.dumps, ensure_ascii=False).
        let tok = "a\u{0}\u{1f}\u{7f}\u{2028}é😀\"\\\u{8}\u{c}\n\r\t";
        assert_eq!(
            serialise_options(&[tok]),
            "[\"a\\u0000\\u001f\u{7f}\u{2028}é😀\\\"\\\\\\b\\f\\n\\r\\t\"]"
        );
        assert_eq!(serialise_options(&["\u{1b}[0m"]), "[\"\\u001b[0m\"]");
    }

    #[test]
    fn writes_raw_utf8_without_newline() {
        let dir = std::env::temp_dir().join(format!("vsg_mux_opts_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("opts.json");
        write_options_file(&["0:日本語"], &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes, "[\"0:日本語\"]".as_bytes());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn write_error_message() {
        let err =
            write_options_file(&["x"], Path::new("/nonexistent-dir-vsg/opts.json")).unwrap_err();
        assert!(
            err.starts_with("Failed to write mkvmerge options file: "),
            "{err}"
        );
    }
}
