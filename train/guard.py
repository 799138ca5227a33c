"""Loss-spike guard: a step whose loss jumps well above its recent average is not applied.

Pure logic, no torch: the trainer all-reduces the step's loss first, so every process reaches the same
verdict.
"""

from __future__ import annotations

import math
from collections import deque


class SpikeGuard:
    """Running average of the last ``window`` accepted losses; a loss above ``factor`` times it is a spike."""

    def __init__(self, factor: float, window: int, min_history: int):
        self.factor = factor
        self.min_history = min_history
        self.history: deque[float] = deque(maxlen=window)
        self.consecutive = 0  # spikes in a row, reset by an accepted step

    @property
    def average(self) -> float:
        return sum(self.history) / len(self.history) if self.history else math.nan

    def threshold(self) -> float:
        """The loss above which a step is a spike: factor x average once ``min_history`` steps are known."""
        return self.factor * self.average if len(self.history) >= self.min_history else math.inf

    def is_spike(self, loss: float) -> bool:
        """True for NaN/inf, and for a loss above ``threshold()``."""
        return not math.isfinite(loss) or loss > self.threshold()

    def accept(self, loss: float) -> None:
        self.history.append(loss)
        self.consecutive = 0

    def reject(self) -> None:
        self.consecutive += 1

    def state_dict(self) -> dict:
        return {"history": list(self.history), "consecutive": self.consecutive}

    def load_state_dict(self, state: dict) -> None:
        self.history.clear()
        self.history.extend(state["history"])
        self.consecutive = state["consecutive"]


class LossScaler:
    """Dynamic loss scaling for fp16, as OPT trained: halve on overflow, double after a run of good steps.

    The trainer unscales the gradients before clipping, so an overflow shows up as a non-finite gradient
    norm, which it computes anyway.
    """

    def __init__(self, scale: float = 2.0**16, growth_interval: int = 1000, min_scale: float = 1.0):
        self.scale = scale
        self.growth_interval = growth_interval
        self.min_scale = min_scale
        self.good_steps = 0

    def update(self, grads_finite: bool) -> None:
        if grads_finite:
            self.good_steps += 1
            if self.good_steps % self.growth_interval == 0:
                self.scale *= 2.0
        else:
            self.scale = max(self.min_scale, self.scale / 2.0)
            self.good_steps = 0

    def state_dict(self) -> dict:
        return {"scale": self.scale, "good_steps": self.good_steps}

    def load_state_dict(self, state: dict) -> None:
        self.scale, self.good_steps = float(state["scale"]), int(state["good_steps"])
