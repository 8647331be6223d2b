"""`shopmate simulate`: the demo shop's synthetic shoppers against two assistant variants.

The whole loop, before going live: synthetic shoppers (the demo generator's, each with a
hidden taste and a 90-day history) are bucketed by the real experiment code on launch day,
visit the shop, see the suggestions of their variant — computed by the real `Recommender`
over a copy of the shop whose events the simulation keeps writing — click, buy and come
back or not. Every event goes through the tracking schema into a database of its own
(`<data_dir>/sim/shop.db`, replaced by each run; the shop's own database is only read)
and the result is the same A/B report as for a live shop.

What a shopper does depends only on their hidden tastes and on what they were shown:

* launch day: every shopper visits once (the exposure);
* each visit: 1-3 product views from the shopper's tastes (organic browsing, equal in every
  variant; 10% of visits cart one of them, half of those buy it); then `k` suggestion cards of the variant; a card on-taste is clicked with
  probability 0.25, off-taste 0.03; a clicked card is carted with 0.30 (on-taste) or 0.05,
  a carted one bought with 0.5; a chat on 30% of visits (8% handed to a person, 3% complain,
  40% leave thumbs: up with probability 0.4 + 0.5 x the on-taste share of the cards);
* each later day: a visit with probability min(0.9, base x (1 + 2 x satisfaction)), base
  drawn per shopper from U(0.03, 0.10); satisfaction decays by 0.85 a day and grows by
  1 for each on-taste click and 1.5 for each purchase.

Nothing in the variants reads the tastes: the recommender sees only the events. Same seed,
same run. Variants: `off` (no cards), `popular` (best sellers), `personal` (the
Recommender's weighted mean of item vectors), `encoder` (the Recommender with a trained
user-encoder artifact, `--model PATH`).
"""

from __future__ import annotations

import json
import logging
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from growth.ab_report import ExperimentReport, build_report
from growth.experiments import Experiment
from growth.tracking import TrackRecord
from growth.wing import Growth
from recommender.item_index import PRODUCTS
from recommender.recommender import Recommender
from shop.repository import EventRecord, ProductRecord, ShopRepository
from shopmate.demo.generate import BASE_DATE, generate_demo_shop
from shopmate.demo.history import generate_events, generate_users, matches_taste
from shopmate.wiring import Services

log = logging.getLogger(__name__)

KINDS = ("off", "popular", "personal", "encoder")
MAX_SHOPPERS = 3000  # the demo generator has 3,000 distinct names


@dataclass(frozen=True)
class SimConfig:
    days: int = 30  # simulated days from launch (day 0 = exposure)
    shoppers: int = 1000  # synthetic shoppers (own ids, own database)
    variants: tuple[tuple[str, str], ...] = (("popular", "popular"), ("personal", "personal"))
    seed: int = 11  # seed of the shoppers, their histories and their choices
    k: int = 4  # suggestion cards per visit
    experiment: str = "sim-suggestions"

    def __post_init__(self) -> None:
        if not 1 <= self.days <= 120:
            raise ValueError(f"days must be 1-120, got {self.days}")
        if not 20 <= self.shoppers <= MAX_SHOPPERS:
            raise ValueError(f"shoppers must be 20-{MAX_SHOPPERS}, got {self.shoppers}")
        if len(self.variants) < 2:
            raise ValueError("give at least two variants, e.g. off=off personal=personal")
        for name, kind in self.variants:
            if kind not in KINDS:
                raise ValueError(
                    f"variant {name!r} has kind {kind!r}; accepted kinds: {', '.join(KINDS)}"
                )
        if not 1 <= self.k <= 10:
            raise ValueError(f"k must be 1-10, got {self.k}")


@dataclass
class _Shopper:
    id: str
    tastes: tuple[str, ...]
    base: float
    variant: str = ""
    satisfaction: float = 0.0


@dataclass(frozen=True)
class SimResult:
    report: ExperimentReport
    database_url: str
    start: datetime
    end: datetime
    visits: dict[str, int] = field(default_factory=dict)
    cards_on_taste: dict[str, float] = field(default_factory=dict)  # share of shown cards


def parse_variant(text: str) -> tuple[str, str]:
    """'name=kind' or 'kind' (named after its kind)."""
    name, _, kind = text.partition("=")
    return (name, kind) if kind else (name, name)


def simulate(
    services: Services,
    cfg: SimConfig,
    make_model: Callable[[], object] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimResult:
    """Run the simulation; `make_model` loads the trained encoder for an `encoder` variant."""
    catalog = services.repo.all_products()
    if not catalog:
        raise RuntimeError("the shop has no products: run `shopmate demo build` first")
    in_stock = [p for p in catalog if p.in_stock]
    root = services.settings.data_dir / "sim"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    url = f"sqlite:///{root / 'shop.db'}"
    repo = ShopRepository.from_url(url)
    repo.upsert_products(catalog)
    wing = Growth(repo)  # the simulation's own tracking and experiments
    tracker, store = wing.tracker, wing.experiments
    names = tuple(n for n, _ in cfg.variants)
    exp = store.save(
        Experiment(
            cfg.experiment,
            names,
            description="simulated: " + ", ".join(f"{n}={k}" for n, k in cfg.variants),
        )
    )

    rng = random.Random(cfg.seed)
    demo = generate_demo_shop(services.settings.demo_seed)
    demo_products = [p for p in demo.products if p.id in {c.id for c in catalog}]
    users = generate_users(random.Random(rng.getrandbits(64)), demo_products, cfg.shoppers)
    start = BASE_DATE
    history = generate_events(random.Random(rng.getrandbits(64)), users, demo_products, start)
    rename = {u.id: f"sim{i:05d}" for i, u in enumerate(users, start=1)}
    repo.replace_history(
        [(rename[u.id], "", "") for u in users],
        [EventRecord(rename[e.user_id], e.product_id, e.type, e.ts) for e in history],
        [],
    )
    shoppers = [_Shopper(rename[u.id], u.tastes, rng.uniform(0.03, 0.10)) for u in users]

    now = [start]
    recommenders: dict[str, Recommender] = {}
    for name, kind in cfg.variants:
        model = None
        if kind == "encoder":
            if make_model is None:
                raise ValueError("an encoder variant needs a trained model (--model PATH)")
            model = make_model()
        recommenders[name] = Recommender(
            repo,
            services.store,
            services.embedder,
            PRODUCTS,
            clock=lambda: now[0],
            model=model,  # type: ignore[arg-type]
        )
    kind_of = dict(cfg.variants)
    likes: dict[str, list[ProductRecord]] = {}
    shown = {n: 0 for n in names}
    on_taste = {n: 0 for n in names}
    visits = {n: 0 for n in names}

    def liked(sh: _Shopper) -> list[ProductRecord]:
        if sh.id not in likes:
            likes[sh.id] = [
                p for p in in_stock if any(matches_taste(p.category, t) for t in sh.tastes)
            ] or in_stock
        return likes[sh.id]

    def cards(sh: _Shopper) -> list[ProductRecord]:
        kind = kind_of[sh.variant]
        if kind == "off":
            return []
        rec = recommenders[sh.variant]
        if kind == "popular":
            bought = repo.purchased_ids(sh.id)
            found = [s for s in rec.recommend(None, k=cfg.k + 8) if s.product.id not in bought]
        else:
            found = rec.recommend(sh.id, k=cfg.k)
        return [s.product for s in found[: cfg.k]]

    def visit(sh: _Shopper, day: int) -> None:
        ts = start + timedelta(days=day, seconds=rng.randint(8 * 3600, 21 * 3600))
        now[0] = ts
        session = f"{sh.id}-d{day}"
        if day == 0:  # launch day: the real bucketing picks the variant, the exposure is logged
            sh.variant = store.assign(exp.name, sh.id, True, session, ts) or names[0]
        out = [TrackRecord("visit", ts, sh.id, session)]
        tick = [ts]

        def at() -> datetime:
            tick[0] += timedelta(seconds=rng.randint(10, 120))
            return tick[0]

        browsed = [rng.choice(liked(sh)) for _ in range(rng.randint(1, 3))]
        for p in browsed:
            out.append(TrackRecord("view", at(), sh.id, session, p.id))
        if rng.random() < 0.10:  # organic: carted (and maybe bought) without any suggestion
            p = rng.choice(browsed)
            out.append(TrackRecord("add_to_cart", at(), sh.id, session, p.id))
            if rng.random() < 0.5:
                out.append(TrackRecord("purchase", at(), sh.id, session, p.id))
        shown_cards = cards(sh)
        good = 0
        for pos, p in enumerate(shown_cards):
            hit = any(matches_taste(p.category, t) for t in sh.tastes)
            good += hit
            out.append(
                TrackRecord(
                    "suggestion_impression", at(), sh.id, session, p.id, props={"position": pos}
                )
            )
            if rng.random() < (0.25 if hit else 0.03):
                out.append(TrackRecord("suggestion_click", at(), sh.id, session, p.id))
                out.append(TrackRecord("view", at(), sh.id, session, p.id))
                sh.satisfaction += 1.0 if hit else 0.0
                if rng.random() < (0.30 if hit else 0.05):
                    out.append(TrackRecord("add_to_cart", at(), sh.id, session, p.id))
                    if rng.random() < 0.5:
                        out.append(TrackRecord("purchase", at(), sh.id, session, p.id))
                        sh.satisfaction += 1.5
        shown[sh.variant] += len(shown_cards)
        on_taste[sh.variant] += good
        visits[sh.variant] += 1
        if rng.random() < 0.30:
            out.append(TrackRecord("chat_turn", at(), sh.id, session))
            if rng.random() < 0.08:
                out.append(TrackRecord("handoff", at(), sh.id, session))
            if rng.random() < 0.03:
                out.append(TrackRecord("complaint", at(), sh.id, session))
            if rng.random() < 0.40:
                share = good / len(shown_cards) if shown_cards else 0.0
                up = rng.random() < 0.4 + 0.5 * share
                # thumbs go where POST /v1/feedback puts them
                repo.add_feedback(session, sh.id, "up" if up else "down", None, "")
        tracker.track_many(out)

    for day in range(cfg.days):
        for sh in shoppers:
            sh.satisfaction *= 0.85
            if day == 0 or rng.random() < min(0.9, sh.base * (1 + 2 * sh.satisfaction)):
                visit(sh, day)
        if progress:
            progress(day)
    end = start + timedelta(days=cfg.days)
    # fix the feedback timestamps to simulated time (add_feedback stamps the wall clock)
    _restamp_feedback(repo, start)
    report = build_report(exp, tracker.events(), data_end=end)
    run = {
        "experiment": exp.name,
        "database_url": url,
        "data_end": end.isoformat(),
        "days": cfg.days,
        "shoppers": cfg.shoppers,
        "seed": cfg.seed,
        "variants": dict(cfg.variants),
    }
    (root / "run.json").write_text(json.dumps(run, indent=2))
    return SimResult(
        report,
        url,
        start,
        end,
        visits,
        {n: on_taste[n] / shown[n] if shown[n] else 0.0 for n in names},
    )


def _restamp_feedback(repo: ShopRepository, start: datetime) -> None:
    """Feedback rows carry the session id '<shopper>-d<day>': put them on that simulated day."""
    from shop.models import Feedback

    with repo.session() as s, s.begin():
        for fb in s.query(Feedback):
            day = int(fb.session_id.rsplit("-d", 1)[1])
            fb.created_at = start + timedelta(days=day, hours=22)


def last_simulation(data_dir: Path) -> dict[str, Any] | None:
    """What `shopmate simulate` last wrote under the data dir (database URL, end, experiment)."""
    run = data_dir / "sim" / "run.json"
    if not run.exists():
        return None
    data: dict[str, Any] = json.loads(run.read_text())
    return data


__all__ = ["KINDS", "SimConfig", "SimResult", "last_simulation", "parse_variant", "simulate"]
