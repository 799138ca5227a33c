"""The OPT decoder in plain PyTorch (no distributed code; ``train/parallelize.py`` shards it).

Module and parameter names are those of Hugging Face ``OPTForCausalLM`` (``model.decoder.layers.0.fc1.weight``
...), so a state dict moves between the two without renaming. Differences from a GPT-2 block that are easy to
get wrong, all as OPT trained:

- learned positions are looked up at ``position + 2`` (fairseq reserved rows 0 and 1 for padding);
- ReLU in the FFN, biases everywhere, no dropout on embeddings;
- pre-LN with a final LayerNorm, except 350m: post-LN, no final LayerNorm, and tokens embedded in 512 dims
  then projected to 1024 (``project_in``) and back (``project_out``) before the tied output projection;
- the output projection is the token embedding itself (tied), over a vocabulary padded to 50,272 rows.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from model.config import OPTConfig
from model.loss import lm_loss

POSITION_OFFSET = 2
CPU_ATTENTION_BLOCK = 256  # query rows per block in the CPU dropout path (see causal_attention)


def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, dropout_p: float) -> torch.Tensor:
    """Causal softmax attention with dropout on the probabilities; (B, H, T, hd) -> (B, H, T, hd).

    ``scaled_dot_product_attention`` everywhere except one case: training on CPU with attention dropout.
    There SDPA has no fused kernel and falls back to its math path, which builds the whole T x T score
    matrix, masks half of it and draws dropout for all of it: at T = 2048 that was ~2 s of a ~2.5 s step
    of the tiny model. Computing query blocks against only the keys they may see (the mask then touches
    the diagonal block only) is ~3x faster there, with the same result up to float rounding and the same
    dropout distribution (not the same random stream as SDPA beyond one block).
    """
    T = q.shape[2]
    if dropout_p == 0.0 or q.device.type != "cpu" or T <= CPU_ATTENTION_BLOCK:
        return F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=True)
    return blocked_causal_attention(q, k, v, dropout_p)


def blocked_causal_attention(q, k, v, dropout_p: float, block: int = CPU_ATTENTION_BLOCK) -> torch.Tensor:
    """Causal attention computed ``block`` query rows at a time, each against keys ``[0, block end)``."""
    T, scale = q.shape[2], q.shape[-1] ** -0.5
    out = []
    for start in range(0, T, block):
        end = min(T, start + block)
        scores = (q[:, :, start:end] * scale) @ k[:, :, :end].transpose(-2, -1)  # (B, H, end - start, end)
        future = torch.arange(end, device=q.device) > torch.arange(start, end, device=q.device)[:, None]
        probs = F.dropout(torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1), dropout_p)
        out.append(probs @ v[:, :, :end])
    return torch.cat(out, dim=2)


class OPTAttention(nn.Module):
    def __init__(self, cfg: OPTConfig):
        super().__init__()
        d = cfg.hidden_size
        self.num_heads = cfg.num_heads
        self.attention_dropout = cfg.attention_dropout
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.q_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        H = self.num_heads
        q = self.q_proj(x).view(B, T, H, C // H).transpose(1, 2)  # (B, H, T, hd)
        k = self.k_proj(x).view(B, T, H, C // H).transpose(1, 2)
        v = self.v_proj(x).view(B, T, H, C // H).transpose(1, 2)
        y = causal_attention(q, k, v, self.attention_dropout if self.training else 0.0)  # (B, H, T, hd)
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.out_proj(y)


class OPTDecoderLayer(nn.Module):
    def __init__(self, cfg: OPTConfig):
        super().__init__()
        d = cfg.hidden_size
        self.pre_ln = cfg.pre_ln
        self.dropout = cfg.dropout
        self.self_attn = OPTAttention(cfg)
        self.self_attn_layer_norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, cfg.ffn_dim)
        self.fc2 = nn.Linear(cfg.ffn_dim, d)
        self.final_layer_norm = nn.LayerNorm(d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, T, d) -> (B, T, d)
        p = self.dropout if self.training else 0.0
        if self.pre_ln:
            x = x + F.dropout(self.self_attn(self.self_attn_layer_norm(x)), p, self.training)
            return x + F.dropout(self.fc2(F.relu(self.fc1(self.final_layer_norm(x)))), p, self.training)
        x = self.self_attn_layer_norm(x + F.dropout(self.self_attn(x), p, self.training))
        return self.final_layer_norm(x + F.dropout(self.fc2(F.relu(self.fc1(x))), p, self.training))


class OPTDecoder(nn.Module):
    def __init__(self, cfg: OPTConfig):
        super().__init__()
        d, e = cfg.hidden_size, cfg.embed_dim
        self.embed_tokens = nn.Embedding(cfg.vocab_size, e, padding_idx=cfg.pad_id)
        self.embed_positions = nn.Embedding(cfg.max_positions + POSITION_OFFSET, d)
        self.project_in = nn.Linear(e, d, bias=False) if e != d else None
        self.project_out = nn.Linear(d, e, bias=False) if e != d else None
        self.final_layer_norm = nn.LayerNorm(d) if cfg.pre_ln else None
        self.layers = nn.ModuleList(OPTDecoderLayer(cfg) for _ in range(cfg.num_layers))

    def forward(self, input_ids: torch.Tensor, start_pos: int = 0) -> torch.Tensor:
        B, T = input_ids.shape
        x = self.embed_tokens(input_ids)  # (B, T, e)
        if self.project_in is not None:
            x = self.project_in(x)  # (B, T, d)
        positions = torch.arange(start_pos, start_pos + T, device=input_ids.device) + POSITION_OFFSET
        x = x + self.embed_positions(positions)  # (T, d) broadcast over B
        for layer in self.layers:
            x = layer(x)
        if self.final_layer_norm is not None:
            x = self.final_layer_norm(x)
        if self.project_out is not None:
            x = self.project_out(x)
        return x  # (B, T, e)


class OPTModel(nn.Module):
    """Holds the decoder under the name Hugging Face uses (``model.decoder``)."""

    def __init__(self, cfg: OPTConfig):
        super().__init__()
        self.decoder = OPTDecoder(cfg)


class OPTForCausalLM(nn.Module):
    """OPT language model: token ids (B, T) -> logits (B, T, vocab) or, given targets, the mean loss.

    ``loss_fn`` makes the loss from the final hidden states, the tied weight and the targets;
    ``train/parallelize.py`` swaps in a compiled ``lm_loss`` on GPU.
    """

    loss_fn = staticmethod(lm_loss)

    def __init__(self, cfg: OPTConfig):
        super().__init__()
        if cfg.max_positions <= 0:
            raise ValueError("max_positions must be positive")
        self.config = cfg
        self.model = OPTModel(cfg)

    @property
    def decoder(self) -> OPTDecoder:
        return self.model.decoder

    def forward(self, input_ids: torch.Tensor, targets: torch.Tensor | None = None, start_pos: int = 0):
        T = input_ids.shape[1]
        if start_pos + T > self.config.max_positions:
            raise ValueError(
                f"sequence of {start_pos + T} tokens exceeds max_positions {self.config.max_positions}"
            )
        h = self.decoder(input_ids, start_pos)  # (B, T, e)
        # Tied output projection: the token embedding is the lm_head (HF saves no separate lm_head weight).
        if targets is None:
            return F.linear(h, self.decoder.embed_tokens.weight)  # (B, T, vocab)
        return self.loss_fn(h.flatten(0, 1), self.decoder.embed_tokens.weight, targets.flatten(0, 1))

    @torch.no_grad()
    def init_weights(self) -> None:
        """OPT's init: N(0, init_std) everywhere, out_proj and fc2 scaled by 1/sqrt(2L), zero biases, LN = 1/0.

        Works on materialized or sharded (DTensor) parameters, so the trainer can build the model on the
        meta device, shard it, and initialize it in place.
        """
        cfg = self.config
        std = cfg.init_std
        out_std = std / math.sqrt(2 * cfg.num_layers)
        for name, module in self.named_modules():
            if isinstance(module, nn.Linear):
                scaled = name.endswith(("self_attn.out_proj", ".fc2"))
                nn.init.normal_(module.weight, mean=0.0, std=out_std if scaled else std)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=std)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        _zero_row(self.decoder.embed_tokens.weight, cfg.pad_id)


def _zero_row(weight: torch.Tensor, row: int) -> None:
    """Zero one row of a plain or row-sharded (FSDP2 DTensor) embedding, as fairseq does for <pad>."""
    local = weight.to_local() if hasattr(weight, "to_local") else weight
    if local is weight:
        weight[row].zero_()
        return
    # FSDP2 shards dim 0 in torch.chunk order: shard i holds rows [i * ceil(n / world), ...).
    placements = weight.placements
    mesh = weight.device_mesh
    if len(placements) != 1 or not placements[0].is_shard(0):
        return  # not FSDP2's layout: leave the row as initialized (cosmetic: packed rows hold no <pad>)
    rows_per_shard = -(-weight.shape[0] // mesh.size())
    first = mesh.get_local_rank() * rows_per_shard
    if first <= row < first + local.shape[0]:
        local[row - first].zero_()


def build_model(
    cfg: OPTConfig, device: str | torch.device = "cpu", seed: int | None = None
) -> OPTForCausalLM:
    """An initialized model on ``device``; with ``seed`` the weights depend on nothing else."""
    if seed is not None:
        torch.manual_seed(seed)
    with torch.device(device):
        model = OPTForCausalLM(cfg)
    model.init_weights()
    return model
