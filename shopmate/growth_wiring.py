"""The growth wing of a shop database, built from the settings: once per shop by
`build_services` (shopmate/wiring.py), and by the growth CLI for the database it reads,
which needs no models and so does not import the rest of the wiring.

    wing = build_growth(settings, repo)
"""

from __future__ import annotations

from growth.sponsored import load_signing_key
from growth.wing import AlertRule, Growth
from shop.repository import ShopRepository
from shopmate.settings import Settings


def build_growth(settings: Settings, repo: ShopRepository) -> Growth:
    """Sponsored slots that sign impressions with SHOPMATE_SIGNING_SECRET or the key kept in
    the data dir (made there once), alerts by the SHOPMATE_SENTIMENT_ALERT_* rule, and
    SHOPMATE_EXPERIMENTS_FILE loaded on use."""
    secret = (
        settings.signing_secret.get_secret_value().encode()
        if settings.signing_secret
        else load_signing_key(settings.data_dir / "signing.key")
    )
    return Growth(
        repo,
        sponsored_floor=settings.sponsored_relevance_floor,
        secret=secret,
        alerts=AlertRule(
            settings.alert_webhook_url,
            settings.sentiment_alert_share,
            settings.sentiment_alert_min_count,
            settings.sentiment_alert_hours,
        ),
        experiments_file=settings.experiments_file,
    )
