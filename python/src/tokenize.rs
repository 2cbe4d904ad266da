//! `cmgems.Tokenizer`: core's [`Tokenizer`] (raw DNA or k-mer text to DNABERT ids).

use crate::arrays::to_numpy;
use crate::error::{core, value};
use cmgems_core::input::{WindowSpec, Windows};
use cmgems_core::tokenize::tokenizer::MAX_MODEL_LEN;
use cmgems_core::tokenize::vocab::{PAD_ID, UNK_ID};
use cmgems_core::{Tokenizer, K};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// Turns raw DNA or DNABERT k-mer text into ids: `[CLS] k-mer ids [SEP]`.
#[pyclass(name = "Tokenizer", module = "cmgems", frozen)]
pub struct PyTokenizer {
    inner: Tokenizer,
    strict: bool,
}

#[pymethods]
impl PyTokenizer {
    #[new]
    #[pyo3(signature = (k = 6, max_len = MAX_MODEL_LEN, strict = false))]
    fn new(k: usize, max_len: usize, strict: bool) -> PyResult<Self> {
        let k = K::new(k).map_err(core)?;
        Ok(PyTokenizer {
            inner: Tokenizer::new(k, max_len, false).map_err(core)?,
            strict,
        })
    }

    /// The k of the k-mers.
    #[getter]
    fn k(&self) -> usize {
        self.inner.k().get()
    }

    /// Most positions an encoding has, [CLS] and [SEP] included.
    #[getter]
    fn max_len(&self) -> usize {
        self.inner.max_len()
    }

    /// Whether k-mers with letters other than A/C/G/T are an error (else [UNK]).
    #[getter]
    fn strict(&self) -> bool {
        self.strict
    }

    /// 5 + 4^k.
    #[getter]
    fn vocab_size(&self) -> usize {
        self.inner.vocab().size()
    }

    /// DNABERT's vocab.txt for this k (one token per line).
    fn vocab_txt(&self) -> String {
        self.inner.vocab().vocab_txt()
    }

    /// Writes DNABERT's vocab.txt into `save_directory` (created if needed); HF Trainer
    /// calls this on a collator's tokenizer when it saves a checkpoint or model.
    #[pyo3(signature = (save_directory, **_kwargs))]
    fn save_pretrained(
        &self,
        save_directory: PathBuf,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<PathBuf>> {
        let io =
            |e: std::io::Error| PyOSError::new_err(format!("{}: {e}", save_directory.display()));
        std::fs::create_dir_all(&save_directory).map_err(io)?;
        let path = save_directory.join("vocab.txt");
        std::fs::write(&path, self.inner.vocab().vocab_txt()).map_err(io)?;
        Ok(vec![path])
    }

    /// The ids of one sequence (raw nucleotides, or whitespace-separated k-mers).
    fn encode(&self, text: &str) -> PyResult<Vec<u32>> {
        let mut out = Vec::new();
        self.encode_into(text, 0, &mut out)?;
        Ok(out)
    }

    /// A long sequence as the model inputs `train mask` cuts it into: windows of `window`
    /// k-mer tokens (1..=510) every `stride` tokens (default: back to back), each
    /// `[CLS] ids [SEP]`.
    #[pyo3(signature = (text, window = 510, stride = None))]
    fn encode_windows(
        &self,
        text: &str,
        window: usize,
        stride: Option<usize>,
    ) -> PyResult<Vec<Vec<u32>>> {
        let spec = WindowSpec::new(window, stride.unwrap_or(window)).map_err(core)?;
        let windows = Windows::from_text(text, self.inner.k(), spec).map_err(core)?;
        if self.strict && windows.unknown() > 0 {
            return Err(value(format!(
                "{} k-mers hold a letter other than A, C, G, T (strict=True)",
                windows.unknown()
            )));
        }
        Ok(windows.iter().map(<[u32]>::to_vec).collect())
    }

    /// Encodes every text and pads to the longest (rounded up to `pad_to_multiple_of`):
    /// a dict of int64 arrays `input_ids` and `attention_mask`, shape (batch, length).
    #[pyo3(signature = (texts, pad_to_multiple_of = None))]
    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        pad_to_multiple_of: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        if texts.is_empty() {
            return Err(value("encode_batch needs at least one sequence"));
        }
        let (ids, attention, cols) = py.detach(|| self.pad_batch(&texts, pad_to_multiple_of))?;
        let out = PyDict::new(py);
        out.set_item("input_ids", to_numpy(py, texts.len(), cols, &ids))?;
        out.set_item(
            "attention_mask",
            to_numpy(py, texts.len(), cols, &attention),
        )?;
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "Tokenizer(k={}, max_len={}, strict={})",
            self.k(),
            self.inner.max_len(),
            if self.strict { "True" } else { "False" }
        )
    }
}

impl PyTokenizer {
    /// Encodes text number `index` of a request into `out`.
    fn encode_into(&self, text: &str, index: usize, out: &mut Vec<u32>) -> PyResult<()> {
        let enc = self
            .inner
            .encode(text, out)
            .map_err(|e| value(format!("sequence {index}: {e}")))?;
        if enc.tokens == 0 {
            return Err(value(format!(
                "sequence {index} is shorter than one {}-mer",
                self.inner.k()
            )));
        }
        if self.strict && enc.unknown > 0 {
            let first = out.iter().position(|&id| id == UNK_ID).unwrap_or(0);
            return Err(value(format!(
                "sequence {index}: {} k-mers hold a letter other than A, C, G, T, the first at \
                 position {first} (strict=True; strict=False encodes them as [UNK])",
                enc.unknown
            )));
        }
        Ok(())
    }

    /// Row-major padded ids and attention, and the padded length.
    fn pad_batch(
        &self,
        texts: &[String],
        multiple: Option<usize>,
    ) -> PyResult<(Vec<u32>, Vec<u32>, usize)> {
        let mut encoded = Vec::with_capacity(texts.len());
        for (i, t) in texts.iter().enumerate() {
            let mut ids = Vec::new();
            self.encode_into(t, i, &mut ids)?;
            encoded.push(ids);
        }
        let longest = encoded.iter().map(Vec::len).max().unwrap_or(0);
        let cols = match multiple {
            Some(0) => return Err(value("pad_to_multiple_of must be at least 1")),
            Some(m) => longest.div_ceil(m) * m,
            None => longest,
        };
        let mut ids = vec![PAD_ID; texts.len() * cols];
        let mut attention = vec![0u32; texts.len() * cols];
        for (r, row) in encoded.iter().enumerate() {
            ids[r * cols..r * cols + row.len()].copy_from_slice(row);
            attention[r * cols..r * cols + row.len()].fill(1);
        }
        Ok((ids, attention, cols))
    }
}
