//! Generated and quoted documentation stays true: `docs/rules/` matches the rules' doc
//! comments, the policy example in `docs/policy.md` parses, and the README shows what
//! its first command prints.
//!
//! `REACHDIFF_UPDATE_DOCS=1 cargo test --test docs` rewrites `docs/rules/`.

use std::path::Path;

use assert_cmd::Command;
use reachdiff::risk::{policy, registry};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rule_docs_are_generated_from_the_rules() {
    let dir = root().join("docs/rules");
    let update = std::env::var_os("REACHDIFF_UPDATE_DOCS").is_some();
    let files = registry::markdown();
    let mut stale = Vec::new();
    for (name, text) in &files {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    // No leftover page of a renamed or removed rule.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !files.iter().any(|(n, _)| *n == name) {
            if update {
                std::fs::remove_file(dir.join(&name)).unwrap();
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules/ is out of date ({stale:?}); run `REACHDIFF_UPDATE_DOCS=1 cargo test --test docs`"
    );
}

/// The first fenced block of `lang` in a Markdown file, after `after`.
fn block(file: &str, lang: &str, after: &str) -> String {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let from = text
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} in {file}"));
    let fence = format!("```{lang}\n");
    let start = text[from..].find(&fence).unwrap() + from + fence.len();
    let end = text[start..].find("```").unwrap() + start;
    text[start..end].to_owned()
}

#[test]
fn the_policy_example_parses_and_uses_every_section() {
    let example = block("docs/policy.md", "toml", "## A commented example");
    let p = policy::parse(&example).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.networks.len(), 3);
    assert_eq!(p.severity.len(), 2);
    assert_eq!(p.disabled.len(), 1);
    assert_eq!(p.sensitive_ports.len(), 1);
    assert_eq!(p.accepts.len(), 2);
    assert_eq!(p.invariants.len(), 3);
    assert!(p.fail_on.is_some());
}

#[test]
fn the_readme_shows_what_the_quickstart_prints() {
    let shown = block("README.md", "text", "The first command prints this");
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .current_dir(root())
        .env_remove("COLUMNS")
        .args(["plan", "testdata/scenarios/demo/plan.json", "--no-config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), shown);
}

#[test]
fn the_json_schema_is_generated_from_the_code() {
    let path = root().join("docs/report.schema.json");
    let text = serde_json::to_string_pretty(&reachdiff::report::json::schema()).unwrap() + "\n";
    if std::env::var_os("REACHDIFF_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&path).ok().as_deref(),
        Some(text.as_str()),
        "docs/report.schema.json is out of date; run `REACHDIFF_UPDATE_DOCS=1 cargo test --test docs`"
    );
}

#[test]
fn the_example_comment_is_what_reachdiff_writes() {
    let shown = std::fs::read_to_string(root().join("docs/examples/pr-comment.md")).unwrap();
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .current_dir(root())
        .env_remove("COLUMNS")
        .args([
            "plan",
            "testdata/scenarios/demo/plan.json",
            "--no-config",
            "--format",
            "markdown",
        ])
        .env_remove("GITHUB_RUN_ID")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        shown,
        "regenerate with `reachdiff plan testdata/scenarios/demo/plan.json --format markdown=docs/examples/pr-comment.md` (and the picture with scripts/render-comment.sh)"
    );
}

#[test]
fn the_readme_shows_what_why_prints() {
    let shown = block("README.md", "text", "## Why can't A reach B?");
    let (command, output) = shown.split_once('\n').unwrap();
    let args: Vec<&str> = command
        .trim_start_matches("$ reachdiff ")
        .split(' ')
        .collect();
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .current_dir(root())
        .env_remove("COLUMNS")
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the app cannot reach its database after"
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), output);
}

/// The README's no-plan example is trimmed (columns, paths), so it is checked row by
/// row: every shown row's words appear, in order, in a row of the real output.
#[test]
fn the_readme_shows_what_a_configuration_diff_prints() {
    let shown = block("README.md", "text", "## Without a plan");
    let dir = "testdata/scenarios/sg-inline-ssh-opened-to-world";
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .current_dir(root())
        .env_remove("COLUMNS")
        .args(["diff", "--no-config"])
        .arg(format!("{dir}/before"))
        .arg(format!("{dir}/after"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let printed = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = shown
        .lines()
        .filter(|l| l.starts_with(" high") || l.starts_with(" info"))
        .collect();
    assert_eq!(rows.len(), 2, "{shown}");
    for row in rows {
        let words: Vec<String> = row
            .split_whitespace()
            .map(|w| w.replace('…', dir).replace(&format!("{dir}/{dir}"), dir))
            .collect();
        let found = printed.lines().any(|line| {
            let mut rest = line;
            words.iter().all(|w| match rest.find(w.as_str()) {
                Some(i) => {
                    rest = &rest[i + w.len()..];
                    true
                }
                None => false,
            })
        });
        assert!(found, "README row {row:?} is not in the output:\n{printed}");
    }
    assert!(shown.contains("gate: failed (--fail-on high): the worst is high"));
    assert!(printed.contains("gate: failed (--fail-on high): the worst is high"));
}
