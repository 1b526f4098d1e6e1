"""Renderers: the interactive HTML diffusion graph (``cascade.render.html``, also
``cascade.to_html``) and the report's plots (``cascade.render.plots``)."""
