"""The user encoder: data loading, training that learns, the artifact, and real-time serving."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import numpy as np
import pytest

from finetune.seq_training import LoopConfig, fit
from finetune.user_encoder import UserEncoderConfig, train_user_encoder
from recommender.data import RecDataError, item_vectors, load_rec_data, write_rec_data
from recommender.rec_model import RecModel
from recommender.user_encoder import EncoderSpec, UserEncoderNet, whitening
from shopmate.models import minilm_path

THEMES = ["camping tent", "rain jacket", "trail shoe", "coffee grinder", "yoga mat", "bike light"]


def synthetic(tmp: Path, users: int = 150, seed: int = 0) -> tuple[Path, dict[str, list[str]]]:
    """Six themes of eight items; each shopper walks one theme's items in a fixed cycle."""
    rng = random.Random(seed)
    items = [
        (f"i{t}{j}", f"{theme} model {j} by brand {j % 3}")
        for t, theme in enumerate(THEMES)
        for j in range(8)
    ]
    seqs = {}
    for u in range(users):
        t, start, n = rng.randrange(len(THEMES)), rng.randrange(8), rng.randint(4, 8)
        seqs[f"u{u}"] = [f"i{t}{(start + s) % 8}" for s in range(n)]
    return write_rec_data(tmp, items, seqs), seqs


def test_folder_roundtrip_and_sequence_stitching(tmp_path: Path) -> None:
    long = [f"i{t}{j}" for t in range(6) for j in range(8)] * 2  # 96 items: capped histories
    path, seqs = synthetic(tmp_path / "d")
    seqs_all = {**seqs, "long": long}
    items = [(f"i{t}{j}", f"{THEMES[t]} {j}") for t in range(6) for j in range(8)]
    write_rec_data(tmp_path / "d", items, seqs_all)
    data = load_rec_data(path)
    assert data.n_items == 48 and len(data.test) == len(seqs_all)
    got = sorted(tuple(data.item_ids[i] for i in s) for s in data.train_sequences())
    want = sorted(tuple(s[:-2]) for s in seqs_all.values())
    assert got == want  # one-row-per-prefix rows and 50-item windows collapse back
    r = data.test[0]
    assert [data.item_ids[i] for i in (*r.history, r.target)] == seqs_all["u0"]


def test_missing_valid_holds_out_train_rows_and_bad_lines_are_named(tmp_path: Path) -> None:
    path, _ = synthetic(tmp_path / "d")
    n_train = len(load_rec_data(path).train)
    (path / "valid.tsv").unlink()
    data = load_rec_data(path)
    assert data.valid_from_train and len(data.valid) == n_train // 10
    assert len(data.train) == n_train - n_train // 10
    (path / "train.tsv").write_text("user_id\thistory\ttarget\nu1\ti00 i01\n")
    with pytest.raises(RecDataError, match=r"train\.tsv:2: expected 3 tab-separated columns"):
        load_rec_data(path)
    with pytest.raises(RecDataError, match=r"items\.tsv is missing"):
        load_rec_data(tmp_path / "nowhere")


def test_unknown_items_are_dropped(tmp_path: Path) -> None:
    path, _ = synthetic(tmp_path / "d")
    text = (path / "test.tsv").read_text().splitlines()
    text[1] = "u0\tnope i00\ti01"
    text[2] = "u1\ti00\tnope"
    (path / "test.tsv").write_text("\n".join(text) + "\n")
    data = load_rec_data(path)
    assert data.test[0].history == (data.index["i00"],)
    assert all(r.user_id != "u1" for r in data.test)


def test_a_few_epochs_lower_the_loss_and_learn_the_cycles(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    path, _ = synthetic(tmp_path / "d")
    data = load_rec_data(path)
    vecs = item_vectors(data, embedder, tmp_path / "cache")
    assert (tmp_path / "cache").glob("items-*.npy")
    net = UserEncoderNet(EncoderSpec(dim=32, layers=1, heads=2, dropout=0.1), data.n_items)
    net.set_whitening(*whitening(vecs))
    import torch

    net.text = torch.as_tensor(vecs)
    cfg = LoopConfig(epochs=6, patience=10, batch_size=32, lr=3e-3)
    res = fit(net, data.train_sequences(), data.valid, cfg, tmp_path / "work", progress=False)
    losses = [h["loss"] for h in res.history]
    assert losses[-1] < losses[0] * 0.8, losses
    # the next item is fully determined by the last one: far above chance (10/48)
    assert res.valid["recall@10"] > 0.5, res.valid
    # an interrupted run resumes from its checkpoint instead of starting over
    again = fit(net, data.train_sequences(), data.valid, cfg, tmp_path / "work", progress=False)
    assert again.epochs_run == 6 and again.history == res.history


def test_artifact_is_written_loaded_and_resumed(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    path, _ = synthetic(tmp_path / "d")
    data = load_rec_data(path)
    vecs = item_vectors(data, embedder, None)
    cfg = UserEncoderConfig(
        data=path, out=tmp_path / "art", members=2, dim=32, layers=1, epochs=3, progress=False
    )
    out = train_user_encoder(cfg, data, vecs)
    names = {p.name for p in out.iterdir()}
    assert {"member-0.pt", "member-1.pt", "config.json", "metrics.json", "item_ids.json"} <= names
    assert "checkpoints" not in names
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["train_s"] > 0 and len(metrics["members"]) == 2
    assert metrics["valid"]["recall@10"] > 0.5
    model = RecModel.load(out)
    cat = model.catalog(data.item_ids, vecs, data.texts)
    hist = [data.index["i00"], data.index["i01"]]
    s = model.score(cat, [hist])[0]
    s[hist] = -np.inf
    assert np.argmax(s) == data.index["i02"]  # the cycle continues
    # unknown items get text-only vectors: still finite, still near their theme
    new = model.catalog(["brand-new"], vecs[:1], ["camping tent model 9 by brand 0"])
    assert new.art.tolist() == [-1] and np.isfinite(new.unit[0]).all()
    # a second run with the same config keeps the trained encoders
    before = (out / "member-0.pt").stat().st_mtime_ns
    train_user_encoder(cfg, data, vecs)
    assert (out / "member-0.pt").stat().st_mtime_ns == before


def test_recommendations_follow_events_with_the_encoder(services, embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Trained on the demo shop's history; a new shopper's events change the next list at once."""
    from recommender.item_index import product_text
    from recommender.recommender import POPULAR, Recommender
    from shopmate.demo.generate import generate_demo_shop

    shop = generate_demo_shop(7)
    products = services.repo.all_products()
    seqs: dict[str, list[str]] = {}
    for e in sorted(shop.events, key=lambda e: e.ts):
        s = seqs.setdefault(e.user_id, [])
        if not s or s[-1] != e.product_id:
            s.append(e.product_id)
    path = write_rec_data(tmp_path / "demo", [(p.id, product_text(p)) for p in products], seqs)
    cfg = UserEncoderConfig(
        data=path,
        embedder_path=minilm_path(),
        out=tmp_path / "art",
        members=1,
        dim=64,
        epochs=4,
        progress=False,
    )
    rec = Recommender(
        services.repo, services.store, embedder, model=RecModel.load(train_user_encoder(cfg))
    )
    rec.warm_up()

    user = "enc-" + uuid.uuid4().hex[:8]
    cold = rec.recommend(user, k=5)
    assert len(cold) == 5 and all(s.reason == POPULAR for s in cold)

    tent = next(p for p in products if "tent" in p.title.lower() and p.in_stock)
    for kind in ("view", "add_to_cart"):
        services.repo.add_event(user, tent.id, kind)
    warm = rec.recommend(user, k=5)
    top = tent.category.split(">")[0].strip()
    assert tent.id not in [s.product.id for s in warm]
    assert sum(s.product.category.startswith(top) for s in warm) >= 3, [
        s.product.category for s in warm
    ]
    assert any(s.reason == f"because you added to your cart {tent.title}" for s in warm)

    other = next(p for p in products if not p.category.startswith(top) and p.in_stock)
    services.repo.add_event(user, other.id, "view")
    warmer = rec.recommend(user, k=5)
    assert [s.product.id for s in warmer] != [s.product.id for s in warm]
    assert any(other.title in s.reason for s in warmer), [s.reason for s in warmer]


def _eval_app():  # type: ignore[no-untyped-def]
    import typer

    from shopmate.cli_rec import eval_rec

    app = typer.Typer()
    app.command()(eval_rec)  # as the CLI mounts it: eval_app.command("rec")(eval_rec)
    return app


def test_cli_finetunes_and_evaluates_a_folder_it_never_saw(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shopmate.cli_rec import finetune_app

    path, _ = synthetic(tmp_path / "d")
    runner = CliRunner()
    art = tmp_path / "art"
    common = ["--cache-dir", str(tmp_path / "cache"), "--no-progress"]
    r = runner.invoke(
        finetune_app,
        [
            "user-encoder",
            "--data",
            str(path),
            "--out",
            str(art),
            "--members",
            "1",
            "--epochs",
            "2",
            *common,
        ],
    )
    assert r.exit_code == 0, r.output
    assert (art / "config.json").exists() and "SHOPMATE_USER_ENCODER_PATH" in r.output
    out = tmp_path / "eval.json"
    cheap = ["--models", "transitions,meanpool,popularity"]
    r = runner.invoke(_eval_app(), ["--data", str(path), "--json", str(out), *cheap, *common])
    assert r.exit_code == 0, r.output
    report = json.loads(out.read_text())
    assert list(report["models"]) == ["transitions", "meanpool", "popularity"]
    bad = runner.invoke(_eval_app(), ["--data", str(tmp_path), "--no-progress"])
    assert bad.exit_code == 2 and "items.tsv is missing" in bad.output
    bad = runner.invoke(_eval_app(), ["--data", str(path), "--models", "bert4rec"])
    assert bad.exit_code == 2 and "unknown models" in bad.output


@pytest.mark.slow
def test_full_eval_json_has_every_model(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    path, _ = synthetic(tmp_path / "d")
    out = tmp_path / "eval.json"
    args = [
        "--data",
        str(path),
        "--json",
        str(out),
        "--out",
        str(tmp_path / "runs"),
        "--no-progress",
    ]
    r = CliRunner().invoke(
        _eval_app(), [*args, "--members", "1", "--cache-dir", str(tmp_path / "c")]
    )
    assert r.exit_code == 0, r.output
    report = json.loads(out.read_text())
    assert list(report["models"]) == ["ours", "sasrec", "transitions", "meanpool", "popularity"]
    for m in report["models"].values():
        assert set(m) == {"recall@10", "ndcg@10", "recall@50", "ndcg@50", "train_s"}
    assert report["models"]["ours"]["recall@10"] > report["models"]["popularity"]["recall@10"]
