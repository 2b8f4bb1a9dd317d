//! `terraform show -json` plans: reading, then the whole analysis.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reachdiff::Warnings;
use reachdiff::source::terraform_plan;

fuzz_target!(|data: &[u8]| {
    let mut warnings = Warnings::new();
    if let Ok(pair) = terraform_plan::load(data, &mut warnings) {
        reachdiff_fuzz::analyse(&pair, warnings);
    }
});
