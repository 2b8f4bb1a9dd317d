//! Names from the inputs cannot inject Markdown, HTML or Mermaid into the pull-request
//! comment, nor break a workflow command: a `for_each` key may hold any character, and
//! the comment is posted where everyone reads it. The demo's plan, with its web server
//! and security group renamed to hostile addresses, is rendered and the comment parsed
//! as GitHub would (`CommonMark` with tables).
//!
//! See: issue 14, item 13 (third part).

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use reachdiff::reach::Assumptions;
use reachdiff::report::{self, Report};
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::Policy;
use reachdiff::risk::{Settings, Severity};
use reachdiff::source;
use reachdiff::warning::Warnings;

/// A `for_each` key with a pipe, HTML, a backtick, a link and a line break that would
/// start a heading.
const INSTANCE: &str = "aws_instance.x[\"a|b<img src=x>`](http://e)\n# h\"]";
/// A key that would close a code fence and open a script.
const GROUP: &str = "aws_security_group.y[\"x```\n# h2 <script>alert(1)</script> @octocat $x$\"]";

/// How many hostile plans were written (each test its own file).
static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn hostile_report() -> Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = std::fs::read_to_string(root.join("testdata/scenarios/demo/plan.json")).unwrap();
    let json = |s: &str| serde_json::to_string(s).unwrap();
    let inner = |s: &str| json(s)[1..json(s).len() - 1].to_owned();
    let plan = plan
        .replace("aws_instance.web", &inner(INSTANCE))
        .replace("aws_security_group.web", &inner(GROUP));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    // Each call its own file: tests run in parallel, and one reading the file while
    // another rewrites it saw it empty.
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("plan-{n}.json"));
    std::fs::write(&path, plan).unwrap();
    let mut warnings = Warnings::new();
    let (input, pair) = source::load_path(&path, &mut warnings).unwrap();
    let policy = Policy::default();
    let settings = Settings {
        policy: &policy,
        fail_on: Some(Severity::High),
        fail_on_unknown: false,
        today: Date::parse("2026-06-01").unwrap(),
        assumptions: &Assumptions::default(),
    };
    let mut report = reachdiff::analyse(vec![input], &pair, &settings, warnings);
    reachdiff::with_rule_text(&mut report, &pair);
    report
}

#[test]
fn hostile_addresses_stay_text_in_the_comment() {
    let report = hostile_report();
    assert!(
        report.delta.changes.iter().any(|c| c.subject == INSTANCE),
        "the plan reader kept the hostile address"
    );
    let comment = report::markdown::comment(&report, report::markdown::GITHUB_LIMIT);
    let mut text = String::new();
    let mut headings = 0;
    let mut cells = 0;
    let mut rows = Vec::new();
    let mut fences = Vec::new();
    let mut in_mermaid = false;
    let mut mermaid = String::new();
    for event in Parser::new_ext(&comment, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link to {dest_url}"),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("an image from {dest_url}"),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                in_mermaid = &*info == "mermaid";
                fences.push(info.to_string());
            }
            Event::End(TagEnd::CodeBlock) => in_mermaid = false,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                rows.push(cells);
                cells = 0;
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                // Only the markup reachdiff writes itself.
                let h = h.trim();
                assert!(
                    h.starts_with("<!-- reachdiff:comment")
                        || ["<details>", "</details>", "</summary>", "<sub>", "</sub>"]
                            .contains(&h)
                        || h.starts_with("<details><summary>")
                            && !h.contains("<img")
                            && !h.contains("<script"),
                    "HTML from an input: {h:?}"
                );
            }
            Event::Text(t) | Event::Code(t) => {
                if in_mermaid {
                    mermaid.push_str(&t);
                }
                text.push_str(&t);
            }
            _ => {}
        }
    }
    assert_eq!(headings, 1, "only reachdiff's heading:\n{comment}");
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|&n| n == 5),
        "a pipe split a cell: {rows:?}\n{comment}"
    );
    assert!(
        fences.iter().all(|f| f == "diff" || f == "mermaid"),
        "a fence was closed from inside: {fences:?}"
    );
    // The names are still there for a reader, as text.
    assert!(text.contains("a|b<img src=x>`](http://e)\\n# h"), "{text}");
    assert!(
        text.contains("<script>alert(1)</script> @octocat $x$"),
        "{text}"
    );
    // Mermaid: every line is one node, edge or style; labels carry no markup.
    for line in mermaid.lines().map(str::trim) {
        let ok = line == "flowchart LR"
            || line.starts_with("linkStyle ")
            || (line.starts_with('n') && line.ends_with("\"]") && line.matches('"').count() == 2)
            || (line.starts_with('n')
                && line.matches('"').count() == 2
                && line.matches('|').count() == 2);
        assert!(ok, "mermaid line: {line:?}");
        assert!(!line.contains('<') && !line.contains('`'), "{line:?}");
    }
}

#[test]
fn hostile_addresses_cannot_break_workflow_commands() {
    let report = hostile_report();
    let mut out = Vec::new();
    report::github::render(&report, &mut out).unwrap();
    let log = String::from_utf8(out).unwrap();
    let annotations: Vec<&str> = log.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty());
    for a in &annotations {
        // `::kind props::message`: the properties hold no raw `:` or `,` of a name.
        let (head, _) = a[2..].split_once("::").unwrap();
        let props = head.split_once(' ').map_or("", |(_, p)| p);
        for prop in props.split(',') {
            let (key, value) = prop.split_once('=').unwrap();
            assert!(["file", "line", "col", "title"].contains(&key), "{a}");
            assert!(!value.contains(':'), "{a}");
        }
    }
    // Every line of the log is an annotation or reachdiff's own gate line.
    assert!(
        log.lines()
            .all(|l| l.starts_with("::") || l.starts_with("gate: ")),
        "{log}"
    );
}
