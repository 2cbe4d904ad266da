//! The HF key set of the tiny model, and a safetensors file `transformers` can read.

use std::collections::BTreeMap;

use burn::tensor::{Device, Int, Tensor, TensorData};
use cmgems_native::hf;
use cmgems_native::model::{BertForMaskedLM, BertForSequenceClassification, PaddingMask, Preset};

/// Every key of HF `BertForMaskedLM(tiny).state_dict()` except the two tied decoder entries,
/// which `save_pretrained` drops as duplicates too, with PyTorch shapes.
fn expected_mlm_keys() -> BTreeMap<String, Vec<usize>> {
    // tiny: vocab 4101, hidden 64, 2 layers, FFN 128, 128 positions, 2 token types.
    let (v, h, f, p) = (4101, 64, 128, 128);
    let mut keys = BTreeMap::new();
    let mut add = |k: String, s: Vec<usize>| {
        keys.insert(k, s);
    };
    add("bert.embeddings.word_embeddings.weight".into(), vec![v, h]);
    add(
        "bert.embeddings.position_embeddings.weight".into(),
        vec![p, h],
    );
    add(
        "bert.embeddings.token_type_embeddings.weight".into(),
        vec![2, h],
    );
    add("bert.embeddings.LayerNorm.weight".into(), vec![h]);
    add("bert.embeddings.LayerNorm.bias".into(), vec![h]);
    for n in 0..2 {
        let l = format!("bert.encoder.layer.{n}");
        for m in ["query", "key", "value"] {
            add(format!("{l}.attention.self.{m}.weight"), vec![h, h]);
            add(format!("{l}.attention.self.{m}.bias"), vec![h]);
        }
        add(format!("{l}.attention.output.dense.weight"), vec![h, h]);
        add(format!("{l}.attention.output.dense.bias"), vec![h]);
        add(format!("{l}.attention.output.LayerNorm.weight"), vec![h]);
        add(format!("{l}.attention.output.LayerNorm.bias"), vec![h]);
        add(format!("{l}.intermediate.dense.weight"), vec![f, h]);
        add(format!("{l}.intermediate.dense.bias"), vec![f]);
        add(format!("{l}.output.dense.weight"), vec![h, f]);
        add(format!("{l}.output.dense.bias"), vec![h]);
        add(format!("{l}.output.LayerNorm.weight"), vec![h]);
        add(format!("{l}.output.LayerNorm.bias"), vec![h]);
    }
    add("cls.predictions.bias".into(), vec![v]);
    add("cls.predictions.transform.dense.weight".into(), vec![h, h]);
    add("cls.predictions.transform.dense.bias".into(), vec![h]);
    add("cls.predictions.transform.LayerNorm.weight".into(), vec![h]);
    add("cls.predictions.transform.LayerNorm.bias".into(), vec![h]);
    keys
}

#[test]
fn mlm_keys_and_shapes_are_transformers_ones() {
    let model = BertForMaskedLM::new(&Preset::Tiny.config(), &Device::flex());
    let got: BTreeMap<String, Vec<usize>> = hf::hf_keys(&model).into_iter().collect();
    assert_eq!(got, expected_mlm_keys());
}

#[test]
fn classification_adds_pooler_and_classifier() {
    let model = BertForSequenceClassification::new(&Preset::Tiny.config(), 3, &Device::flex());
    let got: BTreeMap<String, Vec<usize>> = hf::hf_keys(&model).into_iter().collect();
    assert_eq!(got["bert.pooler.dense.weight"], vec![64, 64]);
    assert_eq!(got["classifier.weight"], vec![3, 64]);
    assert_eq!(got["classifier.bias"], vec![3]);
    assert!(!got.keys().any(|k| k.starts_with("cls.")));
    // The encoder part is the MLM model's, key for key.
    let encoder: Vec<_> = got
        .keys()
        .filter(|k| k.starts_with("bert.") && !k.contains("pooler"))
        .collect();
    let mlm = expected_mlm_keys();
    let mlm_encoder: Vec<_> = mlm.keys().filter(|k| k.starts_with("bert.")).collect();
    assert_eq!(encoder, mlm_encoder);
}

/// Reads the JSON header of a safetensors file: 8-byte little-endian length, then JSON.
fn safetensors_header(bytes: &[u8]) -> serde_json::Value {
    let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    serde_json::from_slice(&bytes[8..8 + len]).unwrap()
}

#[test]
fn safetensors_export_is_hf_loadable_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    let device = Device::flex();
    let config = Preset::Tiny.config();
    let model = BertForMaskedLM::new(&config, &device);
    hf::save_safetensors(&model, &path).unwrap();

    let header = safetensors_header(&std::fs::read(&path).unwrap());
    // transformers refuses files whose metadata format is not "pt".
    assert_eq!(header["__metadata__"]["format"], "pt");
    let mut file_keys = BTreeMap::new();
    for (key, entry) in header.as_object().unwrap() {
        if key == "__metadata__" {
            continue;
        }
        assert_eq!(entry["dtype"], "F32", "{key}");
        let shape: Vec<usize> = serde_json::from_value(entry["shape"].clone()).unwrap();
        file_keys.insert(key.clone(), shape);
    }
    assert_eq!(file_keys, expected_mlm_keys());

    // Stored [out, in]: the query weight in the file is the transpose of burn's.
    let back = hf::load_safetensors(BertForMaskedLM::new(&config, &device), &path).unwrap();
    let ids =
        Tensor::<2, Int>::from_data(TensorData::new(vec![2i64, 9, 4, 17, 3, 0], [1, 6]), &device);
    let mask = PaddingMask::from_attention_mask(Tensor::from_data(
        TensorData::new(vec![1i64, 1, 1, 1, 1, 0], [1, 6]),
        &device,
    ));
    let a = model.forward(ids.clone(), &mask).into_data();
    let b = back.forward(ids, &mask).into_data();
    assert_eq!(a, b);
}

#[test]
fn loading_refuses_a_file_missing_a_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.safetensors");
    let device = Device::flex();
    let mut one_layer = Preset::Tiny.config();
    one_layer.num_hidden_layers = 1;
    hf::save_safetensors(&BertForMaskedLM::new(&one_layer, &device), &path).unwrap();
    let err = hf::load_safetensors(BertForMaskedLM::new(&Preset::Tiny.config(), &device), &path);
    assert!(matches!(err, Err(hf::HfError::Missing { .. })), "{err:?}");
}
