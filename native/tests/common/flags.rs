//! Flag lists of short `train pretrain` runs (`cli.rs`, `pretrain.rs`).

use std::path::Path;

/// `train pretrain --out OUT` with `defaults`, less the flags that `extra` names again, then
/// `extra`: each test spells out only what it changes.
pub fn pretrain_args(out: &Path, defaults: &[(&str, &str)], extra: &[&str]) -> Vec<String> {
    let out = out.to_str().expect("a UTF-8 temporary path");
    let mut args = vec!["pretrain".to_string(), "--out".into(), out.into()];
    for (flag, value) in defaults {
        if !extra.contains(flag) {
            args.extend([flag.to_string(), value.to_string()]);
        }
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}
