"""Renderers: the interactive HTML diffusion graph (``cascade.render.html``)."""

from __future__ import annotations

from cascade.render.html import to_html

__all__ = ["to_html"]
