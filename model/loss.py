"""Cross-entropy of a linear projection, computed chunk by chunk with its gradients in the same pass.

The plain way (``F.cross_entropy(F.linear(h, W).float(), t)``) materializes the (N, vocab) logits in fp32
and keeps them for the backward pass: at 32k positions and 50,272 classes that is 6.6 GB written, read back
by log-softmax, kept, and read twice more by the backward. Here the logits of ``rows`` positions at a time
are made, reduced to the loss and turned straight into their gradient (softmax minus one-hot), which is
pushed through the two matmuls at once; only ``grad_h`` (N, e) and ``grad_W`` (vocab, e) are kept. Same
values as the plain way up to float summation order (tests/test_model.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

CHUNK_ELEMENTS = 1 << 22  # logits elements per chunk on CPU (16 MB in fp32: reused heap blocks, see model.py)
GPU_CHUNK_ELEMENTS = 1 << 28  # on GPU: 4,096+ positions per chunk keeps the matmuls large


class _LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, rows: int):
        n = h.shape[0]
        grad_h = torch.empty_like(h)
        grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device)
        total = torch.zeros((), dtype=torch.float32, device=h.device)
        for start in range(0, n, rows):
            h_c, t_c = h[start : start + rows], targets[start : start + rows]
            logits = F.linear(h_c, weight).float()  # fp32 softmax even when the matmuls run in bf16
            lse = torch.logsumexp(logits, dim=-1)
            total += (lse - logits.gather(1, t_c[:, None]).squeeze(1)).sum()
            grad = torch.exp_(logits.sub_(lse[:, None]))  # softmax, in place of the logits
            grad[torch.arange(len(t_c), device=grad.device), t_c] -= 1.0
            grad = grad.div_(n).to(h.dtype)  # d(mean loss) / d(logits)
            grad_h[start : start + rows] = grad @ weight
            grad_w.addmm_(grad.t().float(), h_c.float())  # summed over chunks in fp32 (no-op casts in fp32)
        ctx.save_for_backward(grad_h, grad_w.to(weight.dtype))
        return total / n

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        grad_h, grad_w = ctx.saved_tensors
        return grad_h * grad_out, grad_w * grad_out, None, None


def linear_cross_entropy(h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``h @ weight.T`` (h: (N, e), weight: (vocab, e)) against ``targets`` (N,)."""
    budget = CHUNK_ELEMENTS if h.device.type == "cpu" else GPU_CHUNK_ELEMENTS
    rows = max(1, budget // weight.shape[0])
    if not (h.requires_grad or weight.requires_grad):  # evaluation: no gradients to make
        total = sum(
            F.cross_entropy(F.linear(h[i : i + rows], weight).float(), targets[i : i + rows], reduction="sum")
            for i in range(0, h.shape[0], rows)
        )
        return total / h.shape[0]
    return _LinearCrossEntropy.apply(h, weight, targets, rows)
