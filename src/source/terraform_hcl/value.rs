//! The values the evaluator computes: Terraform's value model (null, bool, number,
//! string, list/tuple/set, map/object) plus one unknown value, cheap to clone.
//!
//! Sets and tuples are lists (a set is kept sorted and without duplicates); maps and
//! objects are one sorted object type. Not a type checker: values carry no declared type.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::rc::Rc;

use serde_json::{Map, Value as Json};

/// An evaluated value; [`Value::Unknown`] is known only after apply.
#[derive(Clone, Debug)]
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
    List(Rc<List>),
    /// A map or object; `open` objects (resource instances) answer an attribute they
    /// lack with unknown instead of an error.
    Object(Rc<Object>, bool),
    /// Known only after apply.
    Unknown,
}

/// What a collection's constructor learns of it, so that budgets and "wholly known"
/// never walk a value again: values share their parts (`Rc`), so a walk could visit
/// the same large part a million times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    /// The value's size as a plan would write it: characters of its strings (keys
    /// included) plus eight per other element, saturating.
    pub(crate) size: usize,
    /// How deeply collections nest in it (a scalar: 0).
    pub(crate) depth: usize,
    /// No part is unknown.
    pub(crate) known: bool,
}

impl Meta {
    fn of_parts<'v>(parts: impl Iterator<Item = (usize, &'v Value)>) -> Self {
        let mut meta = Self {
            size: SCALAR_SIZE,
            depth: 1,
            known: true,
        };
        for (extra, v) in parts {
            let m = v.meta();
            meta.size = meta.size.saturating_add(extra).saturating_add(m.size);
            meta.depth = meta.depth.max(m.depth + 1);
            meta.known &= m.known;
        }
        meta
    }
}

/// The size [`Meta`] counts for a scalar or a collection's own bookkeeping.
const SCALAR_SIZE: usize = 8;

/// A list's elements, with their [`Meta`].
#[derive(Clone, Debug, Default)]
pub(crate) struct List {
    items: Vec<Value>,
    meta: Meta,
}

impl Deref for List {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

/// An object's attributes, with their [`Meta`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Object {
    map: BTreeMap<String, Value>,
    meta: Meta,
}

impl Deref for Object {
    type Target = BTreeMap<String, Value>;
    fn deref(&self) -> &BTreeMap<String, Value> {
        &self.map
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Null, Self::Null) | (Self::Unknown, Self::Unknown) => true,
            (Self::Bool(a), Self::Bool(b)) => a == b,
            #[allow(clippy::float_cmp)] // Terraform's == on numbers
            (Self::Number(a), Self::Number(b)) => a == b,
            (Self::String(a), Self::String(b)) => a == b,
            // Shared parts are equal without looking (see `Meta`).
            (Self::List(a), Self::List(b)) => Rc::ptr_eq(a, b) || a.items == b.items,
            (Self::Object(a, x), Self::Object(b, y)) => {
                x == y && (Rc::ptr_eq(a, b) || a.map == b.map)
            }
            _ => false,
        }
    }
}

impl Value {
    pub(crate) fn string(s: impl Into<Rc<str>>) -> Self {
        Self::String(s.into())
    }

    pub(crate) fn list(items: Vec<Value>) -> Self {
        let meta = Meta::of_parts(items.iter().map(|v| (0, v)));
        Self::List(Rc::new(List { items, meta }))
    }

    pub(crate) fn object(map: BTreeMap<String, Value>) -> Self {
        Self::Object(Self::object_data(map), false)
    }

    /// An object's shared data (for open objects: `Value::Object(data, true)`).
    pub(crate) fn object_data(map: BTreeMap<String, Value>) -> Rc<Object> {
        let meta = Meta::of_parts(map.iter().map(|(k, v)| (k.len(), v)));
        Rc::new(Object { map, meta })
    }

    /// Size, depth and knownness, without walking the value.
    pub(crate) fn meta(&self) -> Meta {
        match self {
            Self::List(l) => l.meta,
            Self::Object(o, _) => o.meta,
            Self::String(s) => Meta {
                size: s.len().max(SCALAR_SIZE),
                depth: 0,
                known: true,
            },
            Self::Unknown => Meta {
                size: SCALAR_SIZE,
                depth: 0,
                known: false,
            },
            _ => Meta {
                size: SCALAR_SIZE,
                depth: 0,
                known: true,
            },
        }
    }

    pub(crate) fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown)
    }

    /// `true` when no part of the value is unknown.
    pub(crate) fn is_wholly_known(&self) -> bool {
        self.meta().known
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
