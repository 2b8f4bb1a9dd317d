//! Tests of the evaluator over in-memory trees and the scenario fixtures.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::error::ErrorKind;
use crate::warning::Warnings;

/// An in-memory tree: path → content.
struct Mem(BTreeMap<String, String>);

impl Tree for Mem {
    fn list(&self, dir: &str) -> std::io::Result<Vec<String>> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        Ok(self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|rest| !rest.contains('/'))
            .map(str::to_owned)
            .collect())
    }
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.0
            .get(path)
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, path.to_owned()))
    }
    fn is_dir(&self, dir: &str) -> bool {
        let prefix = format!("{dir}/");
        self.0.keys().any(|k| k.starts_with(&prefix))
    }
}

fn mem(files: &[(&str, &str)]) -> Mem {
    Mem(files
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect())
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
