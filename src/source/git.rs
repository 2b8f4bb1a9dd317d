//! Reading inputs as they were at a git revision, without touching the working tree
//! (`reachdiff diff --git BASE [PATH]`).
//!
//! Every read goes through `git` (`rev-parse`, `ls-tree`, `cat-file`); nothing is
//! checked out. This module knows git and paths, not formats.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::terraform_hcl::Tree;
use crate::error::{Error, ErrorKind, Result};

/// A path of the working tree, as git sees it at a revision.
#[derive(Debug)]
pub struct GitPath {
    /// The repository's top-level directory.
    root: PathBuf,
    /// The revision as given (`origin/main`), for labels.
    pub revision: String,
    /// The commit it names.
    commit: String,
    /// The path inside the repository (`/`-separated, no leading or trailing `/`;
    /// empty for the top level).
    pub inner: String,
}

fn git(dir: &Path, args: &[&str]) -> std::result::Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "`git` is not on PATH".to_owned(),
            _ => format!("running git failed: {e}"),
        })?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("git failed")
            .trim_start_matches("fatal: ")
            .to_owned())
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_owned()
}

impl GitPath {
    /// `path` (a file or directory of the working tree) at `revision`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Git`] when `path` is not in a git repository or the revision does
    /// not exist.
    pub fn new(revision: &str, path: &Path) -> Result<Self> {
        let err = |m: String| Error::new(Some(path.to_path_buf()), ErrorKind::Git(m));
        // The directory to ask git in: the path itself, or its parent for a file (which
        // may exist only at the revision).
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let root = git(&dir, &["rev-parse", "--show-toplevel"])
            .map(|o| PathBuf::from(text(&o)))
            .map_err(|m| err(format!("is not inside a git repository ({m}); --git compares with a revision of the repository that holds the path")))?;
        let prefix = git(&dir, &["rev-parse", "--show-prefix"])
            .map(|o| text(&o))
            .map_err(err)?;
        let commit = git(
            &root,
            &["rev-parse", "--verify", "--quiet", &format!("{revision}^{{commit}}")],
        )
        .map(|o| text(&o))
        .map_err(|_| {
            err(format!(
                "the git revision `{revision}` does not exist; give a branch, tag or commit (`git fetch` first for `origin/…`)"
            ))
        })?;
        let mut inner = prefix.trim_end_matches('/').to_owned();
        if let Some(name) = path.file_name().filter(|_| !path.is_dir()) {
            if !inner.is_empty() {
                inner.push('/');
            }
            inner.push_str(&name.to_string_lossy());
        }
        Ok(Self {
            root,
            revision: revision.to_owned(),
            commit,
            inner,
        })
    }

    /// `REVISION:PATH`, the label of this input in reports.
    #[must_use]
    pub fn label(&self) -> String {
        if self.inner.is_empty() {
            format!("{}:.", self.revision)
        } else {
            format!("{}:{}", self.revision, self.inner)
        }
    }

    /// The bytes of the file at the revision; `None` when it did not exist then.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Git`] when git fails for another reason.
    pub fn read(&self) -> Result<Option<Vec<u8>>> {
        let spec = format!("{}:{}", self.commit, self.inner);
        if git(&self.root, &["cat-file", "-e", &spec]).is_err() {
            return Ok(None);
        }
        git(&self.root, &["cat-file", "blob", &spec])
            .map(Some)
            .map_err(|m| Error::new(Some(PathBuf::from(self.label())), ErrorKind::Git(m)))
    }

    /// The directory at the revision as a [`Tree`]; `None` when it held no files then.
    /// Paths may leave the directory (`../modules/sg`) but not the repository.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Git`] when git fails.
    pub fn tree(&self) -> Result<Option<GitTree<'_>>> {
        let listing = git(
            &self.root,
            &["ls-tree", "-r", "--name-only", "-z", &self.commit],
        )
        .map_err(|m| Error::new(Some(PathBuf::from(self.label())), ErrorKind::Git(m)))?;
        let files: BTreeSet<String> = listing
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| std::str::from_utf8(p).ok())
            .map(str::to_owned)
            .collect();
        let tree = GitTree { path: self, files };
        Ok(tree.is_dir("").then_some(tree))
    }
}

/// A directory at a git revision.
#[derive(Debug)]
pub struct GitTree<'g> {
    path: &'g GitPath,
    /// Every file of the revision, relative to the repository's top level.
    files: BTreeSet<String>,
}

impl GitTree<'_> {
    /// `path` (relative to the directory) relative to the top level; `None` when it
    /// leaves the repository.
    fn resolve(&self, path: &str) -> Option<String> {
        super::terraform_hcl::resolve(&self.path.inner, path)
    }

    /// Files under `dir` (relative to the top level), by their path below it.
    fn under<'s>(&'s self, dir: &str) -> impl Iterator<Item = &'s str> + 's {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let len = prefix.len();
        self.files
            .range(prefix.clone()..)
            .take_while(move |f| f.starts_with(prefix.as_str()))
            .map(move |f| &f[len..])
    }
}

impl Tree for GitTree<'_> {
    fn list(&self, dir: &str) -> std::io::Result<Vec<String>> {
        let Some(dir) = self.resolve(dir) else {
            return Ok(Vec::new());
        };
        let names: BTreeSet<&str> = self
            .under(&dir)
            .filter_map(|rest| rest.split('/').next())
            .collect();
        Ok(names.into_iter().map(str::to_owned).collect())
    }

    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        let not_found = |m: String| std::io::Error::new(std::io::ErrorKind::NotFound, m);
        let inner = self
            .resolve(path)
            .ok_or_else(|| not_found(format!("{path} is outside the repository")))?;
        let spec = format!("{}:{inner}", self.path.commit);
        git(&self.path.root, &["cat-file", "blob", &spec]).map_err(not_found)
    }

    fn is_dir(&self, dir: &str) -> bool {
        self.resolve(dir)
            .is_some_and(|d| self.under(&d).next().is_some())
    }
}
