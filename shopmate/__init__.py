"""shopmate: an open-source shopping assistant for online shops."""

__version__ = "0.1.0"
