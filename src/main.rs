//! The `reachdiff` binary: parses flags, runs the pipeline, maps the outcome to an exit
//! status. All logic lives in the library; see `src/lib.rs`.

mod cli;

use std::io::{self, Write};
use std::process::ExitCode;

use cli::ExitStatus;

fn main() -> ExitCode {
    let args = cli::parse();
    let status = match cli::run(args) {
        Ok(status) => status,
        Err(err) => {
            // A closed pipe (`reachdiff plan.json | head`) is not an error.
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
