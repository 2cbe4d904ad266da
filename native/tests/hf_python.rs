//! Weights travel both ways between cmgems and Python `transformers`: a model exported here
//! gives the same logits there, and a model made there gives the same logits here (within
//! 1e-4). Needs Python with torch and transformers (`$CMGEMS_PYTHON`, else `python3`); skips
//! with a message without them, unless `CMGEMS_REQUIRE_PYTHON=1` (CI) makes that a failure.

use std::path::{Path, PathBuf};

use crate::common::python::{python, run_script, script};
use burn::tensor::{Device, Int, Tensor, TensorData};
use cmgems_native::finetune::InitSource;
use cmgems_native::hf::write_hf_folder;
use cmgems_native::model::{BertForMaskedLM, BertForSequenceClassification, PaddingMask, Preset};

const TOLERANCE: f64 = 1e-4;
const IDS: [[i64; 6]; 2] = [[2, 10, 500, 4000, 4, 3], [2, 7, 8, 3, 0, 0]];
const MASK: [[i64; 6]; 2] = [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]];

fn run_python(python: &str, args: &[&str]) {
    run_script(python, &script("hf_roundtrip.py"), args);
}

fn batch(device: &Device) -> (Tensor<2, Int>, PaddingMask) {
    let flat = |m: [[i64; 6]; 2]| m.iter().flatten().copied().collect::<Vec<i64>>();
    let ids = Tensor::<2, Int>::from_data(TensorData::new(flat(IDS), [2, 6]), device);
    let mask = Tensor::<2, Int>::from_data(TensorData::new(flat(MASK), [2, 6]), device);
    (ids, PaddingMask::from_attention_mask(mask))
}

fn flatten(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Array(items) => items.iter().flat_map(flatten).collect(),
        n => vec![n.as_f64().expect("a number")],
    }
}

fn read_logits(path: &Path) -> Vec<f64> {
    flatten(&serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
}

fn assert_close(ours: &[f64], theirs: &[f64], what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}: logit counts differ");
    let worst = ours
        .iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < TOLERANCE, "{what}: max |difference| {worst}");
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    t.into_data()
        .try_to_vec::<f32>()
        .unwrap()
        .into_iter()
        .map(f64::from)
        .collect()
}

fn write_batch(dir: &Path) -> PathBuf {
    let path = dir.join("batch.json");
    let json = serde_json::json!({"input_ids": IDS, "attention_mask": MASK});
    std::fs::write(&path, json.to_string()).unwrap();
    path
}

#[test]
fn exported_models_give_the_same_logits_in_transformers() {
    let Some(python) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let device = Device::flex();
    device.seed(7);
    let config = Preset::Tiny.config();
    let ids = write_batch(tmp.path());

    // What `transformers` computes for the folder `kind` was exported to.
    let theirs = |kind: &str| {
        let dir = tmp.path().join(kind);
        let out = tmp.path().join(format!("{kind}_logits.json"));
        let args = [&dir, &ids, &out].map(|p| p.to_str().unwrap().to_string());
        run_python(&python, &["logits", &args[0], kind, &args[1], &args[2]]);
        read_logits(&out)
    };

    let mlm = BertForMaskedLM::new(&config, &device);
    write_hf_folder(
        &mlm,
        &config,
        "BertForMaskedLM",
        None,
        &tmp.path().join("mlm"),
    )
    .unwrap();
    let (x, mask) = batch(&device);
    let ours = values(mlm.forward(x, &mask));
    assert_close(&ours, &theirs("mlm"), "BertForMaskedLM export");

    let cls = BertForSequenceClassification::new(&config, 3, &device);
    let dir = tmp.path().join("cls");
    write_hf_folder(
        &cls,
        &config,
        "BertForSequenceClassification",
        Some(3),
        &dir,
    )
    .unwrap();
    let (x, mask) = batch(&device);
    let ours = values(cls.forward(x, &mask));
    assert_close(
        &ours,
        &theirs("cls"),
        "BertForSequenceClassification export",
    );
}

#[test]
fn models_made_in_transformers_give_the_same_logits_here() {
    let Some(python) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    run_python(&python, &["make", tmp.path().to_str().unwrap()]);
    let device = Device::flex();
    let theirs = read_logits(&tmp.path().join("mlm_logits.json"));
    for folder in ["mlm_safetensors", "mlm_bin"] {
        let init = InitSource::resolve(tmp.path().join(folder).to_str().unwrap()).unwrap();
        let (mlm, _) = init.masked_lm(&device).unwrap();
        let (x, mask) = batch(&device);
        assert_close(&values(mlm.forward(x, &mask)), &theirs, folder);
    }
    let init = InitSource::resolve(tmp.path().join("cls").to_str().unwrap()).unwrap();
    let config = init.config().unwrap();
    let (cls, report) = init.classifier(&config, 3, &device).unwrap();
    assert!(
        report.fresh.is_empty(),
        "nothing left fresh: {:?}",
        report.fresh
    );
    let (x, mask) = batch(&device);
    assert_close(
        &values(cls.forward(x, &mask)),
        &read_logits(&tmp.path().join("cls_logits.json")),
        "BertForSequenceClassification import",
    );
}
