"""OPT's learning-rate schedule: linear warmup from 0, then linear decay to a fraction of the peak."""

from __future__ import annotations


def lr_at(step: int, peak: float, warmup_steps: int, total_steps: int, min_ratio: float = 0.1) -> float:
    """Learning rate for optimizer step ``step`` (0-based: the first update uses ``lr_at(0, ...)``).

    Warmup reaches ``peak`` at the last warmup step; decay ends at ``min_ratio * peak`` on the last step of
    the run and stays there if training goes on past it.

    >>> [round(lr_at(s, 1.0, 2, 6), 3) for s in range(7)]
    [0.5, 1.0, 0.775, 0.55, 0.325, 0.1, 0.1]
    """
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    decay_steps = total_steps - warmup_steps
    if decay_steps <= 0:
        return peak
    done = min(1.0, (step - warmup_steps + 1) / decay_steps)
    return peak * (1.0 - (1.0 - min_ratio) * done)
