"""Vision encoders: the real EfficientNet-Lite0 and a tiny random CLIP built from a transformers config."""

from __future__ import annotations

import numpy as np
import pytest

from core import encoders
from core.errors import UnknownBackend


def _photo(name: str, size: int = 224) -> np.ndarray:
    from PIL import Image
    from skimage import data

    return np.asarray(Image.fromarray(getattr(data, name)()).resize((size, size), Image.BILINEAR))


def test_efficientnet_tokens_have_the_stored_shapes(encoder):
    rgb = np.stack([_photo("chelsea"), _photo("coffee")])
    out = encoder.encode(rgb)
    assert out.content.shape == (2, 1280) and out.patches.shape == (2, 4, 1280)
    assert out.content.dtype == np.float32
    # the 2x2 cells of a 7x7 map overlap by one row and column, so their mean only tracks the content token
    for i in range(2):
        assert np.corrcoef(out.patches[i].mean(axis=0), out.content[i])[0, 1] > 0.95
    assert np.corrcoef(out.content[0], out.content[1])[0, 1] < 0.9  # a cat is not a coffee cup
    assert encoder.id.startswith("efficientnet-lite0@57934424")


def test_efficientnet_tags_real_photographs(encoder):
    out = encoder.encode(np.stack([_photo("chelsea"), _photo("coffee")]))
    cat, coffee = encoder.concepts(out.content, top=3)
    assert {"Egyptian cat", "tabby", "tiger cat"} & {name for name, _ in cat}
    assert coffee[0][0] in ("espresso", "cup", "coffee mug")
    assert 0 < coffee[0][1] <= 1


@pytest.mark.slow
def test_question_bridge_maps_words_to_imagenet_concepts(encoder):
    queries = encoder.question_queries("Show me the cat")
    assert queries.vectors.shape[1] == 1280 and len(queries.vectors) == len(queries.weights) >= 2
    assert sum("cat" in label for label in queries.labels) >= 2
    assert queries.weights.sum() == pytest.approx(1.0, abs=1e-5)
    # the cat photo's context token responds more to the cat question than the coffee photo's
    from core.tokens import context_tokens

    out = encoder.encode(np.stack([_photo("chelsea"), _photo("coffee")]))
    ctx = context_tokens(queries.vectors, out.patches, weights=queries.weights)
    scores = encoder.concept_probabilities(ctx)[:, list(queries.concept_ids)].sum(axis=1)
    assert scores[0] > scores[1]
    relevance = encoder.relevance(ctx, out.content, queries)
    assert relevance[0] > 5 * relevance[1]


def test_unknown_encoder_lists_the_valid_ones():
    with pytest.raises(UnknownBackend, match="efficientnet-lite0"):
        encoders.create("no-such-encoder")


def test_plugins_register_and_unregister(encoder):
    encoders.register("test-copy", lambda **kw: encoder)
    try:
        assert "test-copy" in encoders.names()
        assert encoders.create("test-copy") is encoder
    finally:
        encoders.unregister("test-copy")
    assert "test-copy" not in encoders.names()


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory):
    """A tiny random CLIP (and tokenizer) saved to a folder, as a user's local model would be."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import CLIPConfig, CLIPModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-clip")
    words = ["[PAD]", "[UNK]", "[EOS]", "a", "photo", "of", "the", "cat", "dog", "red", "car", "who", "is", "this"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", eos_token="[EOS]"
    ).save_pretrained(folder)
    config = CLIPConfig(
        text_config={
            "vocab_size": len(words),
            "hidden_size": 32,
            "intermediate_size": 37,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "max_position_embeddings": 32,
            "eos_token_id": 2,
            "pad_token_id": 0,
        },
        vision_config={
            "image_size": 32,
            "patch_size": 8,
            "hidden_size": 32,
            "intermediate_size": 37,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
        },
        projection_dim=16,
    )
    CLIPModel(config).eval().save_pretrained(folder)
    return folder


def test_tiny_clip_from_a_local_folder(tiny_clip):
    enc = encoders.create(str(tiny_clip))
    assert enc.id.startswith(f"hf:{tiny_clip}@") and enc.dim == 16 and enc.image_size == 32
    rgb = np.random.default_rng(0).integers(0, 255, (3, 32, 32, 3), dtype=np.uint8)
    out = enc.encode(rgb)
    assert out.content.shape == (3, 16) and out.patches.shape == (3, 4, 16)
    q = enc.question_queries("who is this cat")
    assert q.vectors.shape == (1, 16)
    assert np.linalg.norm(q.vectors[0]) == pytest.approx(1.0, abs=1e-4)
    tags = enc.concepts(out.content, top=2)
    assert len(tags) == 3 and len(tags[0]) == 2
    # the same model loads to the same id: stored vectors stay attached to their model
    assert encoders.create(str(tiny_clip)).id == enc.id


def test_a_model_that_is_not_there_is_a_clear_error(tmp_path):
    with pytest.raises(UnknownBackend, match="cannot load"):
        encoders.create(str(tmp_path))  # an empty folder


def test_the_encoder_runs_on_the_device_torch_reports(monkeypatch, tmp_path):
    """A CUDA or Apple GPU when torch has one (none here: the CPU); MOVIEBUDDY_DEVICE chooses, and an
    encoder sent to the CPU by it gives the tokens the default one gives."""
    import numpy as np
    import torch

    from core.encoders.efficientnet import EfficientNetLite0, pick_device

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    mps = getattr(torch.backends, "mps", None)
    if expected == "cpu" and mps is not None and mps.is_available():
        expected = "mps"
    monkeypatch.delenv("MOVIEBUDDY_DEVICE", raising=False)
    assert pick_device() == expected
    monkeypatch.setenv("MOVIEBUDDY_DEVICE", "cpu")
    pinned = EfficientNetLite0(cache_dir=tmp_path)
    assert pinned.device == "cpu"
    rgb = np.random.default_rng(0).integers(0, 255, (2, 224, 224, 3), dtype=np.uint8)
    monkeypatch.delenv("MOVIEBUDDY_DEVICE")
    default = EfficientNetLite0(cache_dir=tmp_path)
    np.testing.assert_allclose(pinned.encode(rgb).content, default.encode(rgb).content, rtol=1e-3, atol=1e-3)
