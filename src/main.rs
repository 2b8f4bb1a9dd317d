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

/// mimalloc's `mi_option_purge_delay` (the same index in mimalloc 2 and 3; a test below
/// checks it against the option's default in the mimalloc 3 that `libmimalloc-sys`
/// builds).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Lets mimalloc give freed pages back to the system at once rather than after its
/// default second (ten for whole arenas). A plan's text, as large as the plan, is freed
/// once it is read, and the analysis frees as it goes; with the delay, the 93 MB
/// 10,000-instance plan peaked 12 MB (7 %) higher and its text stayed counted during
/// the analysis, for no measurable gain in time (`docs/benchmarks.md`).
/// `MIMALLOC_PURGE_DELAY` in the environment still wins.
///
/// On Linux it also turns transparent huge pages off for this process. mimalloc asks
/// for them on its arenas (`madvise`), and the kernel then zeroes a whole 2 MiB page on
/// a first touch: on the 100 MB plan a quarter of the samples were in the kernel's
/// `clear_page`, and the run was 0.15–0.3 s slower and 7–8 MB larger than without
/// them. mimalloc's own switch (`MIMALLOC_ALLOW_THP=0`) is read when it starts, before
/// `main`; the process flag it would set is set here instead, and holds for every later
/// page fault (and for the `git` and `terraform` reachdiff may run, which inherit it).
/// `MIMALLOC_ALLOW_THP` in the environment still wins.
fn configure_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's integer options; no pointers involved.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: `PR_SET_THP_DISABLE` takes integer arguments only and changes no
        // memory; on a kernel without it the call fails harmlessly (ignored).
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

fn main() -> ExitCode {
    configure_allocator();
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

#[cfg(test)]
mod tests {
    /// The index names the purge delay: its default in mimalloc 3 is 1000 (ms), which
    /// none of its neighbours share (`eager_commit_delay` 1, `use_numa_nodes` 0).
    #[test]
    fn purge_delay_option_index() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads one of mimalloc's integer options.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, 1000);
    }
}
