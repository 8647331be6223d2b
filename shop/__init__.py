"""The shop's own data: catalog, users, events, orders, Q/A history and conversations."""
