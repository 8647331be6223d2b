"""A/B experiments: definitions, deterministic bucketing, storage and exposure logging.

A shopper's variant is a pure function of the experiment name and their id (sha256), so
every server, process and restart agrees without storing assignments; the first time a
shopper is assigned, an `exposure` event is logged and the report counts them from then on.

    exp = Experiment("suggestions", ("off", "on"), (0.5, 0.5))
    bucket(exp, "u0001")                       # 'on' (always the same)
    store = ExperimentStore(repo); store.save(exp)
    store.assign("suggestions", "u0001")       # the variant, exposure logged

Config (TOML or JSON, SHOPMATE_EXPERIMENTS_FILE or `shopmate experiments load FILE`)::

    [[experiment]]
    name = "suggestions"
    variants = ["off", "on"]
    allocation = [0.5, 0.5]      # optional, default equal
    traffic = 1.0                # optional: share of shoppers in the experiment
    segment = "all"              # optional: all | new | returning
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from growth.tracking import Tracker
from shop.growth_models import ExperimentRow, TrackEvent
from shop.repository import ShopRepository

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SEGMENTS = ("all", "new", "returning")


class ExperimentError(ValueError):
    """A definition that cannot be run; the message says what is accepted."""


@dataclass(frozen=True)
class Experiment:
    name: str
    variants: tuple[str, ...]
    allocation: tuple[float, ...] = ()  # empty: equal shares
    traffic: float = 1.0  # share of shoppers who take part at all
    segment: str = "all"  # all | new (no history yet) | returning
    description: str = ""
    status: str = "running"
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ExperimentError(
                f"experiment name {self.name!r}: use 1-64 lowercase letters, digits, '-' or '_'"
            )
        if len(self.variants) < 2 or len(set(self.variants)) != len(self.variants):
            raise ExperimentError(
                f"experiment {self.name!r} needs at least two distinct variants, got {list(self.variants)}"
            )
        for v in self.variants:
            if not NAME.match(v):
                raise ExperimentError(
                    f"variant name {v!r}: use 1-64 lowercase letters, digits, '-' or '_'"
                )
        alloc = self.allocation or tuple(1.0 for _ in self.variants)
        if len(alloc) != len(self.variants) or any(a < 0 for a in alloc) or sum(alloc) <= 0:
            raise ExperimentError(
                f"allocation {list(self.allocation)} must give one non-negative weight per variant "
                f"({len(self.variants)}) with a positive sum"
            )
        object.__setattr__(self, "allocation", tuple(a / sum(alloc) for a in alloc))
        if not 0.0 < self.traffic <= 1.0:
            raise ExperimentError(f"traffic must be in (0, 1], got {self.traffic}")
        if self.segment not in SEGMENTS:
            raise ExperimentError(f"segment {self.segment!r}; accepted: {', '.join(SEGMENTS)}")
        if self.status not in {"running", "stopped"}:
            raise ExperimentError(f"status {self.status!r}; accepted: running, stopped")

    @property
    def control(self) -> str:
        return self.variants[0]


def unit_hash(*parts: str) -> float:
    """A uniform number in [0, 1) from the sha256 of the parts (stable across processes)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def bucket(exp: Experiment, user_id: str) -> str:
    """The variant of this shopper: the same for the same experiment name and id, always."""
    u = unit_hash("variant", exp.name, user_id)
    acc = 0.0
    for variant, share in zip(exp.variants, exp.allocation, strict=True):
        acc += share
        if u < acc:
            return variant
    return exp.variants[-1]  # rounding: u within 1e-16 of 1


def eligible(exp: Experiment, user_id: str, returning: bool) -> bool:
    """Whether the shopper takes part (traffic share, segment); hashed apart from the variant."""
    if exp.status != "running":
        return False
    if exp.segment == "new" and returning:
        return False
    if exp.segment == "returning" and not returning:
        return False
    return unit_hash("traffic", exp.name, user_id) < exp.traffic


def from_dict(d: dict[str, Any]) -> Experiment:
    known = {"name", "variants", "allocation", "traffic", "segment", "description", "status"}
    unknown = set(d) - known
    if unknown:
        raise ExperimentError(
            f"unknown experiment field(s) {sorted(unknown)}; accepted: {sorted(known)}"
        )
    if "name" not in d or "variants" not in d:
        raise ExperimentError("an experiment needs 'name' and 'variants'")
    try:
        return Experiment(
            name=str(d["name"]),
            variants=tuple(str(v) for v in d["variants"]),
            allocation=tuple(float(a) for a in d.get("allocation", ())),
            traffic=float(d.get("traffic", 1.0)),
            segment=str(d.get("segment", "all")),
            description=str(d.get("description", "")),
            status=str(d.get("status", "running")),
        )
    except (TypeError, ValueError) as e:
        if isinstance(e, ExperimentError):
            raise
        raise ExperimentError(f"experiment {d.get('name')!r}: {e}") from e


def load_config(path: Path) -> list[Experiment]:
    """Experiments from a TOML (`[[experiment]]` tables) or JSON (`{"experiments": [...]}`) file."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            items = tomllib.loads(text).get("experiment", [])
        elif path.suffix.lower() == ".json":
            data = json.loads(text)
            items = data.get("experiments", []) if isinstance(data, dict) else data
        else:
            raise ExperimentError(f"{path.name}: experiments files are .toml or .json")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise ExperimentError(f"{path.name} is not valid {path.suffix[1:].upper()}: {e}") from e
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ExperimentError(f"{path.name}: expected a list of experiment tables")
    exps = [from_dict(i) for i in items]
    names = [e.name for e in exps]
    if len(set(names)) != len(names):
        raise ExperimentError(f"{path.name}: experiment names repeat: {names}")
    return exps


def _row_to_exp(r: ExperimentRow) -> Experiment:
    t = dict(r.targeting or {})
    return Experiment(
        r.name,
        tuple(r.variants),
        tuple(r.allocation),
        float(t.get("traffic", 1.0)),
        str(t.get("segment", "all")),
        r.description,
        r.status,
    )


class ExperimentStore:
    """Experiments in the shop database; assignment logs the exposure once per shopper."""

    def __init__(self, repo: ShopRepository, tracker: Tracker | None = None) -> None:
        self.repo = repo
        self.tracker = tracker or Tracker(repo)

    def save(self, exp: Experiment) -> Experiment:
        with self.repo.session() as s, s.begin():
            s.merge(
                ExperimentRow(
                    name=exp.name,
                    description=exp.description,
                    variants=list(exp.variants),
                    allocation=list(exp.allocation),
                    targeting={"traffic": exp.traffic, "segment": exp.segment},
                    status=exp.status,
                )
            )
        return exp

    def save_all(self, exps: Sequence[Experiment]) -> None:
        for e in exps:
            self.save(e)

    def get(self, name: str) -> Experiment | None:
        with self.repo.session() as s:
            r = s.get(ExperimentRow, name)
            return _row_to_exp(r) if r else None

    def all(self) -> list[Experiment]:
        with self.repo.session() as s:
            return [_row_to_exp(r) for r in s.scalars(select(ExperimentRow).order_by("name"))]

    def set_status(self, name: str, status: str) -> Experiment:
        exp = self.get(name)
        if exp is None:
            raise KeyError(name)
        new = Experiment(
            exp.name,
            exp.variants,
            exp.allocation,
            exp.traffic,
            exp.segment,
            exp.description,
            status,
        )
        return self.save(new)

    def exposed_variant(self, name: str, user_id: str) -> str | None:
        with self.repo.session() as s:
            return s.scalar(
                select(TrackEvent.variant)
                .where(
                    TrackEvent.type == "exposure",
                    TrackEvent.experiment == name,
                    TrackEvent.user_id == user_id,
                )
                .limit(1)
            )

    def assign(
        self,
        name: str,
        user_id: str,
        returning: bool | None = None,
        session_id: str | None = None,
        ts: datetime | None = None,
    ) -> str | None:
        """The shopper's variant (None if not taking part); logs the first exposure."""
        exp = self.get(name)
        if exp is None:
            raise KeyError(name)
        already = self.exposed_variant(name, user_id)
        if already is not None:
            return already
        if returning is None:
            returning = bool(self.repo.recent_events(user_id, limit=1))
        if not eligible(exp, user_id, returning):
            return None
        variant = bucket(exp, user_id)
        self.tracker.track(
            "exposure",
            user_id=user_id,
            session_id=session_id,
            experiment=name,
            variant=variant,
            ts=ts,
        )
        return variant
