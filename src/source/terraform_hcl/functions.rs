//! Terraform's built-in functions that network configuration uses, over [`Value`]s with
//! unknowns: an unknown argument makes the result unknown unless the result is
//! determined without it (`length` of a list with unknown elements, `coalesce` whose
//! first usable argument is known).
//!
//! Not every Terraform function: file, time, crypto and regex functions are not here
//! (the caller warns and takes the value as unknown). `try` and `can` are not here
//! either: they need the unevaluated arguments, so the evaluator implements them.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::value::{Value, number_string};

/// Why a call has no value.
#[derive(Debug, PartialEq)]
pub(crate) enum FnError {
    /// No such function here.
    NoSuchFunction,
    /// The arguments are invalid (Terraform would fail).
    Invalid(String),
}

type R = Result<Value, FnError>;

fn bad<T>(msg: impl Into<String>) -> Result<T, FnError> {
    Err(FnError::Invalid(msg.into()))
}

/// The most elements a function builds (`range`, `split`, `flatten`): bounds memory on
/// any input. Values are checked against the budgets once built; functions whose
/// result can be far larger than their arguments (`join`, `replace`, `format`) check
/// before building.
const MAX_ELEMENTS: usize = crate::limits::evaluator::COLLECTION;

/// The most characters a function builds.
const MAX_STRING: usize = crate::limits::evaluator::STRING;

/// Why a string was not built.
pub(crate) const TOO_LONG: &str = "the string would be longer than reachdiff evaluates (4 MiB)";

/// Calls the function `name`.
#[allow(clippy::too_many_lines)]
pub(crate) fn call(name: &str, args: &[Value]) -> R {
    // Functions that look into unknown arguments themselves.
    match name {
        "length" => return length(args),
        "coalesce" => return coalesce(args),
        "coalescelist" => return coalescelist(args),
        "concat" => return concat(args),
        "tolist" | "tuple" => return arity(args, 1).map(|()| args[0].clone()),
        "toset" => return arity(args, 1).and_then(|()| toset(&args[0])),
        "tomap" => return arity(args, 1).map(|()| args[0].clone()),
        "contains" => return contains(args),
        "compact" => return compact(args),
        "distinct" => return distinct(args),
        "element" => return element(args),
        "slice" => return slice(args),
        "lookup" => return lookup(args),
        "zipmap" => return zipmap(args),
        "keys" => return keys(args),
        "values" => return values(args),
        "one" => return one(args),
        "chunklist" => return chunklist(args),
        "setunion" => return setunion(args),
        "reverse" => return reverse(args),
        _ => {}
    }
    if args.iter().any(Value::is_unknown) {
        return if is_function(name) {
            Ok(Value::Unknown)
        } else {
            Err(FnError::NoSuchFunction)
        };
    }
    match name {
        "cidrsubnet" => {
            arity(args, 3)?;
            let (addr, len, width) = cidr(&args[0])?;
            let newbits = to_uint(&args[1])?;
            let netnum = to_u128(&args[2])?;
            let new_len = len + newbits;
            if new_len > width {
                return bad(format!(
                    "insufficient address space to extend prefix of {len} by {newbits}"
                ));
            }
            if newbits < 128 && netnum >> newbits != 0 {
                return bad(format!(
                    "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
                ));
            }
            let shift = width - new_len;
            let base = mask(addr, len, width) | shl(netnum, shift);
            Ok(Value::string(format!("{}/{new_len}", ip(base, width))))
        }
        "cidrhost" => {
            arity(args, 2)?;
            let (addr, len, width) = cidr(&args[0])?;
            let host = to_num(&args[1])?;
            let hostbits = width - len;
            let size = if hostbits >= 128 {
                u128::MAX
            } else {
                1u128 << hostbits
            };
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let offset = if host < 0.0 {
                let back = (-host) as u128;
                if back > size {
                    return bad(format!(
                        "prefix of {len} does not accommodate a host numbered {host}"
                    ));
                }
                size - back
            } else {
                let h = host as u128;
                if hostbits < 128 && h >= size {
                    return bad(format!(
                        "prefix of {len} does not accommodate a host numbered {}",
                        number_string(host)
                    ));
                }
                h
            };
            Ok(Value::string(ip(mask(addr, len, width) | offset, width)))
        }
        "cidrnetmask" => {
            arity(args, 1)?;
            let (_, len, width) = cidr(&args[0])?;
            if width != 32 {
                return bad("only IPv4 networks have a netmask");
            }
            Ok(Value::string(ip(mask(u128::from(u32::MAX), len, 32), 32)))
        }
        "cidrsubnets" => cidrsubnets(args),
        "merge" => {
            let mut out = BTreeMap::new();
            for a in args {
                match a {
                    Value::Null => {}
                    Value::Object(m, _) => {
                        out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                    v => {
                        return bad(format!(
                            "merge takes maps or objects, not a {}",
                            v.type_name()
                        ));
                    }
                }
            }
            Ok(Value::object(out))
        }
        "flatten" => {
            arity(args, 1)?;
            let mut out = Vec::new();
            if flatten_into(&args[0], &mut out, 0)? {
                Ok(Value::list(out))
            } else {
                Ok(Value::Unknown)
            }
        }
        "tostring" => {
            arity(args, 1)?;
            match &args[0] {
                Value::Null => Ok(Value::Null),
                v => Ok(Value::string(to_str(v)?)),
            }
        }
        "tonumber" => {
            arity(args, 1)?;
            match &args[0] {
                Value::Null => Ok(Value::Null),
                v => Ok(Value::Number(to_num(v)?)),
            }
        }
        "tobool" => {
            arity(args, 1)?;
            match &args[0] {
                Value::Null => Ok(Value::Null),
                Value::Bool(b) => Ok(Value::Bool(*b)),
                Value::String(s) if &**s == "true" => Ok(Value::Bool(true)),
                Value::String(s) if &**s == "false" => Ok(Value::Bool(false)),
                v => bad(format!("cannot convert {} to bool", v.type_name())),
            }
        }
        "format" => {
            if args.is_empty() {
                return bad("format needs a format string");
            }
            let spec = to_str(&args[0])?;
            if !args[1..].iter().all(Value::is_wholly_known) {
                return Ok(Value::Unknown);
            }
            Ok(Value::string(format(&spec, &args[1..])?))
        }
        "formatlist" => formatlist(args),
        "join" => {
            if args.len() < 2 {
                return bad("join needs a separator and at least one list");
            }
            let sep = to_str(&args[0])?;
            let mut parts = Vec::new();
            let mut len = 0usize;
            for l in &args[1..] {
                for v in to_list(l)? {
                    if v.is_unknown() {
                        return Ok(Value::Unknown);
                    }
                    let part = to_str(v)?;
                    len = len.saturating_add(part.len()).saturating_add(sep.len());
                    if len > MAX_STRING {
                        return bad(TOO_LONG);
                    }
                    parts.push(part);
                }
            }
            Ok(Value::string(parts.join(&sep)))
        }
        "split" => {
            arity(args, 2)?;
            let (sep, s) = (to_str(&args[0])?, to_str(&args[1])?);
            if s.is_empty() {
                return Ok(Value::list(Vec::new()));
            }
            let parts: Vec<Value> = if sep.is_empty() {
                s.chars()
                    .take(MAX_ELEMENTS + 1)
                    .map(|c| Value::string(c.to_string()))
                    .collect()
            } else {
                s.split(sep.as_str())
                    .take(MAX_ELEMENTS + 1)
                    .map(Value::string)
                    .collect()
            };
            if parts.len() > MAX_ELEMENTS {
                return bad(format!("split makes more than {MAX_ELEMENTS} elements"));
            }
            Ok(Value::list(parts))
        }
        "range" => range(args),
        "upper" => str1(args, str::to_uppercase),
        "lower" => str1(args, str::to_lowercase),
        "trimspace" => str1(args, |s| s.trim().to_owned()),
        "title" => str1(args, title),
        "trimprefix" | "trimsuffix" | "trim" => {
            arity(args, 2)?;
            let (s, p) = (to_str(&args[0])?, to_str(&args[1])?);
            Ok(Value::string(match name {
                "trimprefix" => s.strip_prefix(p.as_str()).unwrap_or(&s).to_owned(),
                "trimsuffix" => s.strip_suffix(p.as_str()).unwrap_or(&s).to_owned(),
                _ => s.trim_matches(|c| p.contains(c)).to_owned(),
            }))
        }
        "replace" => {
            arity(args, 3)?;
            let (s, from, to) = (to_str(&args[0])?, to_str(&args[1])?, to_str(&args[2])?);
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                // A regular expression: not evaluated.
                return Ok(Value::Unknown);
            }
            if from.is_empty() {
                return Ok(Value::string(s));
            }
            if to.len() > from.len() {
                let grows =
                    (to.len() - from.len()).saturating_mul(s.matches(from.as_str()).count());
                if s.len().saturating_add(grows) > MAX_STRING {
                    return bad(TOO_LONG);
                }
            }
            Ok(Value::string(s.replace(from.as_str(), &to)))
        }
        "substr" => {
            arity(args, 3)?;
            let s = to_str(&args[0])?;
            let chars: Vec<char> = s.chars().collect();
            let n = i64::try_from(chars.len()).unwrap_or(i64::MAX);
            let mut offset = to_int(&args[1])?;
            let length = to_int(&args[2])?;
            if offset < 0 {
                offset += n;
            }
            if offset < 0 || offset > n {
                return bad("offset out of range");
            }
            let end = if length < 0 {
                n
            } else {
                (offset + length).min(n)
            };
            let (a, b) = (
                usize::try_from(offset).unwrap_or(0),
                usize::try_from(end).unwrap_or(0),
            );
            Ok(Value::string(chars[a..b.max(a)].iter().collect::<String>()))
        }
        "startswith" | "endswith" => {
            arity(args, 2)?;
            let (s, p) = (to_str(&args[0])?, to_str(&args[1])?);
            Ok(Value::Bool(if name == "startswith" {
                s.starts_with(p.as_str())
            } else {
                s.ends_with(p.as_str())
            }))
        }
        "strlen" => str1(args, |s| s.chars().count().to_string()).map(|v| match v {
            Value::String(s) => Value::Number(s.parse().unwrap_or(0.0)),
            v => v,
        }),
        "min" | "max" => {
            let nums = args.iter().map(to_num).collect::<Result<Vec<_>, _>>()?;
            if nums.is_empty() {
                return bad(format!("{name} needs at least one number"));
            }
            let f = if name == "min" { f64::min } else { f64::max };
            Ok(Value::Number(nums.into_iter().reduce(f).unwrap_or(0.0)))
        }
        "abs" => {
            arity(args, 1)?;
            Ok(Value::Number(to_num(&args[0])?.abs()))
        }
        "floor" | "ceil" => {
            arity(args, 1)?;
            let n = to_num(&args[0])?;
            Ok(Value::Number(if name == "floor" {
                n.floor()
            } else {
                n.ceil()
            }))
        }
        "sum" => {
            arity(args, 1)?;
            let mut t = 0.0;
            for v in to_list(&args[0])? {
                if v.is_unknown() {
                    return Ok(Value::Unknown);
                }
                t += to_num(v)?;
            }
            Ok(Value::Number(t))
        }
        "jsonencode" => {
            arity(args, 1)?;
            if !args[0].is_wholly_known() {
                return Ok(Value::Unknown);
            }
            let text = serde_json::to_string(&args[0].to_json())
                .map_err(|e| FnError::Invalid(e.to_string()))?;
            if text.len() > MAX_STRING {
                return bad(TOO_LONG);
            }
            // Go's encoder, which Terraform uses, escapes these.
            Ok(Value::string(
                text.replace('<', "\\u003c")
                    .replace('>', "\\u003e")
                    .replace('&', "\\u0026"),
            ))
        }
        "jsondecode" => {
            arity(args, 1)?;
            let s = to_str(&args[0])?;
            let j: serde_json::Value =
                serde_json::from_str(&s).map_err(|e| FnError::Invalid(e.to_string()))?;
            Ok(Value::from_json(&j))
        }
        "sort" => {
            arity(args, 1)?;
            let l = to_list(&args[0])?;
            if l.iter().any(Value::is_unknown) {
                return Ok(Value::Unknown);
            }
            let mut s = l.iter().map(to_str).collect::<Result<Vec<_>, _>>()?;
            s.sort();
            Ok(Value::list(s.into_iter().map(Value::string).collect()))
        }
        "index" => {
            arity(args, 2)?;
            let l = to_list(&args[0])?;
            for (i, v) in l.iter().enumerate() {
                if v.is_unknown() {
                    return Ok(Value::Unknown);
                }
                if loosely_equal(v, &args[1]) {
                    #[allow(clippy::cast_precision_loss)]
                    return Ok(Value::Number(i as f64));
                }
            }
            bad("item not found in the list")
        }
        "alltrue" | "anytrue" => {
            arity(args, 1)?;
            let l = to_list(&args[0])?;
            let want = name == "anytrue";
            let mut unknown = false;
            for v in l {
                match v {
                    Value::Unknown => unknown = true,
                    Value::Bool(b) if *b == want => return Ok(Value::Bool(want)),
                    Value::Bool(_) => {}
                    v => {
                        return bad(format!(
                            "{name} takes a list of bools, not {}",
                            v.type_name()
                        ));
                    }
                }
            }
            Ok(if unknown {
                Value::Unknown
            } else {
                Value::Bool(!want)
            })
        }
        _ => Err(FnError::NoSuchFunction),
    }
}

/// `true` for the functions [`call`] implements.
pub(crate) fn is_function(name: &str) -> bool {
    matches!(
        name,
        "cidrsubnet"
            | "cidrhost"
            | "cidrnetmask"
            | "cidrsubnets"
            | "concat"
            | "merge"
            | "lookup"
            | "flatten"
            | "toset"
            | "tolist"
            | "tomap"
            | "tuple"
            | "tostring"
            | "tonumber"
            | "tobool"
            | "keys"
            | "values"
            | "length"
            | "element"
            | "format"
            | "formatlist"
            | "join"
            | "split"
            | "range"
            | "zipmap"
            | "coalesce"
            | "coalescelist"
            | "distinct"
            | "contains"
            | "compact"
            | "upper"
            | "lower"
            | "title"
            | "replace"
            | "substr"
            | "trimspace"
            | "trim"
            | "trimprefix"
            | "trimsuffix"
            | "strlen"
            | "min"
            | "max"
            | "abs"
            | "floor"
            | "ceil"
            | "sum"
            | "jsonencode"
            | "jsondecode"
            | "slice"
            | "setunion"
            | "sort"
            | "reverse"
            | "one"
            | "index"
            | "startswith"
            | "endswith"
            | "chunklist"
            | "alltrue"
            | "anytrue"
    )
}

fn arity(args: &[Value], n: usize) -> Result<(), FnError> {
    if args.len() == n {
        Ok(())
    } else {
        bad(format!("takes {n} argument(s), got {}", args.len()))
    }
}

fn str1(args: &[Value], f: impl Fn(&str) -> String) -> R {
    arity(args, 1)?;
    Ok(Value::string(f(&to_str(&args[0])?)))
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// A known primitive as a string (Terraform converts numbers and bools).
pub(crate) fn to_str(v: &Value) -> Result<String, FnError> {
    match v {
        Value::String(s) => Ok(s.to_string()),
        Value::Number(n) => Ok(number_string(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        v => bad(format!("a string is required, not {}", v.type_name())),
    }
}

/// A known number (or a string holding one).
pub(crate) fn to_num(v: &Value) -> Result<f64, FnError> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map_or_else(|| bad(format!("cannot convert {s:?} to a number")), Ok),
        v => bad(format!("a number is required, not {}", v.type_name())),
    }
}

fn to_int(v: &Value) -> Result<i64, FnError> {
    let n = to_num(v)?;
    if n.fract() != 0.0 || n.abs() > 9.0e15 {
        return bad(format!(
            "a whole number is required, not {}",
            number_string(n)
        ));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(n as i64)
}

fn to_uint(v: &Value) -> Result<u32, FnError> {
    u32::try_from(to_int(v)?).map_or_else(|_| bad("a non-negative number is required"), Ok)
}

fn to_u128(v: &Value) -> Result<u128, FnError> {
    u128::try_from(to_int(v)?).map_or_else(|_| bad("a non-negative number is required"), Ok)
}

fn to_usize(v: &Value) -> Result<usize, FnError> {
    usize::try_from(to_int(v)?).map_or_else(|_| bad("a non-negative number is required"), Ok)
}

/// A list (or set, or tuple).
pub(crate) fn to_list(v: &Value) -> Result<&[Value], FnError> {
    match v {
        Value::List(l) => Ok(l),
        v => bad(format!("a list is required, not {}", v.type_name())),
    }
}

fn to_map(v: &Value) -> Result<&BTreeMap<String, Value>, FnError> {
    match v {
        Value::Object(m, _) => Ok(m),
        v => bad(format!("a map is required, not {}", v.type_name())),
    }
}

/// Equality after Terraform's conversions (`1 == "1"` in lists of strings).
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_) | Value::Bool(_), Value::String(_))
        | (Value::String(_), Value::Number(_) | Value::Bool(_)) => to_str(a).ok() == to_str(b).ok(),
        _ => a == b,
    }
}

fn length(args: &[Value]) -> R {
    arity(args, 1)?;
    #[allow(clippy::cast_precision_loss)]
    match &args[0] {
        Value::Unknown => Ok(Value::Unknown),
        Value::List(l) => Ok(Value::Number(l.len() as f64)),
        Value::Object(m, _) => Ok(Value::Number(m.len() as f64)),
        Value::String(s) => Ok(Value::Number(s.chars().count() as f64)),
        v => bad(format!("length of a {} is not defined", v.type_name())),
    }
}

fn coalesce(args: &[Value]) -> R {
    for a in args {
        match a {
            Value::Unknown => return Ok(Value::Unknown),
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            v => return Ok(v.clone()),
        }
    }
    bad("no non-null, non-empty-string arguments")
}

fn coalescelist(args: &[Value]) -> R {
    for a in args {
        match a {
            Value::Unknown => return Ok(Value::Unknown),
            Value::List(l) if l.is_empty() => {}
            Value::List(_) => return Ok(a.clone()),
            v => return bad(format!("coalescelist takes lists, not {}", v.type_name())),
        }
    }
    Ok(Value::list(Vec::new()))
}

fn concat(args: &[Value]) -> R {
    let mut out = Vec::new();
    for a in args {
        match a {
            Value::Unknown => return Ok(Value::Unknown),
            v => out.extend(to_list(v)?.iter().cloned()),
        }
        if out.len() > MAX_ELEMENTS {
            return bad(format!("concat makes more than {MAX_ELEMENTS} elements"));
        }
    }
    Ok(Value::list(out))
}

/// How many partly unknown elements `toset` compares pairwise before calling the whole
/// set unknown.
const MAX_PARTLY_UNKNOWN: usize = 1000;

/// A set: strings (or numbers, bools converted to strings) sorted and without
/// duplicates; unknown elements kept at the end.
pub(crate) fn toset(v: &Value) -> R {
    let l = match v {
        Value::Unknown => return Ok(Value::Unknown),
        Value::Null => return Ok(Value::Null),
        v => to_list(v)?,
    };
    let all_numbers = l.iter().all(|v| matches!(v, Value::Number(_)));
    let mut seen = BTreeSet::new();
    let mut partly: Vec<Value> = Vec::new();
    let mut known: Vec<Value> = Vec::new();
    let mut unknown = Vec::new();
    for v in l {
        match v {
            Value::Unknown => unknown.push(Value::Unknown),
            Value::Number(_) if all_numbers => known.push(v.clone()),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                known.push(Value::string(to_str(v)?));
            }
            v if v.is_wholly_known() => {
                if seen.insert(identity_key(v)) {
                    known.push(v.clone());
                }
            }
            v => {
                // With unknown parts a value has no key: compare it with the others
                // like it, a bounded number of them.
                if !partly.contains(v) {
                    if partly.len() == MAX_PARTLY_UNKNOWN {
                        return Ok(Value::Unknown);
                    }
                    partly.push(v.clone());
                    known.push(v.clone());
                }
            }
        }
    }
    known.sort_by(|a, b| match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    });
    known.dedup();
    known.extend(unknown);
    Ok(Value::list(known))
}

fn contains(args: &[Value]) -> R {
    arity(args, 2)?;
    if args[0].is_unknown() || !args[1].is_wholly_known() {
        return Ok(Value::Unknown);
    }
    let l = to_list(&args[0])?;
    if l.iter().any(|v| loosely_equal(v, &args[1])) {
        return Ok(Value::Bool(true));
    }
    Ok(if l.iter().all(Value::is_wholly_known) {
        Value::Bool(false)
    } else {
        Value::Unknown
    })
}

fn compact(args: &[Value]) -> R {
    arity(args, 1)?;
    if args[0].is_unknown() {
        return Ok(Value::Unknown);
    }
    let out = to_list(&args[0])?
        .iter()
        .filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            _ => true,
        })
        .cloned()
        .collect();
    Ok(Value::list(out))
}

fn distinct(args: &[Value]) -> R {
    arity(args, 1)?;
    if args[0].is_unknown() {
        return Ok(Value::Unknown);
    }
    let l = to_list(&args[0])?;
    if !l.iter().all(Value::is_wholly_known) {
        return Ok(Value::Unknown);
    }
    let mut seen = BTreeSet::new();
    let mut out: Vec<Value> = Vec::new();
    for v in l {
        if seen.insert(identity_key(v)) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

/// A key equal for equal wholly known values (Terraform's equality: objects by content),
/// so that duplicates are found in O(n log n): comparing every pair of a million
/// elements would not end.
fn identity_key(v: &Value) -> String {
    match v {
        Value::String(s) => format!("s{s}"),
        Value::Number(n) => format!("n{}", number_string(*n)),
        Value::Bool(b) => format!("b{b}"),
        v => format!("j{}", v.to_json()),
    }
}

fn element(args: &[Value]) -> R {
    arity(args, 2)?;
    if args[0].is_unknown() || args[1].is_unknown() {
        return Ok(Value::Unknown);
    }
    let l = to_list(&args[0])?;
    let i = to_int(&args[1])?;
    if l.is_empty() {
        return bad("cannot use element function with an empty list");
    }
    if i < 0 {
        return bad("element index must not be negative");
    }
    let i = usize::try_from(i).unwrap_or(0) % l.len();
    Ok(l[i].clone())
}

fn slice(args: &[Value]) -> R {
    arity(args, 3)?;
    if args.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let l = to_list(&args[0])?;
    let (a, b) = (to_usize(&args[1])?, to_usize(&args[2])?);
    if a > b || b > l.len() {
        return bad(format!(
            "slice indexes {a}..{b} are out of range for {} elements",
            l.len()
        ));
    }
    Ok(Value::list(l[a..b].to_vec()))
}

fn lookup(args: &[Value]) -> R {
    if args.len() != 2 && args.len() != 3 {
        return bad("lookup takes a map, a key and optionally a default");
    }
    if args[0].is_unknown() || args[1].is_unknown() {
        return Ok(Value::Unknown);
    }
    let m = to_map(&args[0])?;
    let k = to_str(&args[1])?;
    match (m.get(&k), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(d)) => Ok(d.clone()),
        (None, None) => bad(format!("the map has no key {k:?}")),
    }
}

fn zipmap(args: &[Value]) -> R {
    arity(args, 2)?;
    if args[0].is_unknown() || args[1].is_unknown() {
        return Ok(Value::Unknown);
    }
    let (k, v) = (to_list(&args[0])?, to_list(&args[1])?);
    if k.len() != v.len() {
        return bad("zipmap needs lists of the same length");
    }
    let mut out = BTreeMap::new();
    for (k, v) in k.iter().zip(v) {
        if k.is_unknown() {
            return Ok(Value::Unknown);
        }
        out.insert(to_str(k)?, v.clone());
    }
    Ok(Value::object(out))
}

fn keys(args: &[Value]) -> R {
    arity(args, 1)?;
    match &args[0] {
        Value::Unknown => Ok(Value::Unknown),
        v => Ok(Value::list(
            to_map(v)?
                .keys()
                .map(|k| Value::string(k.as_str()))
                .collect(),
        )),
    }
}

fn values(args: &[Value]) -> R {
    arity(args, 1)?;
    match &args[0] {
        Value::Unknown => Ok(Value::Unknown),
        v => Ok(Value::list(to_map(v)?.values().cloned().collect())),
    }
}

fn one(args: &[Value]) -> R {
    arity(args, 1)?;
    match &args[0] {
        Value::Unknown => Ok(Value::Unknown),
        Value::Null => Ok(Value::Null),
        v => match to_list(v)? {
            [] => Ok(Value::Null),
            [x] => Ok(x.clone()),
            _ => bad("must be a list, set, or tuple value with either zero or one elements"),
        },
    }
}

fn chunklist(args: &[Value]) -> R {
    arity(args, 2)?;
    if args[0].is_unknown() || args[1].is_unknown() {
        return Ok(Value::Unknown);
    }
    let l = to_list(&args[0])?;
    let n = to_usize(&args[1])?;
    if n == 0 {
        return Ok(Value::list(vec![args[0].clone()]));
    }
    Ok(Value::list(
        l.chunks(n).map(|c| Value::list(c.to_vec())).collect(),
    ))
}

fn setunion(args: &[Value]) -> R {
    let mut all = Vec::new();
    for a in args {
        if a.is_unknown() {
            return Ok(Value::Unknown);
        }
        all.extend(to_list(a)?.iter().cloned());
    }
    toset(&Value::list(all))
}

fn reverse(args: &[Value]) -> R {
    arity(args, 1)?;
    if args[0].is_unknown() {
        return Ok(Value::Unknown);
    }
    let mut l = to_list(&args[0])?.to_vec();
    l.reverse();
    Ok(Value::list(l))
}

/// Flattens `v` into `out`; `false` when an unknown element makes the result unknown.
fn flatten_into(v: &Value, out: &mut Vec<Value>, depth: usize) -> Result<bool, FnError> {
    if depth > 64 {
        return bad("lists nested too deeply");
    }
    for e in to_list(v)? {
        match e {
            Value::Unknown => return Ok(false),
            Value::List(_) => {
                if !flatten_into(e, out, depth + 1)? {
                    return Ok(false);
                }
            }
            e => out.push(e.clone()),
        }
        if out.len() > MAX_ELEMENTS {
            return bad(format!("flatten makes more than {MAX_ELEMENTS} elements"));
        }
    }
    Ok(true)
}

fn range(args: &[Value]) -> R {
    let nums = args.iter().map(to_num).collect::<Result<Vec<_>, _>>()?;
    let (start, end, step) = match nums[..] {
        [e] => (0.0, e, 1.0),
        [s, e] => (s, e, if s <= e { 1.0 } else { -1.0 }),
        [s, e, st] => (s, e, st),
        _ => return bad("range takes one to three numbers"),
    };
    if step == 0.0 || (step > 0.0 && start > end) || (step < 0.0 && start < end) {
        return if step == 0.0 {
            bad("step must not be zero")
        } else {
            bad("the step points away from the end")
        };
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
        if out.len() >= MAX_ELEMENTS {
            return bad(format!("range makes more than {MAX_ELEMENTS} elements"));
        }
        out.push(Value::Number(x));
        x += step;
    }
    Ok(Value::list(out))
}

// ---- CIDR arithmetic (IPv4 in the low 32 bits of a u128) ----

/// Address, prefix length and address width (32 or 128) of a CIDR string.
fn cidr(v: &Value) -> Result<(u128, u32, u32), FnError> {
    let s = to_str(v)?;
    let Some((a, l)) = s.split_once('/') else {
        return bad(format!("invalid CIDR address {s:?}"));
    };
    let (addr, width) = match a.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => (u128::from(u32::from(a)), 32),
        Ok(IpAddr::V6(a)) => (u128::from(a), 128),
        Err(_) => return bad(format!("invalid CIDR address {s:?}")),
    };
    match l.parse::<u32>() {
        Ok(len) if len <= width && !l.starts_with('+') => Ok((addr, len, width)),
        _ => bad(format!("invalid CIDR address {s:?}")),
    }
}

fn shl(x: u128, n: u32) -> u128 {
    x.checked_shl(n).unwrap_or(0)
}

/// `addr` with the host bits below a `len`-bit prefix cleared.
fn mask(addr: u128, len: u32, width: u32) -> u128 {
    let host = width - len;
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    all & !(shl(1, host).wrapping_sub(1)) & addr
}

fn ip(addr: u128, width: u32) -> String {
    if width == 32 {
        #[allow(clippy::cast_possible_truncation)]
        Ipv4Addr::from(addr as u32).to_string()
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

fn cidrsubnets(args: &[Value]) -> R {
    if args.is_empty() {
        return bad("cidrsubnets needs a prefix");
    }
    let (addr, len, width) = cidr(&args[0])?;
    let network = mask(addr, len, width);
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let last_of = |a: u128, l: u32| mask(a, l, width) | (shl(1, width - l).wrapping_sub(1) & all);
    let Some(first) = args.get(1) else {
        return Ok(Value::list(Vec::new()));
    };
    let first_len = len + to_uint(first)?;
    if first_len > width {
        return bad("not enough remaining address space");
    }
    // The subnet before the first one, so that each step takes the next one.
    let mut current = (
        mask(network.wrapping_sub(1) & all, first_len, width),
        first_len,
    );
    let mut out = Vec::new();
    for a in &args[1..] {
        let new_len = len + to_uint(a)?;
        if new_len > width || new_len < len {
            return bad(format!(
                "would extend prefix to {new_len} bits, which is too long"
            ));
        }
        let last = last_of(current.0, current.1);
        let last = last_of(last, new_len);
        let next = last.wrapping_add(1) & all;
        if next == 0 || mask(next, len, width) != network {
            return bad("not enough remaining address space for a subnet");
        }
        current = (next, new_len);
        out.push(Value::string(format!("{}/{new_len}", ip(next, width))));
    }
    Ok(Value::list(out))
}

// ---- format ----

/// Go-style `format`: `%s %d %v %q %f %t %x %X %o %b %e %%` with flags, width, precision.
#[allow(clippy::too_many_lines)]
/// The largest precision `format` accepts (`%.1000f`).
const MAX_PRECISION: usize = 1000;

#[allow(clippy::too_many_lines)] // Go's verbs, flags, width and precision, in one place
fn format(spec: &str, args: &[Value]) -> Result<String, FnError> {
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next_arg = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut left, mut zero, mut plus) = (false, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                '+' => plus = true,
                ' ' | '#' => {}
                _ => break,
            }
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            // Rust's formatter takes at most u16::MAX and panics beyond; Terraform would
            // print tens of thousands of digits no network value needs.
            let n = if p.is_empty() {
                Some(0)
            } else {
                p.parse::<usize>().ok()
            };
            match n {
                Some(n) if n <= MAX_PRECISION => precision = Some(n),
                _ => {
                    return bad(format!(
                        "a precision of {p} is more than reachdiff formats (at most {MAX_PRECISION})"
                    ));
                }
            }
        }
        let Some(verb) = chars.next() else {
            return bad("format string ends with a lone %");
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            return bad(format!("too few arguments for the format string {spec:?}"));
        };
        next_arg += 1;
        let body = match verb {
            's' => to_str(arg)?,
            'v' => match arg {
                Value::List(_) | Value::Object(..) => {
                    serde_json::to_string(&arg.to_json()).unwrap_or_default()
                }
                Value::Null => "null".to_owned(),
                v => to_str(v)?,
            },
            'q' => serde_json::to_string(&to_str(arg)?).unwrap_or_default(),
            't' => match arg {
                Value::Bool(b) => b.to_string(),
                v => return bad(format!("%t needs a bool, not {}", v.type_name())),
            },
            'd' | 'x' | 'X' | 'o' | 'b' => {
                let n = to_int(arg)?;
                let mag = n.unsigned_abs();
                let digits = match verb {
                    'd' => mag.to_string(),
                    'x' => format!("{mag:x}"),
                    'X' => format!("{mag:X}"),
                    'o' => format!("{mag:o}"),
                    _ => format!("{mag:b}"),
                };
                let sign = if n < 0 {
                    "-"
                } else if plus {
                    "+"
                } else {
                    ""
                };
                format!("{sign}{digits}")
            }
            'f' | 'e' => {
                let n = to_num(arg)?;
                let p = precision.unwrap_or(6);
                let s = if verb == 'f' {
                    format!("{n:.p$}")
                } else {
                    format!("{n:.p$e}")
                };
                if plus && n >= 0.0 { format!("+{s}") } else { s }
            }
            v => return bad(format!("unsupported format verb %{v}")),
        };
        let body = match (verb, precision) {
            ('s' | 'v' | 'q', Some(p)) => body.chars().take(p).collect(),
            _ => body,
        };
        if out.len().saturating_add(body.len()) > MAX_STRING {
            return bad(TOO_LONG);
        }
        let w = width.parse::<usize>().unwrap_or(0).min(1024);
        let n = body.chars().count();
        if n >= w {
            out.push_str(&body);
        } else if left {
            out.push_str(&body);
            out.extend(std::iter::repeat_n(' ', w - n));
        } else if zero && matches!(verb, 'd' | 'f' | 'x' | 'X' | 'o' | 'b' | 'e') {
            let (sign, digits) = match body.strip_prefix(['-', '+']) {
                Some(d) => (&body[..1], d),
                None => ("", body.as_str()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', w - n));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', w - n));
            out.push_str(&body);
        }
    }
    Ok(out)
}

fn formatlist(args: &[Value]) -> R {
    if args.is_empty() {
        return bad("formatlist needs a format string");
    }
    if !args.iter().all(Value::is_wholly_known) {
        return Ok(Value::Unknown);
    }
    let spec = to_str(&args[0])?;
    let mut n = None;
    for a in &args[1..] {
        if let Value::List(l) = a {
            match n {
                Some(m) if m != l.len() => {
                    return bad("formatlist lists must have the same length");
                }
                _ => n = Some(l.len()),
            }
        }
    }
    let n = n.unwrap_or(1);
    let mut out = Vec::with_capacity(n);
    let mut total = 0usize;
    for i in 0..n {
        let row: Vec<Value> = args[1..]
            .iter()
            .map(|a| match a {
                Value::List(l) => l[i].clone(),
                v => v.clone(),
            })
            .collect();
        let text = format(&spec, &row)?;
        total = total.saturating_add(text.len());
        if total > MAX_STRING {
            return bad(TOO_LONG);
        }
        out.push(Value::string(text));
    }
    Ok(Value::list(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: f64) -> Value {
        Value::Number(x)
    }
    fn l(x: Vec<Value>) -> Value {
        Value::list(x)
    }
    fn ls(x: &[&str]) -> Value {
        l(x.iter().map(|x| s(x)).collect())
    }
    fn m(x: &[(&str, Value)]) -> Value {
        Value::object(
            x.iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }
    fn ok(name: &str, args: &[Value]) -> Value {
        call(name, args).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    #[test]
    fn cidr_functions_ipv4() {
        assert_eq!(
            ok("cidrsubnet", &[s("10.0.0.0/16"), n(8.0), n(2.0)]),
            s("10.0.2.0/24")
        );
        assert_eq!(
            ok("cidrsubnet", &[s("10.1.2.3/16"), n(4.0), n(15.0)]),
            s("10.1.240.0/20")
        );
        assert!(call("cidrsubnet", &[s("10.0.0.0/16"), n(8.0), n(256.0)]).is_err());
        assert!(call("cidrsubnet", &[s("10.0.0.0/30"), n(8.0), n(0.0)]).is_err());
        assert_eq!(
            ok("cidrhost", &[s("10.12.112.0/20"), n(16.0)]),
            s("10.12.112.16")
        );
        assert_eq!(
            ok("cidrhost", &[s("10.12.112.0/20"), n(-1.0)]),
            s("10.12.127.255")
        );
        assert!(call("cidrhost", &[s("10.0.0.0/30"), n(4.0)]).is_err());
        assert_eq!(ok("cidrnetmask", &[s("172.16.0.0/12")]), s("255.240.0.0"));
        assert_eq!(ok("cidrnetmask", &[s("0.0.0.0/0")]), s("0.0.0.0"));
        assert_eq!(
            ok(
                "cidrsubnets",
                &[s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)]
            ),
            ls(&[
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ])
        );
        assert!(call("cidrsubnet", &[s("10.0.0.0"), n(8.0), n(1.0)]).is_err());
    }

    #[test]
    fn cidr_functions_ipv6() {
        assert_eq!(
            ok(
                "cidrsubnet",
                &[s("fd00:fd12:3456:7890::/56"), n(16.0), n(162.0)]
            ),
            s("fd00:fd12:3456:7800:a200::/72")
        );
        assert_eq!(
            ok("cidrsubnet", &[s("2001:db8::/32"), n(24.0), n(1.0)]),
            s("2001:db8:0:100::/56")
        );
        assert_eq!(
            ok("cidrhost", &[s("fd00:fd12:3456:7890:00a2::/72"), n(34.0)]),
            s("fd00:fd12:3456:7890::22")
        );
        assert_eq!(
            ok("cidrsubnets", &[s("fd00::/56"), n(8.0), n(8.0)]),
            ls(&["fd00::/64", "fd00:0:0:1::/64"])
        );
        assert!(call("cidrnetmask", &[s("fd00::/56")]).is_err());
    }

    #[test]
    #[allow(clippy::too_many_lines)]
    fn collections() {
        assert_eq!(
            ok("concat", &[ls(&["a"]), ls(&["b", "c"])]),
            ls(&["a", "b", "c"])
        );
        assert_eq!(ok("concat", &[ls(&["a"]), Value::Unknown]), Value::Unknown);
        assert_eq!(
            ok(
                "merge",
                &[m(&[("a", n(1.0)), ("b", n(2.0))]), m(&[("b", n(3.0))])]
            ),
            m(&[("a", n(1.0)), ("b", n(3.0))])
        );
        assert_eq!(ok("lookup", &[m(&[("a", n(1.0))]), s("a")]), n(1.0));
        assert_eq!(ok("lookup", &[m(&[("a", n(1.0))]), s("b"), n(2.0)]), n(2.0));
        assert!(call("lookup", &[m(&[]), s("b")]).is_err());
        assert_eq!(
            ok(
                "flatten",
                &[l(vec![ls(&["a"]), l(vec![ls(&["b"]), s("c")])])]
            ),
            ls(&["a", "b", "c"])
        );
        assert_eq!(ok("toset", &[ls(&["b", "a", "b"])]), ls(&["a", "b"]));
        assert_eq!(ok("tolist", &[ls(&["b", "a"])]), ls(&["b", "a"]));
        assert_eq!(ok("tomap", &[m(&[("a", n(1.0))])]), m(&[("a", n(1.0))]));
        assert_eq!(
            ok("keys", &[m(&[("b", n(1.0)), ("a", n(2.0))])]),
            ls(&["a", "b"])
        );
        assert_eq!(
            ok("values", &[m(&[("b", n(1.0)), ("a", n(2.0))])]),
            l(vec![n(2.0), n(1.0)])
        );
        assert_eq!(ok("length", &[l(vec![Value::Unknown, n(1.0)])]), n(2.0));
        assert_eq!(ok("length", &[s("héllo")]), n(5.0));
        assert_eq!(ok("length", &[Value::Unknown]), Value::Unknown);
        assert_eq!(ok("element", &[ls(&["a", "b"]), n(3.0)]), s("b"));
        assert_eq!(ok("range", &[n(3.0)]), l(vec![n(0.0), n(1.0), n(2.0)]));
        assert_eq!(
            ok("range", &[n(1.0), n(7.0), n(3.0)]),
            l(vec![n(1.0), n(4.0)])
        );
        assert_eq!(
            ok("zipmap", &[ls(&["a", "b"]), l(vec![n(1.0), n(2.0)])]),
            m(&[("a", n(1.0)), ("b", n(2.0))])
        );
        assert_eq!(ok("coalesce", &[Value::Null, s(""), s("x")]), s("x"));
        assert_eq!(ok("coalesce", &[s("x"), Value::Unknown]), s("x"));
        assert_eq!(ok("coalesce", &[Value::Unknown, s("x")]), Value::Unknown);
        assert_eq!(ok("coalescelist", &[ls(&[]), ls(&["a"])]), ls(&["a"]));
        assert_eq!(ok("distinct", &[ls(&["a", "b", "a"])]), ls(&["a", "b"]));
        assert_eq!(
            ok("contains", &[ls(&["a", "b"]), s("b")]),
            Value::Bool(true)
        );
        assert_eq!(ok("contains", &[ls(&["a"]), s("b")]), Value::Bool(false));
        assert_eq!(
            ok("contains", &[l(vec![s("a"), Value::Unknown]), s("b")]),
            Value::Unknown
        );
        assert_eq!(
            ok("compact", &[l(vec![s("a"), s(""), Value::Null])]),
            ls(&["a"])
        );
        assert_eq!(
            ok("slice", &[ls(&["a", "b", "c"]), n(1.0), n(3.0)]),
            ls(&["b", "c"])
        );
        assert_eq!(
            ok("setunion", &[ls(&["b"]), ls(&["a", "b"])]),
            ls(&["a", "b"])
        );
        assert_eq!(ok("sort", &[ls(&["b", "a", "c"])]), ls(&["a", "b", "c"]));
        assert_eq!(ok("one", &[ls(&["a"])]), s("a"));
        assert_eq!(ok("one", &[ls(&[])]), Value::Null);
        assert!(call("one", &[ls(&["a", "b"])]).is_err());
        assert_eq!(ok("index", &[ls(&["a", "b"]), s("b")]), n(1.0));
        assert_eq!(
            ok("chunklist", &[ls(&["a", "b", "c"]), n(2.0)]),
            l(vec![ls(&["a", "b"]), ls(&["c"])])
        );
    }

    #[test]
    fn strings_and_numbers() {
        assert_eq!(ok("tostring", &[n(443.0)]), s("443"));
        assert_eq!(ok("tonumber", &[s("8080")]), n(8080.0));
        assert_eq!(ok("tobool", &[s("true")]), Value::Bool(true));
        assert_eq!(
            ok("format", &[s("%s-%d-%05.1f%%"), s("a"), n(7.0), n(2.25)]),
            s("a-7-002.2%")
        );
        assert_eq!(
            ok("format", &[s("%-4s|%3d|%q"), s("a"), n(7.0), s("x")]),
            s("a   |  7|\"x\"")
        );
        assert_eq!(ok("format", &[s("%s"), Value::Unknown]), Value::Unknown);
        assert_eq!(
            ok("formatlist", &[s("%s:%d"), ls(&["a", "b"]), n(1.0)]),
            ls(&["a:1", "b:1"])
        );
        assert_eq!(ok("join", &[s(","), ls(&["a", "b"])]), s("a,b"));
        assert_eq!(ok("split", &[s(","), s("a,b")]), ls(&["a", "b"]));
        assert_eq!(ok("upper", &[s("ab")]), s("AB"));
        assert_eq!(ok("lower", &[s("AB")]), s("ab"));
        assert_eq!(ok("replace", &[s("a-b-c"), s("-"), s("_")]), s("a_b_c"));
        assert_eq!(ok("replace", &[s("a-b"), s("/-/"), s("_")]), Value::Unknown);
        assert_eq!(ok("substr", &[s("hello world"), n(1.0), n(4.0)]), s("ello"));
        assert_eq!(
            ok("substr", &[s("hello world"), n(-5.0), n(-1.0)]),
            s("world")
        );
        assert_eq!(ok("trimspace", &[s("  a \n")]), s("a"));
        assert_eq!(ok("min", &[n(3.0), n(1.0)]), n(1.0));
        assert_eq!(ok("max", &[n(3.0), n(1.0)]), n(3.0));
        assert_eq!(ok("abs", &[n(-3.0)]), n(3.0));
        assert_eq!(
            ok("jsonencode", &[m(&[("b", ls(&["<x>"])), ("a", n(1.0))])]),
            s(r#"{"a":1,"b":["\u003cx\u003e"]}"#)
        );
        assert_eq!(ok("startswith", &[s("sg-1"), s("sg-")]), Value::Bool(true));
        assert_eq!(ok("endswith", &[s("sg-1"), s("2")]), Value::Bool(false));
        assert_eq!(call("nosuch", &[]), Err(FnError::NoSuchFunction));
    }
}
