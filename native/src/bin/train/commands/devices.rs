//! `train devices`: what each backend finds on this machine.

use anyhow::Result;
use cmgems_native::backend::{cuda_devices, select_device, wgpu_adapters, BackendChoice};

pub fn run() -> Result<()> {
    let adapters = wgpu_adapters();
    if adapters.is_empty() {
        println!("wgpu: no adapter (no Vulkan/Metal/DX12 driver found)");
    }
    for (i, a) in adapters.iter().enumerate() {
        let kind = if a.hardware { "GPU" } else { "software" };
        println!("wgpu {i}: {} ({kind})", a.name);
    }
    match cuda_devices() {
        Ok(all) => all.iter().for_each(|d| println!("cuda: {d:?}")),
        Err(reason) => println!("cuda: {reason}"),
    }
    println!("cpu: Flex, {} threads", rayon::current_num_threads());
    let auto = select_device(BackendChoice::Auto);
    println!("--backend auto uses: {:?}", auto.device);
    Ok(())
}
