"""The Northwind Outfitters help centre: policy and help pages written out in full as Markdown.

Every page opens with "# Title" and has several "## " sections holding concrete facts (days,
fees, thresholds) that the Q/A history in :mod:`shopmate.demo.history` agrees with::

    pages = build_pages()
    next(p for p in pages if p.slug == "returns").title  # "Returns policy"
"""

from __future__ import annotations

from shopmate.demo.records import DemoPage

SHIPPING = """\
# Shipping and delivery

## Delivery options and costs

We deliver from our warehouse in Wakefield (UK) and from our EU fulfilment centre in Venlo
(Netherlands). Prices are per order, not per item.

| Destination | Service | Delivery time | Cost |
|---|---|---|---|
| UK mainland | Standard | 2-4 working days | £3.95, free on orders over £50 |
| UK mainland | Next day | next working day if ordered by 2pm | £6.95 |
| Highlands, Islands and Northern Ireland | Standard | 3-5 working days | £3.95, free on orders over £50 |
| EU | Standard | 3-6 working days | £7.95, free on orders over £100 |
| EU | Express | 1-3 working days | £14.95 |
| Rest of the world | Tracked | 5-12 working days | £19.95 |

Next-day delivery is not available to the Scottish Highlands, the Scottish Islands or
Northern Ireland.

## Dispatch times

Orders placed before 2pm (UK time) Monday to Friday leave our warehouse the same working day.
Orders placed after 2pm, at weekends or on UK bank holidays are dispatched on the next working
day. Delivery times are counted from dispatch, not from the moment you order.

## Split deliveries

If part of your order ships from Wakefield and part from Venlo, it may arrive in two parcels.
We never charge extra delivery for a split order, and each parcel has its own tracking link.

## Items we can only send to some places

Gas canisters for camping stoves can only be delivered to UK addresses, because carriers will
not fly or ship them abroad. Aerosol sprays (for example spray-on re-proofer) are delivered to
the UK and the EU only. We deliver to BFPO addresses with standard delivery but cannot deliver
to parcel lockers that you have not chosen at checkout.

## Delivery problems

Tracking updates appear in your order page; see our order tracking page for what each status
means. If your parcel has not arrived 2 working days after the estimated delivery date, contact
us and we will chase the carrier for you.
"""

RETURNS = """\
# Returns policy

## Our returns policy in short

You can return most items within 30 days of delivery for a full refund. Items must be unworn,
unwashed and unused, with the original tags still attached. Returns are free from the UK and
the EU: we give you a prepaid return label. From other countries you arrange and pay for the
return postage yourself.

## How to start a return

1. Sign in and go to **My account > Orders**, pick the order and choose **Start a return**.
   If you checked out as a guest, use the returns portal with your order number and email
   address instead.
2. Choose the items you are sending back and tell us why. This helps us improve our products.
3. We email you a free return label with a QR code. You do not need a printer.
4. Drop the parcel at any InPost locker or Post Office counter in the UK, or at a DHL
   ServicePoint in the EU, within 14 days of creating the label. Keep your proof of postage.

Pack items securely, ideally in the original packaging, and include all accessories.

## Refund timing

We check and process returns within 5 working days of them arriving at our warehouse, and we
email you as soon as your refund is on its way. The money goes back to your original payment
method; most banks then take another 3-5 working days to show it on your statement. See the
refunds page for delivery charges and gift card payments.

## Footwear and clothing

Please try footwear on indoors, on a clean carpet. We cannot accept boots or shoes that have
been worn outside unless they are faulty. Clothing must not have been worn outdoors, washed or
altered.

## Items we cannot take back

For hygiene and safety reasons we cannot accept returns of opened beauty and sun care products,
earbuds whose seal has been broken, personalised or engraved items, gift cards and gas
canisters. This does not affect your rights if an item is faulty: faulty items can always be
returned under our warranty.

## Christmas returns

Items delivered between 1 November and 24 December can be returned until 31 January of the
following year.

## Want a different size or colour?

You do not need to return and reorder: see our exchanges page for free size and colour
exchanges.
"""

REFUNDS = """\
# Refunds

## How you are refunded

Refunds always go back to the payment method you used to pay:

- **Cards, Apple Pay and Google Pay:** back to the same card.
- **PayPal:** back to your PayPal account, usually within 1-2 days of us processing it.
- **Klarna:** Klarna updates or cancels your payment plan and refunds any instalments already
  paid.
- **Gift cards:** the amount paid by gift card is put on a new e-gift card, emailed to you.

We cannot refund to a different card or bank account.

## How long refunds take

We process returned items within 5 working days of them arriving at our warehouse. Your bank
then usually needs another 3-5 working days. Cancelled orders are refunded within 3 working
days of the cancellation. We email you when your refund has been issued.

## Delivery charges

If you return your whole order, we refund the standard delivery charge you paid. The extra you
paid for next-day or express delivery is not refunded. If you return only part of an order,
delivery charges are not refunded. When an item is faulty or we sent the wrong item, we refund
everything, including all delivery charges.

## Partial refunds

Items that come back worn, washed, damaged or without their tags may receive a partial refund
or be sent back to you. We always email you with photos before we do either.

## Still waiting for your refund?

If 10 working days have passed since your return reached us (you can see this on the return's
tracking) and there is still no refund on your statement, contact us with your order number and
we will look into it straight away.
"""

EXCHANGES = """\
# Exchanges

## Free size and colour exchanges

You can exchange an item for a different size or colour of the same product within 30 days of
delivery. Exchanges are free for customers in the UK and the EU: we cover the return label and
the delivery of the replacement. The item must be unworn and unwashed, with its tags attached.

## How to exchange

1. Go to **My account > Orders**, choose the order and select **Start a return**.
2. Pick the item, choose **Exchange** instead of refund and select the new size or colour.
3. We reserve the replacement straight away and email you a free return label.
4. As soon as the carrier scans your parcel, usually the same day you drop it off, we send the
   replacement with free standard delivery. You do not have to wait for your return to reach us.

## If the price is different

Sizes and colours of the same product usually cost the same. If the new colour costs more, we
ask you to pay the difference; if it costs less, we refund the difference to your original
payment method.

## If the new size is out of stock

If the size or colour you want sells out before we can reserve it, we tell you by email and
refund the item instead. You can also set a back-in-stock alert on the product page.

## Limits

Each item can be exchanged once. If the second size does not fit either, return it for a
refund. Exchanges for a different product are not possible: return the item for a refund and
place a new order. We do not offer exchanges outside the UK and the EU; please return the item
and order again.
"""

WARRANTY = """\
# Warranty and repairs

## What our warranty covers

Every product we sell is guaranteed against manufacturing faults for 2 years from the delivery
date. Northwind-branded jackets, trousers and backpacks carry an extended 5-year warranty.
Manufacturing faults include seams that fail, zips that break in normal use, soles that come
away from the upper and waterproof membranes that leak.

## Electronics and batteries

Electronics such as headlamps, power banks, headphones and GPS watches have a 2-year warranty.
Built-in batteries are covered for 12 months if they drop below 70% of their original capacity.

## What is not covered

The warranty does not cover normal wear and tear (for example worn-down soles or a pilled
fleece), accidental damage, damage from misuse, incorrect washing or drying, or items that have
been altered. A jacket that has stopped beading water usually needs cleaning and re-proofing
rather than a warranty claim: see our product care page.

## How to make a claim

Use **Report a fault** on your order in **My account**, or email help@northwind-outfitters.example
with your order number, a short description and clear photos of the fault. We reply within 3
working days. If we need to see the item, we send you a free return label. Once it arrives we
repair it, replace it, or refund you, in that order of preference, within 10 working days.

## Paid repairs

If your item is out of warranty or the damage is not covered, our repair team can often still
fix it. Zip replacements start from £25, seam re-taping from £20 and patch repairs from £15.
We send you a quote before starting any paid work.

## Your legal rights

Our warranty is in addition to your statutory rights under consumer law, which it does not
affect.
"""

PAYMENT_METHODS = """\
# Payment methods

## Ways to pay

We accept:

- Visa, Mastercard and American Express credit and debit cards
- PayPal
- Apple Pay and Google Pay
- Klarna Pay in 3: three interest-free instalments on orders from £30 to £1,000
- Northwind Outfitters gift cards, on their own or together with another payment method

We do not accept cash on delivery, cheques or cryptocurrency. Bank transfer is only available
for business accounts.

## When you are charged

Your card is authorised when you place the order, and the money is taken when your order is
dispatched. If your order ships in two parcels, each parcel is charged when it leaves us. If you
cancel before dispatch, the authorisation is released and no money is taken.

## Currencies

UK orders are charged in pounds sterling (GBP). Orders to EU countries are charged in euros
(EUR) at the price shown at checkout. Orders to all other countries are charged in GBP, and
your bank may add a currency conversion fee.

## Payment security

All card payments are protected by 3-D Secure, so your bank may ask you to confirm the payment
in its app. Card details are handled by our payment provider and never stored on our servers.
Never type a card number into the chat: our assistant removes card numbers automatically.

## If your payment is declined

Check that the billing address matches the address your bank holds, and that your card has not
expired. Try another payment method or contact your bank: for security reasons we cannot see
why a bank declined a payment.

## VAT invoices

A VAT invoice is available for every order under **My account > Orders > Download invoice**.
"""

SIZING_GUIDE = """\
# Sizing guide

## Adult clothing

Measure around the fullest part of your chest, your natural waist and the widest part of your
hips, with the tape snug but not tight.

| Size | Chest (cm) | Waist (cm) | Hips (cm) |
|---|---|---|---|
| XS | 84-88 | 70-74 | 88-92 |
| S | 89-94 | 75-80 | 93-98 |
| M | 95-101 | 81-87 | 99-104 |
| L | 102-108 | 88-94 | 105-110 |
| XL | 109-116 | 95-102 | 111-117 |
| XXL | 117-124 | 103-110 | 118-124 |

Women's fits are cut slimmer through the waist than men's fits with the same size label. If you
are between two sizes, choose the larger size.

## Jackets and layering

Our rain jackets and waterproof shells are cut with room for a fleece underneath, so take your
usual size. Base layers are close-fitting by design; size up if you prefer a relaxed fit.

## Trouser leg lengths

| Leg length | Inside leg |
|---|---|
| Short | 76 cm |
| Regular | 81 cm |
| Long | 86 cm |

Waterproof over-trousers are cut generously so they fit over hiking trousers.

## Footwear

| UK | EU | US men | US women | Foot length (cm) |
|---|---|---|---|---|
| 3 | 36 | 4 | 5.5 | 22.5 |
| 4 | 37 | 5 | 6.5 | 23.3 |
| 5 | 38 | 6 | 7.5 | 24.1 |
| 6 | 39 | 7 | 8.5 | 24.8 |
| 7 | 40.5 | 8 | 9.5 | 25.6 |
| 8 | 42 | 9 | 10.5 | 26.5 |
| 9 | 43 | 10 | 11.5 | 27.3 |
| 10 | 44.5 | 11 | 12.5 | 28.1 |
| 11 | 46 | 12 | - | 29.0 |
| 12 | 47 | 13 | - | 29.8 |
| 13 | 48 | 14 | - | 30.6 |

Try hiking boots on in the afternoon, when your feet are largest, wearing your hiking socks.
You should be able to fit a thumb's width (about 1 cm) between your longest toe and the end of
the boot. If you are between sizes, choose the larger size. We only stock whole sizes.

## Kids

| Size | Height (cm) |
|---|---|
| 2-3 years | 92-98 |
| 3-4 years | 98-104 |
| 5-6 years | 110-116 |
| 7-8 years | 122-128 |
| 9-10 years | 134-140 |
| 11-12 years | 146-152 |

Kids grow fast: if your child is at the top of a size, go one size up.
"""

PRIVACY = """\
# Privacy notice

## Who we are

Northwind Outfitters Ltd is the controller of the personal data described here. You can reach
our data protection lead at privacy@northwind-outfitters.example.

## What we collect and why

- **Account and order details** (name, addresses, email, phone, what you bought) to deliver
  your orders, handle returns and provide customer service.
- **Payment details** are handled by our payment provider; we only keep the card type and last
  four digits.
- **Browsing and product views** on our website, to show you relevant products. You can switch
  off personalised recommendations at any time under **Account settings > Privacy**.
- **Chat conversations** with our shopping assistant and our team, to answer your questions and
  improve our answers. Staff may review conversations for quality.
- **Marketing preferences:** we only send marketing emails if you have opted in, and every
  email has an unsubscribe link.

## Who we share it with

We never sell your personal data. We share only what is needed with delivery carriers, our
payment provider, Klarna (if you choose it) and IT providers who host our systems under
contract and on our instructions.

## How long we keep it

| Data | Kept for |
|---|---|
| Orders and invoices | 6 years (required by tax law) |
| Chat transcripts | 12 months |
| Browsing and product view history | 24 months |
| Closed accounts | deleted within 30 days, except order records |

## Your rights

You can ask for a copy of your data, ask us to correct or delete it, object to how we use it or
ask for it in a portable format. Email privacy@northwind-outfitters.example; we respond within
30 days. If you are unhappy with our answer, you can complain to the Information Commissioner's
Office (ICO).

## Cookies

Essential cookies keep your basket and sign-in working and are always on. Analytics and
marketing cookies are only set with your consent; change your choice at any time with the
**Cookie settings** link at the bottom of every page.
"""

ACCOUNTS = """\
# Your account and password

## Do I need an account?

No. You can check out as a guest. An account lets you see your order history, start returns and
exchanges in a couple of clicks, save addresses and collect Trail Club loyalty points.

## Creating an account

Choose **Sign in > Create account** and enter your email address and a password of at least 10
characters. We send you an email to confirm your address; the confirmation link is valid for 24
hours.

## Forgotten password

Select **Forgot password?** on the sign-in page and enter your email address. We send you a
reset link that is valid for 60 minutes and can be used once. If it does not arrive within a few
minutes, check your spam folder, or request a new link. We will never ask for your password by
email, phone or chat.

## Locked out

After 5 failed sign-in attempts your account is locked for 15 minutes to protect it. Wait 15
minutes and try again, or reset your password.

## Changing your details

You can change your name, addresses and marketing preferences under **Account settings**. To
change your email address, enter the new address there; we send a confirmation link to the new
address and the change takes effect once you click it. You can also turn on two-step
verification with an authenticator app.

## Deleting your account

Choose **Account settings > Delete account**, or ask our team. Your account is deleted within
30 days. Unused Trail Club points are lost when the account is deleted. We keep order records
for 6 years because tax law requires it.
"""

ORDER_TRACKING = """\
# Tracking your order

## Where to find your tracking

We email you an order confirmation straight away and a dispatch email with a tracking link when
your parcel leaves our warehouse. You can also follow every order under **My account > Orders**.
If you checked out as a guest, use **Track my order** with your order number (for example
o10023) and your email address. Tracking updates can take up to 24 hours after the dispatch
email to appear on the carrier's website.

## What the order statuses mean

| Status | What it means |
|---|---|
| Processing | We have your order and are picking and packing it. |
| Shipped | The parcel is with the carrier; the tracking link is active. |
| Delivered | The carrier has delivered the parcel. |
| Cancelled | The order was cancelled before dispatch and refunded. |
| Returned | We have received your return and refunded it. |

## My order is late

Delivery estimates are in working days from dispatch. If your parcel has not arrived 2 working
days after the estimated delivery date, contact us with your order number and we will chase the
carrier.

## Lost parcels

If the carrier cannot find your parcel, we open an investigation. If it has not turned up within
10 working days for UK deliveries, or 15 working days for international deliveries, we send you a
replacement or a full refund, whichever you prefer.

## Marked as delivered but not received

Check with your neighbours and any safe place you gave us, and look at the delivery photo in the
tracking page if the carrier took one. If you still cannot find it, contact us within 14 days of
the delivery date.
"""

CANCEL_ORDER = """\
# Cancelling an order

## Cancelling within 1 hour

You can cancel an order yourself within 1 hour of placing it, as long as its status is still
Processing. Go to **My account > Orders**, choose the order and select **Cancel order**. If you
checked out as a guest, contact our team with your order number and email address as soon as
possible.

## After the first hour

After an hour we may already be picking and packing your order. Contact us and we will try to
stop it, but we cannot promise. Once the status shows Shipped, an order can no longer be
cancelled: return it when it arrives (returns are free from the UK and the EU) or refuse the
delivery, and we refund you when it comes back to us.

## Cancelling part of an order

Within the same 1-hour window you can remove single items from an order that is still
Processing. The rest of the order is sent as normal, and free delivery still applies only if the
remaining order is over the threshold.

## Your refund

Cancelled orders are refunded in full, including delivery charges, within 3 working days. If
your card was only authorised, the hold is released; some banks take up to 5 working days to
show it. Klarna plans for cancelled orders are cancelled automatically.

## Pre-orders

Pre-orders can be cancelled at any time before they are dispatched.
"""

GIFT_CARDS = """\
# Gift cards

## Buying a gift card

Our e-gift cards come in any amount from £10 to £500. We email the gift card to the recipient
on the date you choose, with your personal message. You can also send it to yourself to print or
forward.

## Using a gift card

Enter the 16-digit code and PIN at checkout. You can use up to 3 gift cards on one order and pay
any remaining balance with a card, PayPal, Apple Pay or Google Pay. Gift cards are in pounds and
can be used on UK and EU orders. They cannot be used to buy other gift cards.

## How long they last

Gift cards are valid for 24 months from the date they were bought. Any balance left after an
order stays on the card until it expires.

## Checking your balance

Check your balance on our gift card page with the code and PIN, or at checkout when you apply
the card.

## Refunds and lost cards

Gift cards cannot be exchanged for cash or refunded, except where the law requires it. If you
return something you paid for with a gift card, the amount is put on a new e-gift card. If you
lose the email, the buyer can ask us to resend it to the same address. Trail Club points are not
earned on gift card purchases.
"""

INTERNATIONAL = """\
# International orders and customs

## Where we deliver

We deliver to the UK, all 27 EU countries, Norway, Switzerland, Iceland, the United States,
Canada, Australia, New Zealand and Japan. Delivery costs and times are on the shipping page.

## EU orders

EU orders are sent from our fulfilment centre in Venlo, the Netherlands. Prices include VAT at
your country's rate, and there are no customs charges or import fees to pay on delivery.

## Orders outside the UK and the EU

For Norway, Switzerland, Iceland, the United States, Canada, Australia, New Zealand and Japan,
prices at checkout exclude UK VAT. Import duties and taxes are set by your local customs and
are paid by you when the parcel arrives; the carrier may add a handling fee. We cannot tell you
the exact amount in advance. We cannot mark parcels as gifts or declare a lower value.

## Refused parcels

If you refuse a parcel because of customs charges, we refund the items once the parcel is back
with us, minus the original delivery charge and the cost of returning the parcel to us.

## Returns from outside the UK and the EU

You are welcome to return items within 30 days, but you arrange and pay for the return postage.
Please mark the parcel as "returned goods" so you are not charged again. We refund the item
price; duties and taxes you paid on import must be reclaimed from your customs authority.

## Restricted items

Gas canisters can only be sent to UK addresses, and aerosol sprays only to the UK and the EU.
"""

PRICE_MATCH = """\
# Price match and promotions

## Our price match promise

If you find the identical item (same brand, model, colour and size) cheaper at another UK
retailer that has it in stock, tell us before you order or within 7 days after ordering, and we
will match the price. If you have already paid, we refund the difference within 3 working days.
Send us a link to the other retailer's page through chat or email.

## What we cannot price match

We do not match marketplace sellers (for example sellers on Amazon Marketplace or eBay),
clearance or outlet prices, prices that need a membership or a voucher code, bundle deals, or
flash sales that last less than 24 hours.

## Our own price drops

If we lower the price of something you bought from us within 7 days of your order, we refund the
difference. Just ask our team.

## Promo codes

Only one promo code can be used per order, and it must be entered at checkout: codes cannot be
added after an order is placed. Promo codes cannot be used to buy gift cards and do not apply to
items already on sale unless the code says so.

## Newsletter and student discounts

Sign up to our newsletter for 10% off your first order over £40; the code arrives by email and
is valid for 30 days. Students get 10% off all full-price items once they verify their student
status in their account.

## Sale items

Sale items can be returned and exchanged just like full-price items.
"""

PRODUCT_CARE = """\
# Product care

## Waterproof jackets and trousers

Dirt, sun cream and body oils stop waterproof fabrics from breathing, so wash your jacket when
it looks dirty or when rain stops beading on the surface. Close all zips and hook-and-loop
tabs, then wash at 30 °C on a gentle cycle with a technical cleaner. Do not use ordinary
detergent, fabric softener or bleach, and rinse twice.

## Re-proofing

After washing, tumble dry on low for 20 minutes (or iron on a low setting through a cloth) to
reactivate the water-repellent finish. If water still soaks into the outer fabric instead of
beading, it is time to re-proof: usually every 6 to 10 washes. Use a PFC-free wash-in or
spray-on re-proofer, following the instructions on the bottle. A jacket that "wets out" is not
leaking: the membrane is still waterproof, but it cannot breathe, so you feel damp inside.

## Hiking boots

After every walk, knock off the mud and clean the uppers with lukewarm water and a soft brush.
Take out the insoles and let the boots dry at room temperature, stuffed with newspaper. Never
dry boots next to a radiator, fire or in direct sun: heat cracks leather and weakens the glue.
Treat leather boots with wax or leather conditioner every 3 to 5 walks, and fabric or suede
boots with a spray-on re-proofer. Store them somewhere cool and dry.

## Down and insulated jackets

Wash down at 30 °C with a special down wash, then tumble dry on low with two or three dryer
balls until no clumps remain; this can take up to 3 hours. Synthetic insulated jackets can be
washed at 30 °C with a technical cleaner.

## Fleeces, merino and base layers

Wash fleeces and base layers at 30 °C without fabric softener, which flattens fleece and clogs
wicking fabrics. Wash merino on a wool cycle and dry it flat.

## Tents and sleeping bags

Always dry your tent fully before packing it away for more than a day, or mildew will damage
the fabric and coating. Store sleeping bags loose in their large storage sack, not in the
compression sack, so the insulation keeps its loft.
"""

CONTACT = """\
# Contact us and opening hours

## Chat with us

Our shopping assistant answers questions in the chat 24 hours a day, 7 days a week. It can
check orders, start returns and recommend products, and it hands you over to a person from our
team whenever you ask, or when it cannot help.

## Customer service opening hours

| Day | Hours (UK time) |
|---|---|
| Monday to Friday | 8:00-20:00 |
| Saturday | 9:00-17:00 |
| Sunday | 10:00-16:00 |

We are closed on 25 and 26 December and on 1 January. On other UK bank holidays we open
10:00-16:00.

## Phone

Call us on 0131 496 0123 from the UK, or +44 131 496 0123 from abroad. Calls cost the same as a
normal call to an Edinburgh number.

## Email

Email help@northwind-outfitters.example. We reply within 24 hours on working days. Please
include your order number if your question is about an order.

## Post

Northwind Outfitters Ltd, 14 Harbour Lane, Edinburgh EH6 6QX, United Kingdom. This is our office
and not a returns address: please use the return label from your account for returns.

## Visiting us

We are an online shop and have no shops or showrooms to visit. Our office and our warehouses in
Wakefield and Venlo are not open to the public, so orders cannot be collected in person.

## Accessibility

If you use a text relay service, you can reach us through Relay UK on 18001 0131 496 0123.
"""

LOYALTY = """\
# Trail Club loyalty programme

## How it works

Trail Club is free to join for everyone with a Northwind Outfitters account. You earn 1 point
for every £1 you spend on products. Points are not earned on delivery charges or gift cards.

## Turning points into vouchers

Every 100 points can be turned into a £5 voucher under **My account > Trail Club**. Vouchers are
valid for 6 months and can be used together with a promo code.

## Membership tiers

Your tier depends on the points you earn in a calendar year:

| Tier | Points in the year | Benefits |
|---|---|---|
| Trailhead | 0-499 | 1 point per £1 |
| Ridge | 500-1,499 | 1.25 points per £1, free UK standard delivery on every order |
| Summit | 1,500 or more | 1.5 points per £1, free UK next-day delivery, early access to sales |

Your tier is kept until the end of the following calendar year.

## Bonus points

You get 50 bonus points on your birthday and 10 points for each product review you write, up
to 5 reviews a month.

## Expiry and returns

Points expire if you make no purchase for 12 months. If you return an item, the points you
earned on it are removed from your balance.
"""

SUSTAINABILITY = """\
# Sustainability

## Materials

In 2025, 68% of Northwind-branded products were made with recycled or responsibly sourced
materials, and we aim for 90% by 2028. All our down is certified to the Responsible Down
Standard, and all Northwind-branded water-repellent finishes have been PFC-free since 2024.

## Packaging

Since 2023 all our parcels have been plastic-free: we use paper mailers and recycled cardboard
boxes, sealed with paper tape. Everything we send can go in your household recycling.

## Repair before replace

Our repair team fixed more than 4,200 items in 2025. Repairs of manufacturing faults are free
under our warranty, and paid repairs start from £15. See the warranty page for details.

## Second Trail trade-in

Trade in your used Northwind-branded gear in good condition and get a voucher: up to £40 for a
jacket, £25 for a backpack and £15 for a fleece. We clean and refurbish the gear and sell it
again in our Second Trail section. Start a trade-in under **My account > Second Trail**.

## Giving back

We give 1% of our annual sales to UK charities that repair upland footpaths and restore
peatland.

## Measuring our footprint

We measure our carbon footprint across our own operations, deliveries and the making of our
products, and publish the results every year in our impact report. Sending EU orders from our
Venlo fulfilment centre cut the road and sea miles of an average EU parcel by about half.
"""


def _page(slug: str, markdown: str) -> DemoPage:
    """Wrap a Markdown page; the title is its first "# " heading."""
    first_line = markdown.split("\n", 1)[0]
    if not first_line.startswith("# "):
        raise ValueError(f"page {slug!r} must start with '# Title', got {first_line!r}")
    return DemoPage(slug=slug, title=first_line[2:].strip(), markdown=markdown)


KB_PAGES: tuple[DemoPage, ...] = (
    _page("shipping", SHIPPING),
    _page("returns", RETURNS),
    _page("refunds", REFUNDS),
    _page("exchanges", EXCHANGES),
    _page("warranty", WARRANTY),
    _page("payment-methods", PAYMENT_METHODS),
    _page("sizing-guide", SIZING_GUIDE),
    _page("privacy", PRIVACY),
    _page("accounts", ACCOUNTS),
    _page("order-tracking", ORDER_TRACKING),
    _page("cancel-order", CANCEL_ORDER),
    _page("gift-cards", GIFT_CARDS),
    _page("international-orders", INTERNATIONAL),
    _page("price-match", PRICE_MATCH),
    _page("product-care", PRODUCT_CARE),
    _page("contact", CONTACT),
    _page("loyalty", LOYALTY),
    _page("sustainability", SUSTAINABILITY),
)


def build_pages() -> tuple[DemoPage, ...]:
    """All help-centre pages, in a fixed order."""
    return KB_PAGES
