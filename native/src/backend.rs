//! `--backend wgpu|cuda|cpu` → a burn `Device`, falling back to the CPU with a message when
//! the requested GPU backend has no device here.
//!
//! burn 0.22 has no backend type parameter: one `Device` value picks the backend at run time,
//! and `.autodiff()` on it gives the training device.

use burn::tensor::{Device, DeviceKind, DeviceType};

/// Which backend the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// wgpu on whatever graphics API the platform has (Vulkan, Metal, DX12), with fusion.
    Wgpu,
    /// burn's CUDA backend (cargo feature `cuda`).
    Cuda,
    /// burn's Flex backend: pure Rust, SIMD + rayon.
    Cpu,
}

impl BackendChoice {
    /// The value of burn's `BURN_DEVICE` variable that makes `Device::default()` this backend.
    pub fn burn_device_name(self) -> &'static str {
        match self {
            Self::Wgpu => "wgpu",
            Self::Cuda => "cuda",
            Self::Cpu => "flex",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "wgpu" => Some(Self::Wgpu),
            "cuda" => Some(Self::Cuda),
            "cpu" | "flex" => Some(Self::Cpu),
            _ => None,
        }
    }
}

/// A device and the backend it actually runs on.
#[derive(Debug, Clone)]
pub struct Selected {
    pub device: Device,
    pub backend: BackendChoice,
    /// Why the requested backend was not used, when it was not.
    pub fallback: Option<String>,
}

fn cpu_fallback(why: &str) -> Selected {
    Selected {
        device: Device::flex(),
        backend: BackendChoice::Cpu,
        fallback: Some(why.into()),
    }
}

/// The device for `choice`, or the CPU with the reason when that backend has no device.
///
/// The returned device is plain; call `.autodiff()` for training.
pub fn select_device(choice: BackendChoice) -> Selected {
    let device = match choice {
        BackendChoice::Cpu => Device::flex(),
        BackendChoice::Wgpu => {
            if Device::enumerate(DeviceType::Wgpu).into_vec().is_empty() {
                return cpu_fallback(
                    "no wgpu adapter found (install a Vulkan driver, e.g. Debian's \
                     mesa-vulkan-drivers); using the CPU backend",
                );
            }
            Device::wgpu(DeviceKind::DefaultDevice)
        }
        BackendChoice::Cuda => match cuda_device() {
            Ok(device) => device,
            Err(why) => return cpu_fallback(why),
        },
    };
    Selected {
        device,
        backend: choice,
        fallback: None,
    }
}

#[cfg(feature = "cuda")]
fn cuda_device() -> Result<Device, &'static str> {
    if Device::enumerate(DeviceType::Cuda).into_vec().is_empty() {
        Err("no CUDA device found; using the CPU backend")
    } else {
        Ok(Device::cuda(0))
    }
}

#[cfg(not(feature = "cuda"))]
fn cuda_device() -> Result<Device, &'static str> {
    Err("this build has no CUDA backend (cargo feature `cuda`); using the CPU backend")
}

/// Points burn's `Device::default()` (which `ModuleOptimizer::load` uses for its state) at
/// the chosen backend, so that a CPU run or resume never opens a GPU. Call it before any
/// other thread starts: it sets an environment variable.
pub fn set_default_device(choice: BackendChoice) {
    if std::env::var_os("BURN_DEVICE").is_none() {
        std::env::set_var("BURN_DEVICE", choice.burn_device_name());
    }
}
