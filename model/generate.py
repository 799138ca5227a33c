"""``python -m model.generate RUN --prompt "..."``: sample text from a training checkpoint.

The tokenizer is the one the shards were built with (recorded in the checkpoint) unless ``--tokenizer``
names a ``tokenizer.json``, a ``vocab.json`` + ``merges.txt`` pair, or a directory holding either (OPT's
``gpt2-vocab.json`` / ``gpt2-merges.txt`` too). As in OPT, the prompt is preceded by ``</s>``, the token
that ends every training document. No KV cache: each new token reruns the (cropped) context, which is
plenty for a tiny model and a few dozen tokens.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

from model.model import OPTForCausalLM


def load_tokenizer(*paths: str | Path) -> Tokenizer:
    """A byte-level BPE tokenizer from a tokenizer.json, a vocab.json + merges.txt pair, or a directory."""
    files = [Path(p) for p in paths]
    if len(files) == 1 and files[0].is_dir():
        d = files[0]
        for candidate in (
            ["tokenizer.json"],
            ["vocab.json", "merges.txt"],
            ["gpt2-vocab.json", "gpt2-merges.txt"],
        ):
            if all((d / c).exists() for c in candidate):
                files = [d / c for c in candidate]
                break
        else:
            raise FileNotFoundError(f"{d} holds neither tokenizer.json nor vocab.json + merges.txt")
    for f in files:
        if not f.exists():
            raise FileNotFoundError(f"tokenizer file {f} does not exist")
    if len(files) == 1:
        return Tokenizer.from_file(str(files[0]))
    if len(files) == 2:
        vocab, merges = sorted(files, key=lambda f: f.suffix != ".json")  # the .json one is the vocabulary
        tok = Tokenizer(models.BPE.from_file(str(vocab), str(merges)))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        return tok
    raise ValueError("give one tokenizer.json, a vocab.json and a merges.txt, or a directory")


@torch.no_grad()
def sample(
    model: OPTForCausalLM,
    ids: list[int],
    max_new_tokens: int,
    temperature: float = 0.8,
    top_k: int = 50,
    seed: int = 0,
    stop_id: int | None = None,
) -> list[int]:
    """Continue ``ids``; ``temperature`` 0 is greedy. Returns only the new tokens."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.tensor([ids], dtype=torch.long)
    out: list[int] = []
    for _ in range(max_new_tokens):
        logits = model(x[:, -model.config.max_positions :])[0, -1].float()  # (vocab,)
        if temperature <= 0:
            nxt = int(logits.argmax())
        else:
            logits = logits / temperature
            if top_k:
                kth = torch.topk(logits, min(top_k, logits.numel())).values[-1]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            nxt = int(torch.multinomial(torch.softmax(logits, -1), 1, generator=gen))
        out.append(nxt)
        if nxt == stop_id:
            break
        x = torch.cat([x, torch.tensor([[nxt]])], dim=1)
    return out


def checkpoint_tokenizer(state: dict) -> Tokenizer:
    entry = state.get("tokenizer") or {}
    if entry.get("file") and Path(entry["file"]).exists():
        return load_tokenizer(entry["file"])
    raise FileNotFoundError(
        "the checkpoint's data recorded no tokenizer file that exists here; pass --tokenizer "
        "(a tokenizer.json, or vocab.json merges.txt, e.g. OPT's gpt2-vocab.json gpt2-merges.txt)"
    )


def main(argv: list[str] | None = None) -> int:
    from model.export import load_checkpoint_model

    p = argparse.ArgumentParser(prog="python -m model.generate", description="Sample text from a checkpoint.")
    p.add_argument("checkpoint", help="a checkpoint directory, RUN/ckpt (newest) or RUN")
    p.add_argument("--prompt", default="")
    p.add_argument("--tokenizer", nargs="+", help="tokenizer.json | vocab.json merges.txt | a directory")
    p.add_argument("--max-new-tokens", type=int, default=48)
    p.add_argument("--temperature", type=float, default=0.8, help="0 = greedy")
    p.add_argument("--top-k", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    model, state = load_checkpoint_model(args.checkpoint)
    tok = load_tokenizer(*args.tokenizer) if args.tokenizer else checkpoint_tokenizer(state)
    eos = model.config.eos_id
    ids = [eos] + tok.encode(args.prompt, add_special_tokens=False).ids
    if max(ids) >= model.config.vocab_size:
        raise ValueError(
            f"the tokenizer produced id {max(ids)} beyond the model's vocabulary ({model.config.vocab_size})"
        )
    new = sample(model, ids, args.max_new_tokens, args.temperature, args.top_k, args.seed, stop_id=eos)
    print(args.prompt + tok.decode(new, skip_special_tokens=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
