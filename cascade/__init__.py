"""cascade: information cascades of tweets about scholarly papers.

Read tweets (Altmetric exports, Twitter API files, ...), resolve who retweeted whom into diffusion
graphs, and measure, rank, compare and draw the cascades.

Edges point the way information flowed: original author -> retweeter, parent tweet -> child tweet.

>>> import cascade
>>> corpus = cascade.read("examples/data")
>>> cascade.paper_metrics(corpus)[["citation_id", "tweets", "cascades"]].values.tolist()
[['56155705', 258, 70]]
"""

from cascade.graph import to_networkx, tweet_graph, user_graph
from cascade.io import Corpus, InputError, read
from cascade.metrics import cascade_metrics, paper_metrics, structural_virality
from cascade.model import Paper
from cascade.rank import automated_suspects, rank_users
from cascade.reconstruct import expected_influence, pdi_metrics, sampled_metrics
from cascade.render.html import to_html

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "InputError",
    "Paper",
    "__version__",
    "automated_suspects",
    "cascade_metrics",
    "expected_influence",
    "paper_metrics",
    "pdi_metrics",
    "rank_users",
    "read",
    "sampled_metrics",
    "structural_virality",
    "to_html",
    "to_networkx",
    "tweet_graph",
    "user_graph",
]
