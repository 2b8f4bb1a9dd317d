//! The evaluator: module instances, their variables, locals, resources, module calls
//! and outputs, each computed once on demand (so files and blocks may come in any
//! order), and the expression language over [`Value`]s with unknowns.
//!
//! Not a type checker and not Terraform's validation: invalid expressions become
//! unknown values with a warning, except where the spec of the module asks for an error
//! (cycles between locals, missing local modules).

// Expression code reads best with short names (`l`, `r`, `k`, `v`, `d`).
#![allow(clippy::many_single_char_names)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;

use hcl_edit::Span;
use hcl_edit::expr::{
    BinaryOperator, Expression, FuncCall, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Directive, Element, Template};

use super::functions::{self, FnError, to_num, to_str};
use super::load::{self, ModuleDef};
use super::value::Value;
use super::{Configuration, Options, Resource, SourceLocation, Tree, identity};
use crate::error::{Error, ErrorKind};
use crate::limits::evaluator as budget;
use crate::warning::{WarningKind, Warnings};

/// How deep expressions may nest.
const MAX_EXPR_DEPTH: usize = 128;
/// How deep modules may nest.
const MAX_MODULE_DEPTH: usize = 64;
/// How many lazy computations may wait on each other at once.
const MAX_FORCE_DEPTH: usize = 96;

/// Why an expression has no value.
enum EvalError {
    /// Terraform would reject it; `try` and `can` catch this.
    Invalid(String),
    /// The run stops.
    Fatal(Box<Error>),
}

type Er<T> = Result<T, EvalError>;

fn invalid<T>(msg: impl Into<String>) -> Er<T> {
    Err(EvalError::Invalid(msg.into()))
}

/// Names bound while evaluating: `count`, `each`, `for` variables, `dynamic`
/// iterators.
struct Env<'a> {
    name: &'a str,
    value: Value,
    parent: Option<&'a Env<'a>>,
}

fn lookup<'a>(mut env: Option<&'a Env<'a>>, name: &str) -> Option<&'a Value> {
    while let Some(e) = env {
        if e.name == name {
            return Some(&e.value);
        }
        env = e.parent;
    }
    None
}

/// Where an expression is evaluated.
#[derive(Clone, Copy)]
struct Scope<'a> {
    inst: usize,
    file: usize,
    env: Option<&'a Env<'a>>,
}

enum Slot<T> {
    Busy,
    Done(T),
}

struct ResState {
    /// The value a reference to the whole resource reads.
    whole: Value,
    instances: Vec<Resource>,
}

#[derive(Clone)]
enum ModState {
    Unknown,
    Single(usize),
    List(Vec<usize>),
    Map(BTreeMap<String, usize>),
}

/// One instance of a module.
struct Inst {
    def: Rc<ModuleDef>,
    /// Address prefix: "" or `module.a["x"].`.
    prefix: String,
    /// It stands for module instances not known before apply (`module.a[*].`): its
    /// resources are possible.
    deferred: bool,
    depth: usize,
    vars: BTreeMap<String, Value>,
    locals: BTreeMap<String, Slot<Value>>,
    resources: BTreeMap<String, Slot<Rc<ResState>>>,
    modules: BTreeMap<String, Slot<ModState>>,
    outputs: BTreeMap<String, Slot<Value>>,
}

/// An instance key: `[0]` or `["k"]`; `[*]` for the instance standing for instances
/// not known before apply (of a `count`, of a `for_each`).
enum Key {
    None,
    Index(usize),
    Name(String),
    AnyIndex,
    AnyName,
}

impl Key {
    fn suffix(&self) -> String {
        match self {
            Self::None => String::new(),
            Self::Index(i) => format!("[{i}]"),
            Self::Name(k) => format!("[{}]", serde_json::to_string(k).unwrap_or_default()),
            Self::AnyIndex | Self::AnyName => "[*]".to_owned(),
        }
    }
}

/// The evaluator of one configuration.
pub(crate) struct Evaluator<'t> {
    tree: &'t dyn Tree,
    warnings: &'t mut Warnings,
    defs: BTreeMap<String, Rc<ModuleDef>>,
    insts: Vec<Inst>,
    /// What is being computed, innermost last (for cycle messages).
    stack: Vec<(usize, String)>,
    warned: BTreeSet<String>,
    /// Variable files read, with their text, by path.
    var_files: BTreeMap<String, String>,
    /// Expressions evaluated so far ([`budget::STEPS`]).
    steps: u64,
    /// Resource instances so far ([`budget::RESOURCE_INSTANCES`]).
    resource_instances: usize,
    /// The size of their values so far ([`budget::TOTAL_VALUES`]).
    values_size: usize,
    /// Bytes of configuration read ([`crate::limits::CONFIGURATION_TOTAL`]).
    read_bytes: u64,
}

impl<'t> Evaluator<'t> {
    pub(crate) fn new(tree: &'t dyn Tree, warnings: &'t mut Warnings) -> Self {
        Self {
            tree,
            warnings,
            defs: BTreeMap::new(),
            insts: Vec::new(),
            stack: Vec::new(),
            warned: BTreeSet::new(),
            var_files: BTreeMap::new(),
            steps: 0,
            resource_instances: 0,
            values_size: 0,
            read_bytes: 0,
        }
    }

    fn warn(&mut self, kind: WarningKind, resource: Option<&str>, message: String) {
        let key = format!("{kind:?}{resource:?}{message}");
        if self.warned.insert(key) {
            self.warnings.push(kind, resource, message);
        }
    }

    fn where_(&self, sc: Scope<'_>, span: Option<std::ops::Range<usize>>) -> String {
        let file = &self.insts[sc.inst].def.files[sc.file];
        match span {
            Some(s) => {
                let (line, _) = file.line_col(s.start);
                format!("{}:{line}", file.path)
            }
            None => file.path.clone(),
        }
    }

    fn fatal(
        &self,
        inst: usize,
        file: usize,
        span: Option<std::ops::Range<usize>>,
        message: String,
    ) -> EvalError {
        let f = &self.insts[inst].def.files[file];
        let (line, column) = span.map_or((1, 1), |s| f.line_col(s.start));
        EvalError::Fatal(Box::new(Error::new(
            Some(PathBuf::from(&f.path)),
            ErrorKind::Terraform {
                line,
                column,
                message,
            },
        )))
    }

    /// Evaluates the root module in `dir`.
    pub(crate) fn run(mut self, dir: &str, options: &Options) -> Result<Configuration, Error> {
        let def = Rc::new(load::load_module(self.tree, dir, true, self.warnings)?);
        self.count_read(&def).map_err(|e| *e)?;
        self.defs.insert(dir.to_owned(), def.clone());
        let vars = self.root_vars(&def, options)?;
        self.insts.push(Inst {
            def,
            prefix: String::new(),
            deferred: false,
            depth: 0,
            vars,
            locals: BTreeMap::new(),
            resources: BTreeMap::new(),
            modules: BTreeMap::new(),
            outputs: BTreeMap::new(),
        });
        let mut i = 0;
        while i < self.insts.len() {
            self.drive(i).map_err(|e| match e {
                EvalError::Fatal(e) => *e,
                EvalError::Invalid(m) => Error::new(None, ErrorKind::NotAPlan(m)),
            })?;
            i += 1;
        }
        let mut resources = Vec::new();
        for inst in &mut self.insts {
            for slot in inst.resources.values() {
                if let Slot::Done(state) = slot {
                    resources.extend(state.instances.iter().cloned());
                }
            }
        }
        resources.sort_by(|a, b| a.address.cmp(&b.address));
        let mut files: BTreeMap<String, String> = self
            .defs
            .values()
            .flat_map(|d| d.files.iter())
            .map(|f| (f.path.clone(), f.original().to_owned()))
            .collect();
        files.append(&mut self.var_files);
        Ok(Configuration { resources, files })
    }

    /// Adds a module's files to the bytes read; an error past
    /// [`crate::limits::CONFIGURATION_TOTAL`].
    fn count_read(&mut self, def: &ModuleDef) -> Result<(), Box<Error>> {
        let bytes: usize = def.files.iter().map(|f| f.original().len()).sum();
        self.read_bytes += bytes as u64;
        let limit = crate::limits::CONFIGURATION_TOTAL;
        if self.read_bytes > limit {
            let shown = if def.dir.is_empty() { "." } else { &def.dir };
            return Err(Box::new(Error::new(
                Some(PathBuf::from(shown)),
                ErrorKind::TooLarge {
                    what: "Terraform configuration (all its modules)",
                    size: self.read_bytes,
                    limit,
                },
            )));
        }
        Ok(())
    }

    /// Computes everything of instance `i`, dependencies first.
    fn drive(&mut self, i: usize) -> Er<()> {
        let def = self.insts[i].def.clone();
        for item in static_order(&def) {
            let r = match item {
                Item::Local(name) => self.force_local(i, &name).map(drop),
                Item::Resource(key) => self.force_resource(i, &key).map(drop),
                Item::Module(name) => self.force_module(i, &name).map(drop),
            };
            match r {
                // Reported where it is used.
                Ok(()) | Err(EvalError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    // ---- variables ----

    fn root_vars(
        &mut self,
        def: &Rc<ModuleDef>,
        options: &Options,
    ) -> Result<BTreeMap<String, Value>, Error> {
        let mut given: BTreeMap<String, Value> = BTreeMap::new();
        let names = self
            .tree
            .list(&def.dir)
            .map_err(|e| Error::new(Some(PathBuf::from(&def.dir)), ErrorKind::Io(e)))?;
        let mut files: Vec<String> = Vec::new();
        for n in ["terraform.tfvars", "terraform.tfvars.json"] {
            if names.iter().any(|x| x == n) {
                files.push(load::join(&def.dir, n));
            }
        }
        let mut auto: Vec<&String> = names
            .iter()
            .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
            .collect();
        auto.sort();
        files.extend(auto.into_iter().map(|n| load::join(&def.dir, n)));
        for path in files {
            let bytes = self
                .tree
                .read(&path)
                .map_err(|kind| Error::new(Some(PathBuf::from(&path)), kind))?;
            Self::read_tfvars(&path, &bytes, &mut given)?;
            self.var_files
                .insert(path, String::from_utf8_lossy(&bytes).into_owned());
        }
        for path in &options.var_files {
            let bytes = crate::limits::read_file(path, crate::limits::CONFIGURATION_FILE)
                .map_err(|kind| Error::new(Some(path.clone()), kind))?;
            let shown = path.to_string_lossy().replace('\\', "/");
            Self::read_tfvars(&shown, &bytes, &mut given).map_err(|mut e| {
                e.path = Some(path.clone());
                e
            })?;
            self.var_files
                .insert(shown, String::from_utf8_lossy(&bytes).into_owned());
        }
        for (name, text) in &options.vars {
            let parsed = load::check_depth(text)
                .ok()
                .and_then(|()| hcl_edit::parser::parse_expr(text).ok());
            let v = parsed
                .and_then(|e| const_value(&e, 0))
                .unwrap_or_else(|| Value::string(text.as_str()));
            given.insert(name.clone(), v);
        }
        let mut vars = BTreeMap::new();
        for name in given.keys() {
            if !def.variables.contains_key(name) {
                self.warn(
                    WarningKind::Input,
                    None,
                    format!("a value is given for variable {name}, which the configuration does not declare; it is ignored"),
                );
            }
        }
        for (name, item) in &def.variables {
            let ty = item
                .node
                .body
                .get_attribute("type")
                .map(|a| a.value.clone());
            let v = if let Some(v) = given.remove(name) {
                v
            } else if let Some(d) = item.node.body.get_attribute("default") {
                const_value(&d.value, 0).unwrap_or(Value::Unknown)
            } else {
                self.warn(
                    WarningKind::UnknownValue,
                    None,
                    format!(
                        "variable {name} has no value; give it with --var {name}=… or --var-file"
                    ),
                );
                Value::Unknown
            };
            vars.insert(name.clone(), convert(ty.as_ref(), v, 0));
        }
        Ok(vars)
    }

    fn read_tfvars(
        path: &str,
        bytes: &[u8],
        into: &mut BTreeMap<String, Value>,
    ) -> Result<(), Error> {
        let err = |kind| Error::new(Some(PathBuf::from(path)), kind);
        let text = std::str::from_utf8(bytes)
            .map_err(|_| err(ErrorKind::Encoding("not valid UTF-8".into())))?;
        // Terraform matches file names case-sensitively too.
        #[allow(clippy::case_sensitive_file_extension_comparisons)]
        let json = path.ends_with(".json");
        if json {
            let j: serde_json::Value =
                serde_json::from_str(text).map_err(|e| err(ErrorKind::json(&e)))?;
            let Some(obj) = j.as_object() else {
                return Err(err(ErrorKind::NotAPlan(
                    "a .tfvars.json file must hold one JSON object of variable values".into(),
                )));
            };
            for (k, v) in obj {
                into.insert(k.clone(), Value::from_json(v));
            }
            return Ok(());
        }
        let body = load::parse(path, text)?;
        for s in &body {
            match s {
                Structure::Attribute(a) => {
                    let Some(v) = const_value(&a.value, 0) else {
                        let (line, column) =
                            a.value.span().map_or((1, 1), |s| line_col(text, s.start));
                        return Err(err(ErrorKind::Hcl {
                            line,
                            column,
                            message: format!(
                                "the value of {} must be a constant (variables files cannot use references or functions)",
                                a.key.as_str()
                            ),
                        }));
                    };
                    into.insert(a.key.as_str().to_owned(), v);
                }
                Structure::Block(b) => {
                    let (line, column) = b.ident.span().map_or((1, 1), |s| line_col(text, s.start));
                    return Err(err(ErrorKind::Hcl {
                        line,
                        column,
                        message: "blocks are not allowed in a variables file".into(),
                    }));
                }
            }
        }
        Ok(())
    }

    // ---- locals ----

    fn force_local(&mut self, inst: usize, name: &str) -> Er<Value> {
        match self.insts[inst].locals.get(name) {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::Busy) => {
                let label = format!("local.{name}");
                let from = self
                    .stack
                    .iter()
                    .rposition(|(i, l)| *i == inst && *l == label)
                    .unwrap_or(0);
                let mut chain: Vec<String> =
                    self.stack[from..].iter().map(|(_, l)| l.clone()).collect();
                chain.push(label);
                let def = self.insts[inst].def.clone();
                let item = &def.locals[name];
                return Err(self.fatal(
                    inst,
                    item.file,
                    item.node.key.span(),
                    format!(
                        "cycle between locals: {}; Terraform rejects it too — break the cycle",
                        chain.join(" -> ")
                    ),
                ));
            }
            None => {}
        }
        let def = self.insts[inst].def.clone();
        let Some(item) = def.locals.get(name) else {
            return invalid(format!("there is no local value named {name}"));
        };
        if self.stack.len() > MAX_FORCE_DEPTH {
            return invalid("references nested too deeply");
        }
        self.insts[inst].locals.insert(name.to_owned(), Slot::Busy);
        self.stack.push((inst, format!("local.{name}")));
        let sc = Scope {
            inst,
            file: item.file,
            env: None,
        };
        let v = self.eval_attr(&item.node.value, sc, &format!("local.{name}"), None);
        self.stack.pop();
        let v = v?;
        self.insts[inst]
            .locals
            .insert(name.to_owned(), Slot::Done(v.clone()));
        Ok(v)
    }

    /// Evaluates an attribute; an invalid expression becomes unknown with a warning.
    fn eval_attr(
        &mut self,
        e: &Expression,
        sc: Scope<'_>,
        what: &str,
        resource: Option<&str>,
    ) -> Er<Value> {
        match self.eval(e, sc, 0) {
            Ok(v) => Ok(v),
            Err(EvalError::Invalid(m)) => {
                let at = self.where_(sc, e.span());
                self.warn(
                    WarningKind::UnknownValue,
                    resource,
                    format!("{what} ({at}) cannot be evaluated: {m}; it is taken as unknown"),
                );
                Ok(Value::Unknown)
            }
            Err(f) => Err(f),
        }
    }

    // ---- resources ----

    fn force_resource(&mut self, inst: usize, key: &str) -> Er<Rc<ResState>> {
        match self.insts[inst].resources.get(key) {
            Some(Slot::Done(s)) => return Ok(s.clone()),
            Some(Slot::Busy) => {
                let address = format!("{}{key}", self.insts[inst].prefix);
                self.warn(
                    WarningKind::UnknownValue,
                    Some(&address),
                    format!("{address} refers to itself through a cycle of references; the values in the cycle are taken as unknown"),
                );
                return Ok(Rc::new(ResState {
                    whole: Value::Unknown,
                    instances: Vec::new(),
                }));
            }
            None => {}
        }
        if self.stack.len() > MAX_FORCE_DEPTH {
            return invalid("references nested too deeply");
        }
        self.insts[inst]
            .resources
            .insert(key.to_owned(), Slot::Busy);
        self.stack.push((inst, key.to_owned()));
        let r = self.compute_resource(inst, key);
        self.stack.pop();
        let state = Rc::new(r?);
        self.insts[inst]
            .resources
            .insert(key.to_owned(), Slot::Done(state.clone()));
        Ok(state)
    }

    fn compute_resource(&mut self, inst: usize, key: &str) -> Er<ResState> {
        let def = self.insts[inst].def.clone();
        let Some(item) = def.resources.get(key) else {
            return invalid(format!("there is no resource {key}"));
        };
        let block = &item.node;
        let data = block.ident.as_str() == "data";
        let kind = block
            .labels
            .first()
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default();
        let name = block
            .labels
            .get(1)
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default();
        let base = format!("{}{key}", self.insts[inst].prefix);
        let sc = Scope {
            inst,
            file: item.file,
            env: None,
        };
        let location = def.files[item.file].location(load::block_span(block), &name);
        let (mode, keys) = self.expansion(&block.body, sc, &base, "resource")?;
        let deferred = mode == Mode::Deferred || self.insts[inst].deferred;
        self.resource_instances += keys.len();
        if self.resource_instances > budget::RESOURCE_INSTANCES {
            return Err(self.fatal(
                inst,
                item.file,
                load::block_span(block),
                format!(
                    "{base}: the configuration has more than {} resource instances (count, for_each and modules multiply), more than reachdiff evaluates; give reachdiff the plan from `terraform show -json` instead",
                    budget::RESOURCE_INSTANCES
                ),
            ));
        }
        let mut instances = Vec::new();
        let mut refs = Vec::new();
        for (k, each) in keys {
            let address = format!("{base}{}", k.suffix());
            let env = instance_env(&k, each);
            let sc = Scope {
                inst,
                file: item.file,
                env: env.as_ref(),
            };
            let mut blocks = BTreeMap::new();
            let mut values = self.eval_body(&block.body, sc, "", &mut blocks, &address, 0)?;
            let mut reference = BTreeMap::new();
            if data {
                for attr in ["id", "arn"] {
                    let sym = identity::symbolic(&kind, &address, attr).map(Value::string);
                    let v = match values.get(attr) {
                        Some(v @ Value::String(_)) => v.clone(),
                        _ => sym.unwrap_or(Value::Unknown),
                    };
                    values.insert(attr.to_owned(), v.clone());
                    reference.insert(attr.to_owned(), v);
                }
            } else {
                for attr in identity::attributes(&kind) {
                    if matches!(values.get(*attr), None | Some(Value::Null))
                        && let Some(s) = identity::symbolic(&kind, &address, attr)
                    {
                        values.insert((*attr).to_owned(), Value::string(s));
                    }
                }
                reference.clone_from(&values);
            }
            refs.push((k, Value::Object(Value::object_data(reference), true)));
            let values = Value::object(values);
            // Each attribute is within the value budget; all of them together, in
            // every instance, must fit the plan they become.
            self.values_size = self.values_size.saturating_add(values.meta().size);
            if self.values_size > budget::TOTAL_VALUES {
                return Err(self.fatal(
                    inst,
                    item.file,
                    load::block_span(block),
                    format!(
                        "{address}: the configuration's resources hold more than {} of values, more than reachdiff evaluates; give reachdiff the plan from `terraform show -json` instead",
                        crate::limits::human_size(budget::TOTAL_VALUES as u64)
                    ),
                ));
            }
            instances.push(Resource {
                address,
                data,
                deferred,
                kind: kind.clone(),
                name: name.clone(),
                unknown: values
                    .unknown_mask()
                    .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new())),
                values: values.to_json(),
                location: location.clone(),
                blocks,
            });
        }
        let whole = collect(mode, refs);
        Ok(ResState { whole, instances })
    }

    /// The instance keys of a resource or module block from its `count`/`for_each`.
    ///
    /// When they cannot be known (an unknown count, a `for_each` with unknown or
    /// invalid elements), one instance stands for every instance there may be
    /// ([`Mode::Deferred`], address `[*]`, `count.index` / `each` unknown), with a
    /// warning: what it allows is possible, never dropped.
    #[allow(clippy::type_complexity)]
    fn expansion(
        &mut self,
        body: &Body,
        sc: Scope<'_>,
        address: &str,
        what: &str,
    ) -> Er<(Mode, Vec<(Key, Option<Value>)>)> {
        // Unknown: the plan reader warns about the deferred instance. Invalid (Terraform
        // would reject it): say what is wrong here.
        let stand_in = |this: &mut Self, invalid: Option<String>, key: Key| {
            if let Some(why) = invalid {
                this.warn(
                    WarningKind::InvalidRule,
                    Some(address),
                    format!("{why}, which Terraform rejects; one instance, {address}[*], stands for whatever the {what} was meant to have, and what it allows is possible"),
                );
            }
            Ok((Mode::Deferred, vec![(key, None)]))
        };
        if let Some(c) = body.get_attribute("count") {
            let v = self.eval_attr(&c.value, sc, "count", Some(address))?;
            return match v {
                Value::Null => Ok((Mode::Single, vec![(Key::None, None)])),
                Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => {
                    // The instance budget refuses more; never allocate past it.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let n = (n as usize).min(budget::RESOURCE_INSTANCES + 1);
                    Ok((Mode::List, (0..n).map(|i| (Key::Index(i), None)).collect()))
                }
                Value::Unknown => stand_in(self, None, Key::AnyIndex),
                v => {
                    let shown = to_str(&v).unwrap_or_else(|_| v.type_name().to_owned());
                    stand_in(
                        self,
                        Some(format!("its count ({shown}) is not a whole number")),
                        Key::AnyIndex,
                    )
                }
            };
        }
        if let Some(f) = body.get_attribute("for_each") {
            let v = self.eval_attr(&f.value, sc, "for_each", Some(address))?;
            let mut keys = Vec::new();
            match &v {
                Value::Object(m, _) => {
                    for (k, v) in m.iter() {
                        keys.push((Key::Name(k.clone()), Some(v.clone())));
                    }
                }
                Value::List(l) => {
                    let mut set = BTreeSet::new();
                    for e in l.iter() {
                        match e {
                            Value::Unknown => {
                                return stand_in(self, None, Key::AnyName);
                            }
                            Value::String(s) => {
                                set.insert(s.to_string());
                            }
                            e => {
                                return stand_in(
                                    self,
                                    Some(format!(
                                        "its for_each is a set with a {} element (only strings are allowed)",
                                        e.type_name()
                                    )),
                                    Key::AnyName,
                                );
                            }
                        }
                    }
                    for s in set {
                        keys.push((Key::Name(s.clone()), Some(Value::string(s))));
                    }
                }
                Value::Unknown => return stand_in(self, None, Key::AnyName),
                Value::Null => {
                    return stand_in(self, Some("its for_each is null".into()), Key::AnyName);
                }
                v => {
                    return stand_in(
                        self,
                        Some(format!(
                            "its for_each is a {} (a map or a set of strings is needed)",
                            v.type_name()
                        )),
                        Key::AnyName,
                    );
                }
            }
            return Ok((Mode::Map, keys));
        }
        Ok((Mode::Single, vec![(Key::None, None)]))
    }

    /// Evaluates a block body into attribute values; nested blocks become lists of
    /// objects. `path` prefixes the keys recorded in `blocks`.
    fn eval_body(
        &mut self,
        body: &Body,
        sc: Scope<'_>,
        path: &str,
        blocks: &mut BTreeMap<String, SourceLocation>,
        address: &str,
        depth: usize,
    ) -> Er<BTreeMap<String, Value>> {
        if depth > MAX_EXPR_DEPTH {
            return invalid("blocks nested too deeply");
        }
        let top = path.is_empty();
        let mut out = BTreeMap::new();
        // Block lists in order of appearance; `None` when a dynamic block's count is unknown.
        let mut groups: BTreeMap<String, Option<Vec<Value>>> = BTreeMap::new();
        for s in body {
            match s {
                Structure::Attribute(a) => {
                    let k = a.key.as_str();
                    if top && matches!(k, "count" | "for_each" | "provider" | "depends_on") {
                        continue;
                    }
                    let v = self.eval_attr(
                        &a.value,
                        sc,
                        &format!("{address}.{path}{k}"),
                        Some(address),
                    )?;
                    out.insert(k.to_owned(), v);
                }
                Structure::Block(b) => {
                    let ident = b.ident.as_str();
                    if top
                        && matches!(
                            ident,
                            "lifecycle" | "provisioner" | "connection" | "timeouts"
                        )
                    {
                        continue;
                    }
                    if ident == "dynamic" {
                        self.dynamic_block(b, sc, path, blocks, address, depth, &mut groups)?;
                        continue;
                    }
                    let Some(list) = groups
                        .entry(ident.to_owned())
                        .or_insert_with(|| Some(Vec::new()))
                    else {
                        continue;
                    };
                    let list = list.len();
                    let key = format!("{path}{ident}[{list}]");
                    blocks.insert(
                        key.clone(),
                        self.insts[sc.inst].def.files[sc.file].location(load::block_span(b), ident),
                    );
                    let v = self.eval_body(
                        &b.body,
                        sc,
                        &format!("{key}."),
                        blocks,
                        address,
                        depth + 1,
                    )?;
                    if let Some(Some(l)) = groups.get_mut(ident) {
                        l.push(Value::object(v));
                    }
                }
            }
        }
        for (k, g) in groups {
            out.insert(k, g.map_or(Value::Unknown, Value::list));
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn dynamic_block(
        &mut self,
        b: &Block,
        sc: Scope<'_>,
        path: &str,
        blocks: &mut BTreeMap<String, SourceLocation>,
        address: &str,
        depth: usize,
        groups: &mut BTreeMap<String, Option<Vec<Value>>>,
    ) -> Er<()> {
        let Some(label) = b.labels.first().map(|l| l.as_str().to_owned()) else {
            return Ok(());
        };
        let iterator = match b.body.get_attribute("iterator").map(|a| &a.value) {
            Some(Expression::Variable(v)) => v.as_str().to_owned(),
            _ => label.clone(),
        };
        let Some(content) = b.body.get_blocks("content").next() else {
            return Ok(());
        };
        let what = format!("{address}: dynamic \"{label}\" for_each");
        let coll = match b.body.get_attribute("for_each") {
            Some(a) => self.eval_attr(&a.value, sc, &what, Some(address))?,
            None => Value::Unknown,
        };
        let items: Vec<(Value, Value)> = match pairs(&coll) {
            Some(items) => items,
            None if coll == Value::Null => Vec::new(),
            None => {
                self.warn(
                    WarningKind::UnknownValue,
                    Some(address),
                    format!("the for_each of dynamic \"{label}\" ({}) is unknown, so its {label} blocks cannot be known; {label} is taken as unknown", self.where_(sc, b.ident.span())),
                );
                groups.insert(label, None);
                return Ok(());
            }
        };
        let group = groups
            .entry(label.clone())
            .or_insert_with(|| Some(Vec::new()));
        if group.is_none() {
            return Ok(());
        }
        let location =
            self.insts[sc.inst].def.files[sc.file].location(load::block_span(content), "content");
        for (k, v) in items {
            let mut it = BTreeMap::new();
            it.insert("key".to_owned(), k);
            it.insert("value".to_owned(), v);
            let env = Env {
                name: &iterator,
                value: Value::object(it),
                parent: sc.env,
            };
            let inner = Scope {
                env: Some(&env),
                ..sc
            };
            let n = groups
                .get(&label)
                .and_then(Option::as_ref)
                .map_or(0, Vec::len);
            let key = format!("{path}{label}[{n}]");
            blocks.insert(key.clone(), location.clone());
            let v = self.eval_body(
                &content.body,
                inner,
                &format!("{key}."),
                blocks,
                address,
                depth + 1,
            )?;
            if let Some(Some(l)) = groups.get_mut(&label) {
                l.push(Value::object(v));
            }
        }
        Ok(())
    }

    // ---- modules ----

    fn force_module(&mut self, inst: usize, name: &str) -> Er<ModState> {
        match self.insts[inst].modules.get(name) {
            Some(Slot::Done(s)) => return Ok(s.clone()),
            Some(Slot::Busy) => {
                let address = format!("{}module.{name}", self.insts[inst].prefix);
                self.warn(
                    WarningKind::UnknownValue,
                    Some(&address),
                    format!("{address} depends on its own outputs through a cycle of references; they are taken as unknown"),
                );
                return Ok(ModState::Unknown);
            }
            None => {}
        }
        if self.stack.len() > MAX_FORCE_DEPTH {
            return invalid("references nested too deeply");
        }
        self.insts[inst].modules.insert(name.to_owned(), Slot::Busy);
        self.stack.push((inst, format!("module.{name}")));
        let r = self.compute_module(inst, name);
        self.stack.pop();
        let state = r?;
        self.insts[inst]
            .modules
            .insert(name.to_owned(), Slot::Done(state.clone()));
        Ok(state)
    }

    #[allow(clippy::too_many_lines)]
    fn compute_module(&mut self, inst: usize, name: &str) -> Er<ModState> {
        let def = self.insts[inst].def.clone();
        let Some(item) = def.modules.get(name) else {
            return invalid(format!("there is no module call named {name}"));
        };
        let block = &item.node;
        let address = format!("{}module.{name}", self.insts[inst].prefix);
        let sc = Scope {
            inst,
            file: item.file,
            env: None,
        };
        let source = match block.body.get_attribute("source") {
            Some(a) => match self.eval(&a.value, sc, 0) {
                Ok(Value::String(s)) => s.to_string(),
                _ => String::new(),
            },
            None => String::new(),
        };
        if !(source.starts_with("./") || source.starts_with("../")) {
            self.warn(
                WarningKind::Input,
                Some(&address),
                format!("module {name} (source {source:?}) cannot be read offline; its resources are not in the report and its outputs are unknown"),
            );
            return Ok(ModState::Unknown);
        }
        let dir = load::resolve(&def.dir, &source);
        if !self.tree.is_dir(&dir) {
            return Err(self.fatal(
                inst,
                item.file,
                load::block_span(block),
                format!(
                    "module {name}: its source {source:?} {}; fix the source (it is relative to the directory of the file that calls the module)",
                    self.tree.missing_dir_reason(&dir)
                ),
            ));
        }
        if self.insts[inst].depth + 1 > MAX_MODULE_DEPTH {
            return Err(self.fatal(
                inst,
                item.file,
                load::block_span(block),
                format!("module {name}: modules are nested more than {MAX_MODULE_DEPTH} deep; a module probably calls itself, which Terraform rejects"),
            ));
        }
        let child_def = if let Some(d) = self.defs.get(&dir) {
            d.clone()
        } else {
            let d = Rc::new(
                load::load_module(self.tree, &dir, false, self.warnings)
                    .map_err(|e| EvalError::Fatal(Box::new(e)))?,
            );
            self.count_read(&d).map_err(EvalError::Fatal)?;
            self.defs.insert(dir.clone(), d.clone());
            d
        };
        let (mode, keys) = self.expansion(&block.body, sc, &address, "module")?;
        let deferred = mode == Mode::Deferred || self.insts[inst].deferred;
        if self.insts.len() + keys.len() > budget::MODULE_INSTANCES {
            return Err(self.fatal(
                inst,
                item.file,
                load::block_span(block),
                format!(
                    "module {name}: the configuration has more than {} module instances (count and for_each on modules multiply), more than reachdiff evaluates; give reachdiff the plan from `terraform show -json` instead",
                    budget::MODULE_INSTANCES
                ),
            ));
        }
        let mut children = Vec::new();
        for (k, each) in keys {
            let env = instance_env(&k, each);
            let sc = Scope {
                inst,
                file: item.file,
                env: env.as_ref(),
            };
            let prefix = format!("{address}{}.", k.suffix());
            let mut inputs = BTreeMap::new();
            for a in block.body.attributes() {
                let key = a.key.as_str();
                if matches!(
                    key,
                    "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                ) {
                    continue;
                }
                let v = self.eval_attr(&a.value, sc, &format!("{address}.{key}"), None)?;
                inputs.insert(key.to_owned(), v);
            }
            let mut vars = BTreeMap::new();
            for (var, item) in &child_def.variables {
                let ty = item.node.body.get_attribute("type").map(|a| &a.value);
                let v = match inputs.remove(var) {
                    Some(v) => v,
                    None => {
                        if let Some(d) = item.node.body.get_attribute("default") {
                            const_value(&d.value, 0).unwrap_or(Value::Unknown)
                        } else {
                            self.warn(
                            WarningKind::UnknownValue,
                            None,
                            format!("module {name} does not set its required variable {var}; it is taken as unknown"),
                        );
                            Value::Unknown
                        }
                    }
                };
                vars.insert(var.clone(), convert(ty, v, 0));
            }
            let id = self.insts.len();
            self.insts.push(Inst {
                def: child_def.clone(),
                prefix,
                deferred,
                depth: self.insts[inst].depth + 1,
                vars,
                locals: BTreeMap::new(),
                resources: BTreeMap::new(),
                modules: BTreeMap::new(),
                outputs: BTreeMap::new(),
            });
            children.push((k, id));
        }
        Ok(match mode {
            // Its instance is evaluated (its resources are in the report, possible);
            // which outputs there are is unknown.
            Mode::Deferred => ModState::Unknown,
            Mode::Single => children
                .first()
                .map_or(ModState::Unknown, |(_, i)| ModState::Single(*i)),
            Mode::List => ModState::List(children.into_iter().map(|(_, i)| i).collect()),
            Mode::Map => ModState::Map(
                children
                    .into_iter()
                    .map(|(k, i)| match k {
                        Key::Name(n) => (n, i),
                        Key::Index(n) => (n.to_string(), i),
                        Key::None | Key::AnyIndex | Key::AnyName => (String::new(), i),
                    })
                    .collect(),
            ),
        })
    }

    fn module_value(&mut self, inst: usize, name: &str) -> Er<Value> {
        if !self.insts[inst].def.modules.contains_key(name) {
            return invalid(format!("there is no module call named {name}"));
        }
        Ok(match self.force_module(inst, name)? {
            ModState::Unknown => Value::Unknown,
            ModState::Single(i) => self.outputs_of(i)?,
            ModState::List(l) => {
                let mut out = Vec::new();
                for i in l {
                    out.push(self.outputs_of(i)?);
                }
                Value::list(out)
            }
            ModState::Map(m) => {
                let mut out = BTreeMap::new();
                for (k, i) in m {
                    out.insert(k, self.outputs_of(i)?);
                }
                Value::object(out)
            }
        })
    }

    fn outputs_of(&mut self, inst: usize) -> Er<Value> {
        let def = self.insts[inst].def.clone();
        let mut out = BTreeMap::new();
        for (name, item) in &def.outputs {
            let v = match self.insts[inst].outputs.get(name) {
                Some(Slot::Done(v)) => v.clone(),
                Some(Slot::Busy) => Value::Unknown,
                None => {
                    self.insts[inst].outputs.insert(name.clone(), Slot::Busy);
                    self.stack.push((inst, format!("output.{name}")));
                    let sc = Scope {
                        inst,
                        file: item.file,
                        env: None,
                    };
                    let v = match item.node.body.get_attribute("value") {
                        Some(a) => {
                            let what = format!(
                                "output {name} of {}",
                                self.insts[inst].prefix.trim_end_matches('.')
                            );
                            self.eval_attr(&a.value, sc, &what, None)
                        }
                        None => Ok(Value::Null),
                    };
                    self.stack.pop();
                    let v = v?;
                    self.insts[inst]
                        .outputs
                        .insert(name.clone(), Slot::Done(v.clone()));
                    v
                }
            };
            out.insert(name.clone(), v);
        }
        Ok(Value::object(out))
    }

    // ---- expressions ----

    /// Evaluates an expression within the budgets ([`crate::limits::evaluator`]): each
    /// call is one step, and a value over the size budgets is invalid (so unknown, with
    /// a warning, where it is used).
    fn eval(&mut self, e: &Expression, sc: Scope<'_>, depth: usize) -> Er<Value> {
        self.steps += 1;
        if self.steps > budget::STEPS {
            return Err(self.fatal(
                sc.inst,
                sc.file,
                e.span(),
                format!(
                    "evaluating the configuration takes more than {} steps (nested `for` expressions or `count` over large collections); reachdiff stops here rather than run without end — simplify the expression, or give reachdiff the plan from `terraform show -json`",
                    budget::STEPS
                ),
            ));
        }
        let v = self.eval_inner(e, sc, depth)?;
        within_budget(&v)?;
        Ok(v)
    }

    #[allow(clippy::too_many_lines)]
    fn eval_inner(&mut self, e: &Expression, sc: Scope<'_>, depth: usize) -> Er<Value> {
        if depth > MAX_EXPR_DEPTH {
            return invalid("expression nested too deeply");
        }
        let d = depth + 1;
        Ok(match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::Number(n.value().as_f64().unwrap_or(0.0)),
            Expression::String(s) => Value::string(s.value().as_str()),
            Expression::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for e in a {
                    out.push(self.eval(e, sc, d)?);
                }
                Value::list(out)
            }
            Expression::Object(o) => {
                let mut out = BTreeMap::new();
                let mut unknown = false;
                for (k, v) in o {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_owned(),
                        ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_owned(),
                        ObjectKey::Expression(e) => match self.eval(e, sc, d)? {
                            Value::Unknown => {
                                unknown = true;
                                continue;
                            }
                            k => to_str(&k).map_err(fn_error)?,
                        },
                    };
                    let v = self.eval(v.expr(), sc, d)?;
                    out.insert(key, v);
                }
                if unknown {
                    Value::Unknown
                } else {
                    Value::object(out)
                }
            }
            Expression::StringTemplate(t) => {
                let elements: Vec<&Element> = t.iter().collect();
                self.eval_template(&elements, sc, d, (false, false))?
            }
            Expression::HeredocTemplate(h) => {
                let elements: Vec<&Element> = h.template.iter().collect();
                self.eval_template(&elements, sc, d, (false, false))?
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), sc, d)?,
            Expression::Variable(v) => self.resolve_root(v.as_str(), &[], sc, e.span())?.0,
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, sc, d)?;
                match cond {
                    Value::Bool(true) => self.eval(&c.true_expr, sc, d)?,
                    Value::Bool(false) => self.eval(&c.false_expr, sc, d)?,
                    Value::String(s) if &*s == "true" => self.eval(&c.true_expr, sc, d)?,
                    Value::String(s) if &*s == "false" => self.eval(&c.false_expr, sc, d)?,
                    Value::Unknown => {
                        let a = self.eval(&c.true_expr, sc, d)?;
                        let b = self.eval(&c.false_expr, sc, d)?;
                        if a == b && a.is_wholly_known() {
                            a
                        } else {
                            Value::Unknown
                        }
                    }
                    v => {
                        return invalid(format!(
                            "the condition is a {}, not a bool",
                            v.type_name()
                        ));
                    }
                }
            }
            Expression::FuncCall(f) => self.call(f, sc, d)?,
            Expression::Traversal(t) => self.traversal(t, sc, d)?,
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, sc, d)?;
                match (u.operator.value(), v) {
                    (_, Value::Unknown) => Value::Unknown,
                    (UnaryOperator::Neg, v) => Value::Number(-to_num(&v).map_err(fn_error)?),
                    (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                    (UnaryOperator::Not, v) => {
                        return invalid(format!("! needs a bool, not a {}", v.type_name()));
                    }
                }
            }
            Expression::BinaryOp(b) => {
                let l = self.eval(&b.lhs_expr, sc, d)?;
                let r = self.eval(&b.rhs_expr, sc, d)?;
                binary(*b.operator.value(), &l, &r)?
            }
            Expression::ForExpr(f) => {
                let coll = self.eval(&f.intro.collection_expr, sc, d)?;
                let Some(items) = iteration_items(&coll, "a for expression")? else {
                    return Ok(Value::Unknown);
                };
                let vars = (
                    f.intro.key_var.as_ref().map(|k| k.as_str()),
                    f.intro.value_var.as_str(),
                );
                let mut list = Vec::new();
                let mut map: BTreeMap<String, Value> = BTreeMap::new();
                let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
                for item in items {
                    let step = self.with_item(sc, vars, item, |this, inner| {
                        if let Some(c) = &f.cond {
                            match this.eval(&c.expr, inner, d)? {
                                Value::Bool(true) => {}
                                Value::Bool(false) => return Ok(ForStep::Skip),
                                Value::Unknown => return Ok(ForStep::Unknown),
                                v => {
                                    return invalid(format!(
                                        "a for condition is a {}, not a bool",
                                        v.type_name()
                                    ));
                                }
                            }
                        }
                        let value = this.eval(&f.value_expr, inner, d)?;
                        let key = match &f.key_expr {
                            Some(ke) => Some(this.eval(ke, inner, d)?),
                            None => None,
                        };
                        Ok(ForStep::Item(key, value))
                    })?;
                    let (key, value) = match step {
                        ForStep::Skip => continue,
                        ForStep::Unknown => return Ok(Value::Unknown),
                        ForStep::Item(key, value) => (key, value),
                    };
                    match key {
                        None => list.push(value),
                        Some(Value::Unknown) => return Ok(Value::Unknown),
                        Some(k) => {
                            let key = to_str(&k).map_err(fn_error)?;
                            if f.grouping {
                                groups.entry(key).or_default().push(value);
                            } else if map.insert(key.clone(), value).is_some() {
                                return invalid(format!(
                                    "duplicate key {key:?} in a for expression (use ... to group)"
                                ));
                            }
                        }
                    }
                }
                if f.key_expr.is_some() {
                    map.extend(groups.into_iter().map(|(k, l)| (k, Value::list(l))));
                    Value::object(map)
                } else {
                    Value::list(list)
                }
            }
        })
    }

    /// Evaluates `body` with a `for`'s variables bound to one item (`for k, v in …`,
    /// `%{ for k, v in … }`).
    fn with_item<T>(
        &mut self,
        sc: Scope<'_>,
        (key_var, value_var): (Option<&str>, &str),
        (k, v): (Value, Value),
        body: impl FnOnce(&mut Self, Scope<'_>) -> Er<T>,
    ) -> Er<T> {
        let kenv;
        let parent = match key_var {
            Some(name) => {
                kenv = Env {
                    name,
                    value: k,
                    parent: sc.env,
                };
                Some(&kenv)
            }
            None => sc.env,
        };
        let venv = Env {
            name: value_var,
            value: v,
            parent,
        };
        body(
            self,
            Scope {
                env: Some(&venv),
                ..sc
            },
        )
    }

    /// A template's value; `strip` says whether the markers around it strip the
    /// whitespace at its start and at its end.
    #[allow(clippy::too_many_lines)]
    fn eval_template(
        &mut self,
        elements: &[&Element],
        sc: Scope<'_>,
        d: usize,
        strip: (bool, bool),
    ) -> Er<Value> {
        if let [Element::Interpolation(i)] = elements {
            return self.eval(&i.expr, sc, d);
        }
        let mut out = String::new();
        let mut unknown = false;
        for (n, el) in elements.iter().enumerate() {
            // Templates concatenate: check as they grow, not once they are huge.
            if out.len() > budget::STRING {
                return invalid(functions::TOO_LONG);
            }
            match el {
                Element::Literal(s) => {
                    let mut s: &str = s.value();
                    let strip_before = if n == 0 {
                        strip.0
                    } else {
                        strips_end(elements[n - 1])
                    };
                    let strip_after = elements.get(n + 1).map_or(strip.1, |e| strips_start(e));
                    if strip_before {
                        s = s.trim_start();
                    }
                    if strip_after {
                        s = s.trim_end();
                    }
                    out.push_str(s);
                }
                Element::Interpolation(i) => match self.eval(&i.expr, sc, d)? {
                    Value::Unknown => unknown = true,
                    Value::Null => return invalid("a template interpolates null"),
                    v => out.push_str(&to_str(&v).map_err(fn_error)?),
                },
                Element::Directive(dir) => match &**dir {
                    Directive::If(i) => {
                        let endif = i.endif_expr.strip.strip_start();
                        let t = match self.eval(&i.if_expr.cond_expr, sc, d)? {
                            Value::Bool(true) => Some((
                                &i.if_expr.template,
                                (
                                    i.if_expr.strip.strip_end(),
                                    i.else_expr
                                        .as_ref()
                                        .map_or(endif, |e| e.strip.strip_start()),
                                ),
                            )),
                            Value::Bool(false) => i
                                .else_expr
                                .as_ref()
                                .map(|e| (&e.template, (e.strip.strip_end(), endif))),
                            Value::Unknown => {
                                unknown = true;
                                None
                            }
                            v => {
                                return invalid(format!(
                                    "an %{{if}} condition is a {}, not a bool",
                                    v.type_name()
                                ));
                            }
                        };
                        if let Some((t, strip)) = t {
                            match self.sub_template(t, sc, d, strip)? {
                                Some(s) => out.push_str(&s),
                                None => unknown = true,
                            }
                        }
                    }
                    Directive::For(f) => {
                        let fe = &f.for_expr;
                        let coll = self.eval(&fe.collection_expr, sc, d)?;
                        let Some(items) = iteration_items(&coll, "%{for}")? else {
                            unknown = true;
                            continue;
                        };
                        let vars = (
                            fe.key_var.as_ref().map(|k| k.as_str()),
                            fe.value_var.as_str(),
                        );
                        let strip = (fe.strip.strip_end(), f.endfor_expr.strip.strip_start());
                        for item in items {
                            let text = self.with_item(sc, vars, item, |this, inner| {
                                this.sub_template(&fe.template, inner, d, strip)
                            })?;
                            match text {
                                Some(s) => out.push_str(&s),
                                None => unknown = true,
                            }
                            if out.len() > budget::STRING {
                                return invalid(functions::TOO_LONG);
                            }
                        }
                    }
                },
            }
        }
        Ok(if unknown {
            Value::Unknown
        } else {
            Value::string(out)
        })
    }

    /// A directive's template as a string; `None` when unknown.
    fn sub_template(
        &mut self,
        t: &Template,
        sc: Scope<'_>,
        d: usize,
        strip: (bool, bool),
    ) -> Er<Option<String>> {
        let elements: Vec<&Element> = t.iter().collect();
        if let [Element::Interpolation(_)] = elements.as_slice() {
            // Not the bare-value case: a directive body is always a string.
            let mut with_empty = elements.clone();
            let empty = Element::Literal(hcl_edit::Spanned::new(String::new()));
            with_empty.push(&empty);
            return self.sub_template_of(&with_empty, sc, d, strip);
        }
        self.sub_template_of(&elements, sc, d, strip)
    }

    fn sub_template_of(
        &mut self,
        elements: &[&Element],
        sc: Scope<'_>,
        d: usize,
        strip: (bool, bool),
    ) -> Er<Option<String>> {
        Ok(match self.eval_template(elements, sc, d + 1, strip)? {
            Value::Unknown => None,
            v => Some(to_str(&v).map_err(fn_error)?),
        })
    }

    fn call(&mut self, f: &FuncCall, sc: Scope<'_>, d: usize) -> Er<Value> {
        let name = f.name.name.as_str();
        if !f.name.namespace.is_empty() {
            let at = self.where_(sc, f.name.name.span());
            self.warn(
                WarningKind::Input,
                None,
                format!("provider function {name} ({at}) is not evaluated by reachdiff; its value is taken as unknown"),
            );
            return Ok(Value::Unknown);
        }
        match name {
            "try" => {
                for a in &f.args {
                    match self.eval(a, sc, d) {
                        Ok(v) => return Ok(v),
                        Err(EvalError::Invalid(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
                return invalid("no argument of try could be evaluated");
            }
            "can" => {
                let Some(a) = f.args.iter().next() else {
                    return invalid("can takes one argument");
                };
                return match self.eval(a, sc, d) {
                    Ok(Value::Unknown) => Ok(Value::Unknown),
                    Ok(_) => Ok(Value::Bool(true)),
                    Err(EvalError::Invalid(_)) => Ok(Value::Bool(false)),
                    Err(e) => Err(e),
                };
            }
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        for a in &f.args {
            args.push(self.eval(a, sc, d)?);
        }
        if f.args.expand_final() {
            match args.pop() {
                Some(Value::List(l)) => args.extend(l.iter().cloned()),
                Some(Value::Unknown) => return Ok(Value::Unknown),
                Some(v) => return invalid(format!("... needs a list, not a {}", v.type_name())),
                None => {}
            }
        }
        match functions::call(name, &args) {
            Ok(v) => Ok(v),
            Err(FnError::NoSuchFunction) => {
                let at = self.where_(sc, f.name.name.span());
                self.warn(
                    WarningKind::UnknownValue,
                    None,
                    format!("function {name} ({at}) is not evaluated by reachdiff; its value is taken as unknown"),
                );
                Ok(Value::Unknown)
            }
            Err(FnError::Invalid(m)) => invalid(format!("{name}: {m}")),
        }
    }

    fn traversal(&mut self, t: &Traversal, sc: Scope<'_>, d: usize) -> Er<Value> {
        let ops: Vec<&TraversalOperator> =
            t.operators.iter().map(hcl_edit::Decorated::value).collect();
        let (v, used) = match &t.expr {
            Expression::Variable(v) => self.resolve_root(v.as_str(), &ops, sc, t.span())?,
            e => (self.eval(e, sc, d)?, 0),
        };
        self.apply_ops(v, &ops[used..], sc, d)
    }

    /// The value a root name (with its first attribute accesses) refers to, and how
    /// many operators that used.
    fn resolve_root(
        &mut self,
        name: &str,
        ops: &[&TraversalOperator],
        sc: Scope<'_>,
        span: Option<std::ops::Range<usize>>,
    ) -> Er<(Value, usize)> {
        if let Some(v) = lookup(sc.env, name) {
            return Ok((v.clone(), 0));
        }
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_owned()),
            _ => None,
        };
        let inst = sc.inst;
        match name {
            "var" => {
                let Some(n) = attr(0) else {
                    return invalid("var needs a variable name");
                };
                match self.insts[inst].vars.get(&n) {
                    Some(v) => Ok((v.clone(), 1)),
                    None => self.undeclared(sc, span, &format!("variable {n}"), 1),
                }
            }
            "local" => {
                let Some(n) = attr(0) else {
                    return invalid("local needs a name");
                };
                if !self.insts[inst].def.locals.contains_key(&n) {
                    return self.undeclared(sc, span, &format!("local value {n}"), 1);
                }
                Ok((self.force_local(inst, &n)?, 1))
            }
            "count" | "each" => invalid(format!("{name} is used where it is not set")),
            "path" => {
                let dir = self.insts[inst].def.dir.clone();
                match attr(0).as_deref() {
                    Some("module") => Ok((
                        Value::string(if dir.is_empty() { ".".into() } else { dir }),
                        1,
                    )),
                    Some("root" | "cwd") => Ok((Value::string("."), 1)),
                    _ => invalid("unknown path attribute"),
                }
            }
            "terraform" => match attr(0).as_deref() {
                Some("workspace") => Ok((Value::string("default"), 1)),
                _ => Ok((Value::Unknown, ops.len())),
            },
            "self" => Ok((Value::Unknown, ops.len())),
            "module" => {
                let Some(n) = attr(0) else {
                    return invalid("module needs a name");
                };
                if !self.insts[inst].def.modules.contains_key(&n) {
                    return self.undeclared(sc, span, &format!("module {n}"), 1);
                }
                Ok((self.module_value(inst, &n)?, 1))
            }
            "data" => {
                let (Some(t), Some(n)) = (attr(0), attr(1)) else {
                    return invalid("data needs a type and a name");
                };
                let key = format!("data.{t}.{n}");
                if !self.insts[inst].def.resources.contains_key(&key) {
                    return self.undeclared(sc, span, &format!("data source {key}"), 2);
                }
                Ok((self.force_resource(inst, &key)?.whole.clone(), 2))
            }
            t => {
                let Some(n) = attr(0) else {
                    return invalid(format!("unknown name {t}"));
                };
                let key = format!("{t}.{n}");
                if !self.insts[inst].def.resources.contains_key(&key) {
                    return self.undeclared(sc, span, &format!("resource {key}"), 1);
                }
                Ok((self.force_resource(inst, &key)?.whole.clone(), 1))
            }
        }
    }

    /// A reference to something the module does not declare (a resource removed by
    /// the change, a file not given): Terraform rejects it, so nothing is known of its
    /// value. Unknown, with a warning — so that only the value using it widens (one
    /// field of one rule), not the attribute or block around it as an invalid
    /// expression would. `used`: the traversal steps the name took.
    #[allow(clippy::unnecessary_wraps)] // the callers' return value, as every arm's
    fn undeclared(
        &mut self,
        sc: Scope<'_>,
        span: Option<std::ops::Range<usize>>,
        what: &str,
        used: usize,
    ) -> Er<(Value, usize)> {
        let at = self.where_(sc, span);
        self.warn(
            WarningKind::UnresolvedReference,
            None,
            format!(
                "{at}: the configuration refers to {what}, which it does not declare (Terraform rejects this); the value that uses it is taken as unknown"
            ),
        );
        Ok((Value::Unknown, used))
    }

    fn apply_ops(
        &mut self,
        mut v: Value,
        ops: &[&TraversalOperator],
        sc: Scope<'_>,
        d: usize,
    ) -> Er<Value> {
        let mut i = 0;
        while i < ops.len() {
            match ops[i] {
                TraversalOperator::GetAttr(a) => v = get_attr(&v, a.as_str())?,
                TraversalOperator::Index(e) => {
                    let k = self.eval(e, sc, d)?;
                    v = index(&v, &k)?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    #[allow(clippy::cast_precision_loss)]
                    let k = Value::Number(*n.value() as f64);
                    v = index(&v, &k)?;
                }
                TraversalOperator::AttrSplat(_) => {
                    let end = ops[i + 1..]
                        .iter()
                        .position(|o| !matches!(o, TraversalOperator::GetAttr(_)))
                        .map_or(ops.len(), |p| i + 1 + p);
                    v = self.splat(v, &ops[i + 1..end], sc, d)?;
                    i = end;
                    continue;
                }
                TraversalOperator::FullSplat(_) => return self.splat(v, &ops[i + 1..], sc, d),
            }
            i += 1;
        }
        Ok(v)
    }

    fn splat(
        &mut self,
        v: Value,
        ops: &[&TraversalOperator],
        sc: Scope<'_>,
        d: usize,
    ) -> Er<Value> {
        match v {
            Value::Unknown => Ok(Value::Unknown),
            Value::Null => Ok(Value::list(Vec::new())),
            Value::List(l) => {
                let mut out = Vec::with_capacity(l.len());
                for e in l.iter() {
                    out.push(self.apply_ops(e.clone(), ops, sc, d)?);
                }
                Ok(Value::list(out))
            }
            v => Ok(Value::list(vec![self.apply_ops(v, ops, sc, d)?])),
        }
    }
}

/// `Invalid` when `v` is over a size budget of [`crate::limits::evaluator`]; checked
/// on every value an expression yields, from the metadata its constructor computed.
fn within_budget(v: &Value) -> Er<()> {
    let meta = v.meta();
    let (what, limit) = match v {
        Value::String(s) if s.len() > budget::STRING => ("characters", budget::STRING),
        Value::List(l) if l.len() > budget::COLLECTION => ("elements", budget::COLLECTION),
        Value::Object(o, _) if o.len() > budget::COLLECTION => ("attributes", budget::COLLECTION),
        _ if meta.size > budget::VALUE => ("bytes when written out", budget::VALUE),
        _ if meta.depth > budget::VALUE_DEPTH => ("levels of nesting", budget::VALUE_DEPTH),
        _ => return Ok(()),
    };
    invalid(format!(
        "the value has more than {limit} {what}, more than reachdiff evaluates"
    ))
}

/// What one item of a `for` (expression or template directive) yields.
enum ForStep {
    /// The condition is false.
    Skip,
    /// The condition is unknown: so is the whole result.
    Unknown,
    /// The key (object form) and value.
    Item(Option<Value>, Value),
}

/// The (key, value) pairs `for` iterates over: index and element of a list, key and
/// value of an object; `None` for an unknown collection. `what` names the construct in
/// the error for anything else.
fn iteration_items(coll: &Value, what: &str) -> Er<Option<Vec<(Value, Value)>>> {
    match (coll, pairs(coll)) {
        (Value::Unknown, _) => Ok(None),
        (_, Some(items)) => Ok(Some(items)),
        (v, None) => invalid(format!("{what} cannot iterate over a {}", v.type_name())),
    }
}

/// Index and element of a list, key and value of an object; `None` for anything else.
fn pairs(coll: &Value) -> Option<Vec<(Value, Value)>> {
    match coll {
        #[allow(clippy::cast_precision_loss)]
        Value::List(l) => Some(
            l.iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v.clone()))
                .collect(),
        ),
        Value::Object(m, _) => Some(
            m.iter()
                .map(|(k, v)| (Value::string(k.as_str()), v.clone()))
                .collect(),
        ),
        _ => None,
    }
}

fn fn_error(e: FnError) -> EvalError {
    match e {
        FnError::NoSuchFunction => EvalError::Invalid("no such function".into()),
        FnError::Invalid(m) => EvalError::Invalid(m),
    }
}

fn strips_end(e: &Element) -> bool {
    match e {
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match &**d {
            Directive::If(i) => i.endif_expr.strip.strip_end(),
            Directive::For(f) => f.endfor_expr.strip.strip_end(),
        },
        Element::Literal(_) => false,
    }
}

fn strips_start(e: &Element) -> bool {
    match e {
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match &**d {
            Directive::If(i) => i.if_expr.strip.strip_start(),
            Directive::For(f) => f.for_expr.strip.strip_start(),
        },
        Element::Literal(_) => false,
    }
}

fn get_attr(v: &Value, name: &str) -> Er<Value> {
    match v {
        Value::Object(m, open) => match m.get(name) {
            Some(v) => Ok(v.clone()),
            None if *open => Ok(Value::Unknown),
            None => invalid(format!("the object has no attribute {name:?}")),
        },
        Value::Unknown => Ok(Value::Unknown),
        Value::Null => invalid(format!("attempt to get attribute {name:?} from null")),
        v => invalid(format!("a {} has no attribute {name:?}", v.type_name())),
    }
}

fn index(v: &Value, k: &Value) -> Er<Value> {
    match (v, k) {
        (Value::Unknown, _) | (_, Value::Unknown) => Ok(Value::Unknown),
        (Value::List(l), k) => {
            let n = to_num(k).map_err(fn_error)?;
            if n < 0.0 || n.fract() != 0.0 {
                return invalid(format!("invalid index {n}"));
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let i = n as usize;
            l.get(i).cloned().map_or_else(
                || {
                    invalid(format!(
                        "index {i} is out of range for a list of {}",
                        l.len()
                    ))
                },
                Ok,
            )
        }
        (Value::Object(..), k) => get_attr(v, &to_str(k).map_err(fn_error)?),
        (Value::Null, _) => invalid("attempt to index null"),
        (v, _) => invalid(format!("a {} cannot be indexed", v.type_name())),
    }
}

fn binary(op: BinaryOperator, l: &Value, r: &Value) -> Er<Value> {
    use BinaryOperator as B;
    let num = |v: &Value| to_num(v).map_err(fn_error);
    match op {
        B::And | B::Or => {
            let want = op == B::Or;
            let as_bool = |v: &Value| match v {
                Value::Bool(b) => Ok(Some(*b)),
                Value::Unknown => Ok(None),
                v => invalid(format!(
                    "a logical operator needs bools, not a {}",
                    v.type_name()
                )),
            };
            let (a, b) = (as_bool(l)?, as_bool(r)?);
            Ok(match (a, b) {
                (Some(x), _) | (_, Some(x)) if x == want => Value::Bool(want),
                (Some(_), Some(_)) => Value::Bool(!want),
                _ => Value::Unknown,
            })
        }
        B::Eq | B::NotEq => {
            if !l.is_wholly_known() || !r.is_wholly_known() {
                return Ok(Value::Unknown);
            }
            let eq = values_equal(l, r);
            Ok(Value::Bool(if op == B::Eq { eq } else { !eq }))
        }
        _ => {
            if l.is_unknown() || r.is_unknown() {
                return Ok(Value::Unknown);
            }
            let (a, b) = (num(l)?, num(r)?);
            Ok(match op {
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                B::Plus => Value::Number(a + b),
                B::Minus => Value::Number(a - b),
                B::Mul => Value::Number(a * b),
                B::Div if b == 0.0 => return invalid("division by zero"),
                B::Div => Value::Number(a / b),
                B::Mod if b == 0.0 => return invalid("modulo by zero"),
                B::Mod => Value::Number(a % b),
                _ => return invalid("unsupported operator"),
            })
        }
    }
}

/// `==` as Terraform has it: objects and lists by content, ignoring the open flag.
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x, _), Value::Object(y, _)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && values_equal(v1, v2))
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(v1, v2)| values_equal(v1, v2))
        }
        _ => a == b,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Single,
    List,
    Map,
    /// The instances are not known before apply: one stands for them all.
    Deferred,
}

fn instance_env(k: &Key, each: Option<Value>) -> Option<Env<'static>> {
    match k {
        Key::None => None,
        Key::Index(i) => {
            let mut m = BTreeMap::new();
            #[allow(clippy::cast_precision_loss)]
            m.insert("index".to_owned(), Value::Number(*i as f64));
            Some(Env {
                name: "count",
                value: Value::object(m),
                parent: None,
            })
        }
        Key::Name(n) => {
            let mut m = BTreeMap::new();
            m.insert("key".to_owned(), Value::string(n.as_str()));
            m.insert("value".to_owned(), each.unwrap_or(Value::Null));
            Some(Env {
                name: "each",
                value: Value::object(m),
                parent: None,
            })
        }
        // One instance for all: its index, key and value are unknown.
        Key::AnyIndex => Some(Env {
            name: "count",
            value: Value::object(BTreeMap::from([("index".to_owned(), Value::Unknown)])),
            parent: None,
        }),
        Key::AnyName => Some(Env {
            name: "each",
            value: Value::object(BTreeMap::from([
                ("key".to_owned(), Value::Unknown),
                ("value".to_owned(), Value::Unknown),
            ])),
            parent: None,
        }),
    }
}

fn collect(mode: Mode, refs: Vec<(Key, Value)>) -> Value {
    match mode {
        // Which instances there are is unknown, so is every reference to them.
        Mode::Deferred => Value::Unknown,
        Mode::Single => refs.into_iter().next().map_or(Value::Unknown, |(_, v)| v),
        Mode::List => Value::list(refs.into_iter().map(|(_, v)| v).collect()),
        Mode::Map => Value::object(
            refs.into_iter()
                .map(|(k, v)| match k {
                    Key::Name(n) => (n, v),
                    Key::Index(i) => (i.to_string(), v),
                    Key::None | Key::AnyIndex | Key::AnyName => (String::new(), v),
                })
                .collect(),
        ),
    }
}

/// The value of an expression without references (a default, a tfvars value);
/// `None` when it needs more than literals, operators and functions.
fn const_value(e: &Expression, depth: usize) -> Option<Value> {
    if depth > MAX_EXPR_DEPTH {
        return None;
    }
    let d = depth + 1;
    Some(match e {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => Value::Number(n.value().as_f64()?),
        Expression::String(s) => Value::string(s.value().as_str()),
        Expression::Array(a) => {
            Value::list(a.iter().map(|e| const_value(e, d)).collect::<Option<_>>()?)
        }
        Expression::Object(o) => {
            let mut m = BTreeMap::new();
            for (k, v) in o {
                let key = match k {
                    ObjectKey::Ident(i) => i.as_str().to_owned(),
                    ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_owned(),
                    ObjectKey::Expression(e) => to_str(&const_value(e, d)?).ok()?,
                };
                m.insert(key, const_value(v.expr(), d)?);
            }
            Value::object(m)
        }
        Expression::StringTemplate(t) => {
            let mut s = String::new();
            for el in t {
                match el {
                    Element::Literal(l) => s.push_str(l.value()),
                    _ => return None,
                }
            }
            Value::string(s)
        }
        Expression::HeredocTemplate(h) => {
            let mut s = String::new();
            for el in &h.template {
                match el {
                    Element::Literal(l) => s.push_str(l.value()),
                    _ => return None,
                }
            }
            Value::string(s)
        }
        Expression::Parenthesis(p) => const_value(p.inner(), d)?,
        Expression::UnaryOp(u) => match (u.operator.value(), const_value(&u.expr, d)?) {
            (UnaryOperator::Neg, Value::Number(n)) => Value::Number(-n),
            (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
            _ => return None,
        },
        Expression::BinaryOp(b) => binary(
            *b.operator.value(),
            &const_value(&b.lhs_expr, d)?,
            &const_value(&b.rhs_expr, d)?,
        )
        .ok()?,
        Expression::FuncCall(f) if f.name.namespace.is_empty() => {
            let args = f
                .args
                .iter()
                .map(|a| const_value(a, d))
                .collect::<Option<Vec<_>>>()?;
            functions::call(f.name.name.as_str(), &args).ok()?
        }
        _ => return None,
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Converts a variable value to its declared type, as far as primitives go
/// (`"3"` for a number, a list for a set, `optional` attribute defaults).
fn convert(ty: Option<&Expression>, v: Value, depth: usize) -> Value {
    let Some(ty) = ty else { return v };
    if depth > 32 || v.is_unknown() || v == Value::Null {
        return v;
    }
    match ty {
        Expression::Variable(t) => match (t.as_str(), &v) {
            ("string", Value::Number(_) | Value::Bool(_)) => to_str(&v).map_or(v, Value::string),
            ("number", Value::String(_)) => to_num(&v).map_or(v, Value::Number),
            ("bool", Value::String(s)) if &**s == "true" => Value::Bool(true),
            ("bool", Value::String(s)) if &**s == "false" => Value::Bool(false),
            _ => v,
        },
        Expression::FuncCall(f) => {
            let arg = f.args.iter().next();
            match (f.name.name.as_str(), &v) {
                ("list" | "set", Value::List(l)) => {
                    let l: Vec<Value> = l
                        .iter()
                        .map(|e| convert(arg, e.clone(), depth + 1))
                        .collect();
                    if f.name.name.as_str() == "set" {
                        functions::toset(&Value::list(l.clone())).unwrap_or(Value::list(l))
                    } else {
                        Value::list(l)
                    }
                }
                ("map", Value::Object(m, _)) => Value::object(
                    m.iter()
                        .map(|(k, e)| (k.clone(), convert(arg, e.clone(), depth + 1)))
                        .collect(),
                ),
                ("object", Value::Object(m, _)) => {
                    let Some(Expression::Object(attrs)) = arg else {
                        return v;
                    };
                    let mut out: BTreeMap<String, Value> = (***m).clone();
                    for (k, t) in attrs {
                        let key = match k {
                            ObjectKey::Ident(i) => i.as_str().to_owned(),
                            ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_owned(),
                            ObjectKey::Expression(_) => continue,
                        };
                        let t = t.expr();
                        let (inner, default) = match t {
                            Expression::FuncCall(o) if o.name.name.as_str() == "optional" => (
                                o.args.iter().next(),
                                o.args.iter().nth(1).and_then(|d| const_value(d, 0)),
                            ),
                            t => (Some(t), None),
                        };
                        match out.remove(&key) {
                            Some(Value::Null) | None => {
                                out.insert(
                                    key,
                                    default.map_or(Value::Null, |d| convert(inner, d, depth + 1)),
                                );
                            }
                            Some(x) => {
                                out.insert(key, convert(inner, x, depth + 1));
                            }
                        }
                    }
                    Value::object(out)
                }
                _ => v,
            }
        }
        _ => v,
    }
}

// ---- static dependency order ----

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Local(String),
    Resource(String),
    Module(String),
}

/// Locals, resources and module calls of `def`, each after what it references
/// (as far as references can be seen without evaluating), so that computing them in
/// this order keeps lazy evaluation shallow.
fn static_order(def: &ModuleDef) -> Vec<Item> {
    use hcl_edit::visit::Visit;
    struct Refs<'d> {
        def: &'d ModuleDef,
        out: BTreeSet<Item>,
    }
    impl Visit for Refs<'_> {
        fn visit_traversal(&mut self, node: &Traversal) {
            if let Expression::Variable(root) = &node.expr {
                let attr = |i: usize| match node.operators.get(i).map(hcl_edit::Decorated::value) {
                    Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
                    _ => None,
                };
                match (root.as_str(), attr(0), attr(1)) {
                    ("local", Some(n), _) if self.def.locals.contains_key(n) => {
                        self.out.insert(Item::Local(n.to_owned()));
                    }
                    ("module", Some(n), _) if self.def.modules.contains_key(n) => {
                        self.out.insert(Item::Module(n.to_owned()));
                    }
                    ("data", Some(t), Some(n))
                        if self.def.resources.contains_key(&format!("data.{t}.{n}")) =>
                    {
                        self.out.insert(Item::Resource(format!("data.{t}.{n}")));
                    }
                    (t, Some(n), _) => {
                        let key = format!("{t}.{n}");
                        if self.def.resources.contains_key(&key) {
                            self.out.insert(Item::Resource(key));
                        }
                    }
                    _ => {}
                }
            }
            hcl_edit::visit::visit_traversal(self, node);
        }
    }
    let deps_of = |item: &Item| -> Vec<Item> {
        let mut r = Refs {
            def,
            out: BTreeSet::new(),
        };
        match item {
            Item::Local(n) => {
                if let Some(l) = def.locals.get(n) {
                    r.visit_expr(&l.node.value);
                }
            }
            Item::Resource(k) => {
                if let Some(b) = def.resources.get(k) {
                    r.visit_body(&b.node.body);
                }
            }
            Item::Module(n) => {
                if let Some(b) = def.modules.get(n) {
                    r.visit_body(&b.node.body);
                }
            }
        }
        r.out.into_iter().collect()
    };
    let all: Vec<Item> = def
        .locals
        .keys()
        .map(|k| Item::Local(k.clone()))
        .chain(def.resources.keys().map(|k| Item::Resource(k.clone())))
        .chain(def.modules.keys().map(|k| Item::Module(k.clone())))
        .collect();
    let mut done: BTreeSet<Item> = BTreeSet::new();
    let mut order = Vec::with_capacity(all.len());
    // Iterative depth-first post-order; an item on the stack is not entered twice.
    for start in all {
        if done.contains(&start) {
            continue;
        }
        let mut on_stack: BTreeSet<Item> = BTreeSet::new();
        let mut stack: Vec<(Item, Vec<Item>)> = vec![(start.clone(), deps_of(&start))];
        on_stack.insert(start);
        while let Some((item, deps)) = stack.last_mut() {
            if let Some(next) = deps.pop() {
                if !done.contains(&next) && !on_stack.contains(&next) {
                    let d = deps_of(&next);
                    on_stack.insert(next.clone());
                    stack.push((next, d));
                }
            } else {
                let item = item.clone();
                stack.pop();
                on_stack.remove(&item);
                done.insert(item.clone());
                order.push(item);
            }
        }
    }
    order
}
