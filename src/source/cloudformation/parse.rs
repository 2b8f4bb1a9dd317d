//! Template text → one JSON value: JSON as written, YAML with its short-form tags
//! (`!Ref`, `!GetAtt a.b`, `!Sub`, …) rewritten to their long forms (`{"Ref": …}`,
//! `{"Fn::GetAtt": ["a", "b"]}`, `{"Fn::Sub": …}`), so that the resolver sees one
//! shape whatever the file's syntax. Nothing is resolved here. Also finds where each
//! resource's logical id is written, for reports that point at lines.

use std::collections::BTreeMap;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, Yaml, YamlData};
use saphyr_parser::Event;
use serde_json::{Map, Number, Value};

use crate::error::ErrorKind;

/// Parses a template, JSON or YAML.
pub(super) fn parse(bytes: &[u8]) -> Result<Value, ErrorKind> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ErrorKind::Encoding(format!(
            "invalid UTF-8 at byte {}; CloudFormation templates are UTF-8",
            e.valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(ErrorKind::NotATemplate(
            "the template is empty; give a CloudFormation template (YAML or JSON) with a `Resources` section".into(),
        ));
    }
    crate::limits::check_size(bytes, crate::limits::TEMPLATE)?;
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| ErrorKind::json(&e));
    }
    check_yaml_depth(text)?;
    let docs = Yaml::load_from_str(text).map_err(|e| ErrorKind::Yaml {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: e.info().to_owned(),
    })?;
    let Some(doc) = docs.first() else {
        return Err(ErrorKind::NotATemplate(
            "the YAML holds no document; give a CloudFormation template with a `Resources` section"
                .into(),
        ));
    };
    Ok(convert(doc))
}

/// [`ErrorKind::TooDeep`] when the YAML nests deeper than [`crate::limits::NESTING`]:
/// the loader and [`convert`] recurse once per level, so 20,000 nested blocks would
/// overflow the stack. The event parser is not recursive; a syntax error is left to the
/// loader, which reports it the same way.
fn check_yaml_depth(text: &str) -> Result<(), ErrorKind> {
    let mut depth = 0usize;
    for event in saphyr_parser::Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(e) => e,
            // saphyr's own limit, for flow collections (`[[[…`).
            Err(e) if e.info().contains("recursion limit") => {
                return Err(ErrorKind::TooDeep {
                    what: "CloudFormation template",
                    limit: crate::limits::NESTING,
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                });
            }
            Err(_) => return Ok(()),
        };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > crate::limits::NESTING {
                    return Err(ErrorKind::TooDeep {
                        what: "CloudFormation template",
                        limit: crate::limits::NESTING,
                        line: span.start.line(),
                        column: span.start.col() + 1,
                    });
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The line and column (1-based, in characters) of each logical id under the
/// template's `Resources`; empty when the text does not parse.
pub(super) fn locate(text: &str) -> BTreeMap<String, (usize, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return locate_json(text);
    }
    let mut out = BTreeMap::new();
    if check_yaml_depth(text).is_err() {
        return out;
    }
    let Ok(docs) = MarkedYaml::load_from_str(text) else {
        return out;
    };
    let key_text = |k: &MarkedYaml<'_>| match &k.data {
        YamlData::Value(Scalar::String(s)) | YamlData::Representation(s, _, _) => {
            Some(s.to_string())
        }
        _ => None,
    };
    let Some(YamlData::Mapping(root)) = docs.first().map(|d| &d.data) else {
        return out;
    };
    let resources = root
        .iter()
        .find(|(k, _)| key_text(k).as_deref() == Some("Resources"));
    if let Some((
        _,
        MarkedYaml {
            data: YamlData::Mapping(resources),
            ..
        },
    )) = resources
    {
        for k in resources.keys() {
            if let Some(id) = key_text(k) {
                let at = k.span.start;
                out.insert(id, (at.line(), at.col() + 1));
            }
        }
    }
    out
}

/// [`locate`] for JSON: the keys of the top-level `Resources` object, in one pass that
/// follows strings (with escapes) and nesting.
fn locate_json(text: &str) -> BTreeMap<String, (usize, usize)> {
    let mut out = BTreeMap::new();
    let (mut line, mut column) = (1, 0);
    let (mut depth, mut resources_depth, mut pending) = (0usize, None, false);
    let mut last_string: Option<(String, (usize, usize))> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
            column = 0;
            continue;
        }
        column += 1;
        match c {
            '"' => {
                let at = (line, column);
                let mut s = String::new();
                while let Some(d) = chars.next() {
                    column += 1;
                    match d {
                        '\\' => {
                            column += 1;
                            if let Some(e) = chars.next() {
                                s.push(e);
                            }
                        }
                        '"' => break,
                        _ => s.push(d),
                    }
                }
                last_string = Some((s, at));
            }
            ':' => {
                if let Some((key, at)) = last_string.take() {
                    if depth == 1 && key == "Resources" {
                        pending = true;
                    } else if resources_depth == Some(depth) {
                        out.entry(key).or_insert(at);
                    }
                }
            }
            '{' | '[' => {
                depth += 1;
                if pending && c == '{' {
                    resources_depth = Some(depth);
                }
                pending = false;
            }
            '}' | ']' => {
                if resources_depth == Some(depth) {
                    resources_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            c if c.is_whitespace() => {}
            _ => last_string = None,
        }
    }
    out
}

/// The long-form name of a short-form tag (`Ref` → `Ref`, `Sub` → `Fn::Sub`).
fn long_form(suffix: &str) -> String {
    match suffix {
        "Ref" | "Condition" => suffix.to_owned(),
        other => format!("Fn::{other}"),
    }
}

fn convert(y: &Yaml<'_>) -> Value {
    match y {
        Yaml::Value(s) => scalar(s),
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Sequence(items) => Value::Array(items.iter().map(convert).collect()),
        Yaml::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(key_text(k), convert(v));
            }
            Value::Object(out)
        }
        Yaml::Tagged(tag, node) if tag.handle == "!" => {
            let inner = convert(node);
            let inner = match (tag.suffix.as_str(), inner) {
                // `!GetAtt Res.Attr`: the attribute may itself hold dots (`Endpoint.Port`).
                ("GetAtt", Value::String(s)) => match s.split_once('.') {
                    Some((r, a)) => Value::Array(vec![r.into(), a.into()]),
                    None => Value::String(s),
                },
                (_, v) => v,
            };
            let mut out = Map::new();
            out.insert(long_form(&tag.suffix), inner);
            Value::Object(out)
        }
        Yaml::Tagged(_, node) => convert(node),
        // Aliases are not resolved by the parser: an unknown function the resolver
        // widens and warns about, never a silent null.
        Yaml::Alias(n) => {
            let mut out = Map::new();
            out.insert("Fn::YamlAlias".into(), Value::from(*n));
            Value::Object(out)
        }
        Yaml::BadValue => {
            let mut out = Map::new();
            out.insert("Fn::YamlBadValue".into(), Value::Null);
            Value::Object(out)
        }
    }
}

fn scalar(s: &Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => Number::from_f64(f.into_inner())
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        Scalar::String(t) => Value::String(t.to_string()),
    }
}

fn key_text(k: &Yaml<'_>) -> String {
    match convert(k) {
        Value::String(s) => s,
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms() {
        let v = parse(
            b"A: !Ref X\nB: !GetAtt Db.Endpoint.Port\nC: !Sub '${X}-y'\nD: !If [c, 1, 2]\nE: !Condition c\nF: !GetAtt [S, GroupId]\n",
        )
        .unwrap();
        assert_eq!(v["A"], serde_json::json!({"Ref": "X"}));
        assert_eq!(
            v["B"],
            serde_json::json!({"Fn::GetAtt": ["Db", "Endpoint.Port"]})
        );
        assert_eq!(v["C"], serde_json::json!({"Fn::Sub": "${X}-y"}));
        assert_eq!(v["D"], serde_json::json!({"Fn::If": ["c", 1, 2]}));
        assert_eq!(v["E"], serde_json::json!({"Condition": "c"}));
        assert_eq!(v["F"], serde_json::json!({"Fn::GetAtt": ["S", "GroupId"]}));
    }

    #[test]
    fn invalid_yaml_names_line_and_column() {
        let err = parse(b"Resources:\n  A:\n    Type: [unclosed\n").unwrap_err();
        match err {
            ErrorKind::Yaml { line, .. } => assert!(line >= 3, "line {line}"),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn logical_ids_are_located_in_yaml_and_json() {
        let yaml = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n  \"Web\":\n    Type: AWS::EC2::Instance\n    Properties: {Resources: x}\n";
        let at: Vec<_> = locate(yaml).into_iter().collect();
        assert_eq!(at, [("Sg".to_owned(), (3, 3)), ("Web".to_owned(), (5, 3))]);
        let json = "{\n  \"Parameters\": {\"Sg\": {}},\n  \"Resources\": {\n    \"Sg\": {\"Type\": \"x\", \"Properties\": {\"Web\": 1}},\n    \"W\\\"eb\": {\"Type\": \"y\"}\n  }\n}";
        let at: Vec<_> = locate(json).into_iter().collect();
        assert_eq!(
            at,
            [("Sg".to_owned(), (4, 5)), ("W\"eb".to_owned(), (5, 5))]
        );
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let err = parse(b"{\n  \"Resources\": {,}\n}").unwrap_err();
        assert!(matches!(err, ErrorKind::Json { line: 2, .. }), "{err}");
    }
}
