//! Gradient clipping by the global norm, as `torch.nn.utils.clip_grad_norm_` (what HF
//! Trainer's `max_grad_norm` = 1.0 and DNABERT's `run_pretrain.py` apply): the L2 norm of all
//! gradients taken together, and every gradient scaled by max_norm / (norm + 1e-6) when that
//! is below 1 (docs/algorithms.md §7.1).
//!
//! burn's `GradientClippingConfig::Norm` is another rule: burn-optim 0.22.1 calls
//! `GradientClipping::clip_by_norm` on each parameter's tensor alone
//! (`optim/module/module_optimizer.rs`), so each is held to the bound by its own norm and the
//! step's direction changes. Hence this visitor over the model's parameters.

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

/// torch's `clip_grad_norm_` adds this to the norm before dividing.
const TORCH_EPS: f64 = 1e-6;

/// Scales `grads` (gradients of `module`'s parameters) so their global L2 norm is at most
/// `max_norm`; returns them with the norm before clipping.
pub fn clip_grad_norm<M: Module>(
    module: &M,
    mut grads: GradientsParams,
    max_norm: f32,
) -> (GradientsParams, f64) {
    let mut squares = SumOfSquares {
        grads: &grads,
        sum: None,
    };
    module.visit(&mut squares);
    let norm = squares.sum.map_or(0.0, |s| {
        let sum: f32 = s.into_scalar();
        f64::from(sum).sqrt()
    });
    let coef = f64::from(max_norm) / (norm + TORCH_EPS);
    if coef < 1.0 {
        module.visit(&mut Scale {
            grads: &mut grads,
            coef,
        });
    }
    (grads, norm)
}

/// Σ g² over every parameter that has a gradient, on the gradients' device.
struct SumOfSquares<'a> {
    grads: &'a GradientsParams,
    sum: Option<Tensor<1>>,
}

impl ModuleVisitor for SumOfSquares<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            let s = g.square().sum();
            self.sum = Some(match self.sum.take() {
                Some(acc) => acc + s,
                None => s,
            });
        }
    }
}

/// Multiplies every gradient by `coef`.
struct Scale<'a> {
    grads: &'a mut GradientsParams,
    coef: f64,
}

impl ModuleVisitor for Scale<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.remove::<D>(param.id) {
            self.grads.register(param.id, g.mul_scalar(self.coef));
        }
    }
}
