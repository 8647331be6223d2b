"""Training recipe of our recommender: BERT user encoders + lexical + item-to-item fusion.

    minilm = minilm_path()  # shopmate.models: the packaged MiniLM folder (the CLI passes it)
    cfg = UserEncoderConfig(data=Path("../shared/data/rec/scientific"), embedder_path=minilm)
    path = train_user_encoder(cfg)

Writes an artifact folder that `RecModel.load` (and the shop's Recommender) reads:
member-<k>.pt (each encoder's weights), config.json (architecture, fusion weights,
this config), item_ids.json, lexicon.json, transitions.npz, metrics.json (valid
metrics, epochs, training time). An interrupted run resumes: finished encoders are
kept and the one in progress continues from its last epoch.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from finetune.seq_training import LoopConfig, fit
from recommender.baselines import TRANSITION_GRID, select_transitions
from recommender.data import RecData, item_vectors, load_rec_data
from recommender.lexical import Lexicon
from recommender.metrics import ndcg_at_k, summarize, target_ranks
from recommender.rec_model import Fusion, RecModel
from recommender.user_encoder import CONFIG, EncoderSpec, UserEncoderNet, whitening

log = logging.getLogger(__name__)

LEX_WEIGHTS = (0.0, 2.5, 5.0, 10.0, 20.0)
LEX_DECAYS = (0.3, 0.6)
TRANS_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)


@dataclass
class UserEncoderConfig:
    data: Path  # recommendation folder: items.tsv, train.tsv, valid.tsv (optional), test.tsv
    out: Path = Path("var/models/user-encoder")  # artifact folder
    cache_dir: Path | None = Path("var/cache/rec")  # item-vector cache (None: no cache)
    # sentence encoder that embeds the item texts (the CLI: the shop's, or MiniLM); needed
    # unless the caller passes the item vectors in
    embedder_path: Path | None = None
    members: int = 3  # encoders trained with different seeds; their cosines are averaged
    dim: int = 128  # width of user and item vectors
    layers: int = 2  # transformer layers
    heads: int = 2  # attention heads
    dropout: float = 0.2  # dropout in the transformer
    max_len: int = 50  # newest history items the encoder reads
    temperature: float = 0.07  # softmax temperature of the cosine scores
    use_ids: bool = True  # learned id embeddings for training items (new items: text only)
    epochs: int = 30  # upper bound per encoder; early stopping on valid NDCG@10
    patience: int = 2  # epochs without a better valid NDCG@10 before stopping
    batch_size: int = 128  # sequences per step
    lr: float = 1e-3  # AdamW learning rate
    reverse: float = 1.0  # share of sequences also trained reversed (co-occurrence both ways)
    max_minutes: float = 12.0  # wall-clock budget for all encoders together
    select_rows: int = 5000  # valid rows used to choose the fusion weights (all if fewer)
    threads: int = 2  # torch CPU threads (0: leave torch's default)
    seed: int = 0  # seed of the first encoder; encoder k uses seed + k
    progress: bool = True  # tqdm progress bars
    fusion_grid: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: {
            "lex_weight": LEX_WEIGHTS,
            "lex_decay": LEX_DECAYS,
            "trans_weight": TRANS_WEIGHTS,
        }
    )

    def __post_init__(self) -> None:
        if self.members <= 0:
            raise ValueError(f"members must be > 0, got {self.members}")
        if self.max_minutes <= 0:
            raise ValueError(f"max_minutes must be > 0, got {self.max_minutes}")

    def spec(self, text_dim: int) -> EncoderSpec:
        return EncoderSpec(
            text_dim,
            self.dim,
            self.layers,
            self.heads,
            self.dropout,
            self.max_len,
            self.temperature,
            self.use_ids,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (paths as strings, tuples as lists): compares equal after a reload."""
        d = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}
        loaded: dict[str, Any] = json.loads(json.dumps(d))
        return loaded


def _same(a: dict[str, Any] | None, b: dict[str, Any]) -> bool:
    """Same training settings, progress bars aside."""
    return a is not None and {k: v for k, v in a.items() if k != "progress"} == {
        k: v for k, v in b.items() if k != "progress"
    }


def _write_json(path: Path, obj: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _subset(rows: list[Any], n: int, seed: int) -> list[Any]:
    if len(rows) <= n:
        return rows
    pick = np.sort(np.random.default_rng(seed).choice(len(rows), n, replace=False))
    return [rows[i] for i in pick]


def choose_fusion(
    model: RecModel,
    data: RecData,
    vecs: np.ndarray,
    trans_decay: float,
    rows: list[Any],
    grid: dict[str, tuple[float, ...]],
) -> tuple[Fusion, float]:
    """The fusion weights with the best NDCG@10 on `rows` (validation rows)."""
    cat = model.catalog(data.item_ids, vecs, data.texts)
    hist = [r.history for r in rows]
    targets = [r.target for r in rows]
    scores: dict[tuple[float, float, float], list[np.ndarray]] = {}
    for i in range(0, len(rows), 1000):
        h, t = hist[i : i + 1000], targets[i : i + 1000]
        by_decay = {g: model.terms(cat, h, g, trans_decay) for g in grid["lex_decay"]}
        for g, lw, tw in itertools.product(
            grid["lex_decay"], grid["lex_weight"], grid["trans_weight"]
        ):
            dense, lex, trans = by_decay[g]
            s = (
                dense
                + lw * (lex if lex is not None else 0)
                + tw * (trans if trans is not None else 0)
            )
            scores.setdefault((g, lw, tw), []).append(target_ranks(s, t, h))
    ndcg = {k: ndcg_at_k(np.concatenate(v), 10) for k, v in scores.items()}
    (g, lw, tw), best = max(ndcg.items(), key=lambda kv: kv[1])
    log.info(
        "fusion: lex_decay=%s lex_weight=%s trans_weight=%s valid ndcg@10 %.4f", g, lw, tw, best
    )
    return Fusion(lw, g, tw, trans_decay), best


def train_user_encoder(
    cfg: UserEncoderConfig,
    data: RecData | None = None,
    vecs: np.ndarray | None = None,
    embedder_fingerprint: str | None = None,
) -> Path:
    """Train the encoders, fit the lexicon and transitions, choose the fusion; returns cfg.out.

    `data` and `vecs` may be passed in when the caller already loaded them, with the
    fingerprint of the embedder that made `vecs` (recorded: serving must feed the encoder
    the same embedder's item vectors)."""
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    t_start = time.perf_counter()
    data = data or load_rec_data(cfg.data)
    if vecs is None:
        from retrieval.embedder import Embedder

        if cfg.embedder_path is None:
            raise ValueError(
                "embedder_path is needed to embed the item texts (or pass the item vectors in)"
            )
        embedder = Embedder(cfg.embedder_path)
        vecs = item_vectors(data, embedder, cfg.cache_dir, show_progress=cfg.progress)
        embedder_fingerprint = embedder.fingerprint
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    progress_file = out / ".progress.json"
    state = json.loads(progress_file.read_text()) if progress_file.exists() else {}
    if not state and (out / CONFIG).exists() and (out / "metrics.json").exists():
        done = json.loads((out / CONFIG).read_text())
        if _same(done.get("train"), cfg.as_dict()):  # a finished run: keep its encoders
            done_metrics = json.loads((out / "metrics.json").read_text())["members"]
            members = dict(zip(done["members"], done_metrics, strict=True))
            state = {"config": cfg.as_dict(), "members": members}
    if not _same(state.get("config"), cfg.as_dict()):
        state = {"config": cfg.as_dict(), "members": {}}
        (out / CONFIG).unlink(missing_ok=True)  # no loadable artifact until this run is done
    seqs = data.train_sequences()
    spec = cfg.spec(vecs.shape[1])
    mu, white = whitening(vecs)
    nets: list[UserEncoderNet] = []
    member_files: list[str] = []
    member_metrics: list[dict[str, float]] = []
    for k in range(cfg.members):
        net = UserEncoderNet(spec, data.n_items)
        net.set_whitening(mu, white)
        net.text = torch.as_tensor(vecs)
        name = f"member-{k}.pt"
        done = state["members"].get(name)
        if done and (out / name).exists():
            net.load_state_dict(torch.load(out / name, map_location="cpu", weights_only=True))
            net.eval()
        else:
            spent = sum(m["train_s"] for m in member_metrics)  # also counts resumed members
            budget = max(0.5, (cfg.max_minutes * 60 - spent) / (cfg.members - k) / 60)
            loop = LoopConfig(
                epochs=cfg.epochs,
                patience=cfg.patience,
                batch_size=cfg.batch_size,
                lr=cfg.lr,
                max_len=cfg.max_len,
                reverse=cfg.reverse,
                max_minutes=budget,
                seed=cfg.seed + k,
            )
            work = out / "checkpoints" / f"member-{k}"
            res = fit(
                net, seqs, data.valid, loop, work, cfg.progress, f"encoder {k + 1}/{cfg.members}"
            )
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
            os.close(fd)
            torch.save(net.state_dict(), tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, out / name)
            done = {
                "best_epoch": res.best_epoch,
                "epochs_run": res.epochs_run,
                "valid": res.valid,
                "train_s": res.train_s,
            }
            state["members"][name] = done
            _write_json(progress_file, state)
            shutil.rmtree(work, ignore_errors=True)
        nets.append(net)
        member_files.append(name)
        member_metrics.append(done)

    t_fusion = time.perf_counter()
    lexicon = Lexicon.fit(data.texts)
    valid_rows = _subset(data.valid, cfg.select_rows, cfg.seed)
    trans, trans_params, _ = select_transitions(seqs, data.n_items, valid_rows, TRANSITION_GRID)
    model = RecModel.from_parts(nets, lexicon, trans, data.item_ids, Fusion())
    fusion, _ = choose_fusion(
        model, data, vecs, float(trans_params["decay"]), valid_rows, cfg.fusion_grid
    )
    model = model.with_fusion(fusion)
    cat = model.catalog(data.item_ids, vecs, data.texts)
    ranks = np.concatenate(
        [
            target_ranks(
                model.score(cat, [r.history for r in part]),
                [r.target for r in part],
                [r.history for r in part],
            )
            for part in (data.valid[i : i + 1000] for i in range(0, len(data.valid), 1000))
        ]
    )
    model.save_parts(out)
    # training cost of the artifact: each encoder's own time (also when it was trained by an
    # earlier, resumed run) plus the lexicon, transitions and fusion of this run
    train_s = sum(m["train_s"] for m in member_metrics) + time.perf_counter() - t_fusion
    metrics = {
        "valid": summarize(ranks),
        "members": member_metrics,
        "train_s": train_s,
        "wall_s_this_run": time.perf_counter() - t_start,  # includes encoding uncached items
        "n_items": data.n_items,
        "n_train_sequences": len(seqs),
        "valid_from_train": data.valid_from_train,
    }
    _write_json(out / "metrics.json", metrics)
    _write_json(
        out / CONFIG,
        {
            "kind": "shopmate-user-encoder",
            "version": 1,
            "model": asdict(spec),
            "members": member_files,
            "embedder": embedder_fingerprint,  # whose item vectors it reads (None: unknown)
            "fusion": model.fusion_dict(),
            "transitions": trans_params,
            "train": cfg.as_dict(),
            "data": str(cfg.data),
        },
    )
    progress_file.unlink(missing_ok=True)
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    log.info("user encoder written to %s in %.0f s (valid %s)", out, train_s, metrics["valid"])
    return out
