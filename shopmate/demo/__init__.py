"""The demo shop Northwind Outfitters: content in data files (data/), history drawn from a seed."""
