"""One shop's growth wing, built once by the wiring and carried on its services: the tracker,
the experiments, the sponsored slots and the sentiment alert rule, sharing one `Tracker`
(whose tables are checked once, here).

    wing = Growth(repo, sponsored_floor=0.3, secret=key, alerts=AlertRule(url, 0.3, 5, 24))
    wing.tracker.track("visit", user_id="u0001", session_id="s1")
    wing.experiments.assign("suggestions", "u0001")
    wing.sponsored.pick("u0001", "s1", relevance={"p0042": 0.62})
    wing.check_alerts()                       # post the due negative-sentiment alerts

A shop's experiments file is saved into its store on first use and again whenever the file
changes (`load_experiments_file`). Another database of the same shop (the last simulation's)
is read through a wing of its own, opened once per URL and kept with this one (`elsewhere`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from growth.experiments import ExperimentStore, load_config
from growth.sentiment_watch import Alert, check_alerts, due_alerts
from growth.sponsored import SponsoredSlots
from growth.tracking import Tracker
from shop.repository import ShopRepository


@dataclass(frozen=True)
class AlertRule:
    """When negative sentiment is worth an alert, and where it is posted (None: nowhere)."""

    webhook_url: str | None = None
    share: float = 0.3  # at least this share of a topic's recent messages is negative ...
    min_count: int = 5  # ... with at least this many negative messages or feedbacks ...
    hours: int = 24  # ... in this many hours (checked when alerts are looked for)


class Growth:
    """The growth parts of one shop database, built once."""

    def __init__(
        self,
        repo: ShopRepository,
        *,
        sponsored_floor: float = 0.3,
        secret: bytes | None = None,
        alerts: AlertRule | None = None,
        experiments_file: Path | None = None,
    ) -> None:
        self.repo = repo
        self.tracker = Tracker(repo)
        self.experiments = ExperimentStore(repo, self.tracker)
        self.sponsored = SponsoredSlots(
            repo, self.tracker, relevance_floor=sponsored_floor, secret=secret
        )
        self.alerts = alerts or AlertRule()
        self.experiments_file = experiments_file
        self._loaded: int | None = None  # the experiments file's mtime when last saved
        self._elsewhere: dict[str, Growth] = {}

    def load_experiments_file(self) -> None:
        """Save the experiments file's experiments (when the shop has one) on first use and
        whenever the file changed since; OSError or ExperimentError when it cannot be read."""
        path = self.experiments_file
        if path is None:
            return
        mtime = path.stat().st_mtime_ns
        if mtime != self._loaded:
            self.experiments.save_all(load_config(path))
            self._loaded = mtime

    def due_alerts(self, now: datetime | None = None) -> list[Alert]:
        """Topics whose negative share and count in the rule's window reach its thresholds."""
        a = self.alerts
        return due_alerts(self.repo, a.share, a.min_count, a.hours, now)

    def check_alerts(self, now: datetime | None = None) -> list[Alert]:
        """Post each due alert not already sent in this window to the rule's webhook."""
        a = self.alerts
        return check_alerts(self.tracker, a.webhook_url, a.share, a.min_count, a.hours, now)

    def elsewhere(self, database_url: str) -> Growth:
        """The growth parts of another database (the last simulation's), opened once per URL;
        it posts no alerts and loads no experiments file."""
        if database_url not in self._elsewhere:
            self._elsewhere[database_url] = Growth(ShopRepository.from_url(database_url))
        return self._elsewhere[database_url]
