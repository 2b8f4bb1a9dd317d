//! The rules of the changed resources as text, before and after, so that a report can
//! show the rule-level diff behind a finding (what the reviewer would have read in the
//! plan, normalised: one line per rule, protocol spellings and CIDR lists canonical).

use std::collections::{BTreeMap, BTreeSet};

use crate::header_space::HeaderSpace;
use crate::model::{Action, Certainty, Snapshot};

/// The rules one resource declares, before and after the change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleText {
    /// One line per rule, sorted (ACL entries by number).
    pub before: Vec<String>,
    /// The same, after.
    pub after: Vec<String>,
}

impl RuleText {
    /// A unified diff of the two sides (`-` before, `+` after, context lines
    /// unprefixed with a space), empty when they are equal.
    #[must_use]
    pub fn diff(&self) -> String {
        if self.before == self.after {
            return String::new();
        }
        let before = self.before.join("\n") + "\n";
        let after = self.after.join("\n") + "\n";
        let diff = similar::TextDiff::from_lines(&before, &after);
        let mut out = String::new();
        for change in diff.iter_all_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            out.push(sign);
            out.push_str(change.value());
        }
        out
    }
}

/// Every rule of `snapshot` as text, grouped by the resource that declares it.
fn lines(snapshot: &Snapshot, wanted: &BTreeSet<&str>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
    let describe = |space: HeaderSpace, direction, subject: &str| -> String {
        space
            .parts()
            .iter()
            .map(|p| super::describe_part(p, direction, Some(subject), &[]))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let possible = |c: Certainty| {
        if c == Certainty::Possible {
            " (possible)"
        } else {
            ""
        }
    };
    for g in snapshot.security_groups.values() {
        for r in &g.rules {
            if !wanted.contains(r.origin.resource.as_str()) {
                continue;
            }
            let text = format!(
                "{}: {} {}{}",
                g.key,
                r.direction.as_str(),
                describe(r.space(), r.direction, &g.key),
                possible(r.certainty)
            );
            out.entry(r.origin.resource.clone())
                .or_default()
                .push((0, text));
        }
    }
    for a in snapshot.network_acls.values() {
        for r in &a.rules {
            if !wanted.contains(r.origin.resource.as_str()) {
                continue;
            }
            let number = r.number.map_or_else(|| "?".to_owned(), |n| n.to_string());
            let action = r.action.map_or("allow or deny", Action::as_str);
            let text = format!(
                "{}: {} rule {number} {action} {}{}",
                a.key,
                r.direction.as_str(),
                describe(r.space(), r.direction, &a.key),
                possible(r.certainty)
            );
            out.entry(r.origin.resource.clone())
                .or_default()
                .push((r.number.unwrap_or(u32::MAX), text));
        }
    }
    out.into_iter()
        .map(|(k, mut v)| {
            v.sort();
            v.dedup();
            (k, v.into_iter().map(|(_, t)| t).collect())
        })
        .collect()
}

/// The rules of each resource in `resources`, before and after (resources that
/// declare no rule are left out).
#[must_use]
pub fn of<'r>(
    before: &Snapshot,
    after: &Snapshot,
    resources: impl IntoIterator<Item = &'r str>,
) -> BTreeMap<String, RuleText> {
    let wanted: BTreeSet<&str> = resources.into_iter().collect();
    let (b, a) = (lines(before, &wanted), lines(after, &wanted));
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    keys.into_iter()
        .map(|k| {
            (
                k.clone(),
                RuleText {
                    before: b.get(k).cloned().unwrap_or_default(),
                    after: a.get(k).cloned().unwrap_or_default(),
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_marks_removed_and_added_rules() {
        let t = RuleText {
            before: vec!["a".into(), "b".into()],
            after: vec!["a".into(), "c".into()],
        };
        assert_eq!(t.diff(), " a\n-b\n+c\n");
        let same = RuleText {
            before: vec!["a".into()],
            after: vec!["a".into()],
        };
        assert_eq!(same.diff(), "");
    }
}
