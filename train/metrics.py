"""Numbers for the per-step log line: norms, MFU, memory."""

from __future__ import annotations

import resource
import sys

import torch

# Dense bf16/fp16 tensor-core peaks in TFLOP/s (vendor data sheets, without sparsity).
GPU_PEAK_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10G": 125.0, "L4": 121.0}


def peak_tflops(device: torch.device, configured: float) -> float:
    """The accelerator's peak for MFU: the configured value, else a known GPU's, else 0 (no MFU shown)."""
    if configured > 0:
        return configured
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        for key, value in GPU_PEAK_TFLOPS.items():
            if key in name:
                return value
    return 0.0


def global_norm(tensors: list[torch.Tensor]) -> torch.Tensor:
    """L2 norm over all tensors, as a 0-dim tensor on their device; sharded (DTensor) ones are reduced over
    their mesh (a collective: every process must call it)."""
    if not tensors:
        return torch.zeros(())
    norm = torch.nn.utils.get_total_norm(tensors, norm_type=2.0)
    return norm.full_tensor() if hasattr(norm, "full_tensor") else norm


def total_norm(tensors: list[torch.Tensor]) -> float:
    """``global_norm`` as a Python float (waits for the device)."""
    return float(global_norm(tensors))


def memory_gib(device: torch.device) -> float:
    """Peak memory: GPU allocator peak on CUDA, else the process's peak resident set."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**30
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (2**30 if sys.platform == "darwin" else 2**20)
