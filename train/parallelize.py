"""FSDP2 for the OPT model: ``fully_shard`` each decoder layer, then the root (as torchtitan does).

The root unit holds the token and position embeddings and the final LayerNorm; the tied output
projection reuses the token embedding inside the root's forward, so it is gathered once per step.
"""

from __future__ import annotations

import torch
from torch.distributed.device_mesh import DeviceMesh
from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

from model.loss import lm_loss
from model.model import OPTForCausalLM

PARAM_DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def parallelize(
    model: OPTForCausalLM,
    mesh: DeviceMesh,
    precision: str,
    compile: bool = False,
    reshard_after_forward: bool = True,
) -> OPTForCausalLM:
    """Shard ``model`` in place over ``mesh``; compute in ``precision``, reduce gradients in fp32.

    ``compile``: compile each block and the loss (the loss is where compiling pays most; see model/loss.py).
    ``reshard_after_forward``: free each block's gathered weights after its forward (gathered again for its
    backward), except the last block's, which the backward needs right away.
    """
    if compile:
        # Inductor tunes its generated kernels (layer norm, dropout, the loss's reductions) by coordinate
        # descent: the first compile takes ~1.5 min longer (warm-up 96 s, not 12 s, on an H200) and
        # OPT-125m's step gains ~0.5 MFU points.
        from torch._inductor import config as inductor  # here: importing it costs ~1 s

        inductor.coordinate_descent_tuning = True
        model.loss_fn = torch.compile(lm_loss)
    mp = MixedPrecisionPolicy(param_dtype=PARAM_DTYPES[precision], reduce_dtype=torch.float32)
    layers = model.decoder.layers
    for i, layer in enumerate(layers):
        if compile:
            layer.compile()  # in place: parameter names stay the Hugging Face ones (no "_orig_mod.")
        reshard = reshard_after_forward and i < len(layers) - 1
        fully_shard(layer, mesh=mesh, mp_policy=mp, reshard_after_forward=reshard)
    fully_shard(model, mesh=mesh, mp_policy=mp)
    return model
