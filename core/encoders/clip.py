"""Hugging Face CLIP / SigLIP as a vision encoder: patch tokens projected into the joint image-text
space, and the model's own text tower as the bridge from a question to query vectors."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from core.encoders.base import EncodedFrames, Queries
from core.encoders.concepts import imagenet_labels
from core.errors import UnknownBackend
from core.tokens import content_token, pooled_grid

log = logging.getLogger(__name__)

DEFAULT_NORMALISATION = {
    "clip": ([0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]),
    "siglip": ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
}


class HFClipEncoder:
    """A CLIP or SigLIP model by Hugging Face id (downloaded or from the user's cache) or local folder."""

    def __init__(self, name: str, grid: int = 2, cache_dir: Path | None = None, **_ignored) -> None:
        from transformers import AutoModel, AutoTokenizer

        local = Path(name).expanduser()
        source = str(local) if local.is_dir() else name
        try:
            self._model = AutoModel.from_pretrained(source).eval()
            self._tokenizer = AutoTokenizer.from_pretrained(source)
        except (OSError, ValueError) as exc:
            raise UnknownBackend(f"cannot load vision model {name!r}: {str(exc).splitlines()[0]}") from None
        config = self._model.config
        self.kind = config.model_type
        if self.kind not in DEFAULT_NORMALISATION:
            raise UnknownBackend(f"{name!r} is a {self.kind!r} model; CLIP and SigLIP models are supported")
        vision = config.vision_config
        self.image_size = int(vision.image_size)
        self.patch_side = self.image_size // int(vision.patch_size)
        self.dim = (
            int(getattr(config, "projection_dim", None) or vision.hidden_size)
            if self.kind == "clip"
            else int(vision.hidden_size)
        )
        self.grid = grid
        self.id = f"hf:{name}@{_revision(self._model, local)}/grid{grid}"
        mean, std = _normalisation(local, self.kind)
        self._mean = torch.tensor(mean).view(1, 3, 1, 1)
        self._std = torch.tensor(std).view(1, 3, 1, 1)
        self._label_vecs: np.ndarray | None = None

    def encode(self, rgb: np.ndarray) -> EncodedFrames:
        x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(0, 3, 1, 2).float().div_(255.0)  # (B, 3, S, S)
        if x.shape[-1] != self.image_size:
            x = F.interpolate(x, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False)
        x = (x - self._mean) / self._std
        with torch.inference_mode():
            hidden = self._model.vision_model(pixel_values=x).last_hidden_state  # (B, [1+]N, D)
            if self.kind == "clip":
                hidden = hidden[:, 1:, :]  # drop the class token
            tokens = self._model.vision_model.post_layernorm(hidden)
            if self.kind == "clip":
                tokens = self._model.visual_projection(tokens)  # (B, N, C) in the joint space
            b, n, c = tokens.shape
            side = int(round(n**0.5))
            feature_map = tokens.transpose(1, 2).reshape(b, c, side, side)  # (B, C, s, s)
            return EncodedFrames(
                content=content_token(feature_map).numpy(), patches=pooled_grid(feature_map, self.grid).numpy()
            )

    def _text_vectors(self, texts: list[str]) -> np.ndarray:
        padding = "max_length" if self.kind == "siglip" else True
        batch = self._tokenizer(texts, padding=padding, truncation=True, return_tensors="pt")
        batch.pop("token_type_ids", None)
        with torch.inference_mode():
            out = self._model.get_text_features(**batch)
            if not isinstance(out, torch.Tensor):  # newer transformers return a model output
                out = out.pooler_output
            return F.normalize(out.float(), dim=-1).numpy()  # (N, C)

    def question_queries(self, question: str) -> Queries:
        vectors = self._text_vectors([question])  # (1, C)
        return Queries(vectors=vectors, weights=np.ones(1, np.float32), labels=(question,))

    def relevance(self, context: np.ndarray, content: np.ndarray, queries: Queries) -> np.ndarray:
        """Cosine similarity between the question and each frame's context and content tokens."""

        def cos(x):
            x = np.atleast_2d(x)
            unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)
            return unit @ queries.vectors.T @ queries.weights

        return 0.5 * (cos(context) + cos(content))

    def concepts(self, content: np.ndarray, top: int = 5) -> list[list[tuple[str, float]]]:
        """Zero-shot tags: the content token against "a photo of a {label}" for the ImageNet labels."""
        labels = imagenet_labels()
        if self._label_vecs is None:
            prompts = [f"a photo of a {label}." for label in labels]
            self._label_vecs = np.concatenate(
                [self._text_vectors(prompts[i : i + 250]) for i in range(0, len(prompts), 250)]
            )
        image = np.atleast_2d(content).astype(np.float32)
        image = image / np.maximum(np.linalg.norm(image, axis=1, keepdims=True), 1e-6)
        logits = 100.0 * image @ self._label_vecs.T
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        order = np.argsort(-probs, axis=1)[:, :top]
        return [[(labels[j], float(p[j])) for j in row] for row, p in zip(order, probs)]


def _revision(model, local: Path) -> str:
    commit = getattr(model.config, "_commit_hash", None)
    if commit:
        return commit[:10]
    digest = hashlib.sha1()
    for path in sorted(local.glob("*")) if local.is_dir() else []:
        if path.suffix in (".json", ".safetensors", ".bin"):
            digest.update(path.name.encode())
            digest.update(str(path.stat().st_size).encode())
            if path.suffix == ".json":
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _normalisation(local: Path, kind: str):
    config = local / "preprocessor_config.json"
    if config.is_file():
        try:
            data = json.loads(config.read_text())
            return data["image_mean"], data["image_std"]
        except (KeyError, ValueError):
            pass
    return DEFAULT_NORMALISATION[kind]
