"""OPT architecture settings and the presets of the OPT paper (Zhang et al. 2022, table 1).

Field names follow what OPT trained with; ``to_hf_config`` maps them to Hugging Face ``OPTConfig`` keys so
an exported checkpoint loads in ``transformers`` unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

# OPT's dictionary has 50,265 entries; the embedding is padded to a multiple of 8 (50,272) for fast matmuls.
OPT_VOCAB_SIZE = 50272


@dataclass(frozen=True)
class OPTConfig:
    """One OPT decoder. Every preset uses 2048 positions, ReLU, dropout 0.1 and tied embeddings."""

    vocab_size: int = OPT_VOCAB_SIZE  # rows of the (tied) token embedding
    hidden_size: int = 768  # model width d
    num_layers: int = 12
    num_heads: int = 12
    ffn_dim: int = 3072  # 4 d in every OPT model
    max_positions: int = 2048  # learned positions (the table holds 2 more rows: OPT's offset of 2)
    word_embed_proj_dim: int = 0  # 0 = hidden_size; 350m embeds in 512 dims with project_in/project_out
    pre_ln: bool = True  # LayerNorm before attention/FFN plus a final LayerNorm; False = 350m's post-LN
    dropout: float = 0.1  # on the attention output and the FFN output (never on embeddings)
    attention_dropout: float = 0.1  # on the attention probabilities
    init_std: float = 0.006  # N(0, 0.006) as Megatron-LM; out_proj and fc2 also scaled by 1/sqrt(2L)
    pad_id: int = 1  # <pad>: its embedding row starts at zero and gets no gradient from the input side
    bos_id: int = 2  # OPT starts a text with </s>
    eos_id: int = 2  # </s> ends every document

    def __post_init__(self):
        if self.hidden_size % self.num_heads:
            raise ValueError(f"hidden_size {self.hidden_size} is not divisible by num_heads {self.num_heads}")
        if not (0.0 <= self.dropout < 1.0 and 0.0 <= self.attention_dropout < 1.0):
            raise ValueError("dropout and attention_dropout must be in [0, 1)")
        if self.vocab_size <= max(self.pad_id, self.eos_id):
            raise ValueError(f"vocab_size {self.vocab_size} must hold the pad and eos ids")

    @property
    def embed_dim(self) -> int:
        """Width of the token embedding (and of the tied output projection)."""
        return self.word_embed_proj_dim or self.hidden_size

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    def replace(self, **changes) -> OPTConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def num_params(self, non_embedding: bool = False) -> int:
        """Parameter count (tied embedding counted once); ``non_embedding`` leaves out both embedding tables."""
        d, e, f, L = self.hidden_size, self.embed_dim, self.ffn_dim, self.num_layers
        per_layer = 4 * (d * d + d) + (d * f + f) + (f * d + d) + 2 * 2 * d
        total = L * per_layer
        total += 0 if self.embed_dim == d else 2 * d * e  # project_in, project_out (no bias)
        total += 2 * d if self.pre_ln else 0  # final LayerNorm
        if not non_embedding:
            total += self.vocab_size * e + (self.max_positions + 2) * d
        return total

    def flops_per_token(self, seq_len: int) -> int:
        """Training FLOPs per token: 6 N (matmuls, forward + backward) + 12 L d T (attention scores and values).

        N counts every weight a token multiplies, so it includes the tied output projection but not the
        position table (a lookup). The attention term counts the full T x T square as PaLM and nanoGPT do,
        although a causal kernel computes about half of it.
        """
        n_matmul = self.num_params(non_embedding=True) + self.vocab_size * self.embed_dim
        return 6 * n_matmul + 12 * self.num_layers * self.hidden_size * seq_len

    def to_hf_config(self) -> dict:
        """The ``config.json`` that Hugging Face ``OPTForCausalLM`` loads with this model's weights."""
        return {
            "architectures": ["OPTForCausalLM"],
            "model_type": "opt",
            "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size,
            "num_hidden_layers": self.num_layers,
            "num_attention_heads": self.num_heads,
            "ffn_dim": self.ffn_dim,
            "max_position_embeddings": self.max_positions,
            "word_embed_proj_dim": self.embed_dim,
            "do_layer_norm_before": self.pre_ln,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "activation_function": "relu",
            "activation_dropout": 0.0,
            "layerdrop": 0.0,
            "enable_bias": True,
            "layer_norm_elementwise_affine": True,
            "init_std": self.init_std,
            "pad_token_id": self.pad_id,
            "bos_token_id": self.bos_id,
            "eos_token_id": self.eos_id,
            "tie_word_embeddings": True,
            "use_cache": True,
            "torch_dtype": "float32",
        }


PRESETS: dict[str, OPTConfig] = {
    # CI and the demo: trains in seconds on one CPU core; its vocabulary is usually set from the data.
    "tiny": OPTConfig(hidden_size=64, num_layers=2, num_heads=4, ffn_dim=256),
    "125m": OPTConfig(hidden_size=768, num_layers=12, num_heads=12, ffn_dim=3072),
    # 350m is the odd one: post-LN, no final LayerNorm, 512-dim embeddings projected to 1024.
    "350m": OPTConfig(
        hidden_size=1024, num_layers=24, num_heads=16, ffn_dim=4096, word_embed_proj_dim=512, pre_ln=False
    ),
    "1.3b": OPTConfig(hidden_size=2048, num_layers=24, num_heads=32, ffn_dim=8192),
    "2.7b": OPTConfig(hidden_size=2560, num_layers=32, num_heads=32, ffn_dim=10240),
    "6.7b": OPTConfig(hidden_size=4096, num_layers=32, num_heads=32, ffn_dim=16384),
}


def preset(name: str, **overrides) -> OPTConfig:
    """A preset by name, with some fields replaced (``preset("tiny", vocab_size=512, dropout=0.0)``)."""
    if name not in PRESETS:
        raise ValueError(f"unknown model preset {name!r}; known: {', '.join(PRESETS)}")
    return PRESETS[name].replace(**overrides)


def config_from_hf(hf: dict) -> OPTConfig:
    """Inverse of ``OPTConfig.to_hf_config`` (for loading an exported directory)."""
    return OPTConfig(
        vocab_size=hf["vocab_size"],
        hidden_size=hf["hidden_size"],
        num_layers=hf["num_hidden_layers"],
        num_heads=hf["num_attention_heads"],
        ffn_dim=hf["ffn_dim"],
        max_positions=hf["max_position_embeddings"],
        word_embed_proj_dim=0
        if hf["word_embed_proj_dim"] == hf["hidden_size"]
        else hf["word_embed_proj_dim"],
        pre_ln=hf["do_layer_norm_before"],
        dropout=hf["dropout"],
        attention_dropout=hf["attention_dropout"],
        init_std=hf.get("init_std", 0.006),
        pad_id=hf.get("pad_token_id", 1),
        bos_id=hf.get("bos_token_id", 2),
        eos_id=hf.get("eos_token_id", 2),
    )
