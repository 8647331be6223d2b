"""Presentation layer: the Gradio shopper chat and the HTML rendering of bot replies."""
