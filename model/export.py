"""``python -m model.export RUN/ckpt OUT_DIR``: a training checkpoint as a Hugging Face model directory.

Writes ``model.safetensors`` and ``config.json`` that ``transformers.OPTForCausalLM.from_pretrained(OUT_DIR)``
loads with logits equal to ours. Parameter names already match, so this is a load-and-save, not a
conversion; ``lm_head.weight`` is left out because the config ties it to the token embedding.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import torch

from model.checkpoint_reader import load_model_weights, read_state, resolve
from model.config import OPTConfig
from model.model import OPTForCausalLM

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def load_checkpoint_model(path: str | Path) -> tuple[OPTForCausalLM, dict]:
    """The model of a training checkpoint (a step directory, ``RUN/ckpt`` or ``RUN``), on CPU in fp32."""
    path = resolve(path)
    cfg = OPTConfig(**read_state(path)["model_config"])
    with torch.device("meta"):  # no point initializing weights that are about to be overwritten
        model = OPTForCausalLM(cfg)
    model.to_empty(device="cpu")
    state = load_model_weights(path, model)
    return model.eval(), state


def export(checkpoint: str | Path, out_dir: str | Path, dtype: str = "fp32") -> Path:
    """Write ``out_dir/model.safetensors`` + ``config.json`` (+ the tokenizer file when the data had one)."""
    from safetensors.torch import save_file

    model, state = load_checkpoint_model(checkpoint)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to(DTYPES[dtype]).contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, out / "model.safetensors", metadata={"format": "pt"})
    config = model.config.to_hf_config()
    config["torch_dtype"] = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}[dtype]
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True))
    tokenizer = state.get("tokenizer", {}).get("file")
    if tokenizer and Path(tokenizer).exists():
        shutil.copyfile(tokenizer, out / "tokenizer.json")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m model.export", description=__doc__.splitlines()[0])
    p.add_argument("checkpoint", help="a checkpoint directory, RUN/ckpt (newest) or RUN")
    p.add_argument("out_dir")
    p.add_argument("--dtype", default="fp32", choices=sorted(DTYPES))
    args = p.parse_args(argv)
    out = export(args.checkpoint, args.out_dir, args.dtype)
    print(
        f"wrote {out}/model.safetensors and config.json (load with OPTForCausalLM.from_pretrained({str(out)!r}))"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
