"""The language-model loss: cross-entropy of the hidden states projected on the (tied) embedding.

``lm_loss`` is the plain way; ``linear_cross_entropy`` computes the same chunk by chunk with its gradients
in the same pass. The plain way (``F.cross_entropy(F.linear(h, W).float(), t)``) materializes the (N, vocab)
logits in fp32 and keeps them for the backward pass: at 32k positions and 50,272 classes that is 6.6 GB
written, read back by log-softmax, kept, and read twice more by the backward. Here the logits of ``rows``
positions at a time are made, reduced to the loss and turned straight into their gradient (softmax minus
one-hot), which is pushed through the two matmuls at once; only ``grad_h`` (N, e) and ``grad_W`` (vocab, e)
are kept. On GPU the step from a chunk's logits to its loss and gradient is compiled into two kernels (one
read of the bf16 logits for the log-sum-exp, one for the gradient). Same values as the plain way up to
float summation order (tests/test_model.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LOSS_CHUNK_ELEMENTS = 1 << 22  # logits elements per piece of the loss on CPU (16 MB in fp32; see lm_loss)
GPU_CHUNK_ELEMENTS = 1 << 28  # fused loss on GPU: 4,096+ positions per chunk keeps the matmuls large


def lm_loss(h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy of ``h`` (N, e) projected on ``weight`` (vocab, e); targets (N,).

    fp32 log-softmax even when the matmuls run in bf16: 50k classes need the range. On CPU the logits are
    made LOSS_CHUNK_ELEMENTS at a time: glibc serves blocks above 32 MB from fresh mmap'd pages that fault
    on first touch and are unmapped on free, so a whole (N, vocab) logits tensor paid page faults in every
    step; 16 MB pieces are reused from the heap (the loss and its backward ran ~1.8x faster, same values).
    """
    n = h.shape[0]
    rows = n if h.device.type != "cpu" else max(1, LOSS_CHUNK_ELEMENTS // weight.shape[0])
    total = sum(
        F.cross_entropy(F.linear(h[i : i + rows], weight).float(), targets[i : i + rows], reduction="sum")
        for i in range(0, n, rows)
    )
    return total / n


def loss_and_logit_grad(logits: torch.Tensor, targets: torch.Tensor, scale: float):
    """Summed cross-entropy of one chunk's ``logits`` (rows, vocab), and ``scale`` x its gradient.

    The gradient of the cross-entropy with respect to the logits is softmax minus one-hot; it comes back
    in the logits' dtype. fp32 inside, whatever the logits' dtype: 50k classes need the range.
    """
    x = logits.float()
    lse = torch.logsumexp(x, dim=-1)
    loss = (lse - x.gather(1, targets[:, None]).squeeze(1)).sum()
    is_target = torch.arange(x.shape[1], device=x.device) == targets[:, None]
    grad = (torch.exp(x - lse[:, None]) - is_target.float()) * scale
    return loss, grad.to(logits.dtype)


_compiled_loss_and_logit_grad = None


def _chunk_kernel(device: torch.device):
    """``loss_and_logit_grad``, compiled on GPU (fused, no fp32 copy of the logits); plain on CPU."""
    global _compiled_loss_and_logit_grad
    if device.type != "cuda":
        return loss_and_logit_grad
    if _compiled_loss_and_logit_grad is None:
        _compiled_loss_and_logit_grad = torch.compile(loss_and_logit_grad, dynamic=False)
    return _compiled_loss_and_logit_grad


class _LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, rows: int):
        n = h.shape[0]
        kernel = _chunk_kernel(h.device)
        grad_h = torch.empty_like(h)
        grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device)
        total = torch.zeros((), dtype=torch.float32, device=h.device)
        for start in range(0, n, rows):
            h_c, t_c = h[start : start + rows], targets[start : start + rows]
            loss, grad = kernel(F.linear(h_c, weight), t_c, 1.0 / n)  # grad: d(mean loss) / d(logits)
            total += loss
            grad_h[start : start + rows] = grad @ weight
            # Each chunk's product in the matmul dtype (as every other weight gradient under bf16), summed
            # over chunks in fp32: an fp32 matmul here would run ~15x slower on a GPU's tensor cores.
            grad_w += grad.t() @ h_c
        ctx.save_for_backward(grad_h, grad_w.to(weight.dtype))
        return total / n

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        grad_h, grad_w = ctx.saved_tensors
        return grad_h * grad_out, grad_w * grad_out, None, None


def linear_cross_entropy(h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``h @ weight.T`` (h: (N, e), weight: (vocab, e)) against ``targets`` (N,)."""
    if not (h.requires_grad or weight.requires_grad):  # evaluation: no gradients to make
        return lm_loss(h, weight, targets)
    budget = LOSS_CHUNK_ELEMENTS if h.device.type == "cpu" else GPU_CHUNK_ELEMENTS
    return _LinearCrossEntropy.apply(h, weight, targets, max(1, budget // weight.shape[0]))
