//! Resolving a template's intrinsic functions offline, as far as the template and the
//! given parameters allow.
//!
//! The result is a [`Val`]: plain data where the template decides it, a resource's
//! logical id where a `Ref`/`Fn::GetAtt` names a resource's identity
//! ([`Val::Res`]), both branches of an `Fn::If` whose condition cannot be decided
//! ([`Val::Either`]) and [`Val::Unknown`] (with the reason) for anything known only at
//! deploy time: pseudo parameters, `Fn::ImportValue`, physical ids inside strings. This
//! module never guesses a value and never builds model objects.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use serde_json::{Map, Value};

use crate::header_space::parse_cidr;
use crate::model::Certainty;

/// How deep references may nest (conditions naming conditions, attributes naming
/// other resources' properties) before the value is given up as unknown.
const MAX_DEPTH: usize = 32;

/// A resolved template value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Val {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
    /// The identity of a template resource (its logical id), or of an object it
    /// implies (`Vpc.DefaultSecurityGroup`).
    Res(String),
    /// Both possibilities of an undecidable condition.
    Either(Vec<Val>),
    /// `AWS::NoValue`: the property is absent.
    NoValue,
    /// Known only at deploy time; the reason says why.
    Unknown(String),
}

impl Val {
    /// The value as text, for scalars.
    pub(super) fn text(&self) -> Option<String> {
        match self {
            Self::Str(s) => Some(s.clone()),
            Self::Num(n) => Some(n.to_string()),
            Self::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The value as an integer: a number or a string holding one (`"443"`).
    pub(super) fn int(&self) -> Option<i64> {
        match self {
            Self::Num(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0)
                    .and_then(|f| format!("{f:.0}").parse().ok())
            }),
            Self::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as a boolean: `true`/`false` or their strings.
    pub(super) fn boolean(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            Self::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A field of a map (`None` when absent or not a map).
    pub(super) fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Self::Map(m) => m.get(key).filter(|v| **v != Self::NoValue),
            _ => None,
        }
    }

    /// Why the value is not fully known, if it is not (the first reason found).
    pub(super) fn unknown_reason(&self) -> Option<String> {
        match self {
            Self::Unknown(r) => Some(r.clone()),
            Self::List(items) | Self::Either(items) => items.iter().find_map(Self::unknown_reason),
            Self::Map(m) => m.values().find_map(Self::unknown_reason),
            _ => None,
        }
    }

    /// The concrete possibilities of a value with undecidable conditions in it, and
    /// whether there is more than one (then each is only possible). Too many
    /// combinations give one unknown value.
    pub(super) fn alternatives(&self) -> (Vec<Val>, Certainty) {
        let alts = self.expand();
        if alts.len() > 64 {
            return (
                vec![Self::Unknown(
                    "too many combinations of undecidable conditions".into(),
                )],
                Certainty::Possible,
            );
        }
        let certainty = if alts.len() > 1 {
            Certainty::Possible
        } else {
            Certainty::Definite
        };
        (alts, certainty)
    }

    fn expand(&self) -> Vec<Val> {
        match self {
            Self::Either(opts) => opts.iter().flat_map(Self::expand).collect(),
            Self::List(items) => product(items.iter().map(Self::expand).collect())
                .into_iter()
                .map(|xs| Self::List(xs.into_iter().filter(|x| *x != Self::NoValue).collect()))
                .collect(),
            Self::Map(m) => {
                let keys: Vec<&String> = m.keys().collect();
                product(m.values().map(Self::expand).collect())
                    .into_iter()
                    .map(|xs| {
                        Self::Map(
                            keys.iter()
                                .zip(xs)
                                .filter(|(_, x)| *x != Self::NoValue)
                                .map(|(k, x)| ((*k).clone(), x))
                                .collect(),
                        )
                    })
                    .collect()
            }
            other => vec![other.clone()],
        }
    }
}

/// Every combination of one choice per slot; stops growing past 65.
fn product(slots: Vec<Vec<Val>>) -> Vec<Vec<Val>> {
    let mut out: Vec<Vec<Val>> = vec![Vec::new()];
    for choices in slots {
        let mut next = Vec::new();
        for prefix in &out {
            for c in &choices {
                let mut p = prefix.clone();
                p.push(c.clone());
                next.push(p);
                if next.len() > 65 {
                    return next;
                }
            }
        }
        out = next;
    }
    out
}

/// A resource of the template that exists (its `Condition` is not false).
#[derive(Clone, Debug)]
pub(super) struct Resource {
    /// `AWS::EC2::SecurityGroup`.
    pub kind: String,
    /// The `Properties`, unresolved.
    pub properties: Value,
    /// Possible when its `Condition` cannot be decided.
    pub certainty: Certainty,
}

/// A parsed template with its parameters bound, ready to resolve values.
pub(super) struct Template<'t> {
    pub resources: BTreeMap<String, Resource>,
    /// Resources whose `Condition` is false: referring to them is an unknown.
    absent: BTreeMap<String, String>,
    parameters: BTreeMap<String, Val>,
    mappings: Option<&'t Map<String, Value>>,
    conditions: Option<&'t Map<String, Value>>,
}

impl<'t> Template<'t> {
    /// Binds `parameters` (given values override `Default`s) and decides each
    /// resource's `Condition`. Returns the template and the notes for warnings
    /// (resource, message).
    pub(super) fn new(
        root: &'t Map<String, Value>,
        resources: &'t Map<String, Value>,
        given: &BTreeMap<String, String>,
    ) -> (Self, Vec<(Option<String>, String)>) {
        let mut notes = Vec::new();
        let parameters = bind_parameters(root, given);
        let mut t = Self {
            resources: BTreeMap::new(),
            absent: BTreeMap::new(),
            parameters,
            mappings: root.get("Mappings").and_then(Value::as_object),
            conditions: root.get("Conditions").and_then(Value::as_object),
        };
        // Declared first, so that references between resources resolve whatever the
        // conditions say; absent ones are removed below.
        for (id, def) in resources {
            let Some(kind) = def.get("Type").and_then(Value::as_str) else {
                if id.starts_with("Fn::ForEach") {
                    notes.push((
                        Some(id.clone()),
                        "Fn::ForEach (AWS::LanguageExtensions) is not expanded; the resources it generates are not modelled".into(),
                    ));
                } else {
                    notes.push((
                        Some(id.clone()),
                        "the resource has no `Type`; it is not modelled".into(),
                    ));
                }
                continue;
            };
            t.resources.insert(
                id.clone(),
                Resource {
                    kind: kind.to_owned(),
                    properties: def.get("Properties").cloned().unwrap_or(Value::Null),
                    certainty: Certainty::Definite,
                },
            );
        }
        notes.extend(cycles(root, resources));
        let mut decided = BTreeMap::new();
        for (id, def) in resources {
            let Some(cond) = def.get("Condition") else {
                continue;
            };
            let name = cond.as_str().unwrap_or_default();
            decided.insert(id.clone(), (name.to_owned(), t.condition(name, 0)));
        }
        for (id, (name, value)) in decided {
            match value {
                Some(true) => {}
                Some(false) => {
                    t.resources.remove(&id);
                    t.absent.insert(id, name);
                }
                None => {
                    if let Some(r) = t.resources.get_mut(&id) {
                        r.certainty = Certainty::Possible;
                    }
                    notes.push((
                        Some(id),
                        format!(
                            "its Condition {name} cannot be decided offline; the resource is treated as possibly existing"
                        ),
                    ));
                }
            }
        }
        (t, notes)
    }

    /// The value of a named condition; `None` when it cannot be decided.
    pub(super) fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        let def = self.conditions?.get(name)?;
        self.eval_condition(def, depth + 1)
    }

    fn eval_condition(&self, v: &Value, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let Some((f, args)) = single(v) else {
            return match self.resolve(v, depth + 1) {
                Val::Bool(b) => Some(b),
                other => other.boolean(),
            };
        };
        let list = || args.as_array().map(Vec::as_slice).unwrap_or_default();
        match f {
            "Condition" => self.condition(args.as_str()?, depth),
            "Fn::Equals" => {
                let [a, b] = list() else { return None };
                equals(&self.resolve(a, depth + 1), &self.resolve(b, depth + 1))
            }
            "Fn::Not" => {
                let [a] = list() else { return None };
                self.eval_condition(a, depth + 1).map(|b| !b)
            }
            "Fn::And" => {
                let vals: Vec<Option<bool>> = list()
                    .iter()
                    .map(|a| self.eval_condition(a, depth + 1))
                    .collect();
                if vals.contains(&Some(false)) {
                    Some(false)
                } else if vals.iter().all(Option::is_some) {
                    Some(true)
                } else {
                    None
                }
            }
            "Fn::Or" => {
                let vals: Vec<Option<bool>> = list()
                    .iter()
                    .map(|a| self.eval_condition(a, depth + 1))
                    .collect();
                if vals.contains(&Some(true)) {
                    Some(true)
                } else if vals.iter().all(Option::is_some) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => self.resolve(v, depth + 1).boolean(),
        }
    }

    /// Resolves a template value.
    pub(super) fn resolve(&self, v: &Value, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown("references nest too deeply to follow".into());
        }
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.clone()),
            // A change set's context shows what it cannot know yet this way.
            Value::String(s) if s == super::changeset::KNOWN_AFTER_APPLY => {
                Val::Unknown("the change set gives it as known only after the change runs".into())
            }
            Value::String(s) => Val::Str(s.clone()),
            Value::Array(items) => Val::List(
                items
                    .iter()
                    .map(|i| self.resolve(i, depth + 1))
                    .filter(|i| *i != Val::NoValue)
                    .collect(),
            ),
            Value::Object(m) => {
                if let Some((f, args)) = single(v)
                    && (f == "Ref" || f.starts_with("Fn::"))
                {
                    return self.function(f, args, depth + 1);
                }
                Val::Map(
                    m.iter()
                        .map(|(k, x)| (k.clone(), self.resolve(x, depth + 1)))
                        .filter(|(_, x)| *x != Val::NoValue)
                        .collect(),
                )
            }
        }
    }

    fn function(&self, f: &str, args: &Value, depth: usize) -> Val {
        let list = || args.as_array().map(Vec::as_slice).unwrap_or_default();
        match f {
            "Ref" => match args.as_str() {
                Some(name) => self.reference(name),
                None => Val::Unknown("a Ref whose argument is not a name".into()),
            },
            "Fn::GetAtt" => {
                let (res, attr) = match args {
                    Value::String(s) => match s.split_once('.') {
                        Some((r, a)) => (Val::Str(r.into()), Val::Str(a.into())),
                        None => {
                            return Val::Unknown(format!("Fn::GetAtt {s:?} names no attribute"));
                        }
                    },
                    _ => match list() {
                        [r, a] => (self.resolve(r, depth), self.resolve(a, depth)),
                        _ => return Val::Unknown("an Fn::GetAtt without two arguments".into()),
                    },
                };
                match (res.text(), attr.text()) {
                    (Some(r), Some(a)) => self.attribute(&r, &a, depth),
                    _ => Val::Unknown("an Fn::GetAtt whose arguments are not known".into()),
                }
            }
            "Fn::If" => {
                let [cond, yes, no] = list() else {
                    return Val::Unknown("an Fn::If without three arguments".into());
                };
                let name = cond.as_str().unwrap_or_default();
                match self.condition(name, depth) {
                    Some(true) => self.resolve(yes, depth),
                    Some(false) => self.resolve(no, depth),
                    None => Val::Either(vec![self.resolve(yes, depth), self.resolve(no, depth)]),
                }
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let mut m = Map::new();
                m.insert(f.to_owned(), args.clone());
                self.eval_condition(&Value::Object(m), depth).map_or_else(
                    || Val::Unknown("a condition that cannot be decided".into()),
                    Val::Bool,
                )
            }
            "Fn::Sub" => self.sub(args, depth),
            "Fn::Join" => self.join(list(), depth),
            "Fn::Select" => self.select(list(), depth),
            "Fn::Split" => self.split(list(), depth),
            "Fn::FindInMap" => self.find_in_map(list(), depth),
            "Fn::Cidr" => {
                let [block, count, bits] = list() else {
                    return Val::Unknown("an Fn::Cidr without three arguments".into());
                };
                let block = self.resolve(block, depth);
                let count = self.resolve(count, depth).int();
                let bits = self.resolve(bits, depth).int();
                match (block.text().as_deref().and_then(parse_cidr), count, bits) {
                    (Some(net), Some(count), Some(bits)) => cidr(net, count, bits),
                    _ => match block {
                        Val::Unknown(r) => Val::Unknown(r),
                        _ => Val::Unknown("an Fn::Cidr whose arguments are not known".into()),
                    },
                }
            }
            "Fn::ImportValue" => {
                let name = self
                    .resolve(args, depth)
                    .text()
                    .unwrap_or_else(|| "(computed)".into());
                Val::Unknown(format!(
                    "Fn::ImportValue {name} is another stack's export, unknown offline"
                ))
            }
            "Fn::GetAZs" => Val::Unknown("Fn::GetAZs depends on the account and Region".into()),
            "Fn::Base64" => Val::Unknown("Fn::Base64 output is not modelled".into()),
            other => Val::Unknown(format!("{other} is not evaluated offline")),
        }
    }

    fn join(&self, args: &[Value], depth: usize) -> Val {
        let [delim, items] = args else {
            return Val::Unknown("an Fn::Join without two arguments".into());
        };
        let delim = self.resolve(delim, depth).text().unwrap_or_default();
        match self.resolve(items, depth) {
            Val::List(items) => {
                let mut parts = Vec::new();
                for i in &items {
                    match i.text() {
                        Some(t) => parts.push(t),
                        None => return not_text(i),
                    }
                }
                Val::Str(parts.join(&delim))
            }
            other => not_text(&other),
        }
    }

    fn select(&self, args: &[Value], depth: usize) -> Val {
        let [index, items] = args else {
            return Val::Unknown("an Fn::Select without two arguments".into());
        };
        let index = self.resolve(index, depth);
        match (index.int(), self.resolve(items, depth)) {
            (Some(i), Val::List(items)) => usize::try_from(i)
                .ok()
                .and_then(|i| items.get(i).cloned())
                .unwrap_or_else(|| Val::Unknown(format!("Fn::Select index {i} is out of range"))),
            (_, Val::Unknown(r)) => Val::Unknown(r),
            _ => Val::Unknown("an Fn::Select whose index or list is not known".into()),
        }
    }

    fn split(&self, args: &[Value], depth: usize) -> Val {
        let [delim, text] = args else {
            return Val::Unknown("an Fn::Split without two arguments".into());
        };
        let text = self.resolve(text, depth);
        match (self.resolve(delim, depth).text(), text.text()) {
            (Some(d), Some(t)) if !d.is_empty() => Val::List(
                t.split(d.as_str())
                    .map(|s| Val::Str(s.to_owned()))
                    .collect(),
            ),
            _ => not_text(&text),
        }
    }

    fn reference(&self, name: &str) -> Val {
        if name == "AWS::NoValue" {
            return Val::NoValue;
        }
        if let Some(v) = self.parameters.get(name) {
            return v.clone();
        }
        if name.starts_with("AWS::") {
            return Val::Unknown(format!(
                "pseudo parameter {name} is known only at deploy time"
            ));
        }
        if self.resources.contains_key(name) {
            return Val::Res(name.to_owned());
        }
        if let Some(cond) = self.absent.get(name) {
            return Val::Unknown(format!(
                "Ref to {name}, which does not exist because its Condition {cond} is false"
            ));
        }
        Val::Unknown(format!(
            "Ref to {name}, which the template does not declare"
        ))
    }

    /// `Fn::GetAtt`: identities stay symbolic, a few properties are read through.
    fn attribute(&self, res: &str, attr: &str, depth: usize) -> Val {
        let Some(r) = self.resources.get(res) else {
            return self.reference(res);
        };
        let property = |p: &str| {
            r.properties
                .get(p)
                .map_or(Val::NoValue, |v| self.resolve(v, depth + 1))
        };
        match (r.kind.as_str(), attr) {
            ("AWS::EC2::VPC", "DefaultSecurityGroup" | "DefaultNetworkAcl") => {
                Val::Res(format!("{res}.{attr}"))
            }
            ("AWS::EC2::VPC" | "AWS::EC2::Subnet", "CidrBlock") => property("CidrBlock"),
            ("AWS::EC2::Subnet" | "AWS::EC2::SecurityGroup", "VpcId") => property("VpcId"),
            (
                _,
                "GroupId" | "Id" | "VpcId" | "SubnetId" | "NetworkAclId" | "RouteTableId"
                | "InternetGatewayId" | "AllocationId" | "LoadBalancerArn" | "TargetGroupArn"
                | "ListenerArn",
            ) => Val::Res(res.to_owned()),
            _ => Val::Unknown(format!("{res}.{attr} is known only after deploy")),
        }
    }

    fn sub(&self, args: &Value, depth: usize) -> Val {
        let (text, vars) = match args {
            Value::String(s) => (s.as_str(), None),
            Value::Array(a) => match a.as_slice() {
                [Value::String(s), Value::Object(vars)] => (s.as_str(), Some(vars)),
                [Value::String(s)] => (s.as_str(), None),
                _ => return Val::Unknown("an Fn::Sub with unexpected arguments".into()),
            },
            _ => return Val::Unknown("an Fn::Sub with unexpected arguments".into()),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
                continue;
            }
            let name = name.trim();
            let value = match vars.and_then(|v| v.get(name)) {
                Some(v) => self.resolve(v, depth + 1),
                None => match name.split_once('.') {
                    Some((r, a)) if !name.starts_with("AWS::") => self.attribute(r, a, depth + 1),
                    _ => self.reference(name),
                },
            };
            match value.text() {
                Some(t) => out.push_str(&t),
                None => return not_text(&value),
            }
        }
        out.push_str(rest);
        Val::Str(out)
    }

    fn find_in_map(&self, args: &[Value], depth: usize) -> Val {
        let keys: Vec<Val> = args
            .iter()
            .take(3)
            .map(|a| self.resolve(a, depth))
            .collect();
        let default = args
            .get(3)
            .and_then(|d| d.get("DefaultValue"))
            .map(|d| self.resolve(d, depth));
        let texts: Option<Vec<String>> = keys.iter().map(Val::text).collect();
        let Some([map, top, second]) = texts.as_deref() else {
            return default.unwrap_or_else(|| match keys.iter().find_map(Val::unknown_reason) {
                Some(r) => Val::Unknown(r),
                None => Val::Unknown("an Fn::FindInMap whose keys are not known".into()),
            });
        };
        let found = self
            .mappings
            .and_then(|m| m.get(map))
            .and_then(|m| m.get(top))
            .and_then(|m| m.get(second));
        match (found, default) {
            (Some(v), _) => self.resolve(v, depth),
            (None, Some(d)) => d,
            (None, None) => Val::Unknown(format!("Mappings has no {map}.{top}.{second}")),
        }
    }
}

/// The value of every parameter: given, else `Default`, else unknown. List types are
/// split at commas.
fn bind_parameters(
    root: &Map<String, Value>,
    given: &BTreeMap<String, String>,
) -> BTreeMap<String, Val> {
    let mut parameters = BTreeMap::new();
    // Pseudo parameters may be given too (`AWS::Region=eu-west-1`).
    for (k, v) in given.iter().filter(|(k, _)| k.starts_with("AWS::")) {
        parameters.insert(k.clone(), Val::Str(v.clone()));
    }
    if let Some(params) = root.get("Parameters").and_then(Value::as_object) {
        for (name, def) in params {
            let ty = def.get("Type").and_then(Value::as_str).unwrap_or("String");
            let raw = given.get(name).cloned().or_else(|| {
                def.get("Default").map(|d| match d {
                    Value::String(s) => s.clone(),
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                })
            });
            let value = match raw {
                _ if ty.starts_with("AWS::SSM::Parameter::Value") && !given.contains_key(name) => {
                    Val::Unknown(format!(
                        "parameter {name} is read from SSM Parameter Store at deploy time"
                    ))
                }
                None => Val::Unknown(format!(
                    "parameter {name} has no Default and no value was given"
                )),
                Some(text) if ty.contains("List") => Val::List(
                    text.split(',')
                        .map(|s| Val::Str(s.trim().to_owned()))
                        .filter(|s| *s != Val::Str(String::new()))
                        .collect(),
                ),
                Some(text) => Val::Str(text),
            };
            parameters.insert(name.clone(), value);
        }
    }
    parameters
}

/// The one key of a single-key object and its value.
fn single(v: &Value) -> Option<(&str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    m.iter().next().map(|(k, v)| (k.as_str(), v))
}

/// The unknown a non-text value gives inside a string.
fn not_text(v: &Val) -> Val {
    match v {
        Val::Unknown(r) => Val::Unknown(r.clone()),
        Val::Res(r) => Val::Unknown(format!("the physical id of {r} is known only after deploy")),
        Val::Either(_) => Val::Unknown("a string that depends on an undecidable condition".into()),
        _ => Val::Unknown("a string built from a value that is not text".into()),
    }
}

/// `Fn::Equals` on resolved values: `None` unless both are known.
fn equals(a: &Val, b: &Val) -> Option<bool> {
    match (a, b) {
        (Val::Res(x), Val::Res(y)) => Some(x == y),
        _ => match (a.text(), b.text()) {
            (Some(x), Some(y)) => Some(x == y),
            _ if a.unknown_reason().is_none()
                && b.unknown_reason().is_none()
                && !matches!(a, Val::Either(_) | Val::Res(_))
                && !matches!(b, Val::Either(_) | Val::Res(_)) =>
            {
                Some(a == b)
            }
            _ => None,
        },
    }
}

/// The most blocks one `Fn::Cidr` may ask for (AWS: "an integer from 1 to 256").
const MAX_CIDR_COUNT: i64 = 256;

/// `Fn::Cidr [block, count, bits]`: the first `count` blocks with `bits` host bits.
fn cidr(net: IpNet, count: i64, bits: i64) -> Val {
    if !(1..=MAX_CIDR_COUNT).contains(&count) {
        // CloudFormation rejects the template; a larger count would also make
        // millions of blocks (or never end, in IPv6) before finding out.
        return Val::Unknown(format!(
            "an Fn::Cidr asks for {count} blocks; CloudFormation accepts 1 to {MAX_CIDR_COUNT} and rejects the template"
        ));
    }
    let max = i64::from(net.max_prefix_len());
    let prefix = max - bits;
    let (Ok(prefix), Ok(count)) = (u8::try_from(prefix), usize::try_from(count)) else {
        return Val::Unknown("an Fn::Cidr with impossible sizes".into());
    };
    match net.trunc().subnets(prefix) {
        Ok(subnets) => {
            let out: Vec<Val> = subnets
                .take(count)
                .map(|n| Val::Str(n.to_string()))
                .collect();
            if out.len() == count {
                Val::List(out)
            } else {
                Val::Unknown(format!(
                    "Fn::Cidr asks for {count} blocks that {net} cannot hold"
                ))
            }
        }
        Err(_) => Val::Unknown("an Fn::Cidr with impossible sizes".into()),
    }
}

/// Notes for conditions that refer to each other in a cycle, and for resources that
/// depend on each other in one (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`):
/// `CloudFormation` rejects both templates. The conditions are left undecidable (so
/// their resources are possible), the resources are read as written.
fn cycles(
    root: &Map<String, Value>,
    resources: &Map<String, Value>,
) -> Vec<(Option<String>, String)> {
    let mut notes = Vec::new();
    if let Some(conditions) = root.get("Conditions").and_then(Value::as_object) {
        let graph: BTreeMap<&str, BTreeSet<&str>> = conditions
            .iter()
            .map(|(name, def)| {
                let mut to = BTreeSet::new();
                condition_refs(def, &mut to);
                to.retain(|c| conditions.contains_key(*c));
                (name.as_str(), to)
            })
            .collect();
        for cycle in strongly_connected(&graph) {
            notes.push((
                None,
                format!(
                    "the Conditions {} refer to each other in a cycle, which CloudFormation rejects; they cannot be decided, so what they guard is treated as possible",
                    cycle.join(" → ")
                ),
            ));
        }
    }
    let graph: BTreeMap<&str, BTreeSet<&str>> = resources
        .iter()
        .map(|(id, def)| {
            let mut to = BTreeSet::new();
            if let Some(p) = def.get("Properties") {
                resource_refs(p, &mut to);
            }
            match def.get("DependsOn") {
                Some(Value::String(d)) => {
                    to.insert(d.as_str());
                }
                Some(Value::Array(ds)) => to.extend(ds.iter().filter_map(Value::as_str)),
                _ => {}
            }
            to.retain(|r| resources.contains_key(*r));
            (id.as_str(), to)
        })
        .collect();
    for cycle in strongly_connected(&graph) {
        notes.push((
            Some(cycle[0].to_owned()),
            format!(
                "circular dependency between resources {}: CloudFormation rejects the template (for security groups that refer to each other, declare the rules as separate AWS::EC2::SecurityGroupIngress/Egress resources); read as written",
                cycle.join(" → ")
            ),
        ));
    }
    notes
}

/// The conditions a condition definition names (`{"Condition": c}`).
fn condition_refs<'a>(v: &'a Value, out: &mut BTreeSet<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("Condition", Value::String(c)) => {
                        out.insert(c.as_str());
                    }
                    _ => condition_refs(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| condition_refs(i, out)),
        _ => {}
    }
}

/// The names a value refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub` variables.
fn resource_refs<'a>(v: &'a Value, out: &mut BTreeSet<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("Ref", Value::String(r)) => {
                        out.insert(r.as_str());
                    }
                    ("Fn::GetAtt", Value::Array(a)) => {
                        out.extend(a.first().and_then(Value::as_str));
                    }
                    ("Fn::GetAtt", Value::String(a)) => {
                        out.insert(a.split('.').next().unwrap_or_default());
                    }
                    ("Fn::Sub", sub) => {
                        let (text, vars) = match sub {
                            Value::String(t) => (Some(t.as_str()), None),
                            Value::Array(a) => (a.first().and_then(Value::as_str), a.get(1)),
                            _ => (None, None),
                        };
                        if let Some(text) = text {
                            for var in sub_variables(text) {
                                let name = var.split('.').next().unwrap_or_default();
                                if vars.and_then(|v| v.get(name)).is_none() {
                                    out.insert(name);
                                }
                            }
                        }
                        if let Some(vars) = vars {
                            resource_refs(vars, out);
                        }
                    }
                    _ => resource_refs(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| resource_refs(i, out)),
        _ => {}
    }
}

/// The `${…}` variables of an `Fn::Sub` string (not the `${!…}` literals).
fn sub_variables(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find('}') else { break };
        let var = &rest[..end];
        if !var.starts_with('!') {
            out.push(var.trim());
        }
        rest = &rest[end + 1..];
    }
    out
}

/// The cycles of a graph: each strongly connected component with more than one node,
/// or a node that names itself, as its nodes sorted with the first repeated at the end
/// (`A → B → A`). Deterministic: components in order of their first node.
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    // Kosaraju: finish order on the graph, then components on the reversed graph.
    fn visit<'a>(
        n: &'a str,
        g: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        seen: &mut BTreeSet<&'a str>,
        out: &mut Vec<&'a str>,
    ) {
        // Iterative, so that long chains of references cannot overflow the stack.
        let mut stack = vec![(n, false)];
        while let Some((n, done)) = stack.pop() {
            if done {
                out.push(n);
                continue;
            }
            if !seen.insert(n) {
                continue;
            }
            stack.push((n, true));
            for m in g.get(n).into_iter().flatten() {
                if !seen.contains(m) {
                    stack.push((m, false));
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for n in graph.keys() {
        visit(n, graph, &mut seen, &mut order);
    }
    let mut reversed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (n, to) in graph {
        for m in to {
            reversed.entry(m).or_default().insert(n);
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for n in order.into_iter().rev() {
        if seen.contains(n) {
            continue;
        }
        let mut component = Vec::new();
        visit(n, &reversed, &mut seen, &mut component);
        component.sort_unstable();
        let self_loop = graph.get(n).is_some_and(|to| to.contains(n));
        if component.len() > 1 || self_loop {
            component.push(component[0]);
            out.push(component);
        }
    }
    out.sort();
    out
}
