//! The values the evaluator computes: Terraform's value model (null, bool, number,
//! string, list/tuple/set, map/object) plus one unknown value, cheap to clone.
//!
//! Sets and tuples are lists (a set is kept sorted and without duplicates); maps and
//! objects are one sorted object type. Not a type checker: values carry no declared type.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{Map, Value as Json};

/// An evaluated value; [`Value::Unknown`] is known only after apply.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// `null`.
    Null,
    /// A bool.
    Bool(bool),
    /// A number (Terraform's are arbitrary precision; f64 covers network code).
    Number(f64),
    /// A string.
    String(Rc<str>),
    /// A list, tuple or set.
    List(Rc<Vec<Value>>),
    /// A map or object; `open` objects (resource instances) answer an attribute they
    /// lack with unknown instead of an error.
    Object(Rc<BTreeMap<String, Value>>, bool),
    /// Known only after apply.
    Unknown,
}

impl Value {
    pub(crate) fn string(s: impl Into<Rc<str>>) -> Self {
        Self::String(s.into())
    }

    pub(crate) fn list(v: Vec<Value>) -> Self {
        Self::List(Rc::new(v))
    }

    pub(crate) fn object(m: BTreeMap<String, Value>) -> Self {
        Self::Object(Rc::new(m), false)
    }

    pub(crate) fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown)
    }

    /// `true` when no part of the value is unknown.
    pub(crate) fn is_wholly_known(&self) -> bool {
        match self {
            Self::Unknown => false,
            Self::List(l) => l.iter().all(Self::is_wholly_known),
            Self::Object(m, _) => m.values().all(Self::is_wholly_known),
            _ => true,
        }
    }

    /// A short name of the value's type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::List(_) => "list",
            Self::Object(..) => "object",
            Self::Unknown => "unknown",
        }
    }

    /// The value as Terraform writes it in a plan, unknown parts `null`.
    pub(crate) fn to_json(&self) -> Json {
        match self {
            Self::Null | Self::Unknown => Json::Null,
            Self::Bool(b) => Json::Bool(*b),
            Self::Number(n) => number_json(*n),
            Self::String(s) => Json::String(s.to_string()),
            Self::List(l) => Json::Array(l.iter().map(Self::to_json).collect()),
            Self::Object(m, _) => Json::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// The `after_unknown` mask: `true` at unknown values; known object members omitted,
    /// known list elements `false`; `None` when the value is wholly known.
    pub(crate) fn unknown_mask(&self) -> Option<Json> {
        match self {
            Self::Unknown => Some(Json::Bool(true)),
            Self::List(l) => {
                if l.iter().all(Self::is_wholly_known) {
                    None
                } else {
                    Some(Json::Array(
                        l.iter()
                            .map(|v| v.unknown_mask().unwrap_or(Json::Bool(false)))
                            .collect(),
                    ))
                }
            }
            Self::Object(m, _) => {
                let out: Map<_, _> = m
                    .iter()
                    .filter_map(|(k, v)| v.unknown_mask().map(|m| (k.clone(), m)))
                    .collect();
                (!out.is_empty()).then_some(Json::Object(out))
            }
            _ => None,
        }
    }

    /// A value from JSON (tfvars files, `jsonencode` round trips).
    pub(crate) fn from_json(j: &Json) -> Self {
        match j {
            Json::Null => Self::Null,
            Json::Bool(b) => Self::Bool(*b),
            Json::Number(n) => Self::Number(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Self::string(s.as_str()),
            Json::Array(a) => Self::list(a.iter().map(Self::from_json).collect()),
            Json::Object(o) => Self::object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Self::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// A number as JSON: integral values as integers (as Terraform prints them).
pub(crate) fn number_json(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

/// A number as Terraform writes it into a string.
pub(crate) fn number_string(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        let i = n as i64;
        i.to_string()
    } else {
        n.to_string()
    }
}
