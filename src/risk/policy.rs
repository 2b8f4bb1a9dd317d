//! The policy file, `reachdiff.toml`: named networks, severity overrides, extra
//! sensitive ports, accepted risks and invariants.
//!
//! Loaded once, validated whole (every CIDR, port, date and name is checked, each
//! error names its line and column), then only read. `docs/policy.md` documents
//! every key with a commented example. This module parses and matches; the scoring
//! that uses it is in [`super`] and the invariants' evaluation in
//! [`super::invariants`].

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::Severity;
use super::catalogue::{Category, Entry};
use super::date::Date;
use super::factors::{PUBLIC_V4, PUBLIC_V6};
use crate::error::{Error, ErrorKind};
use crate::header_space::service::{TCP, UDP};
use crate::header_space::{PeerSet, ServiceSet, parse_cidr, v4_block, v6_block};
use crate::model::Direction;

/// The file looked for in the working directory when `--config` is not given.
pub const FILE_NAME: &str = "reachdiff.toml";

/// A validated policy. The default policy is empty: no names, no overrides, nothing
/// accepted, no invariant.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// The file it came from, with its SHA-256 (for the evidence record).
    pub source: Option<PolicySource>,
    /// Named networks, sorted by name.
    pub networks: Vec<Network>,
    /// Severity overrides by rule id.
    pub severity: BTreeMap<String, Severity>,
    /// Guardrail rules switched off (`[rules.ID] enabled = false`).
    pub disabled: std::collections::BTreeSet<String>,
    /// Extra catalogue entries.
    pub sensitive_ports: Vec<Entry>,
    /// Accepted risks, in file order.
    pub accepts: Vec<Accept>,
    /// Invariants, in file order.
    pub invariants: Vec<Invariant>,
    /// `[gate] fail_on`: `Some(None)` is `never`.
    pub fail_on: Option<Option<Severity>>,
}

/// Where a policy was read from.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct PolicySource {
    /// The path as given or found.
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// A named network.
#[derive(Clone, Debug)]
pub struct Network {
    /// Its name (`office`).
    pub name: String,
    /// Its addresses.
    pub peers: PeerSet,
    /// Treated as trusted when scoring.
    pub trusted: bool,
}

/// One thing a selector may name.
#[derive(Clone, Debug)]
pub enum Party {
    /// `any`: every address and every resource.
    Any,
    /// `internet`: every address in `[[accept]]`; only public addresses in
    /// `[[invariant]]` (a database reachable from 10.0.0.0/8 is not reachable from the
    /// internet).
    Internet,
    /// CIDR blocks or a named network.
    Addresses(PeerSet),
    /// A resource address pattern: `*` matches any run of characters.
    Resource(String),
}

/// One side of an accepted risk or invariant: networks, resource patterns and tags.
/// An empty selector selects everything.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    /// What it names.
    pub parties: Vec<Party>,
    /// Tags a resource must all carry.
    pub tags: BTreeMap<String, String>,
}

/// Tags of the resources a selector may be matched against, by key.
pub type TagLookup<'a> = dyn Fn(&str) -> Option<&'a BTreeMap<String, String>> + 'a;

impl Selector {
    /// `true` when the selector names nothing (so it selects everything).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.parties.is_empty() && self.tags.is_empty()
    }

    fn names_resources(&self) -> bool {
        !self.tags.is_empty()
            || self
                .parties
                .iter()
                .any(|p| matches!(p, Party::Resource(_) | Party::Any))
    }

    fn names_networks(&self) -> bool {
        self.parties
            .iter()
            .any(|p| matches!(p, Party::Internet | Party::Addresses(_) | Party::Any))
    }

    /// Whether the resource `key` (with `tags`) is selected.
    #[must_use]
    pub fn matches_resource(&self, key: &str, tags: Option<&BTreeMap<String, String>>) -> bool {
        if self.is_empty() {
            return true;
        }
        let patterns: Vec<&str> = self
            .parties
            .iter()
            .filter_map(|p| match p {
                Party::Resource(r) => Some(r.as_str()),
                Party::Any => Some("*"),
                _ => None,
            })
            .collect();
        let by_name =
            patterns.is_empty() && !self.tags.is_empty() || patterns.iter().any(|p| glob(p, key));
        let by_tags = self
            .tags
            .iter()
            .all(|(k, v)| tags.and_then(|t| t.get(k)).is_some_and(|have| have == v));
        by_name && by_tags
    }

    /// Every address the selector names; `internet` is every address when `all`, else
    /// only public ones.
    #[must_use]
    pub fn addresses(&self, internet_is_everything: bool) -> PeerSet {
        self.parties
            .iter()
            .fold(PeerSet::empty(), |acc, p| match p {
                Party::Any => acc.union(&PeerSet::all_addresses()),
                Party::Internet if internet_is_everything => acc.union(&PeerSet::all_addresses()),
                Party::Internet => acc.union(&PeerSet {
                    v4: PUBLIC_V4.clone(),
                    v6: PUBLIC_V6.clone(),
                    principals: std::collections::BTreeSet::new(),
                }),
                Party::Addresses(a) => acc.union(a),
                Party::Resource(_) => acc,
            })
    }

    /// The part of `peers` the selector names: addresses within its networks
    /// (`internet` standing for every address), principals matched by a pattern or
    /// by tags. An empty selector names them all.
    #[must_use]
    pub fn named(&self, peers: &PeerSet, tags_of: &TagLookup<'_>) -> PeerSet {
        if self.is_empty() {
            return peers.clone();
        }
        let networks = self.addresses(true);
        PeerSet {
            v4: peers.v4.intersection(&networks.v4),
            v6: peers.v6.intersection(&networks.v6),
            principals: peers
                .principals
                .iter()
                .filter(|p| {
                    self.names_resources() && self.matches_resource(p.name(), tags_of(p.name()))
                })
                .cloned()
                .collect(),
        }
    }
}

/// `*` matches any run of characters (dots and brackets included); everything else
/// matches itself.
#[must_use]
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// An accepted risk: a flow someone accepted, for a reason, until a date.
#[derive(Clone, Debug)]
pub struct Accept {
    /// The sources.
    pub from: Selector,
    /// The destinations.
    pub to: Selector,
    /// The services; `None` is any.
    pub services: Option<ServiceSet>,
    /// Why it is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// The last day it is accepted.
    pub expires: Date,
    /// Its line in the policy file.
    pub line: usize,
}

/// A flow that must never exist after any change.
#[derive(Clone, Debug)]
pub struct Invariant {
    /// Its name, unique in the file.
    pub name: String,
    /// What it says, in words.
    pub description: Option<String>,
    /// Ingress: the endpoints are the `to` side; egress: the `from` side.
    pub direction: Direction,
    /// The endpoints it concerns.
    pub endpoints: Selector,
    /// The remote parties it forbids (addresses).
    pub forbidden: PeerSet,
    /// The services; `None` is any.
    pub services: Option<ServiceSet>,
    /// The severity of a violation.
    pub severity: Severity,
    /// Its line in the policy file.
    pub line: usize,
}

// ---------------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    gate: RawGate,
    #[serde(default)]
    networks: BTreeMap<String, Spanned<RawNetwork>>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<RawRule>>,
    #[serde(default)]
    sensitive_ports: Vec<Spanned<RawPorts>>,
    #[serde(default)]
    accept: Vec<Spanned<RawAccept>>,
    #[serde(default)]
    invariant: Vec<Spanned<RawInvariant>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGate {
    fail_on: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    cidrs: Vec<Spanned<String>>,
    #[serde(default)]
    trusted: bool,
    #[expect(dead_code, reason = "documentation for people reading the file")]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    severity: Option<Spanned<String>>,
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPorts {
    name: String,
    #[serde(default)]
    protocol: Option<Spanned<String>>,
    ports: Spanned<toml::Value>,
    category: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccept {
    from: Option<Spanned<toml::Value>>,
    to: Option<Spanned<toml::Value>>,
    #[serde(default)]
    from_tags: BTreeMap<String, String>,
    #[serde(default)]
    to_tags: BTreeMap<String, String>,
    protocol: Option<Spanned<String>>,
    ports: Option<Spanned<toml::Value>>,
    services: Option<Spanned<toml::Value>>,
    reason: String,
    owner: String,
    expires: Spanned<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvariant {
    name: Spanned<String>,
    description: Option<String>,
    from: Option<Spanned<toml::Value>>,
    to: Option<Spanned<toml::Value>>,
    from_outside: Option<Spanned<toml::Value>>,
    to_outside: Option<Spanned<toml::Value>>,
    #[serde(default)]
    from_tags: BTreeMap<String, String>,
    #[serde(default)]
    to_tags: BTreeMap<String, String>,
    protocol: Option<Spanned<String>>,
    ports: Option<Spanned<toml::Value>>,
    services: Option<Spanned<toml::Value>>,
    severity: Option<Spanned<String>>,
}

/// Reads the policy file at `path`.
///
/// # Errors
///
/// When the file cannot be read or is not a valid policy ([`ErrorKind::Policy`], with
/// line and column).
pub fn load(path: &Path) -> Result<Policy, Error> {
    let err = |kind| Error::new(Some(path.to_path_buf()), kind);
    let bytes = crate::limits::read_file(path, crate::limits::POLICY).map_err(err)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| err(ErrorKind::Encoding("the policy file must be UTF-8".into())))?;
    let mut policy = parse(&text).map_err(err)?;
    policy.source = Some(PolicySource {
        path: path.display().to_string(),
        sha256: crate::source::sha256_hex(text.as_bytes()),
    });
    Ok(policy)
}

/// Parses and validates the text of a policy file.
///
/// # Errors
///
/// [`ErrorKind::Policy`] with the line and column of the first problem.
pub fn parse(text: &str) -> Result<Policy, ErrorKind> {
    let at = |span: Range<usize>, message: String| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ErrorKind::Policy {
            line,
            column,
            message,
        }
    };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end().to_owned();
        at(e.span().unwrap_or(0..0), message)
    })?;
    let line_of = |span: Range<usize>| text[..span.start.min(text.len())].matches('\n').count() + 1;

    let mut policy = Policy::default();
    if let Some(f) = &raw.gate.fail_on {
        let value = if f.get_ref() == "never" {
            None
        } else {
            Some(severity(f).map_err(|m| at(f.span(), m))?)
        };
        policy.fail_on = Some(value);
    }
    policy.networks = networks(&raw.networks, &at)?;
    policy.severity = overrides(&raw.rules, &at)?;
    policy.disabled = raw
        .rules
        .iter()
        .filter(|(_, r)| r.get_ref().enabled == Some(false))
        .map(|(id, _)| id.clone())
        .collect();
    for p in &raw.sensitive_ports {
        let r = p.get_ref();
        let category = parse_category(&r.category).map_err(|m| at(r.category.span(), m))?;
        let services = services_of(r.protocol.as_ref(), Some(&r.ports), None, &at)?
            .unwrap_or_else(ServiceSet::none);
        policy.sensitive_ports.push(Entry {
            name: r.name.clone(),
            category,
            services,
            weight: None,
        });
    }
    for a in &raw.accept {
        let r = a.get_ref();
        let expires = date(&r.expires).map_err(|m| at(r.expires.span(), m))?;
        policy.accepts.push(Accept {
            from: selector(r.from.as_ref(), &r.from_tags, &policy.networks, &at)?,
            to: selector(r.to.as_ref(), &r.to_tags, &policy.networks, &at)?,
            services: services_of(
                r.protocol.as_ref(),
                r.ports.as_ref(),
                r.services.as_ref(),
                &at,
            )?,
            reason: r.reason.clone(),
            owner: r.owner.clone(),
            expires,
            line: line_of(a.span()),
        });
    }
    let mut names = std::collections::BTreeSet::new();
    for inv in &raw.invariant {
        let r = inv.get_ref();
        if !names.insert(r.name.get_ref().clone()) {
            return Err(at(
                r.name.span(),
                format!(
                    "two invariants are named `{}`; names must be unique",
                    r.name.get_ref()
                ),
            ));
        }
        policy
            .invariants
            .push(invariant(r, inv.span(), &policy.networks, &at, &line_of)?);
    }
    Ok(policy)
}

type At<'t> = dyn Fn(Range<usize>, String) -> ErrorKind + 't;

fn networks(
    raw: &BTreeMap<String, Spanned<RawNetwork>>,
    at: &At<'_>,
) -> Result<Vec<Network>, ErrorKind> {
    let mut out = Vec::new();
    for (name, net) in raw {
        if is_keyword(name) {
            return Err(at(
                net.span(),
                format!("`{name}` is a reserved word; name the network something else"),
            ));
        }
        let mut peers = PeerSet::empty();
        for c in &net.get_ref().cidrs {
            peers = peers.union(&cidr(c.get_ref()).map_err(|m| at(c.span(), m))?);
        }
        out.push(Network {
            name: name.clone(),
            peers,
            trusted: net.get_ref().trusted,
        });
    }
    Ok(out)
}

fn overrides(
    raw: &BTreeMap<String, Spanned<RawRule>>,
    at: &At<'_>,
) -> Result<BTreeMap<String, Severity>, ErrorKind> {
    let mut out = BTreeMap::new();
    for (id, rule) in raw {
        if super::registry::by_id(id).is_none() {
            return Err(at(
                rule.span(),
                format!(
                    "no rule is named `{id}`; `reachdiff rules` lists them ({})",
                    super::registry::RULES
                        .iter()
                        .map(|r| r.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let r = rule.get_ref();
        if r.enabled == Some(false) && !super::registry::STATE_RULES.contains(&id.as_str()) {
            return Err(at(
                rule.span(),
                format!(
                    "`{id}` names changes and cannot be switched off; give it a lower severity, or accept the flows it names with [[accept]]"
                ),
            ));
        }
        match &r.severity {
            Some(s) => {
                out.insert(id.clone(), severity(s).map_err(|m| at(s.span(), m))?);
            }
            None if r.enabled.is_none() => {
                return Err(at(
                    rule.span(),
                    format!("[rules.{id}] needs `severity = \"…\"` or `enabled = false`"),
                ));
            }
            None => {}
        }
    }
    Ok(out)
}

fn invariant(
    r: &RawInvariant,
    span: Range<usize>,
    networks: &[Network],
    at: &At<'_>,
    line_of: &dyn Fn(Range<usize>) -> usize,
) -> Result<Invariant, ErrorKind> {
    let from = selector(r.from.as_ref(), &r.from_tags, networks, at)?;
    let to = selector(r.to.as_ref(), &r.to_tags, networks, at)?;
    let from_outside = selector(r.from_outside.as_ref(), &BTreeMap::new(), networks, at)?;
    let to_outside = selector(r.to_outside.as_ref(), &BTreeMap::new(), networks, at)?;
    let shape = "an invariant names endpoints on one side (`to`, `to_tags` for what may not be reached; \
                 `from`, `from_tags` for what may not send) and networks on the other (`from`/`from_outside`, \
                 `to`/`to_outside`)";
    let only_networks = |s: &Selector| s.names_networks() && !s.names_resources();
    let (direction, endpoints, forbidden) = if (only_networks(&from) || !from_outside.is_empty())
        && !to.names_networks()
        && to_outside.is_empty()
    {
        let forbidden = if from_outside.is_empty() {
            from.addresses(false)
        } else {
            PeerSet::all_addresses().difference(&from_outside.addresses(true))
        };
        (Direction::Ingress, to, forbidden)
    } else if (only_networks(&to) || !to_outside.is_empty())
        && !from.names_networks()
        && from_outside.is_empty()
    {
        let forbidden = if to_outside.is_empty() {
            to.addresses(false)
        } else {
            PeerSet::all_addresses().difference(&to_outside.addresses(true))
        };
        (Direction::Egress, from, forbidden)
    } else {
        return Err(at(span, shape.to_owned()));
    };
    Ok(Invariant {
        name: r.name.get_ref().clone(),
        description: r.description.clone(),
        direction,
        endpoints,
        forbidden,
        services: services_of(
            r.protocol.as_ref(),
            r.ports.as_ref(),
            r.services.as_ref(),
            at,
        )?,
        severity: match &r.severity {
            Some(s) => severity(s).map_err(|m| at(s.span(), m))?,
            None => Severity::High,
        },
        line: line_of(span),
    })
}

fn is_keyword(name: &str) -> bool {
    matches!(name, "any" | "internet")
}

fn severity(s: &Spanned<String>) -> Result<Severity, String> {
    Severity::parse(s.get_ref()).ok_or_else(|| {
        format!(
            "`{}` is not a severity; use critical, high, medium, low or info",
            s.get_ref()
        )
    })
}

fn parse_category(s: &Spanned<String>) -> Result<Category, String> {
    Category::ALL
        .into_iter()
        .find(|c| c.as_str() == s.get_ref())
        .ok_or_else(|| {
            format!(
                "`{}` is not a service category; use one of {}",
                s.get_ref(),
                Category::ALL.map(Category::as_str).join(", ")
            )
        })
}

fn cidr(text: &str) -> Result<PeerSet, String> {
    match parse_cidr(text) {
        Some(ipnet::IpNet::V4(n)) => Ok(PeerSet::from_v4(v4_block(n))),
        Some(ipnet::IpNet::V6(n)) => Ok(PeerSet::from_v6(v6_block(n))),
        None => Err(format!(
            "`{text}` is not a CIDR block; write it like 203.0.113.0/24 or 2001:db8::/32"
        )),
    }
}

fn date(v: &Spanned<toml::Value>) -> Result<Date, String> {
    let text = match v.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        other => other.to_string(),
    };
    Date::parse(&text)
        .ok_or_else(|| format!("`{text}` is not a date; write the last accepted day as YYYY-MM-DD"))
}

/// A string or a list of strings.
fn strings(v: &Spanned<toml::Value>) -> Result<Vec<String>, String> {
    match v.get_ref() {
        toml::Value::String(s) => Ok(vec![s.clone()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|i| match i {
                toml::Value::String(s) => Ok(s.clone()),
                other => Err(format!("expected a string, found `{other}`")),
            })
            .collect(),
        other => Err(format!(
            "expected a string or a list of strings, found `{other}`"
        )),
    }
}

fn selector(
    v: Option<&Spanned<toml::Value>>,
    tags: &BTreeMap<String, String>,
    networks: &[Network],
    at: &At<'_>,
) -> Result<Selector, ErrorKind> {
    let mut sel = Selector {
        parties: Vec::new(),
        tags: tags.clone(),
    };
    let Some(v) = v else {
        return Ok(sel);
    };
    for item in strings(v).map_err(|m| at(v.span(), m))? {
        let party = match item.as_str() {
            "any" => Party::Any,
            "internet" => Party::Internet,
            name => {
                if let Some(n) = networks.iter().find(|n| n.name == name) {
                    Party::Addresses(n.peers.clone())
                } else if let Ok(peers) = cidr(name) {
                    Party::Addresses(peers)
                } else if name.contains('.') || name.contains('*') {
                    Party::Resource(name.to_owned())
                } else {
                    return Err(at(
                        v.span(),
                        format!(
                            "`{name}` is not a network, CIDR block or resource address; declare it under [networks.{name}] or write a resource address such as aws_instance.web or aws_lb.*"
                        ),
                    ));
                }
            }
        };
        sel.parties.push(party);
    }
    Ok(sel)
}

/// `protocol` + `ports`, or `services` (catalogue categories), or neither (any).
fn services_of(
    protocol: Option<&Spanned<String>>,
    ports: Option<&Spanned<toml::Value>>,
    categories: Option<&Spanned<toml::Value>>,
    at: &At<'_>,
) -> Result<Option<ServiceSet>, ErrorKind> {
    let mut out: Option<ServiceSet> = None;
    if let Some(c) = categories {
        let catalogue = super::catalogue::builtin();
        let mut set = ServiceSet::none();
        for name in strings(c).map_err(|m| at(c.span(), m))? {
            let spanned = Spanned::new(c.span(), name);
            let category = parse_category(&spanned).map_err(|m| at(c.span(), m))?;
            for e in catalogue.iter().filter(|e| e.category == category) {
                set = set.union(&e.services);
            }
        }
        out = Some(set);
    }
    if protocol.is_none() && ports.is_none() {
        return Ok(out);
    }
    let protocols: Vec<u8> = match protocol.map(|p| (p, p.get_ref().to_ascii_lowercase())) {
        None => vec![TCP],
        Some((_, p)) if p == "tcp" => vec![TCP],
        Some((_, p)) if p == "udp" => vec![UDP],
        Some((_, p)) if p == "both" || p == "tcp+udp" => vec![TCP, UDP],
        Some((_, p)) if p == "all" || p == "-1" => {
            return Ok(Some(ServiceSet::all()));
        }
        Some((s, p)) => {
            return Err(at(
                s.span(),
                format!("`{p}` is not a protocol here; use tcp, udp, both or all"),
            ));
        }
    };
    let ranges = match ports {
        None => vec![(0, u16::MAX)],
        Some(v) => port_ranges(v).map_err(|m| at(v.span(), m))?,
    };
    let mut set = ServiceSet::none();
    for p in protocols {
        for &(lo, hi) in &ranges {
            set = set.union(&ServiceSet::ports(p, lo, hi));
        }
    }
    Ok(Some(out.map_or(set.clone(), |o| o.union(&set))))
}

fn port_ranges(v: &Spanned<toml::Value>) -> Result<Vec<(u16, u16)>, String> {
    let items: Vec<toml::Value> = match v.get_ref() {
        toml::Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|i| {
            let text = match i {
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let (lo, hi) = text.split_once('-').unwrap_or((&text, &text));
            let port = |p: &str| p.trim().parse::<u16>().ok();
            match (port(lo), port(hi)) {
                (Some(lo), Some(hi)) if lo <= hi => Ok((lo, hi)),
                _ => Err(format!(
                    "`{text}` is not a port or port range; write 443 or \"8000-8999\""
                )),
            }
        })
        .collect()
}

/// The addresses of every trusted network.
#[must_use]
pub fn trusted(networks: &[Network]) -> PeerSet {
    networks
        .iter()
        .filter(|n| n.trusted)
        .fold(PeerSet::empty(), |acc, n| acc.union(&n.peers))
}
