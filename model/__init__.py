"""OPT models: architecture presets, the decoder (Hugging Face parameter names), export and sampling."""

from model.config import OPT_VOCAB_SIZE, PRESETS, OPTConfig, preset
from model.model import OPTForCausalLM, build_model

__all__ = ["OPT_VOCAB_SIZE", "PRESETS", "OPTConfig", "OPTForCausalLM", "build_model", "preset"]
