"""Graph pages inline in Jupyter: the same offline page as ``to_html``, in a sandboxed iframe.

Each page is the ``srcdoc`` of its own ``<iframe sandbox="allow-scripts ...">``, without
``allow-same-origin``: it runs in an opaque origin, so a notebook showing many graphs keeps them
apart (no shared globals, no element ids that clash, no access to the notebook or its cookies),
and the page's own Content-Security-Policy still forbids every network request.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["NOTEBOOK_TOP", "Page", "iframe", "show"]

#: ``Paper._repr_html_`` draws at most this many users (the largest by retweets received), so
#: displaying a big paper in a notebook stays quick; ``show(paper)`` draws them all.
NOTEBOOK_TOP = 1000

# Scripts, the PNG/SVG download buttons and the links back to the source (new tabs).
_SANDBOX = "allow-scripts allow-downloads allow-popups allow-popups-to-escape-sandbox"


def iframe(page: str, *, height: int = 600, title: str = "cascade graph") -> str:
    """A page as a sandboxed iframe element (the page HTML-escaped once, into ``srcdoc``).

    Examples
    --------
    >>> tag = iframe("<p title='x'>a & b</p>", height=300)
    >>> tag.startswith('<iframe sandbox="allow-scripts ') and "allow-same-origin" not in tag
    True
    >>> 'srcdoc="&lt;p title=&#x27;x&#x27;&gt;a &amp; b&lt;/p&gt;"' in tag
    True
    """
    if int(height) != height or height < 100:
        raise ValueError(f"height must be a whole number of pixels, at least 100, not {height!r}")
    return (
        f'<iframe sandbox="{_SANDBOX}" srcdoc="{html.escape(page, quote=True)}" '
        f'title="{html.escape(title, quote=True)}" '
        f'style="width: 100%; height: {int(height)}px; border: 1px solid #ddd;"></iframe>'
    )


class Page:
    """A rendered graph page that Jupyter shows inline (``_repr_html_``); ``str()`` is its HTML.

    Examples
    --------
    >>> p = Page("<!DOCTYPE html><title>t</title>", height=400)
    >>> str(p), p._repr_html_().count("<iframe")
    ('<!DOCTYPE html><title>t</title>', 1)
    """

    def __init__(self, page: str, *, height: int = 600, title: str = "cascade graph") -> None:
        self.html = page
        self.height = height
        self.title = title

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<cascade graph page, {len(self.html):,} characters>"

    def _repr_html_(self) -> str:
        return iframe(self.html, height=self.height, title=self.title)

    def save(self, path: Any) -> None:
        """Write the page to ``path`` (UTF-8, atomically)."""
        from pathlib import Path

        from cascade.render.html.render import write_atomic

        write_atomic(Path(path), self.html)


def show(obj: Any, *, height: int = 600, **options: Any) -> Page:
    """Show a Paper, papers, or a user or tweet graph inline in a notebook.

    Parameters
    ----------
    obj : igraph.Graph, Paper or iterable of Paper
        What :func:`cascade.render.html.to_html` draws.
    height : int, default 600
        The iframe's height in pixels.
    **options
        Passed to ``to_html`` (``level``, ``color_by``, ``size_by``, ``max_nodes``, ...); not
        ``path``.

    Returns
    -------
    Page
        Displayed by Jupyter as a sandboxed iframe; ``str(page)`` is the HTML.

    Examples
    --------
    >>> import cascade
    >>> paper = next(iter(cascade.read("examples/data")))
    >>> page = cascade.show(paper, level="tweet", color_by="kind")
    >>> page._repr_html_().startswith("<iframe sandbox=")
    True
    """
    from cascade.render.html import to_html

    if "path" in options:
        raise ValueError("show() displays the page; to write it, use to_html(obj, path)")
    text = to_html(obj, **options)
    title = "cascade graph"
    if hasattr(obj, "citation_id"):
        title = f"cascade graph of paper {obj.citation_id}"
    return Page(text, height=height, title=title)
