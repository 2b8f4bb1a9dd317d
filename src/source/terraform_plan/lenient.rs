//! Reading a resource's JSON values when `serde_json` refuses part of them.
//!
//! JSON allows what `serde_json::Value` cannot hold: numbers beyond ±1.8e308 (`1e400`)
//! and strings with a lone UTF-16 surrogate (`"\ud800"`); a value may also nest deeper
//! than the parser recurses. Terraform never writes these, but a hand-edited or
//! corrupted plan may, and a reader that gives up on the whole resource drops it from
//! the model — a silent "no change". Here each unreadable token becomes an unknown
//! value instead (the readers widen unknowns and mark them possible), and the caller
//! warns with the paths concerned.
//!
//! Only the failure path comes here: valid values are parsed once, strictly.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// What stands in for an unreadable token while the text is parsed again.
const SENTINEL: &str = "\u{0}reachdiff: unreadable value\u{0}";

/// The most nesting read (as `serde_json`'s own limit).
const MAX_DEPTH: usize = crate::limits::NESTING;

/// A value read leniently: what could be read, and what became unknown.
#[derive(Debug, PartialEq)]
pub(super) struct Lenient {
    /// The value with every unreadable token `null`; `Null` when nothing could be read.
    pub value: Value,
    /// `true` at each unreadable token's path (Terraform's `after_unknown` shape), or
    /// `true` for the whole value.
    pub unknown: Value,
    /// What was unreadable and where, for the warning.
    pub problem: String,
}

/// Reads `text` (one JSON value, syntactically valid) that `serde_json` refused.
pub(super) fn parse(text: &str) -> Lenient {
    let whole = |problem: String| Lenient {
        value: Value::Null,
        unknown: Value::Bool(true),
        problem,
    };
    let Some(sanitized) = sanitize(text) else {
        return whole(format!(
            "it nests deeper than {MAX_DEPTH} levels, so none of it can be read"
        ));
    };
    let Ok(mut value) = serde_json::from_str::<Value>(&sanitized) else {
        return whole("it is not valid JSON".into());
    };
    let mut paths = Vec::new();
    let unknown = take_sentinels(&mut value, &mut String::new(), &mut paths);
    let shown: Vec<&str> = paths.iter().take(5).map(String::as_str).collect();
    let more = paths.len().saturating_sub(shown.len());
    let problem = format!(
        "{} at {}{} cannot be read (a number beyond ±1.8e308, or text with a lone UTF-16 surrogate)",
        if paths.len() == 1 {
            "the value"
        } else {
            "values"
        },
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        },
    );
    Lenient {
        value,
        unknown: unknown.unwrap_or(Value::Bool(true)),
        problem,
    }
}

/// `text` with every number `f64` cannot hold and every string with a lone surrogate
/// replaced by [`SENTINEL`] (object keys: the surrogate by U+FFFD, so the key stays);
/// `None` when it nests deeper than [`MAX_DEPTH`].
fn sanitize(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut i = 0;
    let sentinel = serde_json::to_string(SENTINEL).unwrap_or_default();
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i);
                let token = &text[i..end];
                let is_key = text[end..].trim_start().starts_with(':');
                if has_lone_surrogate(token) {
                    if is_key {
                        out.push_str(&replace_lone_surrogates(token));
                    } else {
                        out.push_str(&sentinel);
                    }
                } else {
                    out.push_str(token);
                }
                i = end;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                let token = &text[start..i];
                if token.parse::<f64>().is_ok_and(f64::is_finite) {
                    out.push_str(token);
                } else {
                    out.push_str(&sentinel);
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return None;
                }
                out.push(char::from(bytes[i]));
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                out.push(char::from(bytes[i]));
                i += 1;
            }
            _ => {
                // ASCII structure and whitespace; strings hold everything else.
                let c = text[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Some(out)
}

/// The byte after the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The `\uXXXX` escapes of a string token, with their byte offsets.
fn escapes(token: &str) -> Vec<(usize, u16)> {
    let bytes = token.as_bytes();
    let mut out = Vec::new();
    let mut i = 1;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1] == b'u'
                && let Some(hex) = token.get(i + 2..i + 6)
                && let Ok(u) = u16::from_str_radix(hex, 16)
            {
                out.push((i, u));
                i += 6;
                continue;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// The offsets of lone surrogate escapes in a string token.
fn lone_surrogates(token: &str) -> Vec<usize> {
    let esc = escapes(token);
    let mut lone = Vec::new();
    let mut k = 0;
    while k < esc.len() {
        let (at, u) = esc[k];
        let paired = (0xD800..0xDC00).contains(&u)
            && esc
                .get(k + 1)
                .is_some_and(|&(next, v)| next == at + 6 && (0xDC00..0xE000).contains(&v));
        if paired {
            k += 2;
            continue;
        }
        if (0xD800..0xE000).contains(&u) {
            lone.push(at);
        }
        k += 1;
    }
    lone
}

fn has_lone_surrogate(token: &str) -> bool {
    token.contains("\\u") && !lone_surrogates(token).is_empty()
}

fn replace_lone_surrogates(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut last = 0;
    for at in lone_surrogates(token) {
        out.push_str(&token[last..at]);
        out.push_str("\\ufffd");
        last = at + 6;
    }
    out.push_str(&token[last..]);
    out
}

/// Replaces every sentinel in `v` by `null`, returning the unknown mask (`None` when
/// nothing below is unknown) and collecting the paths.
fn take_sentinels(v: &mut Value, path: &mut String, paths: &mut Vec<String>) -> Option<Value> {
    match v {
        Value::String(s) if s == SENTINEL => {
            *v = Value::Null;
            paths.push(if path.is_empty() {
                "the top".into()
            } else {
                path.clone()
            });
            Some(Value::Bool(true))
        }
        Value::Array(items) => {
            let mut mask = Vec::with_capacity(items.len());
            let mut any = false;
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                let m = take_sentinels(item, path, paths);
                path.truncate(len);
                any |= m.is_some();
                mask.push(m.unwrap_or(Value::Bool(false)));
            }
            any.then_some(Value::Array(mask))
        }
        Value::Object(map) => {
            let mut mask = Map::new();
            for (k, item) in map.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                if let Some(m) = take_sentinels(item, path, paths) {
                    mask.insert(k.clone(), m);
                }
                path.truncate(len);
            }
            (!mask.is_empty()).then_some(Value::Object(mask))
        }
        _ => None,
    }
}

/// `a` and `b` together: unknown where either is (Terraform's `after_unknown` shape).
pub(super) fn merge_unknown(first: Value, second: Value) -> Value {
    match (first, second) {
        (Value::Bool(true), _) | (_, Value::Bool(true)) => Value::Bool(true),
        (Value::Object(mut merged), Value::Object(more)) => {
            for (key, mask) in more {
                let mask = match merged.remove(&key) {
                    Some(old) => merge_unknown(old, mask),
                    None => mask,
                };
                merged.insert(key, mask);
            }
            Value::Object(merged)
        }
        (Value::Array(left), Value::Array(right)) => {
            let len = left.len().max(right.len());
            let (mut left, mut right) = (left.into_iter(), right.into_iter());
            Value::Array(
                (0..len)
                    .map(|_| {
                        merge_unknown(
                            left.next().unwrap_or(Value::Null),
                            right.next().unwrap_or(Value::Null),
                        )
                    })
                    .collect(),
            )
        }
        (Value::Null | Value::Bool(false), other) | (other, Value::Null | Value::Bool(false)) => {
            other
        }
        (kept, _) => kept,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_out_of_range_number_becomes_unknown_at_its_path() {
        let text = r#"{"ingress": [{"from_port": 1e400, "to_port": 22}], "name": "x"}"#;
        assert!(serde_json::from_str::<Value>(text).is_err());
        let l = parse(text);
        assert_eq!(
            l.value,
            json!({"ingress": [{"from_port": null, "to_port": 22}], "name": "x"})
        );
        assert_eq!(l.unknown, json!({"ingress": [{"from_port": true}]}));
        assert!(
            l.problem.contains("the value at ingress[0].from_port"),
            "{}",
            l.problem
        );
    }

    #[test]
    fn a_lone_surrogate_makes_its_string_unknown_and_a_key_keeps_its_name() {
        let text = r#"{"cidr_blocks": ["\ud800", "10.0.0.0/8", "\ud83d\ude00"], "k\udc00": 1}"#;
        assert!(serde_json::from_str::<Value>(text).is_err());
        let l = parse(text);
        assert_eq!(
            l.value,
            json!({"cidr_blocks": [null, "10.0.0.0/8", "\u{1F600}"], "k\u{FFFD}": 1})
        );
        assert_eq!(l.unknown, json!({"cidr_blocks": [true, false, false]}));
    }

    #[test]
    fn too_deep_a_value_is_wholly_unknown() {
        let text = format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200));
        let l = parse(&text);
        assert_eq!(l.value, Value::Null);
        assert_eq!(l.unknown, Value::Bool(true));
        assert!(l.problem.contains("deeper than 128"), "{}", l.problem);
    }

    #[test]
    fn unknown_masks_merge() {
        assert_eq!(
            merge_unknown(
                json!({"a": true, "b": [false, true]}),
                json!({"b": [true], "c": true})
            ),
            json!({"a": true, "b": [true, true], "c": true})
        );
        assert_eq!(
            merge_unknown(Value::Null, json!({"a": true})),
            json!({"a": true})
        );
        assert_eq!(
            merge_unknown(json!({"a": true}), Value::Bool(true)),
            Value::Bool(true)
        );
    }
}
