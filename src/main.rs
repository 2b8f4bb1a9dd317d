//! The `reachdiff` binary: parses flags, runs the pipeline, maps the outcome to an exit
//! status. All logic lives in the library; see `src/lib.rs`.

mod cli;

use std::io::{self, Write};
use std::process::ExitCode;

use cli::ExitStatus;

/// mimalloc: reading a plan allocates and frees millions of small values (one tree per
/// resource, header-space segments); the system allocator spent about a fifth of a
/// 100 MB plan's time in `malloc` and `free` (`docs/benchmarks.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives memory freed so far back to the system now. mimalloc keeps freed memory for a
/// while (up to ten seconds for large blocks) to reuse it; after a plan is read, the
/// largest block — its text, as large as the plan — is not reused, so a 93 MB plan
/// would peak with its text still counted next to the analysis (`docs/benchmarks.md`).
/// Called once per phase, never in a loop.
pub(crate) fn release_freed_memory() {
    // SAFETY: `mi_collect` takes no pointers; it only walks mimalloc's own free lists,
    // which the global allocator above owns.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

fn main() -> ExitCode {
    let args = cli::parse();
    let status = match cli::run(args) {
        Ok(status) => status,
        Err(err) => {
            // Writers swallow a closed pipe (`reachdiff plan.json | head`) and the run
            // keeps its gate's status (see `cli::write_to`); one that still arrives here
            // came from elsewhere in the output, and is not an error either.
            if err
                .downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::from(ExitStatus::Clean as u8);
            }
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitStatus::Error
        }
    };
    ExitCode::from(status as u8)
}

/// `true` when the process started with standard output closed (`reachdiff … >&-`).
///
/// Rust's runtime opens `/dev/null` on a closed standard descriptor before `main`, so
/// by then writes succeed and the report would vanish with exit status 0 or 1. The
/// descriptor is therefore looked at earlier, by a function the loader runs before the
/// runtime starts (an ELF `.init_array` entry; `__mod_init_func` on macOS). Elsewhere
/// this reports `false`: the report goes to `/dev/null` as before.
pub(crate) fn stdout_was_closed() -> bool {
    stdout_at_start::CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

mod stdout_at_start {
    use std::sync::atomic::AtomicBool;

    pub(super) static CLOSED: AtomicBool = AtomicBool::new(false);

    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    #[used]
    #[unsafe(link_section = ".init_array")]
    static RECORD: extern "C" fn() = record;

    #[cfg(target_os = "macos")]
    #[used]
    #[unsafe(link_section = "__DATA,__mod_init_func")]
    static RECORD: extern "C" fn() = record;

    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "macos"
    ))]
    extern "C" fn record() {
        // SAFETY: `F_GETFD` only reads the descriptor's flags; it fails (-1, EBADF)
        // exactly when descriptor 1 is not open.
        let closed = unsafe { libc::fcntl(1, libc::F_GETFD) } == -1;
        CLOSED.store(closed, std::sync::atomic::Ordering::Relaxed);
    }
}
