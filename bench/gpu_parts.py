"""GPU micro-benchmarks of the two parts of an OPT-125m step that are not plain matmuls: the loss and attention.

    PYTHONPATH=. python3 bench/gpu_parts.py          # on a lent GPU machine; prints JSON lines

- loss: forward + backward of the LM loss over 65,536 positions x 50,272 classes x 768 (micro 32 at 2048),
  bf16 ``h`` and weight: ``lm_loss`` eager and under ``torch.compile`` (as the trainer runs it on GPU),
  checked against each other (loss and both gradients).
- attention: causal ``scaled_dot_product_attention`` forward + backward at (32, 12, 2048, 64) bf16, with the
  0.1 dropout OPT trains with and without it, for each kernel that accepts the case.
Times are medians of CUDA-event-timed repeats after warm-up.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.loss import lm_loss  # noqa: E402


def median_ms(fn, repeat: int = 10, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def loss_parts(n: int = 65536, vocab: int = 50272, e: int = 768) -> None:
    g = torch.Generator(device="cuda").manual_seed(0)
    h0 = torch.randn(n, e, device="cuda", generator=g).bfloat16()
    w0 = (torch.randn(vocab, e, device="cuda", generator=g) * 0.02).bfloat16()
    t = torch.randint(0, vocab, (n,), device="cuda", generator=g)

    def grads(fn):
        h, w = h0.clone().requires_grad_(), w0.clone().requires_grad_()
        loss = fn(h, w, t)
        loss.backward()
        return loss.detach().float(), h.grad.float(), w.grad.float()

    compiled = torch.compile(lm_loss)
    ref = grads(lm_loss)
    for name, fn in (("eager", lm_loss), ("compiled", compiled)):
        out = grads(fn)
        rel = [
            float((a - b).norm() / b.norm().clamp_min(1e-30)) for a, b in zip(out[1:], ref[1:], strict=True)
        ]
        ms = median_ms(lambda fn=fn: grads(fn))
        torch.cuda.reset_peak_memory_stats()
        grads(fn)
        print(
            json.dumps(
                {
                    "part": "loss",
                    "impl": name,
                    "ms": round(ms, 2),
                    "loss_diff": abs(float(out[0] - ref[0])),
                    "grad_h_rel": rel[0],
                    "grad_w_rel": rel[1],
                    "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
                }
            ),
            flush=True,
        )


def attention_parts(b: int = 32, heads: int = 12, t: int = 2048, hd: int = 64) -> None:
    q, k, v = (
        torch.randn(b, heads, t, hd, device="cuda", dtype=torch.bfloat16, requires_grad=True)
        for _ in range(3)
    )
    dy = torch.randn_like(q)

    def step(p):
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        torch.autograd.backward(y, dy)

    for backend in (SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION):
        for p in (0.1, 0.0):
            try:
                with sdpa_kernel(backend):
                    ms = median_ms(lambda p=p: step(p))
                print(
                    json.dumps(
                        {"part": "attention", "backend": backend.name, "dropout": p, "ms": round(ms, 2)}
                    )
                )
            except RuntimeError as err:
                print(
                    json.dumps(
                        {"part": "attention", "backend": backend.name, "dropout": p, "error": str(err)[:200]}
                    )
                )
    auto_ms = median_ms(lambda: step(0.1))  # the default choice, which the trainer uses unless told otherwise
    print(json.dumps({"part": "attention", "backend": "auto", "dropout": 0.1, "ms": round(auto_ms, 2)}))


if __name__ == "__main__":
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name()}), flush=True)
    loss_parts()
    attention_parts()
