"""The language-model loss: cross-entropy of the hidden states projected on the (tied) embedding.

On GPU the trainer compiles it (``train/parallelize.py``): inductor then reads the bf16 logits once for the
log-sum-exp and once for the gradient, instead of writing and re-reading an fp32 copy of all (N, vocab)
logits. On an H200 (``bench/gpu_parts.py``, 65,536 positions x 50,272 classes) the forward and backward took
63 ms eager and 31 ms compiled; OPT-125m's training step went from MFU 0.33 to 0.40.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LOSS_CHUNK_ELEMENTS = 1 << 22  # logits elements per piece of the loss on CPU (16 MB in fp32; see lm_loss)


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
