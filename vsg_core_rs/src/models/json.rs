//! Reading records from decoded JSON (`serde_json::Value`) with the same rules and messages as the Python
//! reference (`vsg_core/models/validation.py`): unknown keys, missing required keys and wrong types are
//! reported naming the record and field, e.g. `Track.id: expected an integer, got string`.
use super::error::{ModelError, ModelResult};
use serde::Serialize;
use serde_json::{Map, Value};

pub const U32_MAX: i128 = u32::MAX as i128;
pub const I32_MIN: i128 = i32::MIN as i128;
pub const I32_MAX: i128 = i32::MAX as i128;
/// Every delay must satisfy |delay| <= 3 600 000 ms (docs/analysis.md#delays).
pub const MAX_DELAY_MS: i64 = 3_600_000;

/// A record that can be written to and read from JSON.
pub trait JsonRecord: Serialize + Sized {
    /// Record name used in messages (`"Track"`).
    const NAME: &'static str;

    /// Reads the record from a decoded JSON value, checking every key and type.
    fn from_value(value: &Value) -> ModelResult<Self>;

    /// Compact UTF-8 JSON (non-ASCII characters are written as they are).
    fn to_json(&self) -> String {
        // Serialising these records cannot fail: all map keys are strings and floats are finite.
        serde_json::to_string(self).expect("record serialisation cannot fail")
    }

    /// Parses strict JSON and reads the record from it.
    fn from_json(text: &str) -> ModelResult<Self> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| ModelError::invalid(format!("{}: invalid JSON: {e}", Self::NAME)))?;
        Self::from_value(&value)
    }
}

/// JSON name of a value's type: object, array, string, integer, number, boolean, null.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `'a', 'b'` — the list format used in every message.
pub fn quoted<I, S>(names: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    names
        .into_iter()
        .map(|n| format!("'{}'", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Formats a float exactly like Python's `repr(float)` (shortest round-trip digits; scientific notation
/// below 1e-4 and from 1e16 on), so messages match the Python reference.
pub fn fmt_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sci = format!("{:e}", x.abs()); // shortest round-trip digits, e.g. "1.2345e3", "1e-5"
    let (mantissa, exp) = sci
        .split_once('e')
        .expect("LowerExp always has an exponent");
    let exp: i32 = exp.parse().expect("LowerExp exponent is an integer");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let body = if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                format!("{digits}{}.0", "0".repeat(int_len - digits.len()))
            } else {
                format!("{}.{}", &digits[..int_len], &digits[int_len..])
            }
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let m = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    };
    if x < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

pub fn expect_str(place: &str, value: &Value) -> ModelResult<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(ModelError::invalid(format!(
            "{place}: expected a string, got {}",
            json_type(other)
        ))),
    }
}

pub fn expect_opt_str(place: &str, value: &Value) -> ModelResult<Option<String>> {
    match value {
        Value::Null => Ok(None),
        other => expect_str(place, other).map(Some),
    }
}

pub fn expect_bool(place: &str, value: &Value) -> ModelResult<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(ModelError::invalid(format!(
            "{place}: expected a boolean, got {}",
            json_type(other)
        ))),
    }
}

/// Any JSON integer (i64 or u64 range) as i128; floats and other types are a type error.
pub fn expect_integer(place: &str, value: &Value) -> ModelResult<i128> {
    if let Value::Number(n) = value {
        if let Some(i) = n.as_i64() {
            return Ok(i128::from(i));
        }
        if let Some(u) = n.as_u64() {
            return Ok(i128::from(u));
        }
    }
    Err(ModelError::invalid(format!(
        "{place}: expected an integer, got {}",
        json_type(value)
    )))
}

/// The range rule shared with the constructors: `lo..=hi`, otherwise a message naming the value.
pub fn check_range(place: &str, value: i128, lo: i128, hi: i128) -> ModelResult<i128> {
    if value < lo || value > hi {
        return Err(ModelError::invalid(format!(
            "{place}: expected an integer in {lo}..={hi}, got {value}"
        )));
    }
    Ok(value)
}

pub fn expect_int(place: &str, value: &Value, lo: i128, hi: i128) -> ModelResult<i128> {
    check_range(place, expect_integer(place, value)?, lo, hi)
}

pub fn expect_opt_int(place: &str, value: &Value, lo: i128, hi: i128) -> ModelResult<Option<i128>> {
    match value {
        Value::Null => Ok(None),
        other => expect_int(place, other, lo, hi).map(Some),
    }
}

/// Any JSON number (integers included) as f64.
pub fn expect_f64(place: &str, value: &Value) -> ModelResult<f64> {
    match value {
        Value::Number(n) => Ok(n.as_f64().expect("serde_json numbers convert to f64")),
        other => Err(ModelError::invalid(format!(
            "{place}: expected a number, got {}",
            json_type(other)
        ))),
    }
}

pub fn expect_str_list(place: &str, value: &Value) -> ModelResult<Vec<String>> {
    let Value::Array(items) = value else {
        return Err(ModelError::invalid(format!(
            "{place}: expected an array of strings, got {}",
            json_type(value)
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| expect_str(&format!("{place}[{i}]"), item))
        .collect()
}

pub fn expect_opt_object(place: &str, value: &Value) -> ModelResult<Option<Map<String, Value>>> {
    match value {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map.clone())),
        other => Err(ModelError::invalid(format!(
            "{place}: expected an object or null, got {}",
            json_type(other)
        ))),
    }
}

/// The keys of one JSON object being read as a record; unknown keys are rejected up front.
pub struct Fields<'a> {
    record: &'static str,
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub fn new(record: &'static str, value: &'a Value, keys: &[&str]) -> ModelResult<Self> {
        let Value::Object(map) = value else {
            return Err(ModelError::invalid(format!(
                "{record}: expected a JSON object, got {}",
                json_type(value)
            )));
        };
        // serde_json's map is ordered by key, so `unknown` is sorted like the Python message.
        let unknown: Vec<&String> = map.keys().filter(|k| !keys.contains(&k.as_str())).collect();
        if !unknown.is_empty() {
            return Err(ModelError::invalid(format!(
                "{record}: unknown key(s) {}; valid keys: {}",
                quoted(unknown),
                quoted(keys)
            )));
        }
        Ok(Fields { record, map })
    }

    /// `"Record.key"`, the place named in messages.
    pub fn place(&self, key: &str) -> String {
        format!("{}.{key}", self.record)
    }

    pub fn required(&self, key: &str) -> ModelResult<&'a Value> {
        self.map.get(key).ok_or_else(|| {
            ModelError::invalid(format!("{}: missing required key '{key}'", self.record))
        })
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// Reads `key` with `read` when present, otherwise returns `default`.
    pub fn read_or<T>(
        &self,
        key: &str,
        default: T,
        read: impl FnOnce(&str, &Value) -> ModelResult<T>,
    ) -> ModelResult<T> {
        match self.map.get(key) {
            Some(v) => read(&self.place(key), v),
            None => Ok(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fmt_float_matches_python_repr() {
        // Expected strings are Python 3.11's repr() of the same floats.
        let cases = [
            (1.0, "1.0"),
            (-100.4, "-100.4"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123456.789, "123456.789"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234567e17, "1.2345678901234566e+17"),
            (3600000.5, "3600000.5"),
            (-0.0, "-0.0"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(fmt_float(x), want, "repr of {x:e}");
        }
    }

    #[test]
    fn fields_reject_unknown_and_missing_keys() {
        let v = json!({"b": 1, "zz": 2, "a": 3});
        let err = Fields::new("Rec", &v, &["a", "b"]).err().unwrap();
        assert_eq!(
            err.message(),
            "Rec: unknown key(s) 'zz'; valid keys: 'a', 'b'"
        );
        let v = json!({"a": 1});
        let f = Fields::new("Rec", &v, &["a", "b"]).unwrap();
        assert_eq!(
            f.required("b").err().unwrap().message(),
            "Rec: missing required key 'b'"
        );
        let err = Fields::new("Rec", &json!([1]), &["a"]).err().unwrap();
        assert_eq!(err.message(), "Rec: expected a JSON object, got array");
    }

    #[test]
    fn integer_reader_distinguishes_types_and_ranges() {
        assert_eq!(expect_int("R.x", &json!(5), 0, 10).unwrap(), 5);
        assert_eq!(
            expect_int("R.x", &json!(5.0), 0, 10)
                .err()
                .unwrap()
                .message(),
            "R.x: expected an integer, got number"
        );
        assert_eq!(
            expect_int("R.x", &json!(-1), 0, 10)
                .err()
                .unwrap()
                .message(),
            "R.x: expected an integer in 0..=10, got -1"
        );
        assert_eq!(
            expect_int("R.x", &json!(u64::MAX), 0, 10)
                .err()
                .unwrap()
                .message(),
            "R.x: expected an integer in 0..=10, got 18446744073709551615"
        );
        assert_eq!(
            expect_int("R.x", &json!(true), 0, 10)
                .err()
                .unwrap()
                .message(),
            "R.x: expected an integer, got boolean"
        );
    }
}
