"""Renderers: the interactive HTML diffusion graph (``cascade.render.html``, also
``cascade.to_html``), its notebook view (``cascade.render.notebook``, also ``cascade.show``), the
report's plots (``cascade.render.plots``) and table cells (``cascade.render.tables``)."""
