//! A fuzz harness per reader, on stable Rust: plan JSON, CloudFormation templates,
//! change sets, Terraform configuration directories and the policy file.
//!
//! Each property takes a real input of the project (a scenario's plan, a template, a
//! change set, a scenario's configuration, the policy documented in `docs/policy.md`),
//! mutates it the ways hostile or broken input looks — truncated, bytes flipped, slices
//! repeated, and fragments known to hurt parsers and evaluators spliced in (deep
//! nesting, huge and out-of-range numbers, lone surrogates, huge counts and
//! precisions) — and reads it. Reading may fail, with an error; it must not panic,
//! and what it reads must go through the whole analysis without panicking either.
//! (A stack overflow or an aborted allocation kills the test process: it fails too.)
//!
//! `cargo test --test fuzz` runs 48 cases per reader; `REACHDIFF_FUZZ_CASES=5000`
//! runs more. `fuzz/` holds cargo-fuzz targets over the same readers (nightly).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::Config;

use reachdiff::risk::policy;
use reachdiff::source::cloudformation::{self, changeset};
use reachdiff::source::context::Context;
use reachdiff::source::terraform_hcl::{self, MemTree};
use reachdiff::source::terraform_plan;
use reachdiff::{ErrorKind, Warnings};

/// The analysis every fuzz target runs on what a reader produced (shared with the
/// cargo-fuzz targets).
#[path = "../fuzz/src/lib.rs"]
#[allow(unreachable_pub)] // public for the fuzz crate, private here
mod shared;
use shared::analyse;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> Config {
    let cases = std::env::var("REACHDIFF_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    Config {
        cases,
        // Shrinking a failure is worth it; a thousand iterations of it are not.
        max_shrink_iters: 200,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Fragments spliced into inputs: each once broke, or could break, some reader.
const HOSTILE: &[&str] = &[
    "1e400",
    "-1e400",
    "99999999999999999999999999999",
    "\"\\ud800\"",
    "\"\\udc00x\"",
    "\u{0}",
    "\u{feff}",
    "\"\\u0000\"",
    "null",
    "[]",
    "{}",
    "-1",
    "65536",
    "\"0.0.1.0/0\"",
    "\"10.0.0.1/8\"",
    "\"::/0\"",
    "${",
    "%{",
    "!Ref ",
    "!If [c, [a], !Ref AWS::NoValue]",
    "- - - - - - - - x",
    "&a [*a]",
    "format(\"%.65535e\", 1)",
    "range(1000000)",
    "count = 100000000",
    "[for i in range(1000) : [for j in range(1000) : j]]",
    "\"${local.x}${local.x}\"",
    "Fn::Cidr: [\"::/0\", 100000000000, 0]",
];

/// One way to damage an input.
#[derive(Clone, Debug)]
enum Mutation {
    Truncate(usize),
    Flip(usize, u8),
    Splice(usize, usize),
    Repeat(usize, usize, usize),
    Nest(usize, u8, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<usize>().prop_map(Mutation::Truncate),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        4 => (any::<usize>(), 0..HOSTILE.len()).prop_map(|(at, i)| Mutation::Splice(at, i)),
        1 => (any::<usize>(), 1usize..64, 1usize..40).prop_map(|(at, len, n)| Mutation::Repeat(at, len, n)),
        2 => (any::<usize>(), prop::sample::select(b"[{(".to_vec()), 100usize..3000)
            .prop_map(|(at, open, n)| Mutation::Nest(at, open, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let at = |i: usize| {
            if bytes.is_empty() {
                0
            } else {
                i % (bytes.len() + 1)
            }
        };
        match *m {
            Mutation::Truncate(i) => bytes.truncate(at(i)),
            Mutation::Flip(i, b) => {
                if !bytes.is_empty() {
                    let i = i % bytes.len();
                    bytes[i] = b;
                }
            }
            Mutation::Splice(i, k) => {
                let i = at(i);
                bytes.splice(i..i, HOSTILE[k].bytes());
            }
            Mutation::Repeat(i, len, n) => {
                let i = at(i);
                let end = (i + len).min(bytes.len());
                let piece = bytes[i..end].to_vec();
                for _ in 0..n {
                    bytes.splice(i..i, piece.iter().copied());
                }
            }
            Mutation::Nest(i, open, n) => {
                let close = match open {
                    b'[' => b']',
                    b'{' => b'}',
                    _ => b')',
                };
                let i = at(i);
                let mut nest = vec![open; n];
                nest.extend(std::iter::repeat_n(close, n));
                bytes.splice(i..i, nest);
            }
        }
    }
    bytes
}

/// Values put in place of a JSON value: valid JSON that `serde_json::Value` cannot
/// hold, or that readers must not take at face value.
const JSON_VALUES: &[&str] = &[
    "1e400",
    "-1",
    "65536",
    "1.5",
    "\"\\ud800\"",
    "\"0.0.1.0/0\"",
    "\"10.0.0.1/8\"",
    "\"-1\"",
    "\"all\"",
    "\"abc\"",
    "\"*\"",
    "null",
    "true",
    "{}",
    "[]",
    "[null]",
    "{\"a\": 1e400}",
];

/// One change to a JSON document that keeps it JSON: the `n`th value (in document
/// order, modulo their number) replaced by `JSON_VALUES[k]`, or by `depth` nested lists.
#[derive(Clone, Debug)]
struct JsonEdit {
    n: usize,
    k: usize,
    depth: Option<usize>,
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    (
        any::<usize>(),
        0..JSON_VALUES.len(),
        prop::option::weighted(0.15, 100usize..400),
    )
        .prop_map(|(n, k, depth)| JsonEdit { n, k, depth })
}

fn edit_json(bytes: &[u8], edits: &[JsonEdit]) -> Vec<u8> {
    const MARK: &str = "\u{1}reachdiff-fuzz\u{1}";
    fn count(v: &serde_json::Value) -> usize {
        1 + match v {
            serde_json::Value::Array(a) => a.iter().map(count).sum(),
            serde_json::Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn mark(v: &mut serde_json::Value, n: &mut usize) -> bool {
        if *n == 0 {
            *v = serde_json::Value::String(MARK.into());
            return true;
        }
        *n -= 1;
        match v {
            serde_json::Value::Array(a) => a.iter_mut().any(|x| mark(x, n)),
            serde_json::Value::Object(o) => o.values_mut().any(|x| mark(x, n)),
            _ => false,
        }
    }
    let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return bytes.to_vec();
    };
    let mut text = String::new();
    for (i, e) in edits.iter().enumerate() {
        let mut n = e.n % count(&doc);
        mark(&mut doc, &mut n);
        text = serde_json::to_string(&doc).unwrap();
        let marked = serde_json::to_string(MARK).unwrap();
        let value = match e.depth {
            Some(d) => format!("{}{}", "[".repeat(d), "]".repeat(d)),
            None => JSON_VALUES[e.k].to_owned(),
        };
        text = text.replacen(&marked, &value, 1);
        if i + 1 < edits.len() {
            // Edits after an unparsable one apply to what still parses.
            match serde_json::from_str(&text) {
                Ok(d) => doc = d,
                Err(_) => break,
            }
        }
    }
    text.into_bytes()
}

/// A JSON seed with values replaced (mostly), or damaged as bytes.
fn edited_json(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => (
            prop::sample::select(seeds.clone()),
            prop::collection::vec(json_edit(), 1..5),
        )
            .prop_map(|(seed, edits)| edit_json(&seed, &edits)),
        1 => damaged(seeds),
    ]
}

/// Valid HCL a configuration may gain: each stresses the evaluator or a reader.
const HCL_BLOCKS: &[&str] = &[
    "locals {\n  fz = [for i in range(1000) : [for j in range(1000) : j]]\n}\n",
    "locals {\n  fz = format(\"%.65535e\", 1)\n}\n",
    "locals {\n  fz0 = \"xxxxxxxx\"\n  fz1 = \"${local.fz0}${local.fz0}\"\n  fz2 = \"${local.fz1}${local.fz1}\"\n}\n",
    "resource \"aws_security_group\" \"fz\" {\n  count = 100000000\n}\n",
    "resource \"aws_security_group_rule\" \"fz\" {\n  count             = length(data.aws_vpc.fz.id)\n  type              = \"ingress\"\n  security_group_id = \"sg-1\"\n  protocol          = \"tcp\"\n  from_port         = 22\n  to_port           = 22\n  cidr_blocks       = [\"0.0.0.0/0\"]\n}\ndata \"aws_vpc\" \"fz\" {}\n",
    "resource \"aws_security_group\" \"fz\" {\n  ingress {\n    protocol    = \"-1\"\n    from_port   = 1e400\n    to_port     = 5\n    cidr_blocks = [\"0.0.1.0/0\", \"10.0.0.1/8\", aws_security_group.gone.id]\n  }\n}\n",
    "resource \"aws_security_group\" \"fz2\" {\n  ingress = [{\n    protocol = \"tcp\", from_port = 22, to_port = 22, cidr_blocks = [], ipv6_cidr_blocks = [], prefix_list_ids = [], self = false, description = \"\"\n    security_groups = [aws_security_group.gone.id]\n  }]\n}\n",
    "resource \"aws_network_acl_rule\" \"fz\" {\n  network_acl_id = \"acl-1\"\n  rule_number    = 100\n  protocol       = \"tcp\"\n  rule_action    = \"allow\"\n  cidr_block     = \"0.0.0.0/0\"\n}\n",
    "locals {\n  a = local.b\n  b = local.a\n}\n",
    "locals {\n  fz = jsondecode(\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\")\n}\n",
    "module \"fz\" {\n  source = \"../../../../../../nowhere\"\n}\n",
    "resource \"aws_elb\" \"fz\" {\n  subnets = [\"subnet-1\"]\n  listener {\n    lb_port = 80\n    lb_protocol = \"http\"\n    instance_port = 8080\n    instance_protocol = \"http\"\n  }\n}\n",
];

fn damaged(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec(mutation(), 1..4),
    )
        .prop_map(|(seed, ms)| apply(seed, &ms))
}

/// An error must say something: one line, no panic text.
fn check_error(e: &ErrorKind) {
    let text = e.to_string();
    assert!(!text.is_empty());
    assert!(!text.contains('\n'), "one line: {text}");
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

fn plan_seeds() -> Vec<Vec<u8>> {
    [
        "demo",
        "endpoint-load-balancer-in-front",
        "nacl-rules-reordered",
        "create-only-unknown-values",
        "modules-count-for-each",
    ]
    .iter()
    .map(|s| std::fs::read(root().join("testdata/scenarios").join(s).join("plan.json")).unwrap())
    .collect()
}

fn template_seeds() -> Vec<Vec<u8>> {
    let dir = root().join("testdata/cloudformation");
    let mut out: Vec<Vec<u8>> = [".yaml", ".json"]
        .iter()
        .flat_map(|s| files(&dir, s))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    out.truncate(6);
    out
}

fn json_template_seeds() -> Vec<Vec<u8>> {
    files(&root().join("testdata/cloudformation"), ".json")
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

fn change_set_seeds() -> Vec<Vec<u8>> {
    files(&root().join("testdata/cloudformation/changesets"), ".json")
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// The policy `docs/policy.md` documents (its first TOML block).
fn policy_seed() -> Vec<u8> {
    let doc = std::fs::read_to_string(root().join("docs/policy.md")).unwrap();
    let start = doc.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    doc.as_bytes()[start..end].to_vec()
}

/// Each scenario's configuration after the change, as (path, text) files.
fn configuration_seeds() -> Vec<BTreeMap<String, Vec<u8>>> {
    [
        "demo",
        "modules-count-for-each",
        "endpoint-load-balancer-in-front",
        "protocol-spellings-rewrite-no-change",
    ]
    .iter()
    .map(|s| {
        let dir = root().join("testdata/scenarios").join(s).join("after");
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p
                        .strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
        out
    })
    .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn plan_json_never_panics(bytes in edited_json(plan_seeds())) {
        let mut warnings = Warnings::new();
        match terraform_plan::load(&bytes, &mut warnings) {
            Ok(pair) => analyse(&pair, warnings),
            Err(e) => check_error(&e),
        }
    }

    #[test]
    fn cloudformation_templates_never_panic(bytes in prop_oneof![
        1 => damaged(template_seeds()),
        1 => edited_json(json_template_seeds()),
    ]) {
        let mut warnings = Warnings::new();
        match cloudformation::load_created(&bytes, &BTreeMap::new(), &Context::default(), &mut warnings) {
            Ok(pair) => analyse(&pair, warnings),
            Err(e) => check_error(&e),
        }
        let _ = cloudformation::is_template(&bytes);
    }

    #[test]
    fn change_sets_never_panic(bytes in edited_json(change_set_seeds())) {
        let mut warnings = Warnings::new();
        match changeset::parse(&bytes) {
            Ok(cs) => match changeset::load_standalone(&cs, &Context::default(), &mut warnings) {
                Ok(pair) => analyse(&pair, warnings),
                Err(e) => check_error(&e),
            },
            Err(e) => check_error(&e),
        }
    }

    #[test]
    fn configuration_directories_never_panic(
        (seed, file, blocks, ms) in (
            0..4usize,
            any::<usize>(),
            prop::collection::vec(0..HCL_BLOCKS.len(), 0..3),
            prop::collection::vec(mutation(), 0..2),
        )
    ) {
        let seeds = configuration_seeds();
        let mut files = seeds[seed % seeds.len()].clone();
        // Terraform matches file names case-sensitively too.
        #[allow(clippy::case_sensitive_file_extension_comparisons)]
        let tf: Vec<String> = files.keys().filter(|k| k.ends_with(".tf")).cloned().collect();
        let name = &tf[file % tf.len()];
        let mut text = files[name].clone();
        for b in blocks {
            text.extend_from_slice(HCL_BLOCKS[b].as_bytes());
        }
        let damaged = apply(text, &ms);
        files.insert(name.clone(), damaged);
        let tree = MemTree(files);
        let mut warnings = Warnings::new();
        match terraform_hcl::evaluate(&tree, "", &terraform_hcl::Options::default(), &mut warnings) {
            Ok(config) => {
                let plan = terraform_hcl::synthesize(None, &config);
                let pair = terraform_plan::load(plan.as_bytes(), &mut warnings)
                    .expect("the plan synthesized from a configuration reads");
                analyse(&pair, warnings);
            }
            Err(e) => check_error(&e.kind),
        }
    }

    #[test]
    fn policy_files_never_panic(bytes in damaged(vec![policy_seed()])) {
        if let Ok(text) = String::from_utf8(bytes)
            && let Err(e) = policy::parse(&text)
        {
            check_error(&e);
        }
    }
}
