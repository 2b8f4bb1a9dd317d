//! Reading attribute values out of a resource's `before`/`after` object, honouring the
//! parallel `after_unknown` tree.
//!
//! Terraform omits unknown attributes from `after` and marks them `true` at the same
//! path in `after_unknown`; a `true` higher up covers everything below it. Unset strings
//! appear as `""` in `before` and often `null` in `after`; both read as absent here.

use serde_json::Value;

/// One step into a JSON value: an object key or an array index.
#[derive(Clone, Copy, Debug)]
pub(super) enum Seg<'p> {
    Key(&'p str),
    Idx(usize),
}

/// One side of a resource: its values and (for `after`) what is unknown.
#[derive(Clone, Copy)]
pub(super) struct Side<'v> {
    pub values: &'v Value,
    pub unknown: &'v Value,
}

static NULL: Value = Value::Null;

impl<'v> Side<'v> {
    /// A side whose every value is known.
    pub(super) fn known(values: &'v Value) -> Self {
        Self {
            values,
            unknown: &NULL,
        }
    }

    /// The side one step down.
    pub(super) fn at(self, seg: Seg<'_>) -> Side<'v> {
        Side {
            values: step(self.values, seg),
            unknown: match self.unknown {
                Value::Bool(true) => self.unknown,
                u => step(u, seg),
            },
        }
    }

    /// The side at an object key.
    pub(super) fn key(self, key: &str) -> Side<'v> {
        self.at(Seg::Key(key))
    }

    /// `true` when the value here (or above) is known only after apply.
    pub(super) fn is_unknown(self) -> bool {
        matches!(self.unknown, Value::Bool(true))
    }

    /// A non-empty string value.
    pub(super) fn str(self) -> Option<&'v str> {
        match self.values {
            Value::String(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    /// A string or number rendered as text (protocols arrive both ways).
    pub(super) fn text(self) -> Option<String> {
        match self.values {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// An integer, accepting numeric strings.
    pub(super) fn int(self) -> Option<i64> {
        match self.values {
            #[expect(clippy::cast_possible_truncation, reason = "integral and within ±1e15")]
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                    .map(|f| f as i64)
            }),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A value that is present but is no whole number (`"abc"`, `22.5`, a list): what
    /// it is, for a warning. `None` for numbers, numeric strings, null and unknowns.
    pub(super) fn not_an_int(self) -> Option<String> {
        let blank = matches!(self.values, Value::String(s) if s.trim().is_empty());
        if self.is_unknown() || !self.present() || blank || self.int().is_some() {
            return None;
        }
        Some(self.values.to_string())
    }

    /// A boolean, accepting `"true"`/`"false"`.
    pub(super) fn bool(self) -> Option<bool> {
        match self.values {
            Value::Bool(b) => Some(*b),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// `true` when the value is present and not null.
    pub(super) fn present(self) -> bool {
        !self.values.is_null()
    }

    /// The elements of an array value (empty when absent).
    pub(super) fn items(self) -> impl Iterator<Item = Side<'v>> {
        let len = self.values.as_array().map_or(0, Vec::len);
        (0..len).map(move |i| self.at(Seg::Idx(i)))
    }
}

/// A resource's tags: `tags_all` (provider default tags included) merged with
/// `tags`; values known only after apply are left out.
pub(super) fn tags(values: &Value) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for attr in ["tags_all", "tags"] {
        if let Some(map) = values.get(attr).and_then(Value::as_object) {
            for (k, v) in map {
                if let Some(v) = v.as_str() {
                    out.insert(k.clone(), v.to_owned());
                }
            }
        }
    }
    out
}

fn step<'v>(v: &'v Value, seg: Seg<'_>) -> &'v Value {
    match (v, seg) {
        (Value::Object(o), Seg::Key(k)) => o.get(k).unwrap_or(&NULL),
        (Value::Array(a), Seg::Idx(i)) => a.get(i).unwrap_or(&NULL),
        _ => &NULL,
    }
}

/// A list of strings with, per element, whether it is unknown; `whole_unknown` when
/// the entire list is.
pub(super) struct StrList<'v> {
    pub items: Vec<&'v str>,
    pub unknown_items: usize,
    pub whole_unknown: bool,
}

impl StrList<'_> {
    /// `true` when some part is unknown.
    pub(super) fn any_unknown(&self) -> bool {
        self.whole_unknown || self.unknown_items > 0
    }
}

/// Reads a list of strings (a set or list attribute), noting unknown parts. A single
/// string is read as a one-element list.
pub(super) fn str_list(side: Side<'_>) -> StrList<'_> {
    if side.is_unknown() {
        return StrList {
            items: Vec::new(),
            unknown_items: 0,
            whole_unknown: true,
        };
    }
    let mut items = Vec::new();
    let mut unknown_items = 0;
    match side.values {
        Value::String(s) if !s.is_empty() => items.push(s.as_str()),
        Value::Array(_) => {
            for item in side.items() {
                if item.is_unknown() {
                    unknown_items += 1;
                } else if let Some(s) = item.str() {
                    items.push(s);
                }
            }
        }
        _ => {}
    }
    StrList {
        items,
        unknown_items,
        whole_unknown: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_propagates_down() {
        let values = json!({"ingress": [{"from_port": 22}]});
        let unknown = json!({"ingress": [{"cidr_blocks": true}], "egress": true});
        let side = Side {
            values: &values,
            unknown: &unknown,
        };
        let rule = side.key("ingress").at(Seg::Idx(0));
        assert!(rule.key("cidr_blocks").is_unknown());
        assert!(!rule.key("from_port").is_unknown());
        assert_eq!(rule.key("from_port").int(), Some(22));
        assert!(side.key("egress").at(Seg::Idx(3)).key("x").is_unknown());
    }

    #[test]
    fn empty_strings_are_absent() {
        let values = json!({"cidr_block": "", "ipv6": null, "proto": 6});
        let side = Side::known(&values);
        assert_eq!(side.key("cidr_block").str(), None);
        assert_eq!(side.key("ipv6").str(), None);
        assert_eq!(side.key("proto").text().as_deref(), Some("6"));
    }
}
