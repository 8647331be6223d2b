"""What the admin panel (ui/admin_app.py) shows of one shop, read from its services.

The panel is handed one of these by the app factory and imports no shop code: the status
box (what is indexed, which models answer), the daily figures, and the growth tabs'
figures (shopmate/growth_panel.py).

    blocks = build_admin_ui(lambda: ShopAdminData(services))
"""

from __future__ import annotations

from growth.analytics import DayFigures, daily_figures
from recommender.item_index import PRODUCTS
from retrieval.store import KNOWLEDGE, QA_HISTORY
from shopmate.growth_panel import ShopGrowthFigures


class ShopAdminData(ShopGrowthFigures):
    """ui.admin_app.AdminData for one shop's services."""

    def status(self) -> str:
        svc, s = self.services, self.services.settings
        heads = ", ".join(sorted(p.name for p in s.models_dir.glob("shop-intents-*")))
        return "\n".join(
            [
                f"products indexed: {svc.store.count(PRODUCTS)} (catalog: {svc.repo.count_products()})",
                f"knowledge passages: {svc.store.count(KNOWLEDGE)}; past answers: {svc.store.count(QA_HISTORY)}",
                f"embedder: {svc.embedder.model_path}",
                f"intent head: {heads or 'not trained yet'}",
                f"replies worded by: {s.generator}"
                + (" (with tool calling)" if s.tool_calling else ""),
                f"vector store: {s.chroma_url or s.chroma_path}",
            ]
        )

    def daily_figures(self) -> list[DayFigures]:
        return daily_figures(self.services.repo)
