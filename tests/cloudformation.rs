//! Every `CloudFormation` template of the shared corpus loads without a panic, and real
//! templates without an error (skipped when the corpus is not on this machine).

#![expect(
    clippy::disallowed_macros,
    reason = "the sweep reports what each file gave on stderr"
)]

use std::collections::BTreeMap;
use std::path::Path;

use reachdiff::Warnings;
use reachdiff::source::cloudformation;

const CORPUS: &str = "/work/shared/corpus/cfn";

/// Fixtures that are not deployable templates and may be refused, with a clear error.
const MAY_FAIL: [&str; 2] = ["__bad__", "RainModules"];

#[test]
fn every_corpus_template_loads() {
    let dir = Path::new(CORPUS);
    if !dir.is_dir() {
        eprintln!("note: {CORPUS} is missing; corpus test skipped");
        return;
    }
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let mut warnings = Warnings::new();
        let result = cloudformation::load(&bytes, &BTreeMap::new(), &mut warnings);
        match result {
            Ok(s) => eprintln!(
                "{name}: loaded ({} groups, {} acls, {} subnets, {} endpoints, {} warnings)",
                s.security_groups.len(),
                s.network_acls.len(),
                s.subnets.len(),
                s.endpoints.len(),
                warnings.len()
            ),
            Err(e) => {
                eprintln!("{name}: error: {e}");
                assert!(
                    MAY_FAIL.iter().any(|m| name.contains(m)),
                    "{name} should load: {e}"
                );
                assert!(!e.to_string().is_empty());
            }
        }
        assert!(
            cloudformation::is_template(&bytes) || MAY_FAIL.iter().any(|m| name.contains(m)),
            "{name} not detected"
        );
    }
}
