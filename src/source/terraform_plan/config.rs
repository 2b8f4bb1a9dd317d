//! Following references through the plan's `configuration` section.
//!
//! Ids of resources created in the plan are unknown, so `security_group_id =
//! aws_security_group.web.id` reads as "known after apply" in `after`. The
//! `configuration` section still says which resources an attribute refers to; this
//! module follows those references — through module inputs (`var.x`), module outputs
//! (`module.sg.id`) and root variables — and returns the candidate resources and any
//! literal strings (such as `sg-…` ids passed in variables) found on the way.
//!
//! `configuration` is unevaluated: `locals` are missing and a whole `ingress` block set
//! is one expression. What cannot be followed sets [`Candidates::open`]; the caller then
//! widens and warns.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use serde_json::value::RawValue;

use super::address::{Address, Key, parse_steps};
use super::raw::{RawConfigModule, RawConfigResource, RawVariable};

/// How a module instance or resource index in a [`Target`] is constrained.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum KeyPat {
    /// Any instance (the reference did not say which).
    Any,
    /// Exactly this key (`None` = a module or resource without `count/for_each`).
    Is(Option<Key>),
}

impl KeyPat {
    fn matches(&self, key: Option<&Key>) -> bool {
        match self {
            Self::Any => true,
            Self::Is(k) => k.as_ref() == key,
        }
    }
}

/// A resource a reference points at, with the attribute read from it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Target {
    pub modules: Vec<(String, KeyPat)>,
    pub data: bool,
    pub kind: String,
    pub name: String,
    pub index: KeyPat,
    /// `id`, `default_security_group_id`, …; `None` for a bare resource reference.
    pub attr: Option<String>,
}

impl Target {
    /// `true` when `addr` is an instance this target may mean.
    pub(super) fn matches(&self, addr: &Address) -> bool {
        addr.data == self.data
            && addr.kind == self.kind
            && addr.name == self.name
            && self.index.matches(addr.index.as_ref())
            && addr.modules.len() == self.modules.len()
            && addr
                .modules
                .iter()
                .zip(&self.modules)
                .all(|((n, k), (tn, tk))| n == tn && tk.matches(k.as_ref()))
    }
}

/// What an attribute's expression may evaluate to.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Candidates {
    /// Resources referenced, directly or through modules and variables.
    pub targets: BTreeSet<Target>,
    /// Constant strings reached through variables and module inputs.
    pub literals: BTreeSet<String>,
    /// Something could not be followed (a `local`, a missing module or output).
    pub open: bool,
}

/// An index over `configuration` for finding resource blocks and following references.
pub(super) struct ConfigIndex<'a> {
    root: Option<&'a RawConfigModule<'a>>,
    variables: &'a BTreeMap<String, RawVariable>,
    resources: HashMap<(Vec<String>, String), &'a RawConfigResource<'a>>,
}

/// Bounds reference chains (modules passing values around in a cycle are invalid
/// Terraform, but a bad input must not hang us).
const MAX_DEPTH: u8 = 24;

impl<'a> ConfigIndex<'a> {
    pub(super) fn new(
        root: Option<&'a RawConfigModule<'a>>,
        variables: &'a BTreeMap<String, RawVariable>,
    ) -> Self {
        let mut resources = HashMap::new();
        if let Some(root) = root {
            index_module(root, &mut Vec::new(), &mut resources);
        }
        Self {
            root,
            variables,
            resources,
        }
    }

    /// The configuration block of a resource instance.
    fn resource(&self, addr: &Address) -> Option<&'a RawConfigResource<'a>> {
        let names = addr.module_names().into_iter().map(str::to_owned).collect();
        self.resources.get(&(names, addr.config_address())).copied()
    }

    /// `true` when the resource's configuration sets `attr` (as an attribute or blocks).
    /// `None` when the resource block itself is not in the configuration.
    pub(super) fn sets(&self, addr: &Address, attr: &str) -> Option<bool> {
        self.resource(addr)
            .map(|r| r.expressions.contains_key(attr))
    }

    /// Follows the expression of `attr` on the resource at `addr`. `None` when the
    /// configuration does not have it.
    pub(super) fn resolve(&self, addr: &Address, attr: &str) -> Option<Candidates> {
        let expr = self.resource(addr)?.expressions.get(attr)?;
        let ctx: Vec<(String, KeyPat)> = addr
            .modules
            .iter()
            .map(|(n, k)| (n.clone(), KeyPat::Is(k.clone())))
            .collect();
        let mut out = Candidates::default();
        self.follow_expr(&ctx, expr, 0, &mut out);
        Some(out)
    }

    fn module(&self, names: &[(String, KeyPat)]) -> Option<&'a RawConfigModule<'a>> {
        let mut m = self.root?;
        for (name, _) in names {
            m = &m.module_calls.get(name)?.module;
        }
        Some(m)
    }

    fn follow_expr(
        &self,
        ctx: &[(String, KeyPat)],
        expr: &RawValue,
        depth: u8,
        out: &mut Candidates,
    ) {
        match serde_json::from_str::<Value>(expr.get()) {
            Ok(v) => self.follow_value(ctx, &v, depth, out),
            Err(_) => out.open = true,
        }
    }

    fn follow_value(&self, ctx: &[(String, KeyPat)], v: &Value, depth: u8, out: &mut Candidates) {
        match v {
            Value::Object(o) => {
                if let Some(c) = o.get("constant_value") {
                    collect_strings(c, &mut out.literals);
                }
                if let Some(Value::Array(refs)) = o.get("references") {
                    for r in refs.iter().filter_map(Value::as_str) {
                        self.follow(ctx, r, depth, out);
                    }
                }
                // `{}`: an expression that is neither a constant nor references
                // (a function of nothing it can name); it cannot be followed.
                if o.is_empty() {
                    out.open = true;
                }
                if !o.contains_key("constant_value") && !o.contains_key("references") {
                    for child in o.values() {
                        self.follow_value(ctx, child, depth, out);
                    }
                }
            }
            Value::Array(items) => {
                for child in items {
                    self.follow_value(ctx, child, depth, out);
                }
            }
            _ => {}
        }
    }

    /// Follows one reference (`aws_security_group.web.id`, `var.x`, `module.m.out`) in
    /// the module instance `ctx`.
    fn follow(&self, ctx: &[(String, KeyPat)], reference: &str, depth: u8, out: &mut Candidates) {
        if depth > MAX_DEPTH {
            out.open = true;
            return;
        }
        let Some(steps) = parse_steps(reference) else {
            out.open = true;
            return;
        };
        let key_pat = |k: &Option<Key>| match k {
            Some(k) => KeyPat::Is(Some(k.clone())),
            None => KeyPat::Any,
        };
        match steps[0].name.as_str() {
            "var" if steps.len() >= 2 => {
                let name = &steps[1].name;
                if ctx.is_empty() {
                    match self.variables.get(name) {
                        Some(v) => collect_strings(&v.value, &mut out.literals),
                        None => out.open = true,
                    }
                    return;
                }
                let parent = &ctx[..ctx.len() - 1];
                let call = &ctx[ctx.len() - 1].0;
                match self
                    .module(parent)
                    .and_then(|m| m.module_calls.get(call))
                    .map(|c| c.expressions.get(name))
                {
                    Some(Some(expr)) => self.follow_expr(parent, expr, depth + 1, out),
                    // Not passed: the module's default applies, which configuration
                    // does not record. It is a constant, not a resource.
                    Some(None) => {}
                    None => out.open = true,
                }
            }
            "module" if steps.len() >= 3 => {
                let (m, output) = (&steps[1], &steps[2].name);
                let Some(expr) = self
                    .module(ctx)
                    .and_then(|cur| cur.module_calls.get(&m.name))
                    .and_then(|call| call.module.outputs.get(output))
                    .and_then(|o| o.expression)
                else {
                    out.open = true;
                    return;
                };
                let mut inner = ctx.to_vec();
                inner.push((m.name.clone(), key_pat(&m.key)));
                self.follow_expr(&inner, expr, depth + 1, out);
            }
            "data" if steps.len() >= 3 => {
                out.targets.insert(Target {
                    modules: ctx.to_vec(),
                    data: true,
                    kind: steps[1].name.clone(),
                    name: steps[2].name.clone(),
                    index: key_pat(&steps[2].key),
                    attr: steps.get(3).map(|s| s.name.clone()),
                });
            }
            "local" => out.open = true,
            // Iteration values and path/terraform metadata are never resources; a bare
            // `module.m` is listed next to `module.m.out`, which is followed instead.
            "count" | "each" | "path" | "terraform" | "self" | "var" | "data" | "module" => {}
            _ if steps.len() >= 2 => {
                out.targets.insert(Target {
                    modules: ctx.to_vec(),
                    data: false,
                    kind: steps[0].name.clone(),
                    name: steps[1].name.clone(),
                    index: key_pat(&steps[1].key),
                    attr: steps.get(2).map(|s| s.name.clone()),
                });
            }
            _ => out.open = true,
        }
    }
}

fn index_module<'a>(
    m: &'a RawConfigModule<'a>,
    path: &mut Vec<String>,
    out: &mut HashMap<(Vec<String>, String), &'a RawConfigResource<'a>>,
) {
    for r in &m.resources {
        out.insert((path.clone(), r.address.clone()), r);
    }
    for (name, call) in &m.module_calls {
        path.push(name.clone());
        index_module(&call.module, path, out);
        path.pop();
    }
}

fn collect_strings(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}
