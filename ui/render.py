"""Render a :class:`bot.types.BotReply` to the Markdown/HTML shown in the chat.

Pure functions, no Gradio import. The output is one string for one chat bubble:

1. the reply text (Markdown, HTML-escaped),
2. a "Sources" block: numbered list of citations (the source's title and a short snippet;
   internal file names stay out of the shopper's view),
3. a row of product cards (image — the catalog's, else a tile with the category's initial —,
   title linked to the product page where the catalog has one, brand, category, price in
   the shop's currency, stock badge, and why it is shown).

Everything that comes from the model, the knowledge base or the catalog goes through
:func:`html.escape` before it touches markup, so a product titled
``<script>alert(1)</script>`` is shown as text. The chat widget's own sanitizer is only
the second line of defence. Each HTML block is kept on a single line: the chat renders
Markdown, and a blank line inside a raw HTML block would end it and let the rest be
parsed as Markdown.

The classes used here are styled by :data:`CSS`; pass it where Gradio takes CSS
(``gr.mount_gradio_app(..., css=CSS)`` or ``blocks.launch(css=CSS)``).

Usage::

    from ui.render import render_reply
    html_text = render_reply(bot_reply)
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from bot.types import BotReply, Citation, ProductCard

SNIPPET_CHARS = 160  # citations show at most this many characters of the passage

CSS = """
.sm-sources { margin-top: 0.6em; font-size: 0.9em; }
.sm-sources-title { font-weight: 600; margin-bottom: 0.2em; }
.sm-sources ol { margin: 0; padding-left: 1.4em; }
.sm-source-title { font-weight: 600; }
.sm-source-snippet { opacity: 0.85; }
.sm-cards { display: flex; flex-wrap: wrap; gap: 0.6em; margin-top: 0.6em; }
.sm-card {
  border: 1px solid var(--border-color-primary, #d0d0d0);
  border-radius: 10px;
  padding: 0.6em 0.8em;
  min-width: 11em;
  max-width: 16em;
  flex: 1 1 11em;
  background: var(--background-fill-secondary, #fafafa);
}
.sm-card-img { width: 100%; height: 6.5em; object-fit: cover; border-radius: 6px; margin-bottom: 0.4em; }
.sm-card-tile {
  display: flex; align-items: center; justify-content: center;
  font-size: 2em; font-weight: 700; color: #fff; background: #1f6f5c;
}
.sm-card-title { font-weight: 600; }
.sm-card-title a { color: inherit; }
.sm-from-person { font-size: 0.8em; font-weight: 600; color: #1f6f5c; margin-bottom: 0.2em; }
.sm-card-meta { font-size: 0.85em; opacity: 0.75; }
.sm-card-price { font-weight: 700; margin-top: 0.3em; }
.sm-badge {
  display: inline-block;
  font-size: 0.75em;
  padding: 0.05em 0.5em;
  border-radius: 999px;
  margin-left: 0.4em;
}
.sm-out-of-stock { background: #fde2e1; color: #9b1c1c; }
.sm-card-reason { font-size: 0.85em; margin-top: 0.3em; }
"""


def _clean(text: str) -> str:
    """Collapse all whitespace (newlines included) so HTML blocks stay on one line."""
    return " ".join(text.split())


def _esc(text: str) -> str:
    return html.escape(_clean(text), quote=True)


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Collapse whitespace and cut ``text`` at a word boundary to at most ``limit`` chars."""
    if limit <= 0:
        raise ValueError(f"limit must be > 0, got {limit}")
    text = _clean(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space].rstrip()
    return cut + "…"


def format_price(price: float | None, currency: str = "€") -> str:
    """Format a price for display: ``format_price(89) == "€89.00"``; an unknown price
    (the shop's export left it blank) reads "price on the product page"."""
    if price is None:
        return "price on the product page"
    return f"{currency}{price:,.2f}"


def render_reply_text(text: str) -> str:
    """The reply text, HTML-escaped, left as Markdown for the chat to render."""
    return html.escape(text.strip(), quote=False)


def render_sources(citations: Sequence[Citation]) -> str:
    """A numbered "Sources" list, or ``""`` when there are no citations."""
    if not citations:
        return ""
    items = []
    for citation in citations:
        items.append(
            "<li>"
            f'<span class="sm-source-title">{_esc(citation.title)}</span>'
            f' — <span class="sm-source-snippet">{_esc(shorten(citation.snippet))}</span>'
            "</li>"
        )
    return (
        '<div class="sm-sources"><div class="sm-sources-title">Sources</div>'
        f"<ol>{''.join(items)}</ol></div>"
    )


TILE_COLOURS = ("#1f6f5c", "#3b5b92", "#8a4f7d", "#a2652a", "#4d7a2a", "#5f6b73")


def safe_url(url: str) -> str:
    """``url`` if it is an http(s) or site-relative address, else ``""`` (no ``javascript:``)."""
    url = url.strip()
    if url.startswith(("https://", "http://")) or (
        url.startswith("/") and not url.startswith("//")
    ):
        return url
    return ""


def render_image(product: ProductCard, image: str = "") -> str:
    """The catalog's picture, or a coloured tile with the category's initial."""
    src = safe_url(image)
    if src:
        return f'<img class="sm-card-img" src="{html.escape(src, quote=True)}" alt="{_esc(product.title)}">'
    label = (product.category.split(">")[-1].strip() or product.title or "?")[:1].upper()
    colour = TILE_COLOURS[sum(map(ord, product.category)) % len(TILE_COLOURS)]
    return (
        f'<div class="sm-card-img sm-card-tile" style="background:{colour}" aria-hidden="true">'
        f"{html.escape(label)}</div>"
    )


def render_card(product: ProductCard, currency: str = "€", image: str = "", url: str = "") -> str:
    """One product card as a single line of HTML (``image``, ``url``: where the catalog
    has a picture and a product page)."""
    meta = " · ".join(_esc(part) for part in (product.brand, product.category) if part.strip())
    badge = "" if product.in_stock else '<span class="sm-badge sm-out-of-stock">out of stock</span>'
    link = safe_url(url)
    title = (
        f'<a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener">{_esc(product.title)}</a>'
        if link
        else _esc(product.title)
    )
    reason = (
        f'<div class="sm-card-reason"><em>{_esc(product.reason)}</em></div>'
        if product.reason.strip()
        else ""
    )
    return (
        f'<div class="sm-card" data-product-id="{_esc(product.id)}">'
        f"{render_image(product, image)}"
        f'<div class="sm-card-title">{title}</div>'
        f'<div class="sm-card-meta">{meta}</div>'
        f'<div class="sm-card-price">{html.escape(format_price(product.price, currency))}{badge}</div>'
        f"{reason}</div>"
    )


def render_cards(
    products: Sequence[ProductCard],
    currency: str = "€",
    links: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """A flex row of product cards, or ``""`` when there are no products; ``links`` maps a
    product id to its (image url, page url)."""
    if not products:
        return ""
    links = links or {}
    cards = "".join(
        render_card(
            p,
            currency,
            *links.get(p.id, (str(getattr(p, "image", "")), str(getattr(p, "url", "")))),
        )
        for p in products
    )
    return f'<div class="sm-cards">{cards}</div>'


def render_person_message(text: str, shop_name: str) -> str:
    """A reply written by a person from the shop, marked as such."""
    return (
        f'<div class="sm-from-person">A person from {_esc(shop_name)}</div>\n\n'
        f"{render_reply_text(text)}"
    )


def render_reply(
    reply: BotReply, currency: str = "€", links: Mapping[str, tuple[str, str]] | None = None
) -> str:
    """The full chat bubble for one bot turn: text, sources, then product cards.

    Blocks are separated by blank lines so the Markdown renderer treats each HTML
    block as raw HTML and the reply text as Markdown.
    """
    parts = [
        render_reply_text(reply.reply),
        render_sources(reply.citations),
        render_cards(reply.products, currency, links),
    ]
    return "\n\n".join(part for part in parts if part)


def render_user_message(message: str) -> str:
    """The shopper's own message, escaped the same way as the reply text."""
    return render_reply_text(message)
