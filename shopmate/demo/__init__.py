"""Deterministic demo shop content for Northwind Outfitters (catalog, help pages, history)."""
