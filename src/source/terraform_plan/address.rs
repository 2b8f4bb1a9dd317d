//! Terraform resource addresses and reference traversals.
//!
//! `module.net["a"].aws_security_group.web[0]` and `module.sg.security_group_id` share
//! one grammar: dot-separated names, each optionally followed by an index in brackets
//! (a number or a JSON string). This module parses it; it knows nothing of plans.

use std::fmt;

/// A `count` or `for_each` index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// `[0]`
    Int(i64),
    /// `["name"]`
    Str(String),
    /// `[*]`: the instance standing for instances not known before apply (a deferred
    /// change).
    Any,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(i) => write!(f, "[{i}]"),
            Self::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
            Self::Any => f.write_str("[*]"),
        }
    }
}

/// One step of a traversal: a name and an optional index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub name: String,
    pub key: Option<Key>,
}

/// Splits `a.b["x.y"][0].c` into steps; `None` when the text is not a traversal.
pub(crate) fn parse_steps(text: &str) -> Option<Vec<Step>> {
    let bytes = text.as_bytes();
    let mut steps: Vec<Step> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
            i += 1;
        }
        if i == start {
            return None;
        }
        let name = text[start..i].to_owned();
        let mut key = None;
        if i < bytes.len() && bytes[i] == b'[' {
            let close = find_close(text, i)?;
            let inner = &text[i + 1..close];
            key = Some(if let Ok(n) = inner.parse::<i64>() {
                Key::Int(n)
            } else if inner == "*" {
                Key::Any
            } else {
                Key::Str(serde_json::from_str::<String>(inner).ok()?)
            });
            i = close + 1;
            // A second index (`[0][1]`) is not part of an address.
            if i < bytes.len() && bytes[i] == b'[' {
                return None;
            }
        }
        steps.push(Step { name, key });
        if i < bytes.len() {
            if bytes[i] != b'.' {
                return None;
            }
            i += 1;
            if i == bytes.len() {
                return None;
            }
        }
    }
    (!steps.is_empty()).then_some(steps)
}

/// The index of the `]` closing the `[` at `open`, skipping quoted strings.
fn find_close(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = open + 1;
    let mut in_str = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b']' if !in_str => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// A parsed resource instance address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Address {
    /// Module instances from the root: `module.a[0].module.b` → `[("a", 0), ("b", -)]`.
    pub modules: Vec<(String, Option<Key>)>,
    /// `true` for `data.` resources.
    pub data: bool,
    /// Resource type.
    pub kind: String,
    /// Resource name.
    pub name: String,
    /// `count`/`for_each` index.
    pub index: Option<Key>,
}

impl Address {
    /// Parses a full resource instance address; `None` when it is not one.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let steps = parse_steps(text)?;
        let mut modules = Vec::new();
        let mut i = 0;
        while i + 1 < steps.len() && steps[i].name == "module" && steps[i].key.is_none() {
            let m = &steps[i + 1];
            modules.push((m.name.clone(), m.key.clone()));
            i += 2;
        }
        let rest = &steps[i..];
        let (data, rest) = match rest.first() {
            Some(s) if s.name == "data" && s.key.is_none() => (true, &rest[1..]),
            _ => (false, rest),
        };
        match rest {
            [t, n] if t.key.is_none() => Some(Self {
                modules,
                data,
                kind: t.name.clone(),
                name: n.name.clone(),
                index: n.key.clone(),
            }),
            _ => None,
        }
    }

    /// The module path by name only (`["a", "b"]`), which is how `configuration` nests.
    pub(crate) fn module_names(&self) -> Vec<&str> {
        self.modules.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The address of the resource block inside its module (`aws_security_group.web`,
    /// `data.aws_vpc.main`), as `configuration` writes it.
    pub(crate) fn config_address(&self) -> String {
        if self.data {
            format!("data.{}.{}", self.kind, self.name)
        } else {
            format!("{}.{}", self.kind, self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_and_index_addresses_parse() {
        let a = Address::parse(r#"module.net["a.b"].module.sg[0].aws_security_group.web["x"]"#)
            .unwrap();
        assert_eq!(
            a.modules,
            vec![
                ("net".to_owned(), Some(Key::Str("a.b".into()))),
                ("sg".to_owned(), Some(Key::Int(0)))
            ]
        );
        assert_eq!(
            (a.kind.as_str(), a.name.as_str()),
            ("aws_security_group", "web")
        );
        assert_eq!(a.index, Some(Key::Str("x".into())));
        assert_eq!(a.config_address(), "aws_security_group.web");
        let a = Address::parse("module.m[*].aws_security_group.g[*]").unwrap();
        assert_eq!(a.index, Some(Key::Any));
        assert_eq!(a.modules, [("m".to_owned(), Some(Key::Any))]);
    }

    #[test]
    fn data_addresses_parse() {
        let a = Address::parse("data.aws_vpc.main").unwrap();
        assert!(a.data);
        assert_eq!(a.config_address(), "data.aws_vpc.main");
    }

    #[test]
    fn traversals_with_attributes_are_steps_not_addresses() {
        assert!(Address::parse("aws_security_group.web.id").is_none());
        let steps = parse_steps("aws_security_group.web[1].id").unwrap();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[1].key, Some(Key::Int(1)));
        assert!(parse_steps("a..b").is_none());
        assert!(parse_steps("a[").is_none());
    }
}
