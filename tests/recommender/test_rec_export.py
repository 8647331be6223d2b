"""The shop's own events exported for training, and the trained encoder picked up by serving."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from finetune.user_encoder import UserEncoderConfig, train_user_encoder
from recommender.data import item_vectors, load_rec_data
from recommender.export import export_rec_folder, pseudonym, sequences
from recommender.rec_model import RecModel
from shop.repository import ShopRepository
from shopmate.settings import Settings
from shopmate.wiring import load_rec_model


def test_export_is_leave_one_out_over_pseudonyms(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = services.repo
    report = export_rec_folder(repo, tmp_path / "rec")
    seqs = sequences(repo)
    assert report.items == repo.count_products() and report.users == len(seqs)
    data = load_rec_data(report.path)
    assert len(data.item_ids) == report.items and not data.valid_from_train
    raw_ids = set(seqs)
    text = "".join(p.read_text() for p in report.path.glob("*.tsv"))
    assert not any(f"{uid}\t" in text for uid in raw_ids)  # shoppers only under pseudonyms
    uid, seq = next((u, s) for u, s in sorted(seqs.items()) if len(s) >= 4)
    name = pseudonym(uid)
    by_user = {r.user_id: r for r in data.test}
    test_row = by_user[name]
    assert [data.item_ids[i] for i in test_row.history] == seq[:-1]
    assert data.item_ids[test_row.target] == seq[-1]
    valid_row = {r.user_id: r for r in data.valid}[name]
    assert data.item_ids[valid_row.target] == seq[-2]
    train_targets = [data.item_ids[r.target] for r in data.train if r.user_id == name]
    assert train_targets == seq[1:-2]  # neither held-out item is trained on
    # no repeats in a row inside a sequence
    assert all(a != b for s in seqs.values() for a, b in itertools.pairwise(s))


def test_export_refuses_an_empty_shop(tmp_path: Path) -> None:
    repo = ShopRepository.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    repo.create_tables()
    with pytest.raises(ValueError, match="no products"):
        export_rec_folder(repo, tmp_path / "rec")
    assert not (tmp_path / "rec").exists()


def test_serving_loads_the_trained_encoder_from_the_data_dir(
    services, embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path)
    assert load_rec_model(settings) is None  # nothing trained: the weighted mean serves
    data = export_rec_folder(services.repo, tmp_path / "rec").path
    cfg = UserEncoderConfig(
        data=data,
        out=settings.models_dir / "user-encoder",
        members=1,
        dim=32,
        layers=1,
        epochs=1,
        cache_dir=None,
        progress=False,
    )
    rec_data = load_rec_data(data)
    train_user_encoder(cfg, rec_data, item_vectors(rec_data, embedder, None), embedder.fingerprint)
    model = load_rec_model(settings, embedder)
    assert isinstance(model, RecModel) and len(model.item_ids) == services.repo.count_products()
    assert model.embedder == embedder.fingerprint
    # trained on another embedder's item vectors: refused, with the command that fixes it
    config = cfg.out / "config.json"
    meta = json.loads(config.read_text())
    config.write_text(json.dumps({**meta, "embedder": "0123456789abcdef"}))
    with pytest.raises(ValueError, match="finetune user-encoder --from-shop"):
        load_rec_model(settings, embedder)
    # an artifact that does not say (trained before this was recorded) is served
    config.write_text(json.dumps({k: v for k, v in meta.items() if k != "embedder"}))
    assert load_rec_model(settings, embedder) is not None
    with pytest.raises(ValueError, match="not a user-encoder artifact"):
        load_rec_model(Settings(data_dir=tmp_path, user_encoder_path=tmp_path / "nowhere"))
