//! Tests of the evaluator over in-memory trees and the scenario fixtures.

use std::fmt::Write as _;

use serde_json::json;

use super::*;
use crate::error::ErrorKind;
use crate::warning::Warnings;

fn mem(files: &[(&str, &str)]) -> MemTree {
    MemTree(
        files
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_bytes().to_vec()))
            .collect(),
    )
}

fn run_with(files: &[(&str, &str)], options: &Options) -> (Configuration, Warnings) {
    let mut w = Warnings::new();
    let c = evaluate(&mem(files), "", options, &mut w).unwrap_or_else(|e| panic!("{e}"));
    (c, w)
}

fn run(files: &[(&str, &str)]) -> (Configuration, Warnings) {
    run_with(files, &Options::default())
}

fn err(files: &[(&str, &str)]) -> crate::error::Error {
    let mut w = Warnings::new();
    match evaluate(&mem(files), "", &Options::default(), &mut w) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn res<'c>(c: &'c Configuration, address: &str) -> &'c Resource {
    c.resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("no {address} in {:?}", addresses(c)))
}

fn addresses(c: &Configuration) -> Vec<String> {
    c.resources.iter().map(|r| r.address.clone()).collect()
}

fn messages(w: &Warnings) -> String {
    w.iter()
        .map(|w| w.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn smoke() {
    let (c, _) = run(&[(
        "main.tf",
        "resource \"aws_security_group\" \"web\" {\n  name = \"web\"\n}\n",
    )]);
    assert_eq!(addresses(&c), ["aws_security_group.web"]);
    assert_eq!(
        res(&c, "aws_security_group.web").values["id"],
        json!("sg-aws_security_group.web")
    );
}

#[test]
fn variables_defaults_tfvars_and_var_precedence() {
    let files = [
        (
            "main.tf",
            r#"
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "port" { type = number }
resource "aws_x" "r" {
  a = var.a
  b = var.b
  c = var.c
  d = var.d
  port = var.port
}
"#,
        ),
        (
            "terraform.tfvars",
            "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\nport = \"8080\"\n",
        ),
        ("x.auto.tfvars", "c = \"auto\"\nd = \"auto\"\n"),
    ];
    let options = Options {
        var_files: vec![],
        vars: vec![("d".into(), "cli".into())],
    };
    let (c, w) = run_with(&files, &options);
    let v = &res(&c, "aws_x.r").values;
    assert_eq!(v["a"], json!("default"));
    assert_eq!(v["b"], json!("tfvars"));
    assert_eq!(v["c"], json!("auto"));
    assert_eq!(v["d"], json!("cli"));
    assert_eq!(v["port"], json!(8080));
    assert!(w.is_empty(), "{}", messages(&w));

    // --var VALUE parsed as an expression when it is one; --var-file after auto files.
    let dir = std::env::temp_dir().join(format!("reachdiff-hcl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let vf = dir.join("x.tfvars");
    std::fs::write(&vf, "c = \"file\"\nd = \"file\"\n").unwrap();
    let options = Options {
        var_files: vec![vf],
        vars: vec![("d".into(), "[1, 2]".into())],
    };
    let (c, _) = run_with(&files, &options);
    let v = &res(&c, "aws_x.r").values;
    assert_eq!(v["c"], json!("file"));
    assert_eq!(v["d"], json!([1, 2]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn variable_without_value_is_unknown_with_one_warning() {
    let (c, w) = run(&[(
        "main.tf",
        r#"
variable "cidr" {}
resource "aws_x" "r" {
  cidr_blocks = [var.cidr, "10.0.0.0/8"]
  other = var.cidr
}
"#,
    )]);
    let r = res(&c, "aws_x.r");
    assert_eq!(r.values["cidr_blocks"], json!([null, "10.0.0.0/8"]));
    assert_eq!(
        r.unknown,
        json!({"cidr_blocks": [true, false], "other": true})
    );
    let m: Vec<_> = w
        .iter()
        .filter(|w| w.message.contains("variable cidr has no value"))
        .collect();
    assert_eq!(m.len(), 1, "{}", messages(&w));
    assert!(m[0].message.contains("--var cidr="));
}

#[test]
fn locals_in_any_order_and_cycle_error() {
    let (c, _) = run(&[
        ("a.tf", "resource \"aws_x\" \"r\" { v = local.b }\n"),
        (
            "b.tf",
            "locals {\n  b = \"${local.a}-b\"\n}\nlocals {\n  a = upper(\"a\")\n}\n",
        ),
    ]);
    assert_eq!(res(&c, "aws_x.r").values["v"], json!("A-b"));

    let e = err(&[(
        "main.tf",
        "locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n",
    )]);
    let text = e.to_string();
    assert!(matches!(e.kind, ErrorKind::Terraform { .. }), "{text}");
    assert!(text.contains("cycle between locals"), "{text}");
    assert!(
        text.contains("local.a") && text.contains("local.b") && text.contains("local.c"),
        "{text}"
    );
    assert!(text.starts_with("main.tf: at line"), "{text}");
}

#[test]
fn count_and_for_each_addresses_and_values() {
    let (c, _) = run(&[(
        "main.tf",
        r#"
resource "aws_security_group" "node" {
  count = 2
  name  = "node-${count.index}"
}
resource "aws_security_group" "svc" {
  for_each = { api = 443, web = 80 }
  name     = "${each.key}-${each.value}"
}
resource "aws_security_group" "set" {
  for_each = toset(["b", "a"])
  name     = each.value
}
resource "aws_security_group" "none" {
  count = 0
}
resource "aws_security_group" "off" {
  count = false ? 1 : 0
}
"#,
    )]);
    assert_eq!(
        addresses(&c),
        [
            "aws_security_group.node[0]",
            "aws_security_group.node[1]",
            "aws_security_group.set[\"a\"]",
            "aws_security_group.set[\"b\"]",
            "aws_security_group.svc[\"api\"]",
            "aws_security_group.svc[\"web\"]",
        ]
    );
    assert_eq!(
        res(&c, "aws_security_group.node[1]").values["name"],
        json!("node-1")
    );
    assert_eq!(
        res(&c, "aws_security_group.node[1]").values["id"],
        json!("sg-aws_security_group.node[1]")
    );
    assert_eq!(
        res(&c, "aws_security_group.svc[\"web\"]").values["name"],
        json!("web-80")
    );
    assert_eq!(
        res(&c, "aws_security_group.set[\"a\"]").values["name"],
        json!("a")
    );
}

#[test]
fn an_unknown_count_or_for_each_leaves_one_instance_standing_for_all() {
    // Issue 14 item 9: the resource used to be left out, and the gate passed.
    let (c, w) = run(&[
        (
            "main.tf",
            r#"data "aws_vpc" "v" {}
resource "aws_x" "r" {
  count = length(data.aws_vpc.v.cidr_block_associations)
  n     = count.index
}
resource "aws_x" "s" {
  for_each = toset(data.aws_vpc.v.tags_all["teams"])
  k        = each.key
}
resource "aws_x" "bad" {
  for_each = [1, 2]
}
module "m" {
  source = "./m"
  count  = length(data.aws_vpc.v.cidr_block_associations)
}
resource "aws_x" "uses" {
  ids = aws_x.r[*].id
  out = module.m[0].o
}
"#,
        ),
        (
            "m/main.tf",
            "resource \"aws_x\" \"in_module\" {}\noutput \"o\" {\n  value = 1\n}\n",
        ),
    ]);
    assert_eq!(
        addresses(&c),
        [
            "aws_x.bad[*]",
            "aws_x.r[*]",
            "aws_x.s[*]",
            "aws_x.uses",
            "data.aws_vpc.v",
            "module.m[*].aws_x.in_module"
        ]
    );
    let deferred: Vec<bool> = c.resources.iter().map(|r| r.deferred).collect();
    assert_eq!(deferred, [true, true, true, false, false, true]);
    // The index and key are unknown; so is every reference to the instances.
    let r = res(&c, "aws_x.r[*]");
    assert_eq!(r.unknown, json!({"n": true}));
    assert_eq!(res(&c, "aws_x.s[*]").unknown, json!({"k": true}));
    assert_eq!(
        res(&c, "aws_x.uses").unknown,
        json!({"ids": true, "out": true})
    );
    // Only the invalid for_each is warned about here; the plan reader warns about
    // every deferred instance.
    let m = messages(&w);
    assert!(
        m.contains("its for_each is a set with a number element (only strings are allowed), which Terraform rejects; one instance, aws_x.bad[*], stands for"),
        "{m}"
    );
    assert_eq!(m.matches("stands for").count(), 1, "{m}");
}

#[test]
fn dynamic_blocks_and_block_locations() {
    let (c, _) = run(&[(
        "main.tf",
        r#"locals {
  rules = [
    { port = 22, cidrs = ["10.0.0.0/8"] },
    { port = 443, cidrs = ["0.0.0.0/0"] },
  ]
}
resource "aws_security_group" "web" {
  ingress {
    from_port = 1
    to_port   = 1
  }
  dynamic "ingress" {
    for_each = local.rules
    iterator = rule
    content {
      from_port   = rule.value.port
      to_port     = rule.value.port
      cidr_blocks = rule.value.cidrs
      description = "rule ${rule.key}"
    }
  }
  dynamic "egress" {
    for_each = { a = ["x", "y"] }
    content {
      from_port = 0
      dynamic "nested" {
        for_each = egress.value
        content {
          name = "${egress.key}-${nested.value}"
        }
      }
    }
  }
  lifecycle {
    create_before_destroy = true
  }
}
"#,
    )]);
    let r = res(&c, "aws_security_group.web");
    assert_eq!(
        r.values["ingress"],
        json!([
            {"from_port": 1, "to_port": 1},
            {"from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"], "description": "rule 0"},
            {"from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"], "description": "rule 1"},
        ])
    );
    assert_eq!(
        r.values["egress"],
        json!([{"from_port": 0, "nested": [{"name": "a-x"}, {"name": "a-y"}]}])
    );
    assert!(r.values.get("lifecycle").is_none());
    assert_eq!(r.unknown, json!({}));
    assert_eq!(
        r.location,
        SourceLocation {
            file: "main.tf".into(),
            line: 7,
            column: 1
        }
    );
    assert_eq!(r.blocks["ingress[0]"].line, 8);
    assert_eq!(r.blocks["ingress[1]"].line, 15);
    assert_eq!(r.blocks["ingress[2]"].line, 15);
    assert_eq!(r.blocks["egress[0]"].line, 24);
    assert_eq!(r.blocks["egress[0].nested[1]"].line, 28);
}

#[test]
fn expressions() {
    let (c, _) = run(&[(
        "main.tf",
        r#"
locals {
  m = { a = 1, b = 2, c = 3 }
  l = [{ n = "x", p = 1 }, { n = "y", p = 2 }]
}
resource "aws_x" "r" {
  cond     = 1 + 2 * 3 == 7 && !false ? "yes" : "no"
  neg      = -5 % 3
  list_for = [for k, v in local.m : "${k}=${v}" if v > 1]
  obj_for  = { for k, v in local.m : upper(k) => v * 10 }
  group    = { for o in local.l : (o.p > 1 ? "big" : "small") => o.n... }
  splat    = local.l[*].n
  legacy   = local.l.*.p
  index    = local.m["b"]
  tmpl     = "a%{ if local.m.a == 1 }one%{ else }other%{ endif }-%{ for x in ["p", "q"] }${x},%{ endfor }"
  strip    = "a ${"b"} %{~ if true ~} c %{~ endif ~} d"
  heredoc  = <<-EOT
    hello ${local.m.c}
      indented
    EOT
  raw      = "${local.m}"
  div      = 7 / 2
  cmp      = [1 < 2, 2 <= 1, 3 > 2, 3 >= 4, "a" != "b"]
}
"#,
    )]);
    let v = &res(&c, "aws_x.r").values;
    assert_eq!(v["cond"], json!("yes"));
    assert_eq!(v["neg"], json!(-2));
    assert_eq!(v["list_for"], json!(["b=2", "c=3"]));
    assert_eq!(v["obj_for"], json!({"A": 10, "B": 20, "C": 30}));
    assert_eq!(v["group"], json!({"big": ["y"], "small": ["x"]}));
    assert_eq!(v["splat"], json!(["x", "y"]));
    assert_eq!(v["legacy"], json!([1, 2]));
    assert_eq!(v["index"], json!(2));
    assert_eq!(v["tmpl"], json!("aone-p,q,"));
    assert_eq!(v["strip"], json!("a bcd"));
    assert_eq!(v["heredoc"], json!("hello 3\n  indented\n"));
    assert_eq!(v["raw"], json!({"a": 1, "b": 2, "c": 3}));
    assert_eq!(v["div"], json!(3.5));
    assert_eq!(v["cmp"], json!([true, false, true, false, true]));
}

#[test]
fn conditionals_with_unknown_conditions() {
    let (c, _) = run(&[(
        "main.tf",
        r#"
variable "x" {}
resource "aws_x" "r" {
  same    = var.x ? "a" : "a"
  differs = var.x ? "a" : "b"
  and     = false && var.x
  or      = true || var.x
  eq      = var.x == 1
  tried   = try(local.nope, "fallback")
  can     = can(regex_nope)
  len     = length([var.x, 1])
  co      = coalesce(null, var.x, "z")
  for_if  = [for v in [1, 2] : v if var.x]
  for_key = { for v in [1, 2] : var.x => v }
  for_val = [for v in [1, 2] : var.x]
  tmpl    = "%{ for v in var.x }${v}%{ endfor }!"
}
"#,
    )]);
    let r = res(&c, "aws_x.r");
    assert_eq!(r.values["same"], json!("a"));
    assert_eq!(r.values["and"], json!(false));
    assert_eq!(r.values["or"], json!(true));
    // Terraform rejects an undeclared name even inside `try`: nothing is known.
    assert_eq!(r.values["tried"], json!(null));
    assert_eq!(r.values["can"], json!(false));
    assert_eq!(r.values["len"], json!(2));
    // An unknown `for` condition or key makes the whole result unknown; unknown values
    // are unknown elements; an unknown collection makes a template unknown.
    assert_eq!(
        r.unknown,
        json!({"differs": true, "eq": true, "tried": true, "co": true, "for_if": true,
               "for_key": true, "for_val": [true, true], "tmpl": true})
    );
}

#[test]
fn references_between_resources_and_identities() {
    let (c, _) = run(&[
        (
            "rules.tf",
            r#"
resource "aws_security_group_rule" "in" {
  security_group_id        = aws_security_group.web.id
  source_security_group_id = aws_security_group.node[1].id
  cidr_blocks              = ["${aws_instance.a.private_ip}/32", "10.0.0.0/8"]
  eni                      = aws_instance.a.primary_network_interface_id
  vpc_sg                   = aws_vpc.main.default_security_group_id
  all_nodes                = aws_security_group.node[*].id
  by_key                   = { for k, sg in aws_security_group.svc : k => sg.id }
  lb                       = aws_lb.front.arn
  name                     = aws_security_group.web.name
  data_id                  = data.aws_security_group.ext.id
  data_other               = data.aws_security_group.ext.name
}
"#,
        ),
        (
            "sg.tf",
            r#"
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.main.id
}
resource "aws_security_group" "node" { count = 2 }
resource "aws_security_group" "svc" { for_each = toset(["api"]) }
resource "aws_instance" "a" {}
resource "aws_lb" "front" {}
data "aws_security_group" "ext" { name = "ext" }
"#,
        ),
    ]);
    let r = res(&c, "aws_security_group_rule.in");
    assert_eq!(
        r.values["security_group_id"],
        json!("sg-aws_security_group.web")
    );
    assert_eq!(
        r.values["source_security_group_id"],
        json!("sg-aws_security_group.node[1]")
    );
    assert_eq!(r.values["cidr_blocks"], json!([null, "10.0.0.0/8"]));
    assert_eq!(r.values["eni"], json!("eni-aws_instance.a.primary"));
    assert_eq!(
        r.values["vpc_sg"],
        json!("aws_vpc.main.default_security_group_id")
    );
    assert_eq!(
        r.values["all_nodes"],
        json!([
            "sg-aws_security_group.node[0]",
            "sg-aws_security_group.node[1]"
        ])
    );
    assert_eq!(
        r.values["by_key"],
        json!({"api": "sg-aws_security_group.svc[\"api\"]"})
    );
    assert_eq!(r.values["lb"], json!("arn:aws:reachdiff:::aws_lb.front"));
    assert_eq!(r.values["name"], json!("web"));
    assert_eq!(r.values["data_id"], json!("sg-data.aws_security_group.ext"));
    assert_eq!(
        r.unknown,
        json!({"cidr_blocks": [true, false], "data_other": true})
    );
    let vpc = res(&c, "aws_vpc.main");
    assert_eq!(
        vpc.values["main_route_table_id"],
        json!("aws_vpc.main.main_route_table_id")
    );
    assert_eq!(
        vpc.values["default_network_acl_id"],
        json!("aws_vpc.main.default_network_acl_id")
    );
    assert_eq!(
        res(&c, "aws_lb.front").values["id"],
        json!("arn:aws:reachdiff:::aws_lb.front")
    );
    let d = res(&c, "data.aws_security_group.ext");
    assert!(d.data);
    assert_eq!(d.values["id"], json!("sg-data.aws_security_group.ext"));
    assert_eq!(
        res(&c, "aws_security_group.web").values["vpc_id"],
        json!("vpc-aws_vpc.main")
    );
}

#[test]
fn reference_cycle_between_resources_is_unknown_with_a_warning() {
    let (c, w) = run(&[(
        "main.tf",
        "resource \"aws_x\" \"a\" { v = aws_x.b.v }\nresource \"aws_x\" \"b\" { v = aws_x.a.v }\n",
    )]);
    assert_eq!(addresses(&c), ["aws_x.a", "aws_x.b"]);
    assert!(messages(&w).contains("cycle"), "{}", messages(&w));
}

#[test]
fn local_modules_with_count_for_each_and_outputs() {
    let (c, w) = run(&[
        (
            "main.tf",
            r#"
module "one" {
  source = "./mod"
  name   = "one"
}
module "many" {
  source = "./mod"
  count  = 2
  name   = "many${count.index}"
}
module "keyed" {
  source   = "./mod"
  for_each = { x = "ex" }
  name     = each.value
}
resource "aws_x" "uses" {
  a = module.one.sg_id
  b = module.many[1].sg_id
  c = module.keyed["x"].sg_id
  d = module.many[*].name
}
"#,
        ),
        (
            "mod/main.tf",
            r#"
variable "name" {}
variable "port" { default = 22 }
module "inner" {
  source = "../inner"
}
resource "aws_security_group" "sg" {
  name = var.name
  port = var.port
}
output "sg_id" { value = aws_security_group.sg.id }
output "name" { value = var.name }
"#,
        ),
        ("inner/main.tf", "data \"aws_vpc\" \"main\" {}\n"),
    ]);
    assert!(w.is_empty(), "{}", messages(&w));
    assert_eq!(
        addresses(&c),
        [
            "aws_x.uses",
            "module.keyed[\"x\"].aws_security_group.sg",
            "module.keyed[\"x\"].module.inner.data.aws_vpc.main",
            "module.many[0].aws_security_group.sg",
            "module.many[0].module.inner.data.aws_vpc.main",
            "module.many[1].aws_security_group.sg",
            "module.many[1].module.inner.data.aws_vpc.main",
            "module.one.aws_security_group.sg",
            "module.one.module.inner.data.aws_vpc.main",
        ]
    );
    let u = res(&c, "aws_x.uses");
    assert_eq!(u.values["a"], json!("sg-module.one.aws_security_group.sg"));
    assert_eq!(
        u.values["b"],
        json!("sg-module.many[1].aws_security_group.sg")
    );
    assert_eq!(
        u.values["c"],
        json!("sg-module.keyed[\"x\"].aws_security_group.sg")
    );
    assert_eq!(u.values["d"], json!(["many0", "many1"]));
    let sg = res(&c, "module.many[0].aws_security_group.sg");
    assert_eq!(sg.values["port"], json!(22));
    assert_eq!(sg.location.file, "mod/main.tf");
    assert!(c.files.contains_key("inner/main.tf"));
}

#[test]
fn remote_module_warns_and_its_outputs_are_unknown() {
    let (c, w) = run(&[(
        "main.tf",
        r#"
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
resource "aws_x" "r" { vpc = module.vpc.vpc_id }
"#,
    )]);
    let r = res(&c, "aws_x.r");
    assert_eq!(r.unknown, json!({"vpc": true}));
    let m: Vec<_> = w
        .iter()
        .filter(|w| w.message.contains("cannot be read offline"))
        .collect();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].kind, crate::warning::WarningKind::Input);
    assert!(m[0].message.contains("terraform-aws-modules/vpc/aws"));
}

#[test]
fn unknown_function_warns_with_file_and_line() {
    let (c, w) = run(&[(
        "main.tf",
        "resource \"aws_x\" \"r\" {\n  a = nosuchfn(1)\n}\n",
    )]);
    assert_eq!(res(&c, "aws_x.r").unknown, json!({"a": true}));
    let m = messages(&w);
    assert!(m.contains("function nosuchfn (main.tf:2)"), "{m}");
}

#[test]
fn syntax_error_names_line_and_column() {
    let e = err(&[
        ("ok.tf", "locals {}\n"),
        ("bad.tf", "resource \"a\" \"b\" {\n  x = \n}\n"),
    ]);
    match &e.kind {
        ErrorKind::Hcl { line, column, .. } => assert_eq!((*line, *column), (2, 7), "{e}"),
        _ => panic!("{e}"),
    }
    assert_eq!(e.path.as_deref(), Some(std::path::Path::new("bad.tf")));
    assert!(
        e.to_string().contains("invalid HCL at line 2, column 7"),
        "{e}"
    );
}

#[test]
fn empty_directory_is_an_error() {
    let e = err(&[("README.md", "hi")]);
    assert!(matches!(e.kind, ErrorKind::NoTerraformFiles(_)), "{e}");
    assert!(
        e.to_string()
            .contains("holds no Terraform files (*.tf, *.tf.json)"),
        "{e}"
    );
}

#[test]
fn missing_local_module_is_an_error_naming_the_block() {
    let e = err(&[("main.tf", "\n\nmodule \"m\" {\n  source = \"./nope\"\n}\n")]);
    let text = e.to_string();
    assert!(
        text.starts_with("main.tf: at line 3, column 1: module m"),
        "{text}"
    );
    assert!(text.contains("./nope"), "{text}");
}

#[test]
fn invalid_tfvars_is_an_error() {
    let mut w = Warnings::new();
    let t = mem(&[
        ("main.tf", "variable \"a\" {}\n"),
        ("terraform.tfvars", "a = var.b\n"),
    ]);
    let e = evaluate(&t, "", &Options::default(), &mut w).expect_err("an error");
    assert_eq!(
        e.path.as_deref(),
        Some(std::path::Path::new("terraform.tfvars"))
    );
    assert!(matches!(e.kind, ErrorKind::Hcl { line: 1, .. }), "{e}");
}

#[test]
fn json_configuration() {
    let (c, _) = run(&[(
        "main.tf.json",
        r#"{
  "variable": { "port": { "default": 443 } },
  "resource": {
    "aws_security_group": {
      "web": {
        "name": "web-${var.port}",
        "ingress": [{ "from_port": "${var.port}", "cidr_blocks": ["0.0.0.0/0"] }]
      }
    }
  }
}"#,
    )]);
    let r = res(&c, "aws_security_group.web");
    assert_eq!(r.values["name"], json!("web-443"));
    assert_eq!(
        r.values["ingress"],
        json!([{"from_port": 443, "cidr_blocks": ["0.0.0.0/0"]}])
    );
    assert_eq!(r.location.line, 5);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let deep = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(500),
        "]".repeat(500)
    );
    let mut w = Warnings::new();
    let _ = evaluate(&mem(&[("main.tf", &deep)]), "", &Options::default(), &mut w);
    let recursive = [
        ("main.tf", "module \"m\" {\n  source = \"./m\"\n}\n"),
        ("m/main.tf", "module \"m\" {\n  source = \"../m\"\n}\n"),
    ];
    let e = err(&recursive);
    assert!(e.to_string().contains("nested more than"), "{e}");
}

fn scenario_dirs() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios");
    let mut out = Vec::new();
    for s in std::fs::read_dir(&root).unwrap() {
        let s = s.unwrap().path();
        for side in ["before", "after"] {
            let d = s.join(side);
            let has_tf = std::fs::read_dir(&d).is_ok_and(|mut it| {
                it.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tf")))
            });
            if has_tf {
                out.push(d);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_scenario_configuration_evaluates() {
    let dirs = scenario_dirs();
    assert!(dirs.len() > 10);
    for d in dirs {
        let mut w = Warnings::new();
        let tree = DiskTree { root: d.clone() };
        let c = evaluate(&tree, "", &Options::default(), &mut w)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        assert!(!c.resources.is_empty(), "{}", d.display());
    }
}

#[test]
fn modules_count_for_each_scenario_matches_the_real_plan() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/scenarios/modules-count-for-each");
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("plan.json")).unwrap()).unwrap();
    let mut want: Vec<String> = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| r["address"].as_str().unwrap().to_owned())
        .collect();
    want.sort();
    let mut w = Warnings::new();
    let c = evaluate(
        &DiskTree {
            root: root.join("after"),
        },
        "",
        &Options::default(),
        &mut w,
    )
    .unwrap();
    let got: Vec<String> = c
        .resources
        .iter()
        .filter(|r| !r.data)
        .map(|r| r.address.clone())
        .collect();
    assert_eq!(got, want);
    assert!(w.is_empty(), "{}", messages(&w));
    let rule = res(&c, "module.tier.aws_security_group_rule.node_metrics[2]");
    assert_eq!(
        rule.values["security_group_id"],
        json!("sg-module.tier.aws_security_group.node[2]")
    );
    assert_eq!(
        rule.values["source_security_group_id"],
        json!("sg-module.tier.aws_security_group.svc[\"api\"]")
    );
    let svc = res(&c, "module.tier.aws_security_group_rule.svc_in[\"admin\"]");
    assert_eq!(svc.values["from_port"], json!(2222));
    assert_eq!(svc.values["cidr_blocks"], json!(["10.10.0.0/16"]));
    assert_eq!(
        res(&c, "module.tier.aws_security_group.svc[\"api\"]").values["vpc_id"],
        json!("vpc-aws_vpc.main")
    );
}

/// Many resources referring to each other in a ring (timing is measured in
/// `benches/end_to_end.rs`, never in tests).
#[test]
fn two_thousand_resources_referring_to_each_other_evaluate() {
    let mut text = String::from("resource \"aws_vpc\" \"main\" { cidr_block = \"10.0.0.0/16\" }\n");
    for i in 0..1000 {
        let _ = write!(
            text,
            "resource \"aws_security_group\" \"sg{i}\" {{\n  vpc_id = aws_vpc.main.id\n  ingress {{\n    from_port = {i}\n    to_port = {i}\n    cidr_blocks = [cidrsubnet(aws_vpc.main.cidr_block, 8, {})]\n  }}\n}}\n",
            i % 256
        );
        let _ = write!(
            text,
            "resource \"aws_security_group_rule\" \"r{i}\" {{\n  security_group_id = aws_security_group.sg{i}.id\n  source_security_group_id = aws_security_group.sg{}.id\n  type = \"ingress\"\n}}\n",
            (i + 1) % 1000
        );
    }
    let (c, _) = run(&[("main.tf", &text)]);
    assert_eq!(c.resources.len(), 2001);
    let last = res(&c, "aws_security_group_rule.r999");
    assert_eq!(
        last.values["source_security_group_id"],
        json!("sg-aws_security_group.sg0")
    );
    assert_eq!(
        res(&c, "aws_security_group.sg300").values["ingress"][0]["cidr_blocks"],
        json!(["10.0.44.0/24"])
    );
}

#[test]
fn locations_by_position_only_for_the_synthesized_plan() {
    let (c, _) = run(&[(
        "main.tf",
        r#"resource "aws_security_group" "g" {
  for_each = toset(["a b"])
  name     = each.key
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_network_acl" "a" {
  vpc_id = "vpc-1"
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = "0.0.0.0/0"
  }
}
"#,
    )]);
    let keys = |positional| {
        super::locations(&c, positional)
            .into_iter()
            .map(|(k, l)| format!("{k} @{}", l.line))
            .collect::<Vec<_>>()
    };
    // A for_each key with a space is an address, not a block.
    assert_eq!(
        keys(false),
        [
            "aws_network_acl.a @12",
            "aws_network_acl.a ingress rule 100 @14",
            r#"aws_security_group.g["a b"] @1"#,
        ]
    );
    assert_eq!(
        keys(true),
        [
            "aws_network_acl.a @12",
            "aws_network_acl.a ingress rule 100 @14",
            "aws_network_acl.a ingress[0] @14",
            r#"aws_security_group.g["a b"] @1"#,
            r#"aws_security_group.g["a b"] ingress[0] @4"#,
        ]
    );
}
