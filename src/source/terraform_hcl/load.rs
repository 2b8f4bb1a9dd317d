//! Reading one module directory: its files parsed, its blocks indexed by kind and name.
//!
//! `*.tf.json` files are rewritten into native syntax and parsed as such (their
//! locations are then approximate: the line of the resource's name in the JSON). Not an
//! evaluator: nothing here looks at values.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use hcl_edit::Span;
use hcl_edit::structure::{Attribute, Block, Body, Structure};

use super::{SourceLocation, Tree};
use crate::error::{Error, ErrorKind};
use crate::warning::{WarningKind, Warnings};

/// One parsed file.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Path relative to the tree root.
    pub(crate) path: String,
    text: String,
    line_starts: Vec<usize>,
    /// For `.tf.json`: the JSON text, to find names in.
    json: Option<String>,
}

impl SourceFile {
    fn new(path: String, text: String, json: Option<String>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            path,
            text,
            line_starts,
            json,
        }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    /// The file's text as read (before a `.tf.json` file is rewritten).
    pub(crate) fn original(&self) -> &str {
        self.json.as_deref().unwrap_or(&self.text)
    }

    /// The location of something with span `span`; for JSON files, of the first
    /// `"name"` key in the file.
    pub(crate) fn location(
        &self,
        span: Option<std::ops::Range<usize>>,
        name: &str,
    ) -> SourceLocation {
        if let Some(json) = &self.json {
            let needle = format!("\"{name}\"");
            let (line, column) = json.find(&needle).map_or((1, 1), |at| {
                let line = json[..at].matches('\n').count() + 1;
                let start = json[..at].rfind('\n').map_or(0, |i| i + 1);
                (line, json[start..at].chars().count() + 1)
            });
            return SourceLocation {
                file: self.path.clone(),
                line,
                column,
            };
        }
        let (line, column) = span.map_or((1, 1), |s| self.line_col(s.start));
        SourceLocation {
            file: self.path.clone(),
            line,
            column,
        }
    }
}

/// A block or attribute with the index of its file in [`ModuleDef::files`].
#[derive(Debug)]
pub(crate) struct Located<T> {
    pub(crate) file: usize,
    pub(crate) node: T,
}

/// One module directory, parsed.
#[derive(Debug, Default)]
pub(crate) struct ModuleDef {
    /// The directory, relative to the tree root ("" = root).
    pub(crate) dir: String,
    pub(crate) files: Vec<SourceFile>,
    pub(crate) variables: BTreeMap<String, Located<Block>>,
    pub(crate) locals: BTreeMap<String, Located<Attribute>>,
    /// Keyed `TYPE.NAME` or `data.TYPE.NAME`.
    pub(crate) resources: BTreeMap<String, Located<Block>>,
    pub(crate) modules: BTreeMap<String, Located<Block>>,
    pub(crate) outputs: BTreeMap<String, Located<Block>>,
}

/// `dir/name`, or `name` at the root.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// `dir` joined with a relative `source` (`./x`, `../x`), normalised. The result may
/// climb above the tree root (`../../modules/x` from `envs/prod` is `../modules/x`
/// from `envs`): it then starts with `..` components, which a [`super::Tree`] resolves
/// or refuses (a git revision holds nothing above the repository).
pub(crate) fn resolve(dir: &str, source: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn io_error(path: &str, e: std::io::Error) -> Error {
    Error::new(Some(PathBuf::from(path)), ErrorKind::Io(e))
}

fn text_of(path: &str, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|_| {
        Error::new(
            Some(PathBuf::from(path)),
            ErrorKind::Encoding("not valid UTF-8".into()),
        )
    })
}

/// [`ErrorKind::TooDeep`] when brackets nest deeper than [`crate::limits::NESTING`]:
/// the HCL parser recurses once per level (and several frames deep), so thousands of
/// nested brackets would overflow the stack. Brackets inside strings count too, which
/// only makes the check stricter than the grammar needs.
pub(crate) fn check_depth(text: &str) -> Result<(), ErrorKind> {
    match crate::limits::bracket_depth_exceeds(text, crate::limits::NESTING) {
        None => Ok(()),
        Some(at) => {
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(ErrorKind::TooDeep {
                what: "Terraform file",
                limit: crate::limits::NESTING,
                line,
                column,
            })
        }
    }
}

/// Parses native-syntax text, turning a syntax error into [`ErrorKind::Hcl`].
pub(crate) fn parse(path: &str, text: &str) -> Result<Body, Error> {
    check_depth(text).map_err(|kind| Error::new(Some(PathBuf::from(path)), kind))?;
    hcl_edit::parser::parse_body(text).map_err(|e| {
        let loc = e.location();
        Error::new(
            Some(PathBuf::from(path)),
            ErrorKind::Hcl {
                line: loc.line(),
                column: loc.column(),
                message: e.message().to_owned(),
            },
        )
    })
}

/// Reads and indexes the module in `dir`; `root` demands at least one file.
pub(crate) fn load_module(
    tree: &dyn Tree,
    dir: &str,
    root: bool,
    warnings: &mut Warnings,
) -> Result<ModuleDef, Error> {
    let names = tree
        .list(dir)
        .map_err(|e| io_error(if dir.is_empty() { "." } else { dir }, e))?;
    let mut def = ModuleDef {
        dir: dir.to_owned(),
        ..ModuleDef::default()
    };
    let mut found = false;
    // Terraform matches file names case-sensitively too.
    #[allow(clippy::case_sensitive_file_extension_comparisons)]
    for name in names {
        let json = name.ends_with(".tf.json");
        if !json && !name.ends_with(".tf") {
            continue;
        }
        found = true;
        let path = join(dir, &name);
        let stem = name.trim_end_matches(".json").trim_end_matches(".tf");
        if stem == "override" || stem.ends_with("_override") {
            warnings.push(
                WarningKind::Input,
                None,
                format!("override file {path} is not merged by reachdiff; its content is ignored"),
            );
            continue;
        }
        let text = text_of(
            &path,
            tree.read(&path)
                .map_err(|kind| Error::new(Some(PathBuf::from(&path)), kind))?,
        )?;
        let (body, file) = if json {
            let native = json_to_native(&path, &text)?;
            let body = parse(&path, &native)?;
            (body, SourceFile::new(path, native, Some(text)))
        } else {
            let body = parse(&path, &text)?;
            (body, SourceFile::new(path, text, None))
        };
        let index = def.files.len();
        def.files.push(file);
        index_body(&mut def, index, body);
    }
    if root && !found {
        let shown = if dir.is_empty() { "." } else { dir };
        return Err(Error::new(
            Some(PathBuf::from(shown)),
            ErrorKind::NoTerraformFiles(shown.to_owned()),
        ));
    }
    Ok(def)
}

fn index_body(def: &mut ModuleDef, file: usize, body: Body) {
    for s in body {
        let Structure::Block(block) = s else { continue };
        let labels: Vec<String> = block.labels.iter().map(|l| l.as_str().to_owned()).collect();
        let located = |node| Located { file, node };
        match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => {
                def.resources
                    .insert(format!("{kind}.{name}"), located(block));
            }
            ("data", [kind, name]) => {
                def.resources
                    .insert(format!("data.{kind}.{name}"), located(block));
            }
            ("variable", [name]) => {
                def.variables.insert(name.clone(), located(block));
            }
            ("output", [name]) => {
                def.outputs.insert(name.clone(), located(block));
            }
            ("module", [name]) => {
                def.modules.insert(name.clone(), located(block));
            }
            ("locals", []) => {
                for attr in block.body.into_attributes() {
                    def.locals
                        .insert(attr.key.as_str().to_owned(), Located { file, node: attr });
                }
            }
            _ => {}
        }
    }
}

// ---- JSON syntax ----

/// Rewrites a `.tf.json` file as native syntax (strings stay templates).
fn json_to_native(path: &str, text: &str) -> Result<String, Error> {
    let root: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::new(Some(PathBuf::from(path)), ErrorKind::json(&e)))?;
    let mut out = String::new();
    let Some(top) = root.as_object() else {
        return Ok(out);
    };
    for (kind, v) in top {
        match kind.as_str() {
            "resource" | "data" => {
                for (ty, named) in entries(v) {
                    for (name, body) in entries(named) {
                        for b in bodies(body) {
                            let _ = write!(out, "{kind} {} {} ", quote(ty), quote(name));
                            body_text(b, &mut out, true);
                        }
                    }
                }
            }
            "variable" | "output" | "module" => {
                for (name, body) in entries(v) {
                    for b in bodies(body) {
                        let _ = write!(out, "{kind} {} ", quote(name));
                        // A variable's default is a literal, not a template.
                        body_text(b, &mut out, kind != "variable");
                    }
                }
            }
            "locals" => {
                for b in bodies(v) {
                    out.push_str("locals ");
                    body_text(b, &mut out, true);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn entries(v: &serde_json::Value) -> Vec<(&String, &serde_json::Value)> {
    match v {
        serde_json::Value::Object(m) => m.iter().collect(),
        serde_json::Value::Array(a) => a.iter().flat_map(entries).collect(),
        _ => Vec::new(),
    }
}

fn bodies(v: &serde_json::Value) -> Vec<&serde_json::Map<String, serde_json::Value>> {
    match v {
        serde_json::Value::Object(m) => vec![m],
        serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_object()).collect(),
        _ => Vec::new(),
    }
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn quote(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

fn body_text(m: &serde_json::Map<String, serde_json::Value>, out: &mut String, template: bool) {
    out.push_str("{\n");
    for (k, v) in m {
        if !is_ident(k) {
            continue;
        }
        out.push_str(k);
        out.push_str(" = ");
        let literal = !template || k == "type";
        expr_text(v, out, !literal, 0);
        out.push('\n');
    }
    out.push_str("}\n");
}

fn expr_text(v: &serde_json::Value, out: &mut String, template: bool, depth: usize) {
    if depth > 64 {
        out.push_str("null");
        return;
    }
    match v {
        serde_json::Value::String(s) if template => {
            // The string is a template: keep `${` and `%{`, escape quotes and newlines.
            let body = serde_json::to_string(s).unwrap_or_default();
            out.push_str(&body);
        }
        serde_json::Value::String(s) => out.push_str(&quote(s)),
        serde_json::Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                expr_text(e, out, template, depth + 1);
            }
            out.push(']');
        }
        serde_json::Value::Object(m) => {
            out.push_str("{\n");
            for (k, e) in m {
                out.push_str(&quote(k));
                out.push_str(" = ");
                expr_text(e, out, template, depth + 1);
                out.push('\n');
            }
            out.push('}');
        }
        v => out.push_str(&v.to_string()),
    }
}

/// The span of a block's keyword: where the block starts.
pub(crate) fn block_span(block: &Block) -> Option<std::ops::Range<usize>> {
    block.ident.span()
}
