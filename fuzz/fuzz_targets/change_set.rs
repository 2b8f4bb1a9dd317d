//! CloudFormation change sets (`describe-change-set`), read on their own.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reachdiff::Warnings;
use reachdiff::source::cloudformation::changeset;
use reachdiff::source::context::Context;

fuzz_target!(|data: &[u8]| {
    let mut warnings = Warnings::new();
    if let Ok(cs) = changeset::parse(data)
        && let Ok(pair) = changeset::load_standalone(&cs, &Context::default(), &mut warnings)
    {
        reachdiff_fuzz::analyse(&pair, warnings);
    }
});
