//! A directory of Terraform configuration: the input is `main.tf`, with a module it may
//! call (`./m`, a copy of the scenario module), evaluated and read as the plan it implies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reachdiff::Warnings;
use reachdiff::source::terraform_hcl::{self, MemTree};
use reachdiff::source::terraform_plan;

fuzz_target!(|data: &[u8]| {
    let mut tree = MemTree::default();
    tree.0.insert("main.tf".into(), data.to_vec());
    tree.0.insert(
        "m/main.tf".into(),
        b"variable \"n\" {}\nresource \"aws_security_group\" \"g\" {\n  count = var.n\n}\n".to_vec(),
    );
    let mut warnings = Warnings::new();
    if let Ok(config) =
        terraform_hcl::evaluate(&tree, "", &terraform_hcl::Options::default(), &mut warnings)
    {
        let plan = terraform_hcl::synthesize(None, &config);
        let pair = terraform_plan::load(plan.as_bytes(), &mut warnings)
            .expect("a synthesized plan reads");
        reachdiff_fuzz::analyse(&pair, warnings);
    }
});
