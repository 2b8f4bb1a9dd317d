//! Errors: reachdiff could not run at all.
//!
//! Findings are data and imperfect input is a [`crate::Warning`]; an [`Error`] means
//! there is no result. Messages are lowercase, name the file, say what is wrong and,
//! where there is one, what to do.

use std::fmt;
use std::path::PathBuf;

/// Why reachdiff could not read its input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Occurs when the file cannot be opened or read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// Occurs when the path is a directory.
    #[error(
        "is a directory; give the JSON file written by `terraform show -json plan.out > plan.json`"
    )]
    IsDirectory,
    /// Occurs when the input has no content.
    #[error(
        "the input is empty; produce a plan with `terraform plan -out plan.out && terraform show -json plan.out > plan.json`"
    )]
    Empty,
    /// Occurs when the bytes are not valid UTF-8 or UTF-16 text.
    #[error("the input is not text ({0}); give the JSON from `terraform show -json plan.out`")]
    Encoding(String),
    /// Occurs when the JSON ends early.
    #[error(
        "the JSON ends early at line {line}, column {column}; the file looks truncated — write it again with `terraform show -json plan.out > plan.json`"
    )]
    Truncated {
        /// Line of the end.
        line: usize,
        /// Column of the end.
        column: usize,
    },
    /// Occurs when the input is not valid JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// Occurs when the JSON is valid but is not a Terraform plan.
    #[error("{0}")]
    NotAPlan(String),
    /// Occurs when the plan's `format_version` is newer than reachdiff understands.
    #[error(
        "plan format_version {0} is not supported (reachdiff reads 0.x and 1.x); upgrade reachdiff or open an issue with the plan attached"
    )]
    UnsupportedFormatVersion(String),
    /// Occurs when a binary plan file is given and `terraform` cannot convert it.
    #[error("{0}")]
    BinaryPlan(String),
    /// Occurs when the policy file (`reachdiff.toml`) is not valid.
    #[error("invalid policy at line {line}, column {column}: {message}")]
    Policy {
        /// Line of the problem.
        line: usize,
        /// Column of the problem.
        column: usize,
        /// What is wrong and what to write instead.
        message: String,
    },
    /// Occurs when the input is the `terraform plan -json` event stream.
    #[error(
        "this is the `terraform plan -json` event stream (one JSON message per line), not a plan; run `terraform plan -out plan.out` and give reachdiff the output of `terraform show -json plan.out`"
    )]
    EventStream,
    /// Occurs when a `CloudFormation` template is not valid YAML.
    #[error("invalid YAML at line {line}, column {column}: {message}")]
    Yaml {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// Occurs when `--git` cannot read a revision (not a repository, no such revision).
    #[error("{0}")]
    Git(String),
    /// Occurs when the two sides of `reachdiff diff` are of different kinds, or of a
    /// kind `diff` does not compare.
    #[error("{0}")]
    Mismatch(String),
    /// Occurs when the input parses but is not a usable `CloudFormation` template (no
    /// `Resources`, a top level that is not a mapping).
    #[error("{0}")]
    NotATemplate(String),
    /// Occurs when a Terraform configuration file is not valid HCL.
    #[error("invalid HCL at line {line}, column {column}: {message}")]
    Hcl {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// Occurs when a directory given as Terraform configuration holds no `*.tf` or
    /// `*.tf.json` file (the directory, as the evaluator names it, is the field; the
    /// error's path names it as the user gave it).
    #[error(
        "holds no Terraform files (*.tf, *.tf.json); give a directory of Terraform configuration, or a plan's JSON to `reachdiff plan`"
    )]
    NoTerraformFiles(String),
    /// Occurs when Terraform configuration parses but cannot be evaluated: a cycle
    /// between locals, a local module directory that does not exist, modules nested too
    /// deeply.
    #[error("at line {line}, column {column}: {message}")]
    Terraform {
        /// Line of the construct at fault.
        line: usize,
        /// Column of the construct at fault.
        column: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// Occurs when a path that should name a file names a directory, a named pipe, a
    /// socket or a device (reading a pipe would wait for a writer forever).
    #[error(
        "is {0}, not a regular file; give a file (or pipe the content to standard input: `… | reachdiff -`)"
    )]
    NotAFile(&'static str),
    /// Occurs when an input is larger than reachdiff reads for its kind
    /// ([`crate::limits`]).
    #[error("{}", too_large_message(what, *size, *limit))]
    TooLarge {
        /// The kind of input ("policy file").
        what: &'static str,
        /// Its size in bytes (at least: reading stops past the limit).
        size: u64,
        /// The most bytes reachdiff reads for this kind.
        limit: u64,
    },
    /// Occurs when YAML, TOML, HCL or JSON nests deeper than reachdiff reads
    /// ([`crate::limits::NESTING`]).
    #[error(
        "nesting deeper than {limit} levels at line {line}, column {column}; no real {what} nests this deep — check how the file was generated"
    )]
    TooDeep {
        /// The kind of input ("CloudFormation template").
        what: &'static str,
        /// The deepest nesting read.
        limit: usize,
        /// Line where the limit is exceeded.
        line: usize,
        /// Column where the limit is exceeded.
        column: usize,
    },
    /// Occurs when a `CloudFormation` change set cannot be used: it has no property
    /// values to read on its own, or it is for another stack than the templates given.
    #[error("{0}")]
    ChangeSet(String),
    /// Occurs when a context file (`--context`) cannot be used: it is not the JSON of an
    /// `aws ec2 describe-…` command or of a Terraform state, or it describes an object
    /// differently from another context file of the same kind.
    #[error("{0}")]
    Context(String),
}

fn too_large_message(what: &str, size: u64, limit: u64) -> String {
    use crate::limits::human_size;
    // Reading stops one byte past the limit: then only "larger than" is known.
    let size = if size > limit.saturating_add(1) {
        human_size(size)
    } else {
        format!("larger than {}", human_size(limit))
    };
    format!(
        "is {size}; reachdiff reads a {what} of at most {}, far more than real ones need — check that this is the right file",
        human_size(limit)
    )
}

impl ErrorKind {
    /// [`ErrorKind::Json`] for a syntax error, with the position once (`serde_json`
    /// appends " at line L column C" to its message; the error states them already).
    #[must_use]
    pub fn json(e: &serde_json::Error) -> Self {
        let message = e.to_string();
        if message.starts_with("recursion limit exceeded") {
            // serde_json's own limit, the same as reachdiff's for other formats.
            return Self::TooDeep {
                what: "JSON document",
                limit: crate::limits::NESTING,
                line: e.line(),
                column: e.column(),
            };
        }
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i])
            .to_owned();
        Self::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

/// An error with the input it concerns.
#[derive(Debug)]
pub struct Error {
    /// The input path (`-` for standard input), when known.
    pub path: Option<PathBuf>,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl Error {
    /// An error about `path`.
    #[must_use]
    pub fn new(path: Option<PathBuf>, kind: ErrorKind) -> Self {
        Self { path, kind }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}: {}", p.display(), self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

// No `source()`: the kind's message already includes its cause, and `anyhow` would
// print it twice.
impl std::error::Error for Error {}

/// A `Result` with reachdiff's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
