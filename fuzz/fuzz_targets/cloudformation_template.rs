//! CloudFormation templates (YAML or JSON), read as the change creating their stack.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use reachdiff::Warnings;
use reachdiff::source::cloudformation;
use reachdiff::source::context::Context;

fuzz_target!(|data: &[u8]| {
    let mut warnings = Warnings::new();
    if let Ok(pair) = cloudformation::load_created(data, &BTreeMap::new(), &mut warnings) {
        reachdiff_fuzz::analyse(&pair, warnings);
    }
});
