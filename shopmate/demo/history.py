"""The demo shop's past: support Q/A pairs, shoppers with hidden tastes, their events and orders.

- :func:`generate_qa` turns :data:`POLICY_QUESTIONS` (hand-written shopper phrasings whose answers
  quote facts from the help pages) and product facts into about 60% policy / 40% product Q/A.
- :func:`generate_users` draws shoppers with 1-3 hidden taste categories.
- :func:`generate_events` gives each shopper 5-40 events in sessions (views, fewer add-to-carts,
  fewer purchases), 85-90% of them in their tastes, spread over the days before a base date.
- :func:`build_orders` groups each shopper's purchases of one day into an order.

Everything is drawn from the ``random.Random`` passed in, so equal seeds give equal histories.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

from shopmate.demo.catalog import (
    APPAREL_SIZES,
    BED_SIZES,
    KIDS_SHOE_SIZES,
    KIDS_SIZES,
    SHOE_SIZES,
    is_plural,
    join_words,
)
from shopmate.demo.records import DemoEvent, DemoOrder, DemoProduct, DemoQA, DemoUser

EVENT_TYPES = ("view", "add_to_cart", "purchase")
ORDER_STATUSES = ("processing", "shipped", "delivered", "cancelled", "returned")


@dataclass(frozen=True)
class PolicyQuestion:
    """One support intent: several shopper phrasings sharing one agent answer."""

    topic: str  # slug of the help page the answer comes from
    questions: tuple[str, ...]  # as shoppers type them: varied, sometimes casual
    answer: str
    facts: tuple[str, ...]  # phrases found verbatim in both the answer and the page


POLICY_QUESTIONS: tuple[PolicyQuestion, ...] = (
    # ------------------------------------------------------------------ returns
    PolicyQuestion(
        topic="returns",
        questions=(
            "What is your return policy?",
            "How long do I have to return something?",
            "can i still return a jacket i got 3 weeks ago?",
            "how many days do I have to send stuff back",
            "Is there a time limit on returns?",
        ),
        answer=(
            "You can return most items within 30 days of delivery for a full refund, as long as "
            "they are unworn, unwashed and unused with the original tags still attached. Returns "
            "from the UK and the EU are free: start one from My account > Orders > Start a return "
            "and we'll email you a prepaid label."
        ),
        facts=("30 days of delivery", "unworn, unwashed", "tags", "Start a return"),
    ),
    PolicyQuestion(
        topic="returns",
        questions=(
            "Are returns free?",
            "do I have to pay for return shipping?",
            "is the return label free?",
            "I live in Germany, do I pay for returns?",
        ),
        answer=(
            "Returns are free from the UK and the EU: we email you a prepaid return label with a "
            "QR code, so you don't even need a printer. If you're ordering from outside the UK "
            "and the EU, you arrange and pay for the return postage yourself."
        ),
        facts=("free from the UK and the EU", "QR code", "pay for the return postage"),
    ),
    PolicyQuestion(
        topic="returns",
        questions=(
            "How do I start a return?",
            "how do i send something back",
            "where do I get a returns label?",
            "I checked out as a guest, how can I return my order?",
        ),
        answer=(
            "Sign in, go to My account > Orders, choose the order and select Start a return. If "
            "you checked out as a guest, use the returns portal with your order number and email "
            "address. We'll email you a free return label; drop the parcel at an InPost locker or "
            "Post Office counter in the UK, or a DHL ServicePoint in the EU, within 14 days of "
            "creating the label."
        ),
        facts=("Start a return", "returns portal", "InPost locker", "within 14 days of creating"),
    ),
    PolicyQuestion(
        topic="returns",
        questions=(
            "Can I return boots I've worn outside?",
            "i wore my walking boots once on a hike and they hurt, can i return them?",
            "can I return shoes if I've tried them on?",
        ),
        answer=(
            "Please try footwear on indoors, on a clean carpet: we can't accept boots or shoes "
            "that have been worn outside unless they are faulty. Unworn footwear can be returned "
            "within 30 days of delivery, and if a pair has developed a fault you can return it "
            "under our warranty."
        ),
        facts=("clean carpet", "worn outside", "30 days of delivery"),
    ),
    PolicyQuestion(
        topic="returns",
        questions=(
            "Can I return sunscreen?",
            "can i return opened earbuds?",
            "What items can't be returned?",
            "can I return a gift card?",
        ),
        answer=(
            "For hygiene and safety reasons we can't accept returns of opened beauty and sun care "
            "products, earbuds whose seal has been broken, personalised or engraved items, gift "
            "cards or gas canisters. If an item is faulty, though, you can always return it "
            "under our warranty."
        ),
        facts=("opened beauty and sun care", "personalised or engraved", "gas canisters"),
    ),
    PolicyQuestion(
        topic="returns",
        questions=(
            "Do you have extended returns over Christmas?",
            "I bought a present in December, can they return it in January?",
            "whats the returns policy for christmas gifts",
        ),
        answer=(
            "Yes: items delivered between 1 November and 24 December can be returned until "
            "31 January of the following year."
        ),
        facts=("1 November and 24 December", "31 January"),
    ),
    # ------------------------------------------------------------------ refunds
    PolicyQuestion(
        topic="refunds",
        questions=(
            "When will I get my refund?",
            "how long do refunds take after you receive my return?",
            "I sent my return back last week, when do I get the money?",
        ),
        answer=(
            "We process returns within 5 working days of them arriving at our warehouse and email "
            "you when the refund is on its way. It goes back to your original payment method, "
            "and most banks take another 3-5 working days to show it."
        ),
        facts=("within 5 working days", "3-5 working days"),
    ),
    PolicyQuestion(
        topic="refunds",
        questions=(
            "Do you refund the shipping cost?",
            "will I get my delivery charge back if I return everything?",
            "if i return one item do i get the delivery refunded",
        ),
        answer=(
            "If you return your whole order, we refund the standard delivery charge you paid, but "
            "not the extra for next-day or express delivery. If you return only part of an order, "
            "delivery charges aren't refunded. If an item is faulty or we sent the wrong thing, "
            "we refund everything, including all delivery charges."
        ),
        facts=("whole order", "standard delivery charge", "next-day or express"),
    ),
    PolicyQuestion(
        topic="refunds",
        questions=(
            "I paid with a gift card, how do I get refunded?",
            "can you refund me to a different card?",
            "can the refund go to my bank account instead of my card?",
        ),
        answer=(
            "Refunds always go back to the payment method you used, and we can't refund to a "
            "different card or bank account. If you paid with a gift card, that amount is put on "
            "a new e-gift card and emailed to you."
        ),
        facts=("different card or bank account", "new e-gift card"),
    ),
    PolicyQuestion(
        topic="refunds",
        questions=(
            "I paid with klarna and returned it, what happens now?",
            "do I still need to pay my Klarna instalments after a return?",
        ),
        answer=(
            "Once we've processed your return, Klarna updates or cancels your payment plan and "
            "refunds any instalments you've already paid, so you only pay for what you keep."
        ),
        facts=("updates or cancels your payment plan",),
    ),
    PolicyQuestion(
        topic="refunds",
        questions=(
            "It's been two weeks and I still haven't got my refund",
            "where is my refund??",
            "my return was delivered to you ages ago but no refund",
        ),
        answer=(
            "Sorry about the wait. Refunds are processed within 5 working days of your return "
            "reaching us, and banks can take a further 3-5 working days. If 10 working days have "
            "passed since your return arrived and you still can't see it, send us your order "
            "number and we'll look into it straight away."
        ),
        facts=("10 working days", "order number"),
    ),
    PolicyQuestion(
        topic="refunds",
        questions=(
            "Why did I only get a partial refund?",
            "you refunded less than I paid for the item",
        ),
        answer=(
            "Items that come back worn, washed, damaged or without their tags may receive a "
            "partial refund or be sent back, and we always email you with photos before doing "
            "either. Please check that email; if you disagree, reply to it and we'll take "
            "another look."
        ),
        facts=("partial refund", "photos"),
    ),
    # ------------------------------------------------------------------ exchanges
    PolicyQuestion(
        topic="exchanges",
        questions=(
            "Can I exchange for a different size?",
            "the jacket is too small, can I swap it for a large?",
            "Do you do exchanges?",
            "can i change the colour of something i ordered?",
        ),
        answer=(
            "Yes, you can exchange an item for a different size or colour of the same product "
            "within 30 days of delivery, free in the UK and the EU. Go to My account > Orders, "
            "select Start a return, pick Exchange and choose the new size or colour. We reserve "
            "the replacement straight away."
        ),
        facts=("different size or colour", "30 days of", "Exchange"),
    ),
    PolicyQuestion(
        topic="exchanges",
        questions=(
            "What if the size I want is out of stock for my exchange?",
            "the size i want to exchange for is sold out",
        ),
        answer=(
            "If the size or colour you want sells out before we can reserve it, we'll email you "
            "and refund the item instead. You can also set a back-in-stock alert on the product "
            "page."
        ),
        facts=("refund the item instead", "back-in-stock alert"),
    ),
    PolicyQuestion(
        topic="exchanges",
        questions=(
            "Can I exchange for a completely different product?",
            "can i swap the tent i bought for a sleeping bag?",
        ),
        answer=(
            "Exchanges are only for a different size or colour of the same product. For something "
            "different, return the item for a refund and place a new order."
        ),
        facts=("place a new order",),
    ),
    PolicyQuestion(
        topic="exchanges",
        questions=(
            "Do I have to wait for my return to arrive before you send the exchange?",
            "how quickly will i get my exchange?",
        ),
        answer=(
            "No. As soon as the carrier scans your parcel, usually the same day you drop it off, "
            "we send the replacement with free standard delivery."
        ),
        facts=("carrier scans your parcel", "free standard delivery"),
    ),
    # ------------------------------------------------------------------ warranty
    PolicyQuestion(
        topic="warranty",
        questions=(
            "What's your warranty?",
            "how long is the guarantee on your products?",
            "do your jackets have a warranty?",
        ),
        answer=(
            "Everything we sell is guaranteed against manufacturing faults for 2 years from the "
            "delivery date, and Northwind-branded jackets, trousers and backpacks have an extended "
            "5-year warranty. Electronics have 2 years too, with built-in batteries covered for "
            "12 months."
        ),
        facts=("2 years", "5-year", "12 months"),
    ),
    PolicyQuestion(
        topic="warranty",
        questions=(
            "The zip on my jacket broke, what do I do?",
            "the sole is coming off my boots after 6 months",
            "my rain jacket is leaking at the seams",
            "How do I make a warranty claim?",
        ),
        answer=(
            "Sorry to hear that! Use Report a fault on the order in My account, or email "
            "help@northwind-outfitters.example with your order number, a short description and "
            "clear photos. We reply within 3 working days and send a free return label if we need "
            "to see the item; we then repair, replace or refund within 10 working days."
        ),
        facts=("Report a fault", "within 3 working days", "10 working days"),
    ),
    PolicyQuestion(
        topic="warranty",
        questions=(
            "my jacket isn't waterproof anymore, is that covered?",
            "water soaks into my jacket now, is it faulty?",
            "My coat wets out in the rain, can I claim on the warranty?",
        ),
        answer=(
            "A jacket that has stopped beading water usually needs cleaning and re-proofing rather "
            "than a warranty claim. Wash it at 30 °C with a technical cleaner, tumble dry on low "
            "for 20 minutes to reactivate the finish, and if water still soaks in, re-proof it "
            "with a PFC-free wash-in or spray-on proofer. If it still leaks through to the inside "
            "after that, report a fault and we'll look at it."
        ),
        facts=("stopped beading water", "re-proofing"),
    ),
    PolicyQuestion(
        topic="warranty",
        questions=(
            "Do you repair things that are out of warranty?",
            "how much does it cost to replace a zip?",
            "can you fix my old backpack?",
        ),
        answer=(
            "Yes, our repair team can often fix items that are out of warranty or have damage that "
            "isn't covered. Zip replacements start from £25, seam re-taping from £20 and patch "
            "repairs from £15, and we always send a quote before starting any paid work."
        ),
        facts=("£25", "£20", "£15", "quote"),
    ),
    PolicyQuestion(
        topic="warranty",
        questions=(
            "Is accidental damage covered?",
            "i ripped my jacket on a barbed wire fence, is that covered by the warranty?",
        ),
        answer=(
            "I'm afraid the warranty covers manufacturing faults only, not normal wear and tear, "
            "accidental damage, misuse, incorrect washing or alterations. Our paid repair service "
            "can usually fix tears though: patch repairs start from £15."
        ),
        facts=("accidental damage", "£15"),
    ),
    # ------------------------------------------------------------------ shipping
    PolicyQuestion(
        topic="shipping",
        questions=(
            "How much is delivery?",
            "what does shipping cost?",
            "Is delivery free?",
            "how much is postage",
        ),
        answer=(
            "UK standard delivery (2-4 working days) is £3.95 and free on orders over £50. "
            "Next-day delivery is £6.95 if you order by 2pm. EU standard delivery is £7.95, free "
            "on orders over £100, EU express is £14.95 and tracked delivery to the rest of the "
            "world is £19.95."
        ),
        facts=("£3.95", "£50", "£6.95", "£7.95", "£100", "£14.95", "£19.95"),
    ),
    PolicyQuestion(
        topic="shipping",
        questions=(
            "Do you do next day delivery?",
            "If I order today will it come tomorrow?",
            "what's the cut off for next day delivery?",
            "I need it by tomorrow, is that possible?",
        ),
        answer=(
            "Yes, on the UK mainland: choose Next day at checkout (£6.95) and order by 2pm Monday "
            "to Friday, and it arrives the next working day. Next-day delivery isn't available to "
            "the Scottish Highlands, the Scottish Islands or Northern Ireland."
        ),
        facts=("2pm", "£6.95", "Northern Ireland"),
    ),
    PolicyQuestion(
        topic="shipping",
        questions=(
            "How long does delivery take to France?",
            "how long does shipping to Germany take?",
            "do you ship to the EU and how long does it take?",
        ),
        answer=(
            "EU standard delivery takes 3-6 working days and costs £7.95, or it's free on orders "
            "over £100. EU express takes 1-3 working days for £14.95. EU orders ship from our "
            "fulfilment centre in Venlo."
        ),
        facts=("3-6 working days", "1-3 working days", "Venlo"),
    ),
    PolicyQuestion(
        topic="shipping",
        questions=(
            "When will my order be dispatched?",
            "if i order on saturday when does it ship?",
            "what time do I need to order for same day dispatch?",
        ),
        answer=(
            "Orders placed before 2pm (UK time) Monday to Friday leave our warehouse the same "
            "working day. Orders placed after 2pm, at weekends or on UK bank holidays are "
            "dispatched on the next working day, and delivery times are counted from dispatch."
        ),
        facts=("before 2pm", "next working day", "counted from dispatch"),
    ),
    PolicyQuestion(
        topic="shipping",
        questions=(
            "My order came in two parcels, is that normal?",
            "only half my order arrived",
            "why did I get two tracking numbers?",
        ),
        answer=(
            "Yes, that can happen when part of your order ships from our Wakefield warehouse and "
            "part from our Venlo fulfilment centre. There's never an extra delivery charge for a "
            "split order, and each parcel has its own tracking link."
        ),
        facts=("Wakefield", "own tracking link"),
    ),
    PolicyQuestion(
        topic="shipping",
        questions=(
            "Can you send gas canisters to Ireland?",
            "can I order gas for my camping stove to France?",
        ),
        answer=(
            "I'm sorry, gas canisters can only be delivered to UK addresses, because carriers "
            "won't fly or ship them abroad. The stoves themselves can be sent anywhere we deliver."
        ),
        facts=("only be delivered to UK addresses",),
    ),
    # ------------------------------------------------------------------ payment methods
    PolicyQuestion(
        topic="payment-methods",
        questions=(
            "What payment methods do you accept?",
            "can i pay with paypal?",
            "do you take amex?",
            "Can I pay with Apple Pay?",
        ),
        answer=(
            "We accept Visa, Mastercard and American Express cards, PayPal, Apple Pay, Google "
            "Pay, Klarna Pay in 3 and Northwind Outfitters gift cards. We don't accept cash on "
            "delivery, cheques or cryptocurrency."
        ),
        facts=("American Express", "PayPal", "Apple Pay", "Klarna Pay in 3"),
    ),
    PolicyQuestion(
        topic="payment-methods",
        questions=(
            "Do you offer buy now pay later?",
            "can I pay in instalments?",
            "is klarna available?",
        ),
        answer=(
            "Yes, Klarna Pay in 3 lets you split your order into three interest-free instalments "
            "on orders from £30 to £1,000. Just choose Klarna at checkout."
        ),
        facts=("interest-free", "£30 to £1,000"),
    ),
    PolicyQuestion(
        topic="payment-methods",
        questions=(
            "When will I be charged?",
            "when do you take the money?",
            "I see a pending payment but my order hasn't shipped",
        ),
        answer=(
            "Your card is authorised when you place the order and the money is taken when the "
            "order is dispatched. If your order ships in two parcels, each parcel is charged when "
            "it leaves us. If you cancel before dispatch, the authorisation is released and no "
            "money is taken."
        ),
        facts=("authorised", "two parcels", "authorisation is released"),
    ),
    PolicyQuestion(
        topic="payment-methods",
        questions=(
            "my payment keeps getting declined",
            "Card declined at checkout, why?",
            "why won't my card work",
        ),
        answer=(
            "Please check that the billing address matches the one your bank holds and that the "
            "card hasn't expired, then try again or use another payment method. For security "
            "reasons we can't see why a bank declined a payment, so if it keeps happening your "
            "bank is the best place to ask."
        ),
        facts=("billing address",),
    ),
    PolicyQuestion(
        topic="payment-methods",
        questions=("Can I pay in euros?", "what currency will I be charged in?"),
        answer=(
            "UK orders are charged in pounds sterling (GBP) and orders to EU countries in euros "
            "(EUR) at the price shown at checkout. Orders to all other countries are charged in "
            "GBP, and your bank may add a currency conversion fee."
        ),
        facts=("GBP", "EUR", "currency conversion fee"),
    ),
    PolicyQuestion(
        topic="payment-methods",
        questions=("Can I get a VAT invoice?", "i need an invoice for my company"),
        answer=(
            "Yes, you can download a VAT invoice for every order under My account > Orders > "
            "Download invoice."
        ),
        facts=("Download invoice",),
    ),
    # ------------------------------------------------------------------ sizing guide
    PolicyQuestion(
        topic="sizing-guide",
        questions=(
            "I'm between sizes, which should I pick?",
            "should i size up or down?",
            "im between a M and L, what should I get?",
        ),
        answer=(
            "If you're between two sizes, choose the larger size. Our rain jackets and waterproof "
            "shells are cut with room for a fleece underneath, so take your usual size there, and "
            "base layers are close-fitting by design."
        ),
        facts=("choose the larger size", "room for a fleece"),
    ),
    PolicyQuestion(
        topic="sizing-guide",
        questions=(
            "What's a UK 9 in EU sizes?",
            "what EU size is a UK 8?",
            "do you have a shoe size conversion chart?",
        ),
        answer=(
            "Our sizing guide has a full conversion table: for example UK 8 is EU 42 (US men's 9) "
            "and UK 9 is EU 43 (US men's 10). Measure your foot length and compare it with the "
            "table; note that we only stock whole sizes."
        ),
        facts=("whole sizes",),
    ),
    PolicyQuestion(
        topic="sizing-guide",
        questions=(
            "How much room should I leave in hiking boots?",
            "how should walking boots fit?",
            "do hiking boots come up small?",
        ),
        answer=(
            "Try boots on in the afternoon, when your feet are largest, wearing your hiking socks. "
            "You should be able to fit a thumb's width (about 1 cm) between your longest toe and "
            "the end of the boot. If you're between sizes, choose the larger size."
        ),
        facts=("thumb's width", "about 1 cm", "hiking socks"),
    ),
    PolicyQuestion(
        topic="sizing-guide",
        questions=(
            "What size is a medium?",
            "what are the measurements for a size M?",
            "what chest size is an L?",
        ),
        answer=(
            "In our adult sizing, M fits a 95-101 cm chest and 81-87 cm waist, and L fits a "
            "102-108 cm chest and 88-94 cm waist. Women's fits are cut slimmer through the waist; "
            "the full table is in our sizing guide."
        ),
        facts=("95-101", "102-108", "slimmer through the waist"),
    ),
    PolicyQuestion(
        topic="sizing-guide",
        questions=("what size should I get for my 5 year old?", "how do your kids sizes work?"),
        answer=(
            "Our kids' sizes go by age and height: 5-6 years fits 110-116 cm, for example. Kids "
            "grow fast, so if your child is at the top of a size, go one size up."
        ),
        facts=("110-116", "one size up"),
    ),
    PolicyQuestion(
        topic="sizing-guide",
        questions=("what inside leg is a regular?", "do your trousers come in a long leg?"),
        answer=(
            "Where trousers come in different leg lengths, short is a 76 cm inside leg, regular "
            "81 cm and long 86 cm. The available leg lengths are listed on each product page."
        ),
        facts=("76 cm", "81 cm", "86 cm"),
    ),
    # ------------------------------------------------------------------ privacy
    PolicyQuestion(
        topic="privacy",
        questions=("Do you sell my data?", "who do you share my information with?"),
        answer=(
            "No, we never sell your personal data. We only share what's needed with delivery "
            "carriers, our payment provider, Klarna if you choose it, and IT providers who host "
            "our systems under contract."
        ),
        facts=("never sell",),
    ),
    PolicyQuestion(
        topic="privacy",
        questions=(
            "How do I get my data deleted?",
            "i want a copy of all the data you hold on me",
            "GDPR request",
        ),
        answer=(
            "Email privacy@northwind-outfitters.example and tell us what you need: a copy of your "
            "data, a correction, deletion or a portable export. We respond within 30 days."
        ),
        facts=("privacy@northwind-outfitters.example", "within 30 days"),
    ),
    PolicyQuestion(
        topic="privacy",
        questions=(
            "How long do you keep my chat history?",
            "do you store these chats?",
            "how long do you keep my browsing data?",
        ),
        answer=(
            "Chat transcripts are kept for 12 months, and browsing and product view history for "
            "24 months. Order and invoice records are kept for 6 years because tax law requires it."
        ),
        facts=("12 months", "24 months", "6 years"),
    ),
    PolicyQuestion(
        topic="privacy",
        questions=(
            "How do I turn off personalised recommendations?",
            "stop tracking what i look at",
            "how do I change my cookie settings?",
        ),
        answer=(
            "You can switch off personalised recommendations at any time under Account settings > "
            "Privacy. Analytics and marketing cookies are only set with your consent: change your "
            "choice with the Cookie settings link at the bottom of every page."
        ),
        facts=("Account settings > Privacy", "Cookie settings"),
    ),
    PolicyQuestion(
        topic="privacy",
        questions=("How do I unsubscribe from your emails?", "stop sending me marketing emails"),
        answer=(
            "We only send marketing emails if you opted in, and every one has an unsubscribe link "
            "at the bottom. You can also change your marketing preferences under Account settings."
        ),
        facts=("opted in", "unsubscribe"),
    ),
    # ------------------------------------------------------------------ accounts
    PolicyQuestion(
        topic="accounts",
        questions=(
            "I forgot my password",
            "how do i reset my password?",
            "password reset link not working",
            "the reset email never arrived",
        ),
        answer=(
            "Select Forgot password? on the sign-in page and enter your email address. We'll send "
            "a reset link that is valid for 60 minutes and can be used once; if it has expired, "
            "just request a new one, and check your spam folder if it doesn't arrive within a few "
            "minutes."
        ),
        facts=("Forgot password?", "60 minutes", "spam folder"),
    ),
    PolicyQuestion(
        topic="accounts",
        questions=(
            "My account is locked",
            "it says too many attempts",
            "can't log in, it says my account is locked",
        ),
        answer=(
            "After 5 failed sign-in attempts your account is locked for 15 minutes to protect it. "
            "Please wait 15 minutes and try again, or reset your password."
        ),
        facts=("5 failed sign-in attempts", "15 minutes"),
    ),
    PolicyQuestion(
        topic="accounts",
        questions=("Do I need an account to order?", "can I check out as a guest?"),
        answer=(
            "No, you can check out as a guest. An account lets you see your order history, start "
            "returns and exchanges quickly, save addresses and collect Trail Club points."
        ),
        facts=("guest", "Trail Club"),
    ),
    PolicyQuestion(
        topic="accounts",
        questions=(
            "How do I change my email address?",
            "can I update the email on my account?",
        ),
        answer=(
            "Enter the new address under Account settings. We send a confirmation link to the new "
            "address, and the change takes effect once you click it."
        ),
        facts=("Account settings", "confirmation link"),
    ),
    PolicyQuestion(
        topic="accounts",
        questions=("How do I delete my account?", "please close my account"),
        answer=(
            "Choose Account settings > Delete account, or ask our team to do it. Your account is "
            "deleted within 30 days; unused Trail Club points are lost, and we keep order records "
            "for 6 years because tax law requires it."
        ),
        facts=("Delete account", "within 30 days", "6 years"),
    ),
    PolicyQuestion(
        topic="accounts",
        questions=(
            "What are the password requirements?",
            "how long does my password need to be?",
        ),
        answer=(
            "Passwords need at least 10 characters. You can also turn on two-step verification "
            "with an authenticator app under Account settings."
        ),
        facts=("at least 10", "two-step verification"),
    ),
    # ------------------------------------------------------------------ order tracking
    PolicyQuestion(
        topic="order-tracking",
        questions=(
            "Where is my order?",
            "how can I track my parcel?",
            "wheres my stuff",
            "track my order",
        ),
        answer=(
            "You'll find tracking under My account > Orders and in the dispatch email we send when "
            "your parcel leaves our warehouse. If you checked out as a guest, use Track my order "
            "with your order number and email address. Tracking can take up to 24 hours after the "
            "dispatch email to appear on the carrier's website."
        ),
        facts=("Track my order", "24 hours"),
    ),
    PolicyQuestion(
        topic="order-tracking",
        questions=(
            "My order is late",
            "my parcel hasn't arrived and it's past the delivery date",
            "order still not here",
        ),
        answer=(
            "Sorry about that. Delivery estimates count working days from dispatch. If your parcel "
            "hasn't arrived 2 working days after the estimated delivery date, send us your order "
            "number and we'll chase the carrier for you."
        ),
        facts=("2 working days", "chase the carrier"),
    ),
    PolicyQuestion(
        topic="order-tracking",
        questions=(
            "I think my parcel is lost",
            "the tracking hasn't updated in a week, is it lost?",
        ),
        answer=(
            "If the carrier can't find your parcel, we open an investigation. If it hasn't turned "
            "up within 10 working days for UK deliveries, or 15 working days for international "
            "ones, we send you a replacement or a full refund, whichever you prefer."
        ),
        facts=("10 working days", "15 working days"),
    ),
    PolicyQuestion(
        topic="order-tracking",
        questions=(
            "It says delivered but I haven't got it",
            "tracking says delivered but there's nothing here",
        ),
        answer=(
            "Please check with your neighbours and any safe place you gave us, and look at the "
            "delivery photo on the tracking page if the carrier took one. If you still can't find "
            "it, contact us within 14 days of the delivery date and we'll sort it out."
        ),
        facts=("neighbours", "within 14 days of the delivery date"),
    ),
    PolicyQuestion(
        topic="order-tracking",
        questions=(
            "What does processing mean on my order?",
            "what do the order statuses mean?",
            "my order says shipped, what does that mean",
        ),
        answer=(
            "Processing means we're picking and packing your order; Shipped means it's with the "
            "carrier and the tracking link is active; Delivered means the carrier has delivered "
            "it. Cancelled orders were stopped before dispatch and refunded, and Returned means "
            "we've received and refunded your return."
        ),
        facts=("Processing", "Shipped", "Delivered", "Cancelled", "Returned"),
    ),
    # ------------------------------------------------------------------ cancel order
    PolicyQuestion(
        topic="cancel-order",
        questions=(
            "How do I cancel my order?",
            "I want to cancel my order",
            "can I cancel an order I just placed?",
            "ordered the wrong thing, cancel pls",
        ),
        answer=(
            "You can cancel within 1 hour of placing your order, as long as it's still "
            "Processing: go to My account > Orders, choose the order and select Cancel order. If "
            "you checked out as a guest, contact us with your order number and email address as "
            "soon as possible."
        ),
        facts=("1 hour", "Cancel order"),
    ),
    PolicyQuestion(
        topic="cancel-order",
        questions=(
            "Can I cancel my order after it's shipped?",
            "it's already dispatched but I don't want it anymore",
        ),
        answer=(
            "Once an order shows Shipped it can't be cancelled, but you can return it when it "
            "arrives (free from the UK and the EU) or refuse the delivery, and we'll refund you "
            "when it comes back to us."
        ),
        facts=("refuse the delivery",),
    ),
    PolicyQuestion(
        topic="cancel-order",
        questions=(
            "When will I get my money back for a cancelled order?",
            "i cancelled my order, where's my refund?",
        ),
        answer=(
            "Cancelled orders are refunded in full, including delivery charges, within 3 working "
            "days. If your card was only authorised, the hold is released instead, which some "
            "banks take up to 5 working days to show."
        ),
        facts=("within 3 working days", "5 working days"),
    ),
    PolicyQuestion(
        topic="cancel-order",
        questions=(
            "Can I remove one item from my order?",
            "i want to cancel just one thing in my order",
        ),
        answer=(
            "Yes, within 1 hour of ordering you can remove single items from an order that's still "
            "Processing. The rest is sent as normal, and free delivery still applies only if the "
            "remaining order is over the threshold."
        ),
        facts=("single items", "over the threshold"),
    ),
    # ------------------------------------------------------------------ gift cards
    PolicyQuestion(
        topic="gift-cards",
        questions=(
            "Do you sell gift cards?",
            "can I buy a voucher for my friend?",
            "how do gift cards work?",
        ),
        answer=(
            "Yes, our e-gift cards come in any amount from £10 to £500. We email the card to the "
            "recipient on the date you choose, with your personal message, and it's valid for "
            "24 months."
        ),
        facts=("£10 to £500", "24 months"),
    ),
    PolicyQuestion(
        topic="gift-cards",
        questions=("How long is my gift card valid?", "does my gift card expire?"),
        answer=(
            "Gift cards are valid for 24 months from the date they were bought, and any balance "
            "left after an order stays on the card until then."
        ),
        facts=("24 months",),
    ),
    PolicyQuestion(
        topic="gift-cards",
        questions=(
            "Can I use two gift cards on one order?",
            "can I use a gift card and my debit card together?",
        ),
        answer=(
            "Yes, you can use up to 3 gift cards on one order and pay any remaining balance with a "
            "card, PayPal, Apple Pay or Google Pay."
        ),
        facts=("up to 3 gift cards",),
    ),
    PolicyQuestion(
        topic="gift-cards",
        questions=("How do I check my gift card balance?", "how much is left on my gift card"),
        answer=(
            "You can check your balance on our gift card page with the code and PIN, or at "
            "checkout when you apply the card."
        ),
        facts=("code and PIN",),
    ),
    PolicyQuestion(
        topic="gift-cards",
        questions=("Can I get cash for my gift card?", "can I get a refund on a gift card?"),
        answer=(
            "Sorry, gift cards cannot be exchanged for cash or refunded, except where the law "
            "requires it."
        ),
        facts=("exchanged for cash",),
    ),
    PolicyQuestion(
        topic="gift-cards",
        questions=("lost my gift card email", "I deleted the gift card email by mistake"),
        answer=(
            "No problem: the person who bought the gift card can ask us to resend it to the same "
            "email address."
        ),
        facts=("resend",),
    ),
    # ------------------------------------------------------------------ international
    PolicyQuestion(
        topic="international-orders",
        questions=(
            "Do you ship to the US?",
            "which countries do you deliver to?",
            "do you deliver to Australia?",
            "can I order from Canada?",
        ),
        answer=(
            "We deliver to the UK, all 27 EU countries, Norway, Switzerland, Iceland, the United "
            "States, Canada, Australia, New Zealand and Japan. Outside the UK and the EU, tracked "
            "delivery takes 5-12 working days and costs £19.95."
        ),
        facts=("27 EU countries", "New Zealand and Japan"),
    ),
    PolicyQuestion(
        topic="international-orders",
        questions=(
            "Will I have to pay customs?",
            "do I pay import duties in Switzerland?",
            "are there customs fees for the US?",
            "will there be extra charges when my parcel arrives in Norway?",
        ),
        answer=(
            "For orders to Norway, Switzerland, Iceland, the United States, Canada, Australia, New "
            "Zealand and Japan, prices at checkout exclude UK VAT, and import duties and taxes set "
            "by your local customs are paid by you when the parcel arrives. The carrier may add a "
            "handling fee, and we can't tell you the exact amount in advance. EU orders have no "
            "customs charges."
        ),
        facts=("exclude UK VAT", "handling fee"),
    ),
    PolicyQuestion(
        topic="international-orders",
        questions=(
            "Do I pay customs in the EU?",
            "I'm in Spain, will there be import fees?",
            "since brexit do I pay customs on orders to Ireland?",
        ),
        answer=(
            "No. EU orders are sent from our fulfilment centre in Venlo, the Netherlands, and "
            "prices include VAT at your country's rate, so there are no customs charges or import "
            "fees to pay on delivery."
        ),
        facts=("Venlo", "no customs charges"),
    ),
    PolicyQuestion(
        topic="international-orders",
        questions=(
            "Can you mark my parcel as a gift?",
            "can you put a lower value on the customs form?",
        ),
        answer=(
            "Sorry, we can't mark parcels as gifts or declare a lower value: the customs "
            "declaration has to show what you actually paid."
        ),
        facts=("mark parcels as gifts", "lower value"),
    ),
    PolicyQuestion(
        topic="international-orders",
        questions=(
            "What happens if I refuse the parcel because of customs fees?",
            "I don't want to pay the duty, can I refuse it?",
        ),
        answer=(
            "You can. Once the parcel is back with us we refund the items, minus the original "
            "delivery charge and the cost of returning the parcel to us."
        ),
        facts=("original delivery charge", "cost of returning the parcel"),
    ),
    # ------------------------------------------------------------------ price match
    PolicyQuestion(
        topic="price-match",
        questions=(
            "Do you price match?",
            "I found it cheaper elsewhere",
            "another shop has this jacket for £20 less, can you match it?",
        ),
        answer=(
            "Yes. If another UK retailer has the identical item (same brand, model, colour and "
            "size) in stock for less, tell us before you order or within 7 days after ordering and "
            "we'll match the price. If you've already paid, we refund the difference within 3 "
            "working days; just send us a link to the other retailer's page."
        ),
        facts=("identical item", "within 7 days", "3 working days"),
    ),
    PolicyQuestion(
        topic="price-match",
        questions=(
            "Can you match an Amazon price?",
            "will you price match ebay?",
            "will you match a price that needs a discount code?",
        ),
        answer=(
            "We don't match marketplace sellers (for example on Amazon Marketplace or eBay), "
            "clearance or outlet prices, prices that need a membership or a voucher code, bundle "
            "deals, or flash sales that last less than 24 hours."
        ),
        facts=("Amazon Marketplace", "less than 24 hours"),
    ),
    PolicyQuestion(
        topic="price-match",
        questions=(
            "The price dropped after I bought it",
            "you've reduced the price of something I bought last week, can I get the difference?",
        ),
        answer=(
            "If we lower the price within 7 days of your order, we refund the difference: just ask "
            "our team with your order number."
        ),
        facts=("within 7 days of your order",),
    ),
    PolicyQuestion(
        topic="price-match",
        questions=(
            "Can I use two discount codes?",
            "I forgot to add my promo code, can you apply it now?",
            "does my discount code work on sale items?",
        ),
        answer=(
            "Only one promo code can be used per order, and it must be entered at checkout: codes "
            "cannot be added after an order is placed. Codes don't apply to items already on sale "
            "unless the code says so."
        ),
        facts=("one promo code", "entered at checkout"),
    ),
    PolicyQuestion(
        topic="price-match",
        questions=(
            "Do you have a student discount?",
            "is there a discount for signing up to the newsletter?",
            "any discount codes for my first order?",
        ),
        answer=(
            "Students get 10% off all full-price items once they verify their student status in "
            "their account. New newsletter subscribers get 10% off their first order over £40; "
            "the code arrives by email and is valid for 30 days."
        ),
        facts=("10% off", "£40", "30 days"),
    ),
    # ------------------------------------------------------------------ product care
    PolicyQuestion(
        topic="product-care",
        questions=(
            "How do I wash my waterproof jacket?",
            "can I put my rain jacket in the washing machine?",
            "best way to clean a waterproof?",
        ),
        answer=(
            "Yes, you can machine wash it: close all zips and tabs and wash at 30 °C on a gentle "
            "cycle with a technical cleaner. Avoid ordinary detergent, fabric softener and bleach, "
            "and rinse twice. Then tumble dry on low for 20 minutes to reactivate the "
            "water-repellent finish."
        ),
        facts=("30 °C", "technical cleaner", "20 minutes"),
    ),
    PolicyQuestion(
        topic="product-care",
        questions=(
            "How often should I reproof my jacket?",
            "rain doesn't bead on my jacket anymore",
            "how do I re-waterproof a jacket?",
        ),
        answer=(
            "Re-proof when water soaks into the outer fabric instead of beading, even after "
            "washing and tumble drying: usually every 6 to 10 washes. Use a PFC-free wash-in or "
            "spray-on re-proofer and follow the instructions on the bottle."
        ),
        facts=("every 6 to 10 washes", "PFC-free"),
    ),
    PolicyQuestion(
        topic="product-care",
        questions=(
            "How do I dry wet hiking boots?",
            "can I put my boots by the radiator?",
            "how do I look after leather walking boots?",
        ),
        answer=(
            "Knock off the mud, clean the uppers with lukewarm water and a soft brush, take out "
            "the insoles and let the boots dry at room temperature, stuffed with newspaper. Never "
            "dry them next to a radiator, fire or in direct sun: heat cracks leather and weakens "
            "the glue. Treat leather boots with wax every 3 to 5 walks."
        ),
        facts=("newspaper", "radiator", "every 3 to 5 walks"),
    ),
    PolicyQuestion(
        topic="product-care",
        questions=("How do I wash a down jacket?", "can I tumble dry my puffer jacket?"),
        answer=(
            "Wash down at 30 °C with a special down wash, then tumble dry on low with two or three "
            "dryer balls until no clumps remain; it can take up to 3 hours."
        ),
        facts=("dryer balls", "3 hours"),
    ),
    PolicyQuestion(
        topic="product-care",
        questions=("Can I use fabric softener on my fleece?", "how do I wash merino?"),
        answer=(
            "Please skip the fabric softener: it flattens fleece and clogs wicking fabrics. Wash "
            "fleeces and base layers at 30 °C, and wash merino on a wool cycle and dry it flat."
        ),
        facts=("fabric softener", "wool cycle", "dry it flat"),
    ),
    PolicyQuestion(
        topic="product-care",
        questions=("How should I store my sleeping bag?", "how do I store my tent over winter?"),
        answer=(
            "Store sleeping bags loose in their large storage sack rather than the compression "
            "sack, so the insulation keeps its loft. Always dry your tent fully before packing it "
            "away for more than a day, or mildew will damage the fabric and coating."
        ),
        facts=("storage sack", "mildew"),
    ),
    # ------------------------------------------------------------------ contact
    PolicyQuestion(
        topic="contact",
        questions=(
            "What are your opening hours?",
            "when is customer service open?",
            "are you open on sundays?",
            "what time do you close on saturday?",
        ),
        answer=(
            "Our customer service team is available Monday to Friday 8:00-20:00, Saturday "
            "9:00-17:00 and Sunday 10:00-16:00 (UK time). The chat assistant is available "
            "24 hours a day, 7 days a week."
        ),
        facts=("8:00-20:00", "9:00-17:00", "10:00-16:00"),
    ),
    PolicyQuestion(
        topic="contact",
        questions=(
            "What's your phone number?",
            "can I call you?",
            "how do I contact you?",
            "what's your email address?",
        ),
        answer=(
            "You can call us on 0131 496 0123 from the UK (+44 131 496 0123 from abroad), email "
            "help@northwind-outfitters.example (we reply within 24 hours on working days), or "
            "chat with us here at any time."
        ),
        facts=("0131 496 0123", "help@northwind-outfitters.example", "within 24 hours"),
    ),
    PolicyQuestion(
        topic="contact",
        questions=("can I speak to a real person?", "i want to talk to a human", "is this a bot?"),
        answer=(
            "I'm Northwind's shopping assistant, and I can hand you over to a person from our team "
            "whenever you ask. The team is online Monday to Friday 8:00-20:00, Saturday 9:00-17:00 "
            "and Sunday 10:00-16:00 UK time."
        ),
        facts=("8:00-20:00",),
    ),
    PolicyQuestion(
        topic="contact",
        questions=(
            "Are you open on Christmas day?",
            "opening hours over christmas?",
            "are you open on bank holidays?",
        ),
        answer=(
            "We're closed on 25 and 26 December and on 1 January. On other UK bank holidays our "
            "team is available 10:00-16:00, and the chat assistant is always on."
        ),
        facts=("25 and 26 December", "1 January"),
    ),
    PolicyQuestion(
        topic="contact",
        questions=("What's your address?", "can I send my return to your office?"),
        answer=(
            "Our office is Northwind Outfitters Ltd, 14 Harbour Lane, Edinburgh EH6 6QX, United "
            "Kingdom. It isn't a returns address, so please use the return label from your account "
            "for returns."
        ),
        facts=("14 Harbour Lane", "EH6 6QX"),
    ),
    # ------------------------------------------------------------------ loyalty
    PolicyQuestion(
        topic="loyalty",
        questions=(
            "How does your loyalty programme work?",
            "what is Trail Club?",
            "do you have a rewards scheme?",
        ),
        answer=(
            "Trail Club is free for everyone with an account. You earn 1 point for every £1 you "
            "spend on products, and every 100 points can be turned into a £5 voucher under "
            "My account > Trail Club."
        ),
        facts=("1 point", "100 points", "£5 voucher"),
    ),
    PolicyQuestion(
        topic="loyalty",
        questions=(
            "What are the Trail Club tiers?",
            "how do I get free next day delivery?",
            "what do I get with Summit?",
        ),
        answer=(
            "Tiers depend on the points you earn in a calendar year: Trailhead (0-499 points), "
            "Ridge (500-1,499 points: 1.25 points per £1 and free UK standard delivery) and Summit "
            "(1,500 or more: 1.5 points per £1, free UK next-day delivery and early access to "
            "sales)."
        ),
        facts=("500-1,499", "1,500 or more", "free UK next-day delivery"),
    ),
    PolicyQuestion(
        topic="loyalty",
        questions=("Do my points expire?", "how long do loyalty points last?"),
        answer=(
            "Points expire if you make no purchase for 12 months. Vouchers made from your points "
            "are valid for 6 months."
        ),
        facts=("12 months", "6 months"),
    ),
    PolicyQuestion(
        topic="loyalty",
        questions=("Do I get points on gift cards?", "do I earn points on delivery?"),
        answer="Points are earned on products only, not on delivery charges or gift cards.",
        facts=("delivery charges or gift cards",),
    ),
    PolicyQuestion(
        topic="loyalty",
        questions=(
            "What happens to my points if I return something?",
            "do I lose points when I return an item",
        ),
        answer="If you return an item, the points you earned on it are removed from your balance.",
        facts=("removed from your balance",),
    ),
    PolicyQuestion(
        topic="loyalty",
        questions=("do I get birthday points?", "how can I earn bonus points?"),
        answer=(
            "You get 50 bonus points on your birthday and 10 points for each product review you "
            "write, up to 5 reviews a month."
        ),
        facts=("50 bonus points", "10 points", "5 reviews a month"),
    ),
    # ------------------------------------------------------------------ sustainability
    PolicyQuestion(
        topic="sustainability",
        questions=("Is your packaging plastic free?", "do you use plastic packaging?"),
        answer=(
            "Yes: since 2023 all our parcels have been plastic-free. We use paper mailers and "
            "recycled cardboard boxes sealed with paper tape, all of which can go in your "
            "household recycling."
        ),
        facts=("plastic-free", "2023", "paper tape"),
    ),
    PolicyQuestion(
        topic="sustainability",
        questions=("Are your jackets PFC free?", "do you use PFAS in your waterproofing?"),
        answer=(
            "All Northwind-branded water-repellent finishes have been PFC-free since 2024. For "
            "other brands, check the materials listed on each product page."
        ),
        facts=("PFC-free since 2024",),
    ),
    PolicyQuestion(
        topic="sustainability",
        questions=(
            "Do you have a trade-in scheme?",
            "what can I do with my old jacket?",
            "do you buy back used gear?",
        ),
        answer=(
            "Yes, with Second Trail you can trade in used Northwind-branded gear in good condition "
            "for a voucher: up to £40 for a jacket, £25 for a backpack and £15 for a fleece. Start "
            "a trade-in under My account > Second Trail."
        ),
        facts=("Second Trail", "£40", "£25", "£15"),
    ),
    PolicyQuestion(
        topic="sustainability",
        questions=("Is your down ethically sourced?", "where does your down come from?"),
        answer="All the down we use is certified to the Responsible Down Standard.",
        facts=("Responsible Down Standard",),
    ),
    PolicyQuestion(
        topic="sustainability",
        questions=(
            "How sustainable are your products?",
            "what percentage of your products use recycled materials?",
        ),
        answer=(
            "In 2025, 68% of Northwind-branded products were made with recycled or responsibly "
            "sourced materials, and we're aiming for 90% by 2028. We also give 1% of our annual "
            "sales to UK charities that repair upland footpaths and restore peatland."
        ),
        facts=("68%", "90% by 2028", "1% of our annual sales"),
    ),
)

PRODUCT_QA_SHARE = 0.4  # share of product questions in the generated Q/A history

# ---------------------------------------------------------------------------- product questions

QA = tuple[str, str]  # (question, answer)
COMMON_COLOURS = (
    "blue", "black", "red", "green", "grey", "navy", "pink", "yellow", "orange", "purple",
    "white", "brown",
)  # fmt: skip
SIZE_LADDERS = (APPAREL_SIZES, SHOE_SIZES, KIDS_SIZES, KIDS_SHOE_SIZES, BED_SIZES)
NOT_WATERPROOF = {
    "Outdoor Clothing > Fleeces": (
        "fleece is warm and breathable but lets rain through. On wet days, wear it under one of "
        "our waterproof rain jackets."
    ),
    "Outdoor Clothing > Hiking Trousers": (
        "the water-repellent finish sheds light showers, but for heavy rain pair them with "
        "waterproof over-trousers."
    ),
    "Outdoor Clothing > Insulated Jackets": "wear a rain jacket over it in heavy rain.",
    "Outdoor Clothing > Base Layers": (
        "base layers are made to sit next to your skin under a waterproof shell."
    ),
}
EXTENDED_WARRANTY_WORDS = {"jacket", "trousers", "over-trousers", "backpack", "daypack", "pack"}
BATTERY_CATEGORIES = {
    "Electronics & Gadgets > Power Banks & Solar",
    "Electronics & Gadgets > Headphones & Speakers",
    "Electronics & Gadgets > GPS & Watches",
    "Electronics & Gadgets > Headlamps & Torches",
}


def _attr_list(product: DemoProduct, key: str) -> list[str]:
    return [v for v in product.attributes.get(key, "").split(", ") if v]


@dataclass(frozen=True)
class _Words:
    """Verb forms that agree with a product title ("the X Boots are", "the X Jacket is")."""

    plural: bool

    @classmethod
    def of(cls, product: DemoProduct) -> _Words:
        return cls(is_plural(product.title.lower()))

    def v(self, singular: str, plural: str) -> str:
        return plural if self.plural else singular

    @property
    def it(self) -> str:
        return self.v("it", "they")

    @property
    def is_(self) -> str:
        return self.v("is", "are")

    @property
    def s(self) -> str:  # verb ending: "comes" / "come"
        return self.v("s", "")


def _shopper_name(rng: random.Random, product: DemoProduct) -> str:
    """How a shopper refers to a product: sometimes without the brand, often in lower case."""
    name = product.title
    if rng.random() < 0.4 and name.startswith(product.brand + " "):
        name = name[len(product.brand) + 1 :]
    return name.lower() if rng.random() < 0.5 else name


def _stock_note(product: DemoProduct) -> str:
    if product.stock == 0:
        return (
            " It's out of stock at the moment, but you can set a back-in-stock alert on the "
            "product page."
        )
    return ""


def _colour_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    colours = _attr_list(p, "colour")
    if not colours:
        return None
    w = _Words.of(p)
    asked = rng.choice(colours) if rng.random() < 0.55 else rng.choice(COMMON_COLOURS)
    question = rng.choice(
        (
            f"{w.v('Does', 'Do')} the {name} come in {asked}?",
            f"do you have the {name} in {asked}",
            f"{w.v('Is', 'Are')} the {name} available in {asked}? I can't see it on the page",
            f"any chance the {name} come{w.s} in {asked}?",
        )
    )
    matches = [c for c in colours if c == asked or asked in c.split()]
    others = [c for c in colours if c not in matches]
    if matches:
        answer = f"Yes, the {p.title} come{w.s} in {join_words(matches)}."
        if others:
            answer += f" {w.v('It is', 'They are')} also available in {join_words(others)}."
        return question, answer + _stock_note(p)
    return question, (
        f"Sorry, the {p.title} {w.v('does', 'do')}n't come in {asked}. "
        f"{w.v('It is', 'They are')} available in {join_words(colours)}."
    )


def _fit_advice(p: DemoProduct) -> str:
    """The sizing-guide advice that fits this product's category."""
    sub = p.category.split(" > ")[-1]
    if sub == "Rain Jackets":
        return "It's cut with room for a fleece underneath, so take your usual size."
    if sub == "Base Layers":
        return "Base layers are close-fitting by design; size up if you prefer a relaxed fit."
    if sub == "Rain Trousers":
        return "They're cut generously so they fit over hiking trousers."
    if p.top_category == "Kids":
        return "If your child is at the top of a size, go one size up."
    if sub in {"Hiking Boots", "Trail Runners"}:
        return (
            "Try them on with your hiking socks and allow a thumb's width (about 1 cm) in front of "
            "your longest toe. If you're between sizes, choose the larger size."
        )
    return "If you're between two sizes, choose the larger size."


def _size_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    sizes = _attr_list(p, "size")
    if not sizes or sizes == ["one size"]:
        return None
    w = _Words.of(p)
    ladder = next((lad for lad in SIZE_LADDERS if set(sizes) <= set(lad)), tuple(sizes))
    asked = rng.choice(ladder)
    listed = join_words(sizes)
    wearable = p.top_category in {"Outdoor Clothing", "Footwear", "Kids", "Fitness"}
    style = rng.randrange(3 if wearable else 2)
    if style == 0:
        question = rng.choice(
            (
                f"What sizes {w.v('does', 'do')} the {name} come in?",
                f"which sizes {w.is_} the {name} available in",
            )
        )
        answer = f"The {p.title} {w.is_} available in {listed}."
        if wearable:
            answer += " " + _fit_advice(p)
        return question, answer
    if style == 1:
        question = f"{w.v('Does', 'Do')} the {name} come in {asked}?"
        if asked in sizes:
            return question, (
                f"Yes, the {p.title} come{w.s} in {asked}; the full range is {listed}."
            )
        return question, (
            f"Sorry, the {p.title} {w.v('is', 'are')}n't available in {asked}; "
            f"{w.it} come{w.s} in {listed}."
        )
    if p.top_category == "Kids":
        question = f"My child usually wears {asked}, what size should I get in the {name}?"
    else:
        article = "an" if re.fullmatch(r"[AEFHILMNORSX][A-Z]*", asked) else "a"
        question = f"I'm usually {article} {asked}, what size should I get in the {name}?"
    if asked not in sizes:
        return question, (
            f"Unfortunately the {p.title} {w.v('does', 'do')}n't come in {asked}; {w.it} "
            f"{w.is_} available in {listed}."
        )
    return question, (
        f"Go for your usual {asked}: the {p.title} come{w.s} in {listed}. {_fit_advice(p)}"
    )


def _material_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    material = p.attributes.get("material")
    if not material:
        return None
    w = _Words.of(p)
    question = rng.choice(
        (
            f"What {w.is_} the {name} made of?",
            f"what material {w.is_} the {name}",
            f"what's the {name} made from?",
        )
    )
    made = "made with" if p.top_category == "Beauty & Care" else "made from"
    return question, f"The {p.title} {w.is_} {made} {material}."


def _stock_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    w = _Words.of(p)
    if p.stock == 0:
        question = rng.choice(
            (
                f"When will the {name} be back in stock?",
                f"{w.v('is', 'are')} the {name} in stock?",
            )
        )
        return question, (
            f"The {p.title} {w.is_} out of stock at the moment. Set a back-in-stock alert on the "
            "product page and we'll email you as soon as we have more."
        )
    question = rng.choice(
        (
            f"{w.v('Is', 'Are')} the {name} in stock?",
            f"do you have the {name} in stock right now?",
        )
    )
    answer = (
        f"Yes, the {p.title} {w.is_} in stock. Orders placed before 2pm on a working day are "
        "dispatched the same day."
    )
    if p.stock < 5:
        answer += f" There are only {p.stock} left, though."
    return question, answer


def _price_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    w = _Words.of(p)
    question = rng.choice(
        (
            f"How much {w.is_} the {name}?",
            f"what's the price of the {name}",
            f"how much {w.v('does', 'do')} the {name} cost?",
        )
    )
    answer = f"The {p.title} cost{w.s} £{p.price:.2f}."
    if p.price > 50:
        answer += " UK standard delivery is free on orders over £50."
    else:
        answer += " UK standard delivery is £3.95, or free on orders over £50."
    return question, answer


def _use_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    uses = _attr_list(p, "best for")
    if not uses:
        return None
    w = _Words.of(p)
    use = rng.choice(uses)
    question = rng.choice(
        (
            f"{w.v('Is', 'Are')} the {name} good for {use}?",
            f"would the {name} work for {use}?",
            f"thinking of getting the {name} for {use}, {w.v('is it', 'are they')} suitable?",
        )
    )
    first_sentence = p.description.split(". ", 1)[0].rstrip(".") + "."
    return question, (
        f"Yes, the {p.title} {w.is_} a good choice for {use}: {w.v('it is', 'they are')} "
        f"designed for {join_words(uses)}. {first_sentence}"
    )


def _waterproof_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    waterproof = "waterproof" in p.title.lower() and p.top_category != "Electronics & Gadgets"
    if not waterproof and p.category not in NOT_WATERPROOF:
        return None
    w = _Words.of(p)
    question = rng.choice(
        (
            f"{w.v('Is', 'Are')} the {name} waterproof?",
            f"will the {name} keep me dry in the rain?",
            f"{w.v('is', 'are')} the {name} fully waterproof or just water resistant?",
        )
    )
    if not waterproof:
        return question, f"No, the {p.title} {w.is_} not waterproof: {NOT_WATERPROOF[p.category]}"
    answer = (
        f"Yes, the {p.title} {w.is_} waterproof: {w.it} {w.is_} made from "
        f"{p.attributes['material']}."
    )
    if "waterproof rating" in p.attributes:
        answer += f" {w.it.capitalize()} {w.is_} rated to {p.attributes['waterproof rating']}."
    return question, answer


def _care_answer(p: DemoProduct) -> str | None:
    """Care instructions from the product care page that apply to this product."""
    sub = p.category.split(" > ")[-1]
    them = _Words.of(p).v("it", "them")
    if sub in {"Rain Jackets", "Rain Trousers"}:
        return (
            f"Wash {them} at 30 °C on a gentle cycle with a technical cleaner, with the zips "
            "closed and no fabric softener, then tumble dry on low for 20 minutes to reactivate "
            "the water-repellent finish. Re-proof when rain stops beading, usually every 6 to 10 "
            "washes."
        )
    if sub == "Hiking Boots":
        return (
            "After each walk, knock off the mud, clean the uppers with lukewarm water and a soft "
            "brush and let them dry at room temperature, stuffed with newspaper and away from "
            "radiators. Treat leather with wax every 3 to 5 walks and fabric or suede with a "
            "spray-on re-proofer."
        )
    if sub == "Insulated Jackets" and "down" in p.attributes.get("material", ""):
        return (
            "Wash it at 30 °C with a special down wash, then tumble dry on low with two or three "
            "dryer balls until no clumps remain; it can take up to 3 hours."
        )
    if sub in {"Fleeces", "Base Layers", "Insulated Jackets"}:
        answer = f"Wash {them} at 30 °C without fabric softener."
        if "merino" in p.attributes.get("material", ""):
            answer += " Use a wool cycle for merino and dry it flat."
        return answer
    if sub == "Sleeping Bags":
        return (
            "Store it loose in its large storage sack rather than the compression sack, so the "
            "insulation keeps its loft."
        )
    if sub == "Tents":
        return (
            "Always dry it fully before packing it away for more than a day, or mildew will damage "
            "the fabric and coating."
        )
    return None


def _care_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    answer = _care_answer(p)
    if answer is None:
        return None
    questions = [f"how should I look after the {name}?", f"any care tips for the {name}?"]
    if p.top_category == "Outdoor Clothing":
        questions.append(f"How do I wash the {name}?")
    return rng.choice(questions), f"Here's how to look after the {p.title}. {answer}"


def _warranty_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    if p.top_category == "Beauty & Care":
        return None
    w = _Words.of(p)
    question = rng.choice(
        (f"What's the warranty on the {name}?", f"how long is the guarantee on the {name}?")
    )
    words = set(p.title.lower().split())
    extended = (
        p.brand == "Northwind"
        and bool(words & EXTENDED_WARRANTY_WORDS)
        and not words & {"cover", "liner"}
    )
    if extended:
        return question, (
            f"As a Northwind-branded item, the {p.title} {w.v('has', 'have')} our extended "
            "5-year warranty against manufacturing faults."
        )
    answer = f"The {p.title} {w.v('has', 'have')} a 2-year warranty against manufacturing faults."
    if p.category in BATTERY_CATEGORIES and "handheld" not in words:
        answer += f" {w.v('Its', 'Their')} built-in battery is covered for 12 months."
    return question, answer


def _measure_answer(p: DemoProduct, key: str, value: str) -> str | None:
    """The answer to a question about one measured attribute, or None for other attributes."""
    w = _Words.of(p)
    t = p.title
    if key == "waterproof rating":
        answer = f"The {t} {w.is_} rated to {value} hydrostatic head."
        if "breathability" in p.attributes:
            answer += f" Breathability is {p.attributes['breathability']}."
        return answer
    if key == "weight":
        if value.endswith(" adjustable"):
            return f"The {t} adjust{w.s} from {value.removesuffix(' adjustable')}."
        return f"The {t} weigh{w.s} {value}."
    if key == "capacity":
        if "cover" in t.lower():
            return f"The {t} fit{w.s} packs of {value}."
        return f"The {t} {w.v('has', 'have')} a capacity of {value}."
    if key == "water resistance":
        meaning = {
            "IPX4": "fine in rain and splashes, but it shouldn't be submerged",
            "IPX7": "it survives being submerged in up to 1 m of water for 30 minutes",
            "IPX8": "it can be submerged deeper than 1 m",
        }[value]
        return f"The {t} is rated {value}, so {meaning}."
    if key == "leg length":
        if "long" in value:
            lengths = join_words(value.split(", "))
            return f"Yes, the {t} come in {lengths} leg lengths; long is an 86 cm inside leg."
        return f"The {t} only come in a regular leg length (81 cm inside leg)."
    if key == "scent":
        if value == "unscented":
            return f"The {t} {w.is_} unscented."
        return f"The {t} smell{w.s} of {value}."
    has = w.v("has", "have")
    simple = {
        "comfort rating": f"The {t} {has} a comfort rating of {value}.",
        "tog": f"The {t} {w.is_} {value}.",
        "R-value": f"The {t} {has} an R-value of {value}.",
        "brightness": f"The {t} put{w.s} out up to {value}.",
        "age": f"The {t} {w.is_} recommended for children aged {value}.",
        "diameter": f"The {t} {w.is_} {value} in diameter.",
        "dimensions": f"The {t} measure{w.s} {value}.",
        "firmness": f"The {t} {has} a {value} feel.",
        "lens category": f"The {t} {has} {value} lenses.",
        "output": f"The {t} {has} an output of {value}.",
        "pieces": f"The {t} is a {value} set.",
        "pack size": f"The {t} come{w.s} in a {value} size.",
        "volume": f"The {t} come{w.s} in a {value} size.",
    }
    return simple.get(key)


MEASURE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "waterproof rating": ("How waterproof is the {n}?", "what's the hydrostatic head of the {n}?"),
    "weight": ("How heavy is the {n}?", "what does the {n} weigh?"),
    "capacity": ("What's the capacity of the {n}?", "how big is the {n}?"),
    "water resistance": ("Is the {n} waterproof?", "can the {n} get wet?"),
    "comfort rating": ("What temperature is the {n} rated to?", "how warm is the {n}?"),
    "tog": ("What tog is the {n}?", "how warm is the {n}?"),
    "R-value": ("What's the R-value of the {n}?", "how warm is the {n} to sleep on?"),
    "brightness": ("How bright is the {n}?", "how many lumens is the {n}?"),
    "age": ("What age is the {n} suitable for?", "what age range is the {n} for?"),
    "scent": ("What does the {n} smell like?", "is the {n} scented?"),
    "diameter": ("What diameter is the {n}?", "how wide is the {n}?"),
    "dimensions": ("How big is the {n}?", "what are the dimensions of the {n}?"),
    "firmness": ("Is the {n} firm or soft?",),
    "lens category": ("What lens category are the {n}?",),
    "output": ("What's the output of the {n}?", "how many watts is the {n}?"),
    "pieces": ("How many pans are in the {n}?",),
    "pack size": ("How big is the {n}?", "what size is the {n}?"),
    "volume": ("How big is the {n}?", "how many ml is the {n}?"),
    "leg length": ("Do the {n} come in a long leg?", "what leg lengths do the {n} come in?"),
}


def _measure_qa(rng: random.Random, p: DemoProduct, name: str) -> QA | None:
    keys = [k for k in MEASURE_QUESTIONS if k in p.attributes]
    if not keys:
        return None
    key = rng.choice(keys)
    answer = _measure_answer(p, key, p.attributes[key])
    if answer is None:
        return None
    question = rng.choice(MEASURE_QUESTIONS[key]).format(n=name)
    if is_plural(p.title.lower()):
        question = question.replace(" is the ", " are the ").replace("Is the ", "Are the ")
        question = question.replace(" does the ", " do the ")
    return question, answer


PRODUCT_QUESTION_KINDS: tuple[Callable[[random.Random, DemoProduct, str], QA | None], ...] = (
    _colour_qa,
    _size_qa,
    _material_qa,
    _stock_qa,
    _price_qa,
    _use_qa,
    _waterproof_qa,
    _care_qa,
    _warranty_qa,
    _measure_qa,
)


def _product_qa(rng: random.Random, product: DemoProduct) -> QA:
    """One question about a product with its answer, drawn from the kinds that apply."""
    name = _shopper_name(rng, product)
    kinds = list(PRODUCT_QUESTION_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        qa = kind(rng, product, name)
        if qa is not None:
            return qa
    raise AssertionError("the price question applies to every product")


def generate_qa(rng: random.Random, products: Sequence[DemoProduct]) -> tuple[DemoQA, ...]:
    """Every policy phrasing once plus product questions (40% of the total), shuffled."""
    drafts: list[tuple[str, str, str | None, str]] = [
        (question, pq.answer, None, pq.topic)
        for pq in POLICY_QUESTIONS
        for question in pq.questions
    ]
    n_product = round(len(drafts) * PRODUCT_QA_SHARE / (1 - PRODUCT_QA_SHARE))
    for product in rng.sample(list(products), min(n_product, len(products))):
        question, answer = _product_qa(rng, product)
        drafts.append((question, answer, product.id, "product"))
    rng.shuffle(drafts)
    return tuple(
        DemoQA(id=f"qa{i:04d}", question=q, answer=a, product_id=pid, topic=topic)
        for i, (q, a, pid, topic) in enumerate(drafts, start=1)
    )


# ---------------------------------------------------------------------------- shoppers

FIRST_NAMES = (
    "Aisha", "Alistair", "Amara", "Ana", "Ben", "Bronwen", "Callum", "Chloe", "Chen", "Daniel",
    "Dara", "Eilidh", "Elena", "Emeka", "Eva", "Farah", "Finn", "Freya", "Gareth", "Grace",
    "Hamish", "Hannah", "Ibrahim", "Isla", "Jakub", "James", "Jonas", "Kavya", "Kirsty", "Lars",
    "Leila", "Liam", "Lucía", "Mairi", "Marco", "Maya", "Mohammed", "Niamh", "Noah", "Olivia",
    "Omar", "Priya", "Rhys", "Rosa", "Ruairidh", "Saoirse", "Sam", "Sanjay", "Sofia", "Tom",
    "Yusuf", "Zoë", "Émile", "Ingrid", "Kwame", "Mei", "Nadia", "Oskar", "Tariq", "Wiktoria",
)  # fmt: skip
LAST_NAMES = (
    "Anderson", "Bakker", "Campbell", "Chaudhry", "Davies", "Dubois", "Evans", "Fernández",
    "Fraser", "Fischer", "Gallagher", "Grant", "Hughes", "Hussain", "Jansen", "Jones", "Kaur",
    "Kowalski", "Larsen", "MacDonald", "MacLeod", "Martin", "Morrison", "Murphy", "Nowak",
    "Nwosu", "O'Brien", "Okafor", "Patel", "Petrov", "Reid", "Robertson", "Rossi", "Schmidt",
    "Scott", "Singh", "Stewart", "Taylor", "Thomson", "Walsh", "Watson", "Wilson", "Wright",
    "Young", "Zhang", "Ahmed", "Byrne", "Costa", "Lindqvist", "Mensah",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org")
MIN_TASTE_PRODUCTS = 24  # products a shopper's tastes cover at least
PERSONA_SHARE = 0.75  # shoppers whose tastes are related categories (one persona)

# related categories that real shoppers tend to combine; tastes are drawn from one of these
# or from the whole catalog
PERSONAS: tuple[tuple[str, ...], ...] = (
    (
        "Outdoor Clothing > Rain Jackets",
        "Outdoor Clothing > Rain Trousers",
        "Footwear > Hiking Boots",
        "Backpacks & Bags > Pack Covers & Dry Bags",
        "Accessories > Umbrellas & Gaiters",
        "Backpacks & Bags > Hiking Backpacks",
    ),
    (
        "Camping",
        "Kitchen > Water Bottles & Flasks",
        "Electronics & Gadgets > Headlamps & Torches",
        "Outdoor Clothing > Insulated Jackets",
    ),
    (
        "Footwear > Trail Runners",
        "Fitness > Running Gear",
        "Electronics & Gadgets > GPS & Watches",
        "Outdoor Clothing > Base Layers",
    ),
    ("Home & Bedding", "Kitchen > Coffee & Tea", "Kitchen > Cookware"),
    ("Kids", "Home & Bedding > Towels", "Beauty & Care > Sun Care"),
    (
        "Fitness",
        "Beauty & Care > Body & Hair",
        "Electronics & Gadgets > Headphones & Speakers",
    ),
    (
        "Backpacks & Bags > Travel Duffels",
        "Electronics & Gadgets > Power Banks & Solar",
        "Accessories > Sunglasses",
        "Home & Bedding > Towels",
    ),
    ("Kitchen", "Home & Bedding > Throws & Blankets"),
    ("Beauty & Care", "Home & Bedding > Throws & Blankets", "Accessories > Hats & Gloves"),
)


def matches_taste(category: str, taste: str) -> bool:
    """Whether a product category falls under a taste (a top-level or full category path)."""
    return category == taste or category.startswith(taste + " > ")


def _overlaps(a: str, b: str) -> bool:
    return matches_taste(a, b) or matches_taste(b, a)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _coverage(tastes: Sequence[str], sizes: Counter[str]) -> int:
    """How many catalog products fall under any of the tastes."""
    return sum(n for c, n in sizes.items() if any(matches_taste(c, t) for t in tastes))


def _tastes(rng: random.Random, sizes: Counter[str]) -> tuple[str, ...]:
    """1-3 non-overlapping tastes, from a persona (75%) or anywhere in the catalog.

    Tastes covering fewer than :data:`MIN_TASTE_PRODUCTS` products are widened (the narrowest
    sub-category becomes its top-level category), so that a shopper's history leaves unseen
    products in their tastes for a recommender to find.
    """
    categories = sorted(sizes)
    tops = sorted({c.split(" > ", 1)[0] for c in categories})
    pool = list(rng.choice(PERSONAS)) if rng.random() < PERSONA_SHARE else categories + tops
    wanted = rng.choice((1, 2, 2, 3))
    chosen: list[str] = []
    for candidate in rng.sample(pool, len(pool)):
        if not any(_overlaps(candidate, c) for c in chosen):
            chosen.append(candidate)
        if len(chosen) == wanted:
            break
    while _coverage(chosen, sizes) < MIN_TASTE_PRODUCTS:
        narrowest = min((t for t in chosen if " > " in t), key=lambda t: _coverage([t], sizes))
        top = narrowest.split(" > ", 1)[0]
        chosen = [t for t in chosen if not _overlaps(t, top)] + [top]
    return tuple(chosen)


def generate_users(
    rng: random.Random, products: Sequence[DemoProduct], count: int = 250
) -> tuple[DemoUser, ...]:
    """``count`` fictional shoppers (unique names and emails) with hidden tastes."""
    sizes = Counter(p.category for p in products)
    names = rng.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], count)
    users = []
    emails: set[str] = set()
    for i, (first, last) in enumerate(names, start=1):
        a, b = _ascii(first), _ascii(last)
        local = rng.choice((f"{a}.{b}", f"{a}{b}", f"{a[0]}.{b}", f"{a}_{b}{rng.randint(1, 99)}"))
        while local in emails:
            local += str(rng.randint(0, 9))
        emails.add(local)
        users.append(
            DemoUser(
                id=f"u{i:04d}",
                name=f"{first} {last}",
                email=f"{local}@{rng.choice(EMAIL_DOMAINS)}",
                tastes=_tastes(rng, sizes),
            )
        )
    return tuple(users)


# ---------------------------------------------------------------------------- events and orders


class _Picker:
    """Draws products from a pool, favouring the catalog-wide popular ones."""

    def __init__(self, pool: Sequence[DemoProduct], popularity: dict[str, float]) -> None:
        self.pool = list(pool)
        self.cum = list(accumulate(popularity[p.id] for p in self.pool))

    def pick(self, rng: random.Random) -> DemoProduct:
        return rng.choices(self.pool, cum_weights=self.cum)[0]


def generate_events(
    rng: random.Random,
    users: Sequence[DemoUser],
    products: Sequence[DemoProduct],
    base_date: datetime,
    days: int = 90,
) -> tuple[DemoEvent, ...]:
    """Sessions of views, some add-to-carts and fewer purchases, sorted by time.

    Each shopper gets 5-40 events; each viewed product is off-taste with a per-shopper
    probability of 10-15%, so 85-90% of events are on the shopper's tastes. Timestamps are
    whole seconds within the ``days`` before ``base_date``.
    """
    ranks = list(range(len(products)))
    rng.shuffle(ranks)
    popularity = {p.id: 1.0 / (rank + 1) ** 0.6 for p, rank in zip(products, ranks, strict=True)}
    window = days * 86_400
    events: list[DemoEvent] = []
    for user in users:
        liked = [p for p in products if any(matches_taste(p.category, t) for t in user.tastes)]
        liked_ids = {p.id for p in liked}
        other = [p for p in products if p.id not in liked_ids]
        in_taste, off_taste = _Picker(liked, popularity), _Picker(other, popularity)
        off_rate = rng.uniform(0.10, 0.15)
        remaining = rng.randint(5, 40)
        sessions: list[list[tuple[DemoProduct, str]]] = []
        while remaining > 0:
            views = [
                (off_taste if rng.random() < off_rate else in_taste).pick(rng)
                for _ in range(min(rng.randint(1, 5), remaining))
            ]
            session = [(p, "view") for p in views]
            remaining -= len(views)
            if remaining > 0 and rng.random() < 0.4:
                chosen = rng.choice(views)
                session.append((chosen, "add_to_cart"))
                remaining -= 1
                if remaining > 0 and rng.random() < 0.55:
                    session.append((chosen, "purchase"))
                    remaining -= 1
            sessions.append(session)
        starts = sorted((rng.randint(7_200, window) for _ in sessions), reverse=True)
        for start, session in zip(starts, sessions, strict=True):
            ts = base_date - timedelta(seconds=start)
            for product, kind in session:
                ts += timedelta(seconds=rng.randint(20, 400))
                events.append(DemoEvent(user.id, product.id, kind, ts))
    events.sort(key=lambda e: (e.ts, e.user_id))
    return tuple(events)


def _status(rng: random.Random, age: timedelta) -> str:
    """Order status from its age, with some cancellations and (older) returns."""
    roll = rng.random()
    if roll < 0.04:
        return "cancelled"
    if age < timedelta(days=1):
        return "processing"
    if age < timedelta(days=4):
        return "shipped"
    if roll < 0.11:
        return "returned"
    return "delivered"


def build_orders(
    rng: random.Random,
    events: Sequence[DemoEvent],
    products: Sequence[DemoProduct],
    base_date: datetime,
) -> tuple[DemoOrder, ...]:
    """One order per shopper per day of purchases; ids o10001, ... in time order."""
    price = {p.id: p.price for p in products}
    groups: dict[tuple[str, date], list[DemoEvent]] = {}
    for event in events:  # events are in time order, so groups are too
        if event.type == "purchase":
            groups.setdefault((event.user_id, event.ts.date()), []).append(event)
    ordered = sorted(groups.values(), key=lambda g: (g[0].ts, g[0].user_id))
    orders = []
    for i, group in enumerate(ordered, start=10_001):
        created = group[0].ts
        orders.append(
            DemoOrder(
                id=f"o{i}",
                user_id=group[0].user_id,
                product_ids=tuple(e.product_id for e in group),
                status=_status(rng, base_date - created),
                created_at=created,
                total=round(sum(price[e.product_id] for e in group), 2),
            )
        )
    return tuple(orders)
