"""Training recipe of the SASRec baseline (item ids only, full cross-entropy, early stopping).

    path = train_sasrec(SASRecConfig(data=Path("../shared/data/rec/scientific")))
    net = load_sasrec(path)

Writes weights.pt, config.json and metrics.json to `out`; resumes an interrupted run
from the last epoch's checkpoint.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from finetune.seq_training import LoopConfig, fit
from recommender.data import RecData, load_rec_data
from recommender.sasrec import SASRecNet, SASRecSpec

log = logging.getLogger(__name__)


@dataclass
class SASRecConfig:
    data: Path  # recommendation folder
    out: Path = Path("var/models/sasrec")  # artifact folder
    # dim/heads/dropout: best of four settings on Scientific valid (64/1/0.5, 64/1/0.2,
    # 64/1/0.5 + reversed copies, 128/2/0.5); 0.5 is the paper's dropout for Amazon data
    dim: int = 128  # item embedding and transformer width
    layers: int = 2  # transformer layers
    heads: int = 2  # attention heads
    dropout: float = 0.5  # dropout
    max_len: int = 50  # newest items read
    epochs: int = 200  # upper bound; early stopping on valid NDCG@10
    patience: int = 5  # epochs without a better valid NDCG@10 before stopping
    batch_size: int = 128  # sequences per step
    lr: float = 1e-3  # AdamW learning rate
    reverse: float = 0.0  # share of sequences also trained reversed (0: as in the paper)
    max_minutes: float = 12.0  # wall-clock budget
    threads: int = 2  # torch CPU threads (0: leave torch's default)
    seed: int = 0
    progress: bool = True  # tqdm progress bars

    def spec(self) -> SASRecSpec:
        return SASRecSpec(self.dim, self.layers, self.heads, self.dropout, self.max_len)

    def as_dict(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _finished(out: Path, cfg: SASRecConfig) -> bool:
    """A complete artifact trained with the same settings (progress bars aside)."""
    if not ((out / "config.json").exists() and (out / "weights.pt").exists()):
        return False
    done = json.loads((out / "config.json").read_text()).get("train", {})
    same = {k: v for k, v in cfg.as_dict().items() if k != "progress"}
    return {k: v for k, v in done.items() if k != "progress"} == same


def train_sasrec(cfg: SASRecConfig, data: RecData | None = None) -> Path:
    """Train SASRec on cfg.data's train sequences; returns the artifact folder."""
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    t0 = time.perf_counter()
    out = Path(cfg.out)
    if _finished(out, cfg):
        log.info("sasrec: %s was trained with this config; reusing it", out)
        return out
    data = data or load_rec_data(cfg.data)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").unlink(missing_ok=True)  # no loadable artifact until this run is done
    net = SASRecNet(cfg.spec(), data.n_items)
    loop = LoopConfig(
        epochs=cfg.epochs,
        patience=cfg.patience,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        max_len=cfg.max_len,
        reverse=cfg.reverse,
        max_minutes=cfg.max_minutes,
        seed=cfg.seed,
    )
    res = fit(
        net, data.train_sequences(), data.valid, loop, out / "checkpoint", cfg.progress, "sasrec"
    )
    fd, tmp = tempfile.mkstemp(prefix=".weights.", dir=out)
    os.close(fd)
    torch.save(net.state_dict(), tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out / "weights.pt")
    train_s = time.perf_counter() - t0
    metrics = {
        "valid": res.valid,
        "best_epoch": res.best_epoch,
        "epochs_run": res.epochs_run,
        "history": res.history,
        "train_s": train_s,
    }
    _write(out / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    conf = {"kind": "shopmate-sasrec", "model": asdict(cfg.spec()), "n_items": data.n_items}
    _write(out / "config.json", json.dumps({**conf, "train": cfg.as_dict()}, indent=2) + "\n")
    shutil.rmtree(out / "checkpoint", ignore_errors=True)
    log.info("sasrec written to %s in %.0f s (valid %s)", out, train_s, res.valid)
    return out


def load_sasrec(path: Path) -> SASRecNet:
    conf = json.loads((Path(path) / "config.json").read_text())
    net = SASRecNet(SASRecSpec(**conf["model"]), conf["n_items"])
    net.load_state_dict(
        torch.load(Path(path) / "weights.pt", map_location="cpu", weights_only=True)
    )
    return net.eval()
