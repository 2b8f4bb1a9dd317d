//! What reachdiff accepts: the largest input of each kind, the deepest nesting, and
//! the budgets of the Terraform evaluator — in one place, each with its reason.
//!
//! Every limit is far above what real inputs need (the reason says how far) and turns
//! into a clear error or a warning, never a crash, a hang or an allocation that aborts.
//! `docs/design.md` ("Limits") lists them for users. This module also reads files: only
//! regular files (a named pipe would block forever, a device never end), never more
//! than the limit of their kind. It knows nothing of formats.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::ErrorKind;

/// The largest input of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeLimit {
    /// What the input is, for messages ("plan", "policy file").
    pub what: &'static str,
    /// The most bytes read.
    pub bytes: u64,
}

const MIB: u64 = 1 << 20;

/// A plan's JSON (and anything given as `PLAN`, standard input included: the kind is
/// known only after reading). 1 GiB: ten times the 100 MB plans `docs/benchmarks.md`
/// measures; reading takes about 2.5 times the plan's size in memory.
pub const PLAN: SizeLimit = SizeLimit {
    what: "plan",
    bytes: 1024 * MIB,
};

/// A `CloudFormation` template. AWS accepts at most 1 MB (from S3; 51,200 bytes
/// inline), so 16 MiB is sixteen times anything it would deploy.
pub const TEMPLATE: SizeLimit = SizeLimit {
    what: "CloudFormation template",
    bytes: 16 * MIB,
};

/// A `CloudFormation` change set (`describe-change-set`, with property values).
pub const CHANGE_SET: SizeLimit = SizeLimit {
    what: "CloudFormation change set",
    bytes: 256 * MIB,
};

/// A context file (`--context`): an `aws ec2 describe-*` output or the
/// `terraform show -json` of a state, which for a large account is as big as a plan.
pub const CONTEXT: SizeLimit = SizeLimit {
    what: "context file",
    bytes: 1024 * MIB,
};

/// The policy file (`reachdiff.toml`): real ones are a few kilobytes.
pub const POLICY: SizeLimit = SizeLimit {
    what: "policy file",
    bytes: 4 * MIB,
};

/// A `CloudFormation` parameter file (AWS allows 200 parameters of 4 KB).
pub const PARAMETERS: SizeLimit = SizeLimit {
    what: "parameter file",
    bytes: 4 * MIB,
};

/// One Terraform configuration file (`*.tf`, `*.tf.json`) or variables file. Generated
/// `.tf.json` (CDK for Terraform) runs to a few megabytes.
pub const CONFIGURATION_FILE: SizeLimit = SizeLimit {
    what: "Terraform configuration file",
    bytes: 32 * MIB,
};

/// All the files of one Terraform configuration together (every module directory).
pub const CONFIGURATION_TOTAL: u64 = 128 * MIB;

/// The Markdown report `reachdiff comment` posts (GitHub takes 65,536 characters).
pub const COMMENT: SizeLimit = SizeLimit {
    what: "comment file",
    bytes: 16 * MIB,
};

/// How deeply YAML, TOML and HCL may nest (JSON: `serde_json`'s own limit, also 128).
/// Real templates, policies and configurations nest fewer than 20 levels; the parsers
/// and the readers recurse once per level.
pub const NESTING: usize = 128;

/// Distinct interface configurations (subnet, security groups, addresses, accepted
/// services) at the endpoint level. Reachability costs what is reachable (pairs of
/// classes one admits from the other), not the square of the classes: 10,000
/// instances each in its own group take about 2 s (`docs/benchmarks.md`). Above the
/// budget the endpoint level is skipped with a warning; the rule level is exact at any
/// size.
pub const ENDPOINT_CLASSES: usize = 50_000;

/// Pairs of (any class, class in a subnet the inputs do not describe). In the
/// permissive world a class whose subnet is unknown may sit next to any other, so it is
/// compared with every class: 10,000 interfaces in unknown subnets (a load balancer
/// given 10,000 subnet ids) were 10^8 comparisons. About 2,000 such classes among
/// 2,000.
pub const ENDPOINT_UNPLACED_PAIRS: usize = 4_000_000;

/// Budgets of the Terraform evaluator (`source::terraform_hcl`). A value over a budget
/// is unknown, with a warning (sound: unknown values widen); a configuration over the
/// step or instance budget cannot be evaluated at all and is an error.
pub mod evaluator {
    /// Expressions evaluated, in all (each may keep a value: about 25 bytes a step at
    /// worst). Configurations of thousands of resources need a few hundred thousand.
    pub const STEPS: u64 = 10_000_000;
    /// Characters in one string (`user_data` is at most 16 KB, policies 10 KB).
    pub const STRING: usize = 4 << 20;
    /// Elements in one list or object (a `range`, a `for`, a function result).
    pub const COLLECTION: usize = 1_000_000;
    /// The size of one value as a plan would write it: characters of its strings plus
    /// eight per other element.
    pub const VALUE: usize = 16 << 20;
    /// How deeply one value may nest (lists in objects in lists …).
    pub const VALUE_DEPTH: usize = 64;
    /// Module instances, in all (`count`/`for_each` on modules multiplies).
    pub const MODULE_INSTANCES: usize = 10_000;
    /// Resource and data-source instances, in all (the largest configurations of the
    /// corpus have a few thousand).
    pub const RESOURCE_INSTANCES: usize = 50_000;
    /// The size of all resource instances' values together (the plan the configuration
    /// implies is about this large).
    pub const TOTAL_VALUES: usize = 256 << 20;
}

fn describe(file_type: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return Some("a device");
        }
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    if file_type.is_file() {
        return None;
    }
    Some("not a regular file")
}

/// [`ErrorKind::NotAFile`] unless `path` (after symbolic links) is a regular file.
///
/// # Errors
///
/// When the path cannot be looked at, or is a directory, a pipe, a socket or a device.
pub fn check_regular_file(path: &Path) -> Result<std::fs::Metadata, ErrorKind> {
    let meta = std::fs::metadata(path)?;
    match describe(meta.file_type()) {
        None => Ok(meta),
        Some(what) => Err(ErrorKind::NotAFile(what)),
    }
}

/// The bytes of the regular file at `path`, at most `limit.bytes` of them.
///
/// The file type is checked before opening (opening a named pipe blocks until a writer
/// comes) and again on the open file, and reading stops one byte past the limit, so
/// neither a file that grows nor one that reports no size can exceed it.
///
/// # Errors
///
/// [`ErrorKind::NotAFile`], [`ErrorKind::TooLarge`] or [`ErrorKind::Io`].
pub fn read_file(path: &Path, limit: SizeLimit) -> Result<Vec<u8>, ErrorKind> {
    let meta = check_regular_file(path)?;
    if meta.len() > limit.bytes {
        return Err(too_large(limit, meta.len()));
    }
    let file = File::open(path)?;
    if let Some(what) = describe(file.metadata()?.file_type()) {
        return Err(ErrorKind::NotAFile(what));
    }
    read_limited(file, limit, usize::try_from(meta.len()).unwrap_or(0))
}

/// Standard input, at most `limit.bytes` of it.
///
/// # Errors
///
/// [`ErrorKind::TooLarge`] or [`ErrorKind::Io`].
pub fn read_stdin(limit: SizeLimit) -> Result<Vec<u8>, ErrorKind> {
    read_limited(std::io::stdin().lock(), limit, 0)
}

fn read_limited(reader: impl Read, limit: SizeLimit, hint: usize) -> Result<Vec<u8>, ErrorKind> {
    let mut bytes = Vec::with_capacity(hint);
    reader.take(limit.bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large(limit, bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`ErrorKind::TooLarge`] for `size` bytes (at least; reading stopped there).
#[must_use]
pub fn too_large(limit: SizeLimit, size: u64) -> ErrorKind {
    ErrorKind::TooLarge {
        what: limit.what,
        size,
        limit: limit.bytes,
    }
}

/// Checks that `bytes` of a kind read from a source that was read as another kind
/// (standard input, or a `PLAN` that turns out to be a template) fit `limit`.
///
/// # Errors
///
/// [`ErrorKind::TooLarge`].
pub fn check_size(bytes: &[u8], limit: SizeLimit) -> Result<(), ErrorKind> {
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large(limit, bytes.len() as u64));
    }
    Ok(())
}

/// A size in bytes the way people read it: `1.5 GiB`, `730 KiB`, `12 bytes`.
#[must_use]
pub fn human_size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // a rounded size for a message
    let b = bytes as f64;
    let (value, unit) = if bytes >= 1 << 30 {
        (b / f64::from(1u32 << 30), "GiB")
    } else if bytes >= 1 << 20 {
        (b / f64::from(1u32 << 20), "MiB")
    } else if bytes >= 1 << 10 {
        (b / 1024.0, "KiB")
    } else {
        return format!("{bytes} bytes");
    };
    if value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// The deepest nesting of brackets (`(`, `[`, `{`) in `text`, ignoring closers that
/// close nothing; a cheap, conservative check before a recursive parser sees the text.
/// Returns the byte offset where `limit` is first exceeded.
#[must_use]
pub fn bracket_depth_exceeds(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(4 << 20), "4 MiB");
        assert_eq!(human_size(1536 << 20), "1.5 GiB");
    }

    #[test]
    fn bracket_depth_counts_every_kind_and_ignores_stray_closers() {
        assert_eq!(bracket_depth_exceeds("}}([{}])", 3), None);
        assert_eq!(bracket_depth_exceeds("a([{(", 3), Some(4));
    }

    #[test]
    fn a_file_over_its_limit_is_refused_before_reading() {
        let dir = std::env::temp_dir().join(format!("reachdiff-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big");
        std::fs::write(&path, vec![b'x'; 100]).unwrap();
        let small = SizeLimit {
            what: "test file",
            bytes: 99,
        };
        let err = read_file(&path, small).unwrap_err();
        assert!(
            matches!(
                err,
                ErrorKind::TooLarge {
                    size: 100,
                    limit: 99,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(read_file(&path, PLAN).unwrap().len(), 100);
        let err = read_file(&dir, PLAN).unwrap_err();
        assert!(matches!(err, ErrorKind::NotAFile("a directory")), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
