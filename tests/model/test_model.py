"""The OPT model against Hugging Face ``OPTForCausalLM``: names, logits, dropout placement, init, sizes."""

from __future__ import annotations

import math

import pytest
import torch

from model.config import PRESETS, config_from_hf, preset
from model.generate import load_tokenizer, sample
from model.loss import lm_loss
from model.model import OPTForCausalLM, blocked_causal_attention, build_model, causal_attention
from tests.conftest import shared_file

transformers = pytest.importorskip("transformers")

# Small versions of both OPT layouts: pre-LN (125m, 1.3b, ...) and 350m's post-LN with project_in/out.
PRE_LN = preset("tiny", vocab_size=512, max_positions=64)
POST_LN = preset(
    "350m",
    vocab_size=512,
    hidden_size=64,
    num_layers=2,
    num_heads=4,
    ffn_dim=128,
    word_embed_proj_dim=32,
    max_positions=64,
)


def hf_twin(model: OPTForCausalLM):
    """A transformers OPTForCausalLM holding our weights, loaded by name (no renaming)."""
    hf_cfg = {
        k: v for k, v in model.config.to_hf_config().items() if k not in ("architectures", "torch_dtype")
    }
    hf = transformers.OPTForCausalLM(transformers.OPTConfig(**hf_cfg))
    missing, unexpected = hf.load_state_dict(model.state_dict(), strict=False)
    assert missing == ["lm_head.weight"] and unexpected == []  # lm_head is tied to embed_tokens
    return hf


@pytest.mark.parametrize("cfg", [PRE_LN, POST_LN], ids=["pre_ln", "post_ln_350m"])
def test_logits_equal_transformers(cfg):
    model = build_model(cfg, seed=0).eval()
    hf = hf_twin(model).eval()
    x = torch.randint(0, cfg.vocab_size, (2, 40), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ours, theirs = model(x), hf(x).logits
    assert ours.shape == (2, 40, cfg.vocab_size)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-5)


@pytest.mark.parametrize("cfg", [PRE_LN, POST_LN], ids=["pre_ln", "post_ln_350m"])
def test_dropout_placement_equals_transformers(cfg):
    # Same seed, training mode: equal logits only if dropout hits the same tensors in the same order
    # (attention probabilities, attention output, FFN output; not the embeddings).
    model = build_model(cfg, seed=0).train()
    hf = hf_twin(model).train()
    x = torch.randint(0, cfg.vocab_size, (2, 24), generator=torch.Generator().manual_seed(2))
    torch.manual_seed(7)
    ours = model(x)
    torch.manual_seed(7)
    theirs = hf(x).logits
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-5)
    torch.manual_seed(8)
    assert not torch.allclose(model(x), ours)  # dropout is really on


def test_blocked_cpu_attention_equals_sdpa_and_stays_causal():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, 600, 16, generator=g) for _ in range(3))  # 600 rows: 3 blocks of 256
    exact = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(blocked_causal_attention(q, k, v, 0.0), exact, rtol=0, atol=1e-5)
    # with dropout: changing keys/values after position 300 leaves outputs up to 300 unchanged
    k2, v2 = k.clone(), v.clone()
    k2[:, :, 301:] += 1.0
    v2[:, :, 301:] -= 1.0
    torch.manual_seed(1)
    a = causal_attention(q, k, v, 0.1)
    torch.manual_seed(1)
    b = causal_attention(q, k2, v2, 0.1)
    assert torch.equal(a[:, :, :301], b[:, :, :301]) and not torch.equal(a[:, :, 301:], b[:, :, 301:])
    assert not torch.allclose(a, exact, atol=1e-3)  # dropout did happen


def test_blocked_cpu_attention_dropout_is_unbiased():
    # E[dropout(p) / (1 - p)] = p: the mean over many draws approaches the dropout-free output
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 1, 300, 8, generator=g).expand(400, 1, 300, 8) for _ in range(3))  # 400 draws
    exact = blocked_causal_attention(q[:1], k[:1], v[:1], 0.0)
    torch.manual_seed(0)
    draws = blocked_causal_attention(q, k, v, 0.1)
    assert (draws.mean(0) - exact[0]).abs().mean().item() < 0.01 < (draws[0] - exact[0]).abs().mean().item()


def test_loss_is_next_token_cross_entropy_of_the_logits():
    model = build_model(PRE_LN, seed=0).eval()
    x = torch.randint(0, 512, (3, 17), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        loss = model(x[:, :-1], x[:, 1:])
        ref = torch.nn.functional.cross_entropy(model(x[:, :-1]).reshape(-1, 512), x[:, 1:].reshape(-1))
    assert loss.item() == pytest.approx(ref.item(), abs=1e-6)


def test_chunked_cpu_loss_equals_one_cross_entropy():
    # vocab 4096: pieces of 1024 rows, so 2500 rows make 3 pieces (the last one short)
    g = torch.Generator().manual_seed(4)
    h = torch.randn(2500, 32, generator=g, requires_grad=True)
    w = torch.randn(4096, 32, generator=g, requires_grad=True)
    t = torch.randint(0, 4096, (2500,), generator=g)
    ours = lm_loss(h, w, t)
    ours.backward()
    grads = h.grad.clone(), w.grad.clone()
    h.grad = w.grad = None
    ref = torch.nn.functional.cross_entropy(h @ w.T, t)
    ref.backward()
    assert ours.item() == pytest.approx(ref.item(), rel=1e-6)
    torch.testing.assert_close(grads[0], h.grad, rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(grads[1], w.grad, rtol=1e-5, atol=1e-7)


def test_model_with_a_compiled_loss_trains_the_same():
    """The trainer swaps in torch.compile(lm_loss) on GPU (train/parallelize.py). Here the graph it traces,
    forward and backward, runs without inductor's code generation (aot_eager): same loss, same gradients."""
    model = build_model(PRE_LN, seed=0)
    x = torch.randint(0, 512, (2, 33), generator=torch.Generator().manual_seed(6))
    runs = []
    for loss_fn in (lm_loss, torch.compile(lm_loss, backend="aot_eager")):
        model.zero_grad()
        model.loss_fn = loss_fn
        torch.manual_seed(0)  # the same dropout masks
        loss = model(x[:, :-1], x[:, 1:])
        loss.backward()
        runs.append((loss.item(), {n: p.grad.clone() for n, p in model.named_parameters()}))
    assert runs[1][0] == pytest.approx(runs[0][0], rel=1e-6)
    for name, grad in runs[0][1].items():
        torch.testing.assert_close(runs[1][1][name], grad, rtol=1e-5, atol=1e-7, msg=name)


def test_init_follows_opt():
    cfg = preset("tiny", vocab_size=4096, num_layers=4, hidden_size=128, ffn_dim=512)
    model = build_model(cfg, seed=0)
    params = dict(model.named_parameters())
    scaled = 0.006 / math.sqrt(2 * cfg.num_layers)
    assert params["model.decoder.layers.0.fc1.weight"].std().item() == pytest.approx(0.006, rel=0.03)
    assert params["model.decoder.layers.0.self_attn.q_proj.weight"].std().item() == pytest.approx(
        0.006, rel=0.03
    )
    assert params["model.decoder.layers.3.fc2.weight"].std().item() == pytest.approx(scaled, rel=0.03)
    assert params["model.decoder.layers.3.self_attn.out_proj.weight"].std().item() == pytest.approx(
        scaled, rel=0.05
    )
    assert params["model.decoder.embed_tokens.weight"][2:].std().item() == pytest.approx(0.006, rel=0.03)
    assert params["model.decoder.embed_tokens.weight"][1].abs().sum().item() == 0.0  # <pad> row
    for name, p in params.items():
        if name.endswith(".bias"):
            assert p.abs().sum().item() == 0.0, name
        if "layer_norm.weight" in name:
            assert torch.equal(p, torch.ones_like(p)), name
    assert set(params) == set(build_model(cfg, seed=1).state_dict())  # no buffers, no extra state


def test_same_seed_same_weights():
    a, b = build_model(PRE_LN, seed=5), build_model(PRE_LN, seed=5)
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters(), strict=True))


@pytest.mark.parametrize(
    "name,count",
    # facebook/opt-* parameter counts as transformers reports them (tied head counted once)
    [
        ("125m", 125_239_296),
        ("350m", 331_196_416),
        ("1.3b", 1_315_758_080),
        ("2.7b", 2_651_596_800),
        ("6.7b", 6_658_473_984),
    ],
)
def test_preset_sizes_match_opt(name, count):
    cfg = PRESETS[name]
    with torch.device("meta"):
        model = OPTForCausalLM(cfg)
    assert sum(p.numel() for p in model.parameters()) == count == cfg.num_params()
    assert cfg.vocab_size == 50272 and cfg.max_positions == 2048
    assert model.decoder.embed_positions.weight.shape == (2050, cfg.hidden_size)  # OPT's offset of 2
    assert (model.decoder.final_layer_norm is None) == (name == "350m")
    assert (model.decoder.project_in is not None) == (name == "350m")


def test_hf_config_round_trip():
    for cfg in (PRE_LN, POST_LN, PRESETS["350m"], PRESETS["6.7b"]):
        assert config_from_hf(cfg.to_hf_config()) == cfg


def test_positions_beyond_the_table_are_refused():
    model = build_model(PRE_LN, seed=0)
    with pytest.raises(ValueError, match="exceeds max_positions 64"):
        model(torch.zeros(1, 65, dtype=torch.long))


def test_greedy_sampling_is_deterministic_and_stops_at_eos():
    model = build_model(PRE_LN, seed=0).eval()
    a = sample(model, [2, 10, 11], 8, temperature=0)
    assert a == sample(model, [2, 10, 11], 8, temperature=0) and len(a) == 8
    b = sample(model, [2, 10, 11], 8, temperature=1.0, top_k=5, seed=3)
    assert b == sample(model, [2, 10, 11], 8, temperature=1.0, top_k=5, seed=3)
    with torch.no_grad():
        first = int(model(torch.tensor([[2, 10, 11]]))[0, -1].argmax())
    assert sample(model, [2, 10, 11], 8, temperature=0, stop_id=first) == [first]


def test_opt_tokenizer_files_load_with_opt_ids():
    vocab = shared_file("tokenizers", "opt", "gpt2-vocab.json")
    merges = shared_file("tokenizers", "opt", "gpt2-merges.txt")
    for tok in (load_tokenizer(vocab, merges), load_tokenizer(vocab.parent)):
        enc = tok.encode("Hello world", add_special_tokens=False)
        assert enc.ids == [31414, 232]  # what facebook/opt-* tokenizers give (fairseq id order, not GPT-2's)
        assert tok.decode(enc.ids) == "Hello world"
        assert tok.get_vocab_size() == 50265


def test_missing_tokenizer_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither tokenizer.json nor vocab.json"):
        load_tokenizer(tmp_path)
