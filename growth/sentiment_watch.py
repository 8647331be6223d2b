"""Sentiment watch: negative-sentiment topics over time, and an alert to a webhook.

A shopper message is negative when the bot's sentiment score (stored with the message)
is at or below NEGATIVE; its topic is the intent the bot read. A thumbs-down or a CSAT of
1-2 counts as a negative signal on the session's last topic. `check_alerts` looks at the
last `hours` and posts one JSON alert per topic whose negative share and count pass the
thresholds to the configured URL (once per topic per window; sent alerts are tracked).

    rows = negative_topics(repo)              # week, topic, negative, total, share
    sent = check_alerts(wing.tracker, url, share=0.3, min_count=5, hours=24)
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from growth.retention import week_of
from growth.tracking import Tracker
from shop.models import Feedback, Message
from shop.repository import ShopRepository

log = logging.getLogger(__name__)
NEGATIVE = -0.3


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Signal:
    ts: datetime
    topic: str
    negative: bool


def signals(repo: ShopRepository, since: datetime | None = None) -> list[Signal]:
    """One signal per shopper message (negative or not) and per negative feedback."""
    out: list[Signal] = []
    last_topic: dict[str, str] = {}
    with repo.session() as s:
        q = select(Message.session_id, Message.meta, Message.created_at).where(
            Message.role == "shopper"
        )
        for session_id, meta, ts in s.execute(q.order_by(Message.id)):
            meta = meta or {}
            topic = str(meta.get("intent") or "unknown")
            last_topic[session_id] = topic
            score = meta.get("sentiment")
            if isinstance(score, int | float):
                out.append(Signal(_aware(ts), topic, score <= NEGATIVE))
        for fb in s.scalars(select(Feedback)):
            if fb.thumbs == "down" or (fb.csat is not None and fb.csat <= 2):
                topic = last_topic.get(fb.session_id, "feedback")
                out.append(Signal(_aware(fb.created_at), topic, True))
    if since is not None:
        out = [x for x in out if x.ts >= since]
    return sorted(out, key=lambda x: x.ts)


@dataclass(frozen=True)
class TopicWeek:
    week: date
    topic: str
    negative: int
    total: int

    @property
    def share(self) -> float:
        return self.negative / self.total if self.total else 0.0


def negative_topics(repo: ShopRepository) -> list[TopicWeek]:
    """Per week and topic: negative signals among all signals."""
    neg: dict[tuple[date, str], int] = defaultdict(int)
    tot: dict[tuple[date, str], int] = defaultdict(int)
    for x in signals(repo):
        k = (week_of(x.ts.date()), x.topic)
        tot[k] += 1
        neg[k] += x.negative
    return [TopicWeek(w, t, neg[(w, t)], tot[(w, t)]) for w, t in sorted(tot)]


@dataclass(frozen=True)
class Alert:
    topic: str
    negative: int
    total: int
    share: float
    hours: int
    since: str
    until: str


def due_alerts(
    repo: ShopRepository,
    share: float,
    min_count: int,
    hours: int,
    now: datetime | None = None,
) -> list[Alert]:
    """Topics whose negative share and count in the last `hours` reach the thresholds."""
    if not 0 < share <= 1 or min_count < 1 or hours < 1:
        raise ValueError("share must be in (0, 1], min_count >= 1, hours >= 1")
    now = now or datetime.now(UTC)
    since = now - timedelta(hours=hours)
    neg: dict[str, int] = defaultdict(int)
    tot: dict[str, int] = defaultdict(int)
    for x in signals(repo, since):
        if x.ts <= now:
            tot[x.topic] += 1
            neg[x.topic] += x.negative
    return [
        Alert(t, neg[t], tot[t], neg[t] / tot[t], hours, since.isoformat(), now.isoformat())
        for t in sorted(tot)
        if neg[t] >= min_count and neg[t] / tot[t] >= share
    ]


def post_json(url: str, payload: dict[str, Any], timeout: float = 5.0) -> bool:
    """POST JSON; True on a 2xx answer. Failures are logged, never raised."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"webhook URL must start with http:// or https://, got {url!r}")
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json", "user-agent": "shopmate-sentiment-watch"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return 200 <= resp.status < 300
    except OSError as e:
        log.warning("sentiment alert webhook failed: %s", e)
        return False


def check_alerts(
    tracker: Tracker,
    url: str | None,
    share: float = 0.3,
    min_count: int = 5,
    hours: int = 24,
    now: datetime | None = None,
) -> list[Alert]:
    """Post each due alert not already sent in this window (sent alerts are tracked events of
    `tracker`'s shop); returns the alerts posted."""
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(f"webhook URL must start with http:// or https://, got {url!r}")
    now = now or datetime.now(UTC)
    recent = {
        str(e.props.get("topic"))
        for e in tracker.events(types={"sentiment_alert"}, since=now - timedelta(hours=hours))
    }
    sent = []
    for a in due_alerts(tracker.repo, share, min_count, hours, now):
        if a.topic in recent:
            continue
        if url and post_json(url, {"alert": "negative_sentiment", **asdict(a)}):
            tracker.track("sentiment_alert", props={"topic": a.topic}, value=a.share, ts=now)
            sent.append(a)
        elif not url:
            log.info("sentiment alert on %s (no webhook configured)", a.topic)
    return sent
