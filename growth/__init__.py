"""The growth wing: what a shop measures and tests on top of its own data.

Tracking (one event schema), A/B experiments and their reports, sponsored slots, retention,
demand and sentiment figures, the assistant's daily figures, statistics, and off-policy
estimates of suggestion policies from logged impressions. It reads and writes the shop's
database through shop/ (its tables live in shop/growth_models.py, beside the shop's own)
and imports nothing else of ours; the dialogue engine logs its turns through it.
"""
