"""cascade: information cascades of tweets about scholarly papers.

Read tweets (Altmetric exports, Twitter API files, ...), resolve who retweeted whom into diffusion
graphs, and measure, rank, compare and draw the cascades.

Edges point the way information flowed: original author -> retweeter, parent tweet -> child tweet.

>>> import cascade
>>> corpus = cascade.read("examples/data")
>>> cascade.paper_metrics(corpus)[["citation_id", "tweets", "cascades"]].values.tolist()
[['56155705', 258, 70]]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public API, loaded on first use (PEP 562): `cascade metrics` never pays for igraph,
# networkx or pyvis, and `import cascade` stays quick.
_API = {
    "Corpus": "cascade.io",
    "InputError": "cascade.errors",
    "read": "cascade.io",
    "ReadOptions": "cascade.io",
    "Paper": "cascade.model",
    "cascade_metrics": "cascade.metrics",
    "paper_metrics": "cascade.metrics",
    "metric_tables": "cascade.metrics",
    "structural_virality": "cascade.metrics",
    "predict_cascades": "cascade.predict",
    "to_networkx": "cascade.graph",
    "tweet_graph": "cascade.graph",
    "user_graph": "cascade.graph",
    "automated_suspects": "cascade.rank",
    "rank_users": "cascade.rank",
    "Reconstruction": "cascade.reconstruct",
    "expected_influence": "cascade.reconstruct",
    "pdi_metrics": "cascade.reconstruct",  # deprecated: sampled_metrics
    "reconstruct_paper": "cascade.reconstruct",
    "sampled_metrics": "cascade.reconstruct",
    "to_html": "cascade.render.html",
    "show": "cascade.render.notebook",
}

__all__ = [
    "Corpus",
    "InputError",
    "Paper",
    "ReadOptions",
    "Reconstruction",
    "__version__",
    "automated_suspects",
    "cascade_metrics",
    "expected_influence",
    "metric_tables",
    "paper_metrics",
    "pdi_metrics",
    "predict_cascades",
    "rank_users",
    "read",
    "reconstruct_paper",
    "sampled_metrics",
    "show",
    "structural_virality",
    "to_html",
    "to_networkx",
    "tweet_graph",
    "user_graph",
]

if TYPE_CHECKING:  # for type checkers and IDEs, which do not run __getattr__
    from cascade.graph import to_networkx, tweet_graph, user_graph
    from cascade.io import Corpus, InputError, ReadOptions, read
    from cascade.metrics import (
        cascade_metrics,
        metric_tables,
        paper_metrics,
        structural_virality,
    )
    from cascade.model import Paper
    from cascade.predict import predict_cascades
    from cascade.rank import automated_suspects, rank_users
    from cascade.reconstruct import (
        Reconstruction,
        expected_influence,
        pdi_metrics,
        reconstruct_paper,
        sampled_metrics,
    )
    from cascade.render.html import to_html
    from cascade.render.notebook import show


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'cascade' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
