//! Bytes ↔ text, chosen so that an unmodified file is written back byte for byte (see the Python
//! reference `vsg_core/subtitles/textcodec.py`).
use super::{err, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Cp1252,
    Latin1,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le => "utf-16-le",
            Encoding::Utf16Be => "utf-16-be",
            Encoding::Cp1252 => "cp1252",
            Encoding::Latin1 => "latin-1",
        }
    }

    fn bom(self) -> &'static [u8] {
        match self {
            Encoding::Utf8 => b"\xef\xbb\xbf",
            Encoding::Utf16Le => b"\xff\xfe",
            Encoding::Utf16Be => b"\xfe\xff",
            _ => b"",
        }
    }
}

/// Windows-1252 0x80–0x9F (0 = undefined).
const CP1252_HIGH: [u32; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

fn bom_error(enc: Encoding) -> String {
    let up = enc.name().to_uppercase();
    format!("the file starts with a {up} byte-order mark but is not valid {up}")
}

fn utf16(body: &[u8], enc: Encoding) -> Result<String> {
    if body.len() % 2 != 0 {
        return err(bom_error(enc));
    }
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|p| match enc {
            Encoding::Utf16Le => u16::from_le_bytes([p[0], p[1]]),
            _ => u16::from_be_bytes([p[0], p[1]]),
        })
        .collect();
    String::from_utf16(&units).or_else(|_| err(bom_error(enc)))
}

/// (text, encoding, had a BOM).
pub fn decode(data: &[u8]) -> Result<(String, Encoding, bool)> {
    if let Some(body) = data.strip_prefix(Encoding::Utf8.bom()) {
        return match std::str::from_utf8(body) {
            Ok(s) => Ok((s.to_string(), Encoding::Utf8, true)),
            Err(_) => err(bom_error(Encoding::Utf8)),
        };
    }
    if let Some(body) = data.strip_prefix(Encoding::Utf16Le.bom()) {
        return Ok((utf16(body, Encoding::Utf16Le)?, Encoding::Utf16Le, true));
    }
    if let Some(body) = data.strip_prefix(Encoding::Utf16Be.bom()) {
        return Ok((utf16(body, Encoding::Utf16Be)?, Encoding::Utf16Be, true));
    }
    if let Ok(s) = std::str::from_utf8(data) {
        return Ok((s.to_string(), Encoding::Utf8, false));
    }
    let undefined = data
        .iter()
        .any(|b| matches!(b, 0x81 | 0x8d | 0x8f | 0x90 | 0x9d));
    if !undefined {
        let s = data
            .iter()
            .map(|&b| {
                if (0x80..0xa0).contains(&b) {
                    char::from_u32(CP1252_HIGH[(b - 0x80) as usize]).unwrap_or('\u{fffd}')
                } else {
                    b as char
                }
            })
            .collect();
        return Ok((s, Encoding::Cp1252, false));
    }
    Ok((
        data.iter().map(|&b| b as char).collect(),
        Encoding::Latin1,
        false,
    ))
}

fn unencodable(c: char, enc: Encoding) -> String {
    format!(
        "cannot write character U+{:04X} in {}",
        c as u32,
        enc.name()
    )
}

pub fn encode(text: &str, enc: Encoding, bom: bool) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + 3);
    if bom {
        out.extend_from_slice(enc.bom());
    }
    match enc {
        Encoding::Utf8 => out.extend_from_slice(text.as_bytes()),
        Encoding::Utf16Le => text
            .encode_utf16()
            .for_each(|u| out.extend(u.to_le_bytes())),
        Encoding::Utf16Be => text
            .encode_utf16()
            .for_each(|u| out.extend(u.to_be_bytes())),
        Encoding::Latin1 => {
            for c in text.chars() {
                if (c as u32) > 0xff {
                    return err(unencodable(c, enc));
                }
                out.push(c as u32 as u8);
            }
        }
        Encoding::Cp1252 => {
            for c in text.chars() {
                let cp = c as u32;
                if cp < 0x80 || (0xa0..=0xff).contains(&cp) {
                    out.push(cp as u8);
                } else if let Some(k) = CP1252_HIGH.iter().position(|&x| x != 0 && x == cp) {
                    out.push(0x80 + k as u8);
                } else {
                    return err(unencodable(c, enc));
                }
            }
        }
    }
    Ok(out)
}

/// Lines with their own terminator ("\r\n", "\n", "\r" or "" for the last line).
pub fn split_lines(text: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut i, mut start) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push((text[start..i].to_string(), "\n"));
                i += 1;
                start = i;
            }
            b'\r' => {
                if i + 1 < bytes.len() && bytes[i + 1] == b'\n' {
                    out.push((text[start..i].to_string(), "\r\n"));
                    i += 2;
                } else {
                    out.push((text[start..i].to_string(), "\r"));
                    i += 1;
                }
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        out.push((text[start..].to_string(), ""));
    }
    out
}

/// The most common terminator ("\n" when there is none; ties go to the first seen).
pub fn dominant_eol<'a>(eols: impl Iterator<Item = &'a str>) -> &'static str {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for e in eols {
        let key: &'static str = match e {
            "\r\n" => "\r\n",
            "\n" => "\n",
            "\r" => "\r",
            _ => continue,
        };
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 += 1,
            None => counts.push((key, 1)),
        }
    }
    let best = counts.iter().map(|c| c.1).max().unwrap_or(0);
    counts
        .iter()
        .find(|c| c.1 == best)
        .map(|c| c.0)
        .unwrap_or("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_bytes_round_trip() {
        let data: Vec<u8> = (0u8..=255).collect();
        let (text, enc, bom) = decode(&data).unwrap();
        assert_eq!(enc, Encoding::Latin1);
        assert!(!bom);
        assert_eq!(encode(&text, enc, bom).unwrap(), data);
        let cp = b"caf\xe9 \x80 \x93quoted\x94".to_vec();
        let (text, enc, _) = decode(&cp).unwrap();
        assert_eq!(enc, Encoding::Cp1252);
        assert_eq!(text, "café € \u{201c}quoted\u{201d}");
        assert_eq!(encode(&text, enc, false).unwrap(), cp);
    }

    #[test]
    fn utf16_with_bom() {
        let mut data = vec![0xff, 0xfe];
        "Hi\r\n"
            .encode_utf16()
            .for_each(|u| data.extend(u.to_le_bytes()));
        let (text, enc, bom) = decode(&data).unwrap();
        assert_eq!(
            (text.as_str(), enc, bom),
            ("Hi\r\n", Encoding::Utf16Le, true)
        );
        assert_eq!(encode(&text, enc, bom).unwrap(), data);
        assert!(decode(&[0xff, 0xfe, 0x41]).is_err());
    }

    #[test]
    fn lines_keep_terminators() {
        let l = split_lines("a\r\nb\nc\rd");
        assert_eq!(
            l,
            vec![
                ("a".to_string(), "\r\n"),
                ("b".to_string(), "\n"),
                ("c".to_string(), "\r"),
                ("d".to_string(), "")
            ]
        );
        assert_eq!(dominant_eol(l.iter().map(|x| x.1)), "\r\n");
    }
}
