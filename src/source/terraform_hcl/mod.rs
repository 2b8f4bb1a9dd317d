//! A static evaluator for directories of Terraform configuration (`*.tf`, `*.tf.json`).
//!
//! [`evaluate`] reads a root module (and the local modules it calls), applies variable
//! values the way Terraform does (defaults, `terraform.tfvars`, `*.auto.tfvars`,
//! `--var-file`, `--var`), and evaluates every resource and data-source instance into
//! the attribute values a plan's `after` object would hold: nested blocks as arrays of
//! objects, `count`/`for_each`/`dynamic` expanded. What cannot be known before apply
//! (data-source attributes, computed attributes, variables without a value, remote
//! modules) is unknown, never guessed; managed resources get symbolic ids
//! ([`identity::symbolic`]) so that references between resources resolve.
//!
//! It is not Terraform: no providers, no state, no schemas (so no provider defaults and
//! no computed attributes), no remote modules, no `import`/`moved` blocks. It does not
//! build the security model either; its output is meant to be turned into a plan.

mod eval;
mod functions;
pub mod identity;
mod load;
mod plan;
mod value;

pub(crate) use load::resolve;
pub use plan::{locations, synthesize};

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{ErrorKind, Result};
use crate::warning::Warnings;

/// Where configuration files come from: the disk, or a git revision.
pub trait Tree {
    /// File names (not paths) directly in `dir` (relative to the tree root; "" = root),
    /// sorted.
    ///
    /// # Errors
    ///
    /// When the directory cannot be listed.
    fn list(&self, dir: &str) -> std::io::Result<Vec<String>>;
    /// Bytes of the file at `path` (relative to the root, '/'-separated), at most
    /// [`crate::limits::CONFIGURATION_FILE`].
    ///
    /// # Errors
    ///
    /// When the file cannot be read, is no regular file or is too large.
    fn read(&self, path: &str) -> Result<Vec<u8>, ErrorKind>;
    /// `true` when `dir` exists and is a directory.
    fn is_dir(&self, dir: &str) -> bool;
    /// Why `dir` is not a directory of the tree, completing "a module's source …"
    /// (`is modules/x, which does not exist`).
    fn missing_dir_reason(&self, dir: &str) -> String {
        format!("is {dir}, which does not exist")
    }
}

/// A [`Tree`] on disk, rooted at `root`.
#[derive(Clone, Debug)]
pub struct DiskTree {
    /// The directory paths are relative to.
    pub root: PathBuf,
}

impl DiskTree {
    fn path(&self, rel: &str) -> PathBuf {
        let mut p = self.root.clone();
        for part in rel.split('/').filter(|s| !s.is_empty()) {
            p.push(part);
        }
        p
    }
}

impl Tree for DiskTree {
    /// Every name that is not a directory: files, and symbolic links followed (as
    /// Terraform does), so that a link to a file in another directory is read. A link
    /// that cannot be followed (a loop, a missing target) is listed, and reading it says
    /// why; so is anything that is no regular file (reading refuses it).
    fn list(&self, dir: &str) -> std::io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(self.path(dir))? {
            let entry = entry?;
            let mut kind = entry.file_type()?;
            if kind.is_symlink() {
                // `metadata` follows links; the OS stops loops (ELOOP).
                if let Ok(meta) = std::fs::metadata(entry.path()) {
                    kind = meta.file_type();
                }
            }
            if !kind.is_dir() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ErrorKind> {
        crate::limits::read_file(&self.path(path), crate::limits::CONFIGURATION_FILE)
    }

    fn is_dir(&self, dir: &str) -> bool {
        self.path(dir).is_dir()
    }

    fn missing_dir_reason(&self, dir: &str) -> String {
        let shown = super::join_label(&self.root.to_string_lossy(), dir);
        match std::fs::metadata(self.path(dir)) {
            Ok(_) => format!("is {shown}, which is not a directory"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                format!("is {shown}, which does not exist")
            }
            Err(e) => format!("is {shown}, which cannot be read ({e})"),
        }
    }
}

/// A [`Tree`] in memory: file contents by path ('/'-separated, relative to the root).
/// For tests, fuzzing, and callers that hold the files already.
#[derive(Clone, Debug, Default)]
pub struct MemTree(pub BTreeMap<String, Vec<u8>>);

impl Tree for MemTree {
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

    fn read(&self, path: &str) -> Result<Vec<u8>, ErrorKind> {
        self.0.get(path).cloned().ok_or_else(|| {
            ErrorKind::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{path} does not exist"),
            ))
        })
    }

    fn is_dir(&self, dir: &str) -> bool {
        dir.is_empty() || self.0.keys().any(|k| k.starts_with(&format!("{dir}/")))
    }
}

/// Variable values given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--var-file` paths, applied in order after `terraform.tfvars(.json)` and
    /// `*.auto.tfvars(.json)` (sorted): Terraform's precedence.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`, applied last; VALUE is read as an HCL expression when it
    /// parses as one, else taken as a string (as terraform does for `-var`).
    pub vars: Vec<(String, String)>,
}

/// An evaluated configuration.
#[derive(Clone, Debug)]
pub struct Configuration {
    /// Every resource and data-source instance, sorted by address.
    pub resources: Vec<Resource>,
    /// Every file read, with its text, by path: configuration and variable files of
    /// the tree ('/'-separated, relative), then `--var-file`s (as given). The input's
    /// digest is taken over these, so nothing is read twice.
    pub files: BTreeMap<String, String>,
}

/// One resource or data-source instance.
#[derive(Clone, Debug)]
pub struct Resource {
    /// Terraform's instance address, as Terraform prints it in plans
    /// (`module.tier.aws_security_group.svc["api"]`).
    pub address: String,
    /// `true` for a data source.
    pub data: bool,
    /// `true` for the instance standing for instances not known before apply (its
    /// `count`/`for_each`, or its module's, is unknown): address `[*]`, possible.
    pub deferred: bool,
    /// Resource type, e.g. `aws_security_group`.
    pub kind: String,
    /// The resource's name in its module.
    pub name: String,
    /// Attributes and nested blocks the configuration sets, evaluated (plus the
    /// identity attributes); an unknown value is `null` here.
    pub values: serde_json::Value,
    /// Terraform's `after_unknown` shape: `true` at an unknown value; known parts
    /// omitted (in objects) or `false` (in lists); an empty object when all is known.
    pub unknown: serde_json::Value,
    /// Where the resource block is.
    pub location: SourceLocation,
    /// Where each nested block is, keyed like `ingress[0]` (nested deeper:
    /// `ingress[0].foo[1]`); the index is the position in `values`.
    pub blocks: BTreeMap<String, SourceLocation>,
}

/// A place in a configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLocation {
    /// File relative to the tree root, '/'-separated.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Evaluates the root module in `dir` of `tree` ("" = the tree root).
///
/// # Errors
///
/// [`crate::error::ErrorKind::Hcl`] for a syntax error,
/// [`crate::error::ErrorKind::NoTerraformFiles`] for a directory without configuration,
/// [`crate::error::ErrorKind::Terraform`] for a cycle between locals, a missing local
/// module directory or modules nested too deeply, and
/// [`crate::error::ErrorKind::Io`] when a file cannot be read.
pub fn evaluate(
    tree: &dyn Tree,
    dir: &str,
    options: &Options,
    warnings: &mut Warnings,
) -> Result<Configuration> {
    eval::Evaluator::new(tree, warnings).run(dir, options)
}
