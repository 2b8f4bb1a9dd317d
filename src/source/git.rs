//! Reading inputs as they were at a git revision, without touching the working tree
//! (`reachdiff diff --git BASE [PATH]`).
//!
//! Every read goes through `git` (`rev-parse`, `ls-tree`, `cat-file`); nothing is
//! checked out. This module knows git and paths, not formats.

use std::collections::BTreeMap;
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

    /// The bytes of the file (a template) at the revision, at most
    /// [`crate::limits::TEMPLATE`]; `None` when it did not exist then.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Git`] when git fails for another reason.
    pub fn read(&self) -> Result<Option<Vec<u8>>> {
        let spec = format!("{}:{}", self.commit, self.inner);
        // `-s` fails when the file did not exist, and says how large it is.
        let Ok(size) = git(&self.root, &["cat-file", "-s", &spec]) else {
            return Ok(None);
        };
        let size: u64 = text(&size).parse().unwrap_or(0);
        let limit = crate::limits::TEMPLATE;
        if size > limit.bytes {
            return Err(Error::new(
                Some(PathBuf::from(self.label())),
                crate::limits::too_large(limit, size),
            ));
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
        // `-l`: each blob's size, so that reading can refuse one over the limit
        // before git writes it out.
        let listing = git(&self.root, &["ls-tree", "-r", "-l", "-z", &self.commit])
            .map_err(|m| Error::new(Some(PathBuf::from(self.label())), ErrorKind::Git(m)))?;
        let files: BTreeMap<String, Blob> = listing
            .split(|b| *b == 0)
            .filter_map(|line| std::str::from_utf8(line).ok())
            .filter_map(|line| {
                // `<mode> <type> <object> <size>\t<path>`
                let (meta, path) = line.split_once('\t')?;
                let mut fields = meta.split_whitespace();
                let mode = fields.next()?;
                let size = fields.nth(2)?.parse().unwrap_or(0);
                Some((
                    path.to_owned(),
                    Blob {
                        link: mode == "120000",
                        size,
                    },
                ))
            })
            .collect();
        let tree = GitTree { path: self, files };
        Ok(tree.is_dir("").then_some(tree))
    }
}

/// A file at a revision: its size, and whether it is a symbolic link (whose content
/// is the path it points to).
#[derive(Debug)]
struct Blob {
    link: bool,
    size: u64,
}

/// How many symbolic links one read follows before calling it a loop (Linux's limit).
const MAX_LINKS: usize = 40;

/// A directory at a git revision.
#[derive(Debug)]
pub struct GitTree<'g> {
    path: &'g GitPath,
    /// Every file of the revision, relative to the repository's top level.
    files: BTreeMap<String, Blob>,
}

impl GitTree<'_> {
    /// `path` (relative to the directory) relative to the top level; `None` when it
    /// leaves the repository.
    fn resolve(&self, path: &str) -> Option<String> {
        Some(super::terraform_hcl::resolve(&self.path.inner, path))
            .filter(|p| p != ".." && !p.starts_with("../"))
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
            .take_while(move |(f, _)| f.starts_with(prefix.as_str()))
            .map(move |(f, _)| &f[len..])
    }
}

impl Tree for GitTree<'_> {
    fn list(&self, dir: &str) -> std::io::Result<Vec<String>> {
        let Some(dir) = self.resolve(dir) else {
            return Ok(Vec::new());
        };
        Ok(self
            .under(&dir)
            .filter(|rest| !rest.contains('/'))
            .map(str::to_owned)
            .collect())
    }

    fn read(&self, path: &str) -> std::result::Result<Vec<u8>, ErrorKind> {
        let not_found =
            |m: String| ErrorKind::Io(std::io::Error::new(std::io::ErrorKind::NotFound, m));
        let mut inner = self.resolve(path).ok_or_else(|| {
            not_found(format!(
                "{path} is outside the git repository, which is all that --git reads"
            ))
        })?;
        for _ in 0..MAX_LINKS {
            let Some(blob) = self.files.get(&inner) else {
                return Err(not_found(format!(
                    "{inner} does not exist at {}",
                    self.path.revision
                )));
            };
            if blob.size > crate::limits::CONFIGURATION_FILE.bytes {
                return Err(crate::limits::too_large(
                    crate::limits::CONFIGURATION_FILE,
                    blob.size,
                ));
            }
            let spec = format!("{}:{inner}", self.path.commit);
            let bytes = git(&self.path.root, &["cat-file", "blob", &spec]).map_err(not_found)?;
            if !blob.link {
                return Ok(bytes);
            }
            // A symbolic link, followed as the working tree would (relative to the
            // link's directory; absolute targets are outside the revision).
            let target = String::from_utf8_lossy(&bytes).into_owned();
            let dir = inner.rsplit_once('/').map_or("", |(d, _)| d);
            inner = if target.starts_with('/') {
                None
            } else {
                Some(super::terraform_hcl::resolve(dir, &target))
                    .filter(|p| p != ".." && !p.starts_with("../"))
            }
            .ok_or_else(|| {
                not_found(format!(
                    "{path} is a symbolic link to {target}, outside the git repository"
                ))
            })?;
        }
        Err(ErrorKind::Io(std::io::Error::other(format!(
            "{path} is a symbolic link in a loop (more than {MAX_LINKS} links)"
        ))))
    }

    fn is_dir(&self, dir: &str) -> bool {
        self.resolve(dir)
            .is_some_and(|d| self.under(&d).next().is_some())
    }

    fn missing_dir_reason(&self, dir: &str) -> String {
        match self.resolve(dir) {
            None => "leaves the git repository, and --git reads only the repository".into(),
            Some(d) => format!(
                "is {}, which holds no files at {}",
                if d.is_empty() { "." } else { &d },
                self.path.revision
            ),
        }
    }
}
