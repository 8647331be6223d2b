"""Shopping replies: product searches and recommendations asked for, "what goes with X",
"a case for my X", "a cheaper one", suggestion cards beside an answer, and "which one do
you mean?". Each returns the reply and what it changes (the product now in focus, the
search to refine); the engine applies the changes.

    shop = Shopping(recommender, repo, grounder, suggestions_per_reply=4, currency="£")
    step = shop.products("search", state, "waterproof jackets under £100")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from bot import replies
from bot.product_answers import money
from bot.product_grounding import Grounding, ProductGrounder
from bot.redact import redact
from bot.search_constraints import Constraints, accessory_for, constraints_of, goes_with
from bot.slots import refines_search
from bot.state import Changes, DialogueState, Step
from bot.types import BotReply, ProductCard
from recommender.recommender import Filters, Recommender, Suggestion
from shop.repository import ProductRecord, ShopRepository

WEAK_CARD_COSINE = 0.08  # an explicit search's card this far below the best is dropped
WEAK_CARD_Z = 0.6  # the same on the trained recommender's blended z-scores
LINK_ORDER = ("cross_sell", "related", "upsell")  # the shop's own links, most fitting first
SIMILAR_MIN = 0.75  # a cheaper product from the catalog must be at least this similar


def product_card(p: ProductRecord, reason: str) -> ProductCard:
    return ProductCard(
        p.id,
        p.title,
        p.current_price,
        p.category,
        reason,
        p.brand,
        p.in_stock,
        image=p.images[0] if p.images else "",
        url=p.url,
    )


def card_of(s: Suggestion) -> ProductCard:
    return replace(product_card(s.product, s.reason), propensity=s.propensity)


def _cards_reply(
    cards: list[ProductCard], action: str, tool: str, say: Callable[[str], str]
) -> BotReply:
    """Cards with a sentence naming the first three (`say(names)`), or "nothing fits"."""
    if not cards:
        return BotReply(replies.NO_PRODUCTS, action=action, tool_calls=[tool])
    names = ", ".join(c.title for c in cards[:3])
    return BotReply(say(names), products=cards, action=action, tool_calls=[tool])


def _price(p: ProductRecord) -> float:
    return p.current_price if p.current_price is not None else float("inf")


class Shopping:
    def __init__(
        self,
        recommender: Recommender,
        repo: ShopRepository,
        grounder: ProductGrounder,
        suggestions_per_reply: int = 4,
        currency: str = "£",
    ) -> None:
        self.recommender, self.repo, self.grounder = recommender, repo, grounder
        self.k = max(suggestions_per_reply, 1)
        self.suggestions_per_reply = suggestions_per_reply
        self.currency = currency

    def products(self, action: str, st: DialogueState, text: str) -> Step:
        """A search or a recommendation the shopper asked for."""
        # "under £130 please" refines the last search instead of starting a new one
        base = f"{st.last_query} {text}" if refines_search(text) and st.last_query else text
        query = base if (st.colour or "") in base.lower() else f"{base} {st.colour}"
        searched = Changes(last_query=redact(base)) if action == "search" else Changes()
        if goes_with(text):
            g = self.grounder.ground(text, None, st.product_in_focus)
            if g.product is not None:
                step = self.goes_with(st, g.product)
                return replace(step, changes=replace(step.changes, last_query=searched.last_query))
        if (acc := accessory_for(text)) is not None:  # "a case for my ipod nano"
            owned = self.grounder.ground(acc[1], None, None)
            if owned.product is not None and owned.named and not owned.ambiguous:
                step = self._accessories(st, acc[0], owned.product)
                return replace(step, changes=replace(step.changes, last_query=searched.last_query))
        lead = replies.FOUND
        if action == "recommend":  # what they asked for still narrows it ("on sale")
            wanted = constraints_of(text, self.grounder.vocabulary())
            found = self._search(text, st, wanted) if wanted else []
            found = found or self.recommender.recommend(
                st.user_id, context=text, k=self.k, filters=Filters(max_price=st.budget_max)
            )
            lead = replies.YOU_MIGHT_LIKE
        else:
            wanted = constraints_of(query, self.grounder.vocabulary())
            found = self._search(query, st, wanted)
            if not found and wanted:
                found = self._search(query, st, wanted.relaxed())
                lead = replies.FOUND_CLOSEST
        cards = [card_of(s) for s in found][: self.k]
        tool = "recommend" if action == "recommend" else "search_products"
        budget_note = (
            f" (all under {money(st.budget_max, self.currency, whole=True)})"
            if st.budget_max and action == "search"
            else ""
        )
        reply = _cards_reply(cards, action, tool, lambda names: f"{lead}{budget_note}: {names}.")
        return Step(reply, replace(searched, focus=cards[0].id) if cards else searched)

    def _search(self, query: str, st: DialogueState, wanted: Constraints) -> list[Suggestion]:
        """An explicit search: the shopper's constraints filter, and no per-category cap
        (asked for hats, they get hats)."""
        found = self.recommender.recommend(
            st.user_id,
            context=query,
            k=self.k,
            filters=Filters(max_price=st.budget_max),
            keep=wanted.keep if wanted else None,
            max_per_category=self.k,
        )
        return found if wanted.kinds else self._without_weak(found)

    def _without_weak(self, found: list[Suggestion]) -> list[Suggestion]:
        """With no kind of product to filter on, cards far weaker than the best are noise."""
        margin = WEAK_CARD_COSINE if self.recommender.model is None else WEAK_CARD_Z
        return [s for s in found if s.score >= found[0].score - margin] if found else found

    def _linked(
        self, p: ProductRecord, reason: str, fits: Callable[[ProductRecord], bool] | None = None
    ) -> list[ProductCard]:
        """The shop's own links from `p` (cross-sells first) that may be offered."""
        ids = list(dict.fromkeys(i for kind in LINK_ORDER for i in p.links.get(kind, [])))
        linked = self.repo.get_products(ids)
        return [
            product_card(linked[i], reason)
            for i in ids
            if i in linked
            and linked[i].offerable
            and i != p.id
            and (fits is None or fits(linked[i]))
        ]

    def goes_with(self, st: DialogueState, p: ProductRecord) -> Step:
        """What goes with a product: the shop's own cross-sell, up-sell and related links
        first, then products of other kinds that suit it (never the product itself)."""
        picks = self._linked(p, f"goes with the {p.title}")[: self.k]
        if len(picks) < self.k:
            shown = {c.id for c in picks} | {p.id}
            more = self.recommender.recommend(
                st.user_id,
                context=f"{p.title} {p.category}",
                k=self.k,
                keep=lambda x: x.id not in shown and x.category != p.category,
            )
            picks += [product_card(s.product, f"goes with the {p.title}") for s in more]
        reply = _cards_reply(
            picks[: self.k], "recommend", "recommend", partial(replies.goes_with, p.title)
        )
        return Step(reply, Changes(focus=p.id))

    def _accessories(self, st: DialogueState, want: str, owned: ProductRecord) -> Step:
        """Something for a product the shopper has: never that product or its kind (asked
        for a case for an iPod, not iPods); the shop's own links to it first."""
        wanted = constraints_of(want, self.grounder.vocabulary())

        def fits(x: ProductRecord) -> bool:
            return x.id != owned.id and x.category != owned.category and wanted.keep(x)

        cards = self._linked(owned, f"for your {owned.title}", fits)
        if len(cards) < self.k:
            shown = {c.id for c in cards}
            more = self.recommender.recommend(
                st.user_id,
                context=f"{want} for {owned.title}",
                k=self.k,
                filters=Filters(max_price=st.budget_max),
                keep=lambda x: x.id not in shown and fits(x),
                max_per_category=self.k,
            )
            cards += [card_of(s) for s in (more if wanted.kinds else self._without_weak(more))]
        cards = cards[: self.k]
        say = partial(replies.for_your, owned.title)
        reply = _cards_reply(cards, "search", "search_products", say)
        return Step(reply, Changes(focus=cards[0].id) if cards else Changes())

    def cheaper(self, st: DialogueState) -> Step:
        """A cheaper alternative to the product in focus: among the cards shown in the same
        category first, else from the catalog (same category, below its price)."""
        shown = self.repo.get_products(st.last_products)
        focus = self.repo.get_product(st.product_in_focus) if st.product_in_focus else None
        focus = focus or (shown.get(st.last_products[0]) if st.last_products else None)
        if focus is None:
            return Step(BotReply(replies.NO_PRODUCTS, action="cheaper"))
        same = [
            p
            for p in shown.values()
            if p.offerable and p.category == focus.category and _price(p) < _price(focus)
        ]
        pick = max(same, key=_price) if same else None  # the next one down in price
        if pick is None and focus.current_price is None:
            return Step(BotReply(replies.no_price_to_compare(focus.title), action="cheaper"))
        if pick is None:  # nothing cheaper among the cards: say so, and look in the catalog
            top = focus.category.split(">")[0].strip()
            found = self.recommender.recommend(
                st.user_id,
                context=f"{focus.title} {focus.category}",
                k=5,
                filters=Filters(max_price=round(_price(focus) - 0.01, 2), category=top),
            )
            similar = [
                f.product
                for f in found
                if f.product.category == focus.category and f.score >= SIMILAR_MIN
            ]
            lead = replies.already_cheapest(focus.title)
            if not similar:
                return Step(BotReply(f"{lead}.", action="cheaper"))
            alt = similar[0]
            text = replies.similar_and_cheaper(lead, alt.title, money(_price(alt), self.currency))
            return Step(self._cheaper_reply(text, alt, focus), Changes(focus=alt.id))
        text = replies.cheaper(pick.title, money(_price(pick), self.currency))
        return Step(self._cheaper_reply(text, pick, focus), Changes(focus=pick.id))

    @staticmethod
    def _cheaper_reply(text: str, p: ProductRecord, focus: ProductRecord) -> BotReply:
        card = product_card(p, f"cheaper than the {focus.title}")
        return BotReply(text, products=[card], action="cheaper", tool_calls=["search_products"])

    def beside(self, reply: BotReply, st: DialogueState, text: str) -> BotReply:
        """Suggestion cards beside a reply that did not ask for them."""
        focus = self.repo.get_product(st.product_in_focus) if st.product_in_focus else None
        context = f"{focus.title} {focus.category}" if focus else text
        found = [
            s
            for s in self.recommender.recommend(
                st.user_id,
                context=context,
                k=self.suggestions_per_reply + 1,
                exclude_ids=[st.product_in_focus] if st.product_in_focus else (),
            )
            if s.product.id != st.product_in_focus
        ][:3]
        if not found:
            return reply
        return replace(
            reply,
            products=[card_of(s) for s in found],
            tool_calls=[*reply.tool_calls, "recommend"],
        )

    @staticmethod
    def which_one(g: Grounding) -> BotReply:
        """Two or more products fit the message about equally: ask, with cards to pick from."""
        cands = g.candidates[:3]
        return BotReply(
            replies.which_one([p.title for p in cands]),
            products=[product_card(p, "one of the products you may mean") for p in cands],
            action="clarify",
        )
