//! `--backend auto|wgpu|cuda|cpu` (and `--devices N`) → burn `Device`s, falling back to the
//! CPU with a message when the requested GPU backend has no device here.
//!
//! burn 0.22 has no backend type parameter: one `Device` value picks the backend at run time,
//! and `.autodiff()` on it gives the training device.

use burn::tensor::{Device, DeviceKind, DeviceType};

/// Which backend the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// A GPU through wgpu when there is one, the CPU otherwise. A *software* wgpu adapter
    /// (Mesa's lavapipe, SwiftShader) counts as none: Flex trains ~10x faster on the same
    /// cores.
    Auto,
    /// wgpu on whatever graphics API the platform has (Vulkan, Metal, DX12), with fusion;
    /// a software adapter too, when it is the only one.
    Wgpu,
    /// burn's CUDA backend (cargo feature `cuda`).
    Cuda,
    /// burn's Flex backend: pure Rust, SIMD + rayon.
    Cpu,
}

impl BackendChoice {
    /// The value of burn's `BURN_DEVICE` variable that makes `Device::default()` this backend.
    /// `Auto` is resolved before this is asked.
    pub fn burn_device_name(self) -> &'static str {
        match self {
            Self::Auto | Self::Wgpu => "wgpu",
            Self::Cuda => "cuda",
            Self::Cpu => "flex",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "auto" => Some(Self::Auto),
            "wgpu" => Some(Self::Wgpu),
            "cuda" => Some(Self::Cuda),
            "cpu" | "flex" => Some(Self::Cpu),
            _ => None,
        }
    }
}

/// The devices of a run and the backend they actually run on.
#[derive(Debug, Clone)]
pub struct Selected {
    /// The main device: parameters and optimizer state live here.
    pub device: Device,
    /// Further devices for data-parallel training (`--devices N`); empty for one device.
    pub others: Vec<Device>,
    /// Never `Auto`: what `Auto` resolved to.
    pub backend: BackendChoice,
    /// Why the requested backend was not used, when it was not.
    pub fallback: Option<String>,
}

impl Selected {
    /// The further devices with autodiff, as `Trainer::with_devices` takes them.
    pub fn autodiff_others(&self) -> Vec<Device> {
        self.others.iter().map(|d| d.clone().autodiff()).collect()
    }
}

/// Why `devices = N` cannot be honoured (the key is `devices`: [`BackendError::key`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("devices must be at least 1")]
    Zero,
    #[error("devices = {wanted} asks for {wanted} {backend} devices, but {found}")]
    TooFew {
        wanted: usize,
        backend: &'static str,
        found: String,
    },
}

/// The CPU, because of `reason` (why the requested backend has no device).
fn cpu_fallback(reason: &str) -> Selected {
    Selected {
        device: Device::flex(),
        others: Vec::new(),
        backend: BackendChoice::Cpu,
        fallback: Some(format!("{reason}; using the CPU backend")),
    }
}

/// The device for `choice`, or the CPU with the reason when that backend has no device.
///
/// The returned device is plain; call `.autodiff()` for training.
pub fn select_device(choice: BackendChoice) -> Selected {
    select_devices(choice, 1).expect("one device is always available (the CPU)")
}

/// `count` devices of `choice` for data-parallel training, the first being the main one.
///
/// With one device a missing GPU falls back to the CPU with a message; asking for several
/// GPUs that are not there is an error (a silent single-CPU run would not be what was asked).
/// On the CPU backend `count > 1` gives replicas, one thread each, sharing the cores: the
/// data-parallel path runs without GPUs, and it keeps more cores busy than one replica
/// (Flex runs many element-wise ops on one thread).
pub fn select_devices(choice: BackendChoice, count: usize) -> Result<Selected, DeviceError> {
    if count == 0 {
        return Err(DeviceError::Zero);
    }
    match choice {
        BackendChoice::Cpu => Ok(selected(vec![Device::flex(); count], BackendChoice::Cpu)),
        BackendChoice::Wgpu | BackendChoice::Auto => select_wgpu(choice, count),
        BackendChoice::Cuda => select_cuda(count),
    }
}

/// `count` wgpu devices: hardware adapters, software ones only for an explicit `wgpu`; one
/// device falls back to the CPU (with the reason) where there is none to use.
fn select_wgpu(choice: BackendChoice, count: usize) -> Result<Selected, DeviceError> {
    let (hardware, software): (Vec<Adapter>, Vec<Adapter>) =
        wgpu_adapters().into_iter().partition(|a| a.hardware);
    let usable = if choice == BackendChoice::Wgpu && hardware.is_empty() {
        &software
    } else {
        &hardware
    };
    if usable.is_empty() {
        let reason = if software.is_empty() {
            "no wgpu adapter found (install a Vulkan driver, e.g. Debian's \
             mesa-vulkan-drivers)"
                .to_string()
        } else {
            format!(
                "no GPU found, only the software wgpu adapter ({}), on which the CPU \
                 backend is ~10x faster (backend wgpu uses it anyway)",
                adapter_names(&software)
            )
        };
        if count > 1 {
            return Err(DeviceError::TooFew {
                wanted: count,
                backend: "GPU",
                found: reason,
            });
        }
        return Ok(cpu_fallback(&reason));
    }
    if count > usable.len() {
        return Err(DeviceError::TooFew {
            wanted: count,
            backend: "wgpu",
            found: format!("{} found: {}", usable.len(), adapter_names(usable)),
        });
    }
    let devices = if count == 1 {
        // wgpu's own pick: a high-performance adapter before a software one, or
        // what CUBECL_WGPU_DEFAULT_DEVICE names.
        vec![Device::wgpu(DeviceKind::DefaultDevice)]
    } else {
        usable
            .iter()
            .take(count)
            .map(|a| a.device.clone())
            .collect()
    };
    Ok(selected(devices, BackendChoice::Wgpu))
}

/// `count` CUDA devices; one device falls back to the CPU where CUDA cannot be loaded.
fn select_cuda(count: usize) -> Result<Selected, DeviceError> {
    match cuda_devices() {
        Ok(all) if all.len() >= count => Ok(selected(
            all.into_iter().take(count).collect(),
            BackendChoice::Cuda,
        )),
        Ok(all) => Err(DeviceError::TooFew {
            wanted: count,
            backend: "CUDA",
            found: format!("{} found", all.len()),
        }),
        Err(reason) if count == 1 => Ok(cpu_fallback(reason)),
        Err(reason) => Err(DeviceError::TooFew {
            wanted: count,
            backend: "CUDA",
            found: reason.into(),
        }),
    }
}

/// The first of `devices` (at least one) leads; the rest share its steps.
fn selected(devices: Vec<Device>, backend: BackendChoice) -> Selected {
    let mut devices = devices.into_iter();
    Selected {
        device: devices.next().expect("count >= 1"),
        others: devices.collect(),
        backend,
        fallback: None,
    }
}

/// A device wgpu can run on.
#[derive(Debug, Clone)]
pub struct Adapter {
    pub device: Device,
    /// As the driver names it (`NVIDIA H200`, `llvmpipe (LLVM 15.0.6, 256 bits)`).
    pub name: String,
    /// A real GPU. cubecl reports no physical card for wgpu's `DeviceType::Cpu` adapters
    /// (software rasterizers), and only for those.
    pub hardware: bool,
}

/// Every wgpu adapter of this machine, in wgpu's order. Opens each one.
pub fn wgpu_adapters() -> Vec<Adapter> {
    Device::enumerate(DeviceType::Wgpu)
        .into_vec()
        .into_iter()
        .map(|device| {
            let identity = device.identity();
            Adapter {
                name: identity
                    .as_ref()
                    .map_or_else(|| format!("{device:?}"), |i| i.name.clone()),
                hardware: identity.is_some_and(|i| i.physical.is_some()),
                device,
            }
        })
        .collect()
}

fn adapter_names(adapters: &[Adapter]) -> String {
    adapters
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every CUDA device, or why there is none.
#[cfg(feature = "cuda")]
pub fn cuda_devices() -> Result<Vec<Device>, &'static str> {
    let all = Device::enumerate(DeviceType::Cuda).into_vec();
    if all.is_empty() {
        Err("no CUDA device found")
    } else {
        Ok(all)
    }
}

/// Every CUDA device, or why there is none.
#[cfg(not(feature = "cuda"))]
pub fn cuda_devices() -> Result<Vec<Device>, &'static str> {
    Err("this build has no CUDA backend (cargo feature `cuda`)")
}

/// Why `backend = NAME`, `devices = N` cannot run. Messages name those config keys; a front
/// end that sets them by flags adds its flag ([`BackendError::key`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("backend {0:?} is unknown: use auto, wgpu, cuda or cpu")]
    Unknown(String),
    #[error(transparent)]
    Devices(#[from] DeviceError),
}

impl BackendError {
    /// The config key the error is about: `backend` or `devices`.
    pub fn key(&self) -> &'static str {
        match self {
            BackendError::Unknown(_) => "backend",
            BackendError::Devices(_) => "devices",
        }
    }
}

/// Picks `devices` devices of the backend named `name` (`auto`, `wgpu`, `cuda`, `cpu`; one
/// device falls back to the CPU, saying why in `fallback`) and points burn's default device
/// at the backend. Call before any thread starts (it sets `BURN_DEVICE`).
pub fn select_backend(name: &str, devices: usize) -> Result<Selected, BackendError> {
    let choice =
        BackendChoice::from_name(name).ok_or_else(|| BackendError::Unknown(name.into()))?;
    let selected = select_devices(choice, devices)?;
    set_default_device(selected.backend);
    Ok(selected)
}

/// Points burn's `Device::default()` (which `ModuleOptimizer::load` uses for its state) at
/// the chosen backend, so that a CPU run or resume never opens a GPU. Call it before any
/// other thread starts: it sets an environment variable.
pub fn set_default_device(choice: BackendChoice) {
    if std::env::var_os("BURN_DEVICE").is_none() {
        std::env::set_var("BURN_DEVICE", choice.burn_device_name());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_replicas_are_the_data_parallel_path_without_gpus() {
        let s = select_devices(BackendChoice::Cpu, 3).unwrap();
        assert_eq!(s.others.len(), 2);
        assert_eq!(s.autodiff_others().len(), 2);
        assert_eq!(s.backend, BackendChoice::Cpu);
        assert!(s.fallback.is_none());
        assert_eq!(
            select_devices(BackendChoice::Cpu, 0).unwrap_err(),
            DeviceError::Zero
        );
    }

    #[test]
    fn backend_names_parse() {
        for (name, choice) in [
            ("auto", BackendChoice::Auto),
            ("wgpu", BackendChoice::Wgpu),
            ("cuda", BackendChoice::Cuda),
            ("cpu", BackendChoice::Cpu),
            ("flex", BackendChoice::Cpu),
        ] {
            assert_eq!(BackendChoice::from_name(name), Some(choice));
        }
        assert_eq!(BackendChoice::from_name("gpu"), None);
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn several_cuda_devices_without_cuda_is_an_error_not_a_fallback() {
        let err = select_devices(BackendChoice::Cuda, 2).unwrap_err();
        assert!(err.to_string().contains("devices = 2"), "{err}");
        assert!(select_device(BackendChoice::Cuda).fallback.is_some());
    }
}
