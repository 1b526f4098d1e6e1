"""From a folder of Altmetric exports to diffusion graphs and cascade metrics.

Run from the repository root:  python examples/example.py
"""

from pathlib import Path

import cascade

data = Path(__file__).parent / "data"
corpus = cascade.read(data)  # lazy: papers are read one at a time

papers = cascade.paper_metrics(corpus)  # one row per paper
print(papers[["citation_id", "tweets", "retweets", "cascades", "max_depth"]].to_string(index=False))

cascades = cascade.cascade_metrics(corpus)  # one row per cascade (tree of the tweet forest)
print(cascades.nlargest(3, "size")[["root_id", "size", "depth", "structural_virality"]])

paper = next(iter(corpus))
users = paper.user_graph()  # igraph: edge original author -> retweeter, weight = retweets
top = sorted(users.vs, key=lambda v: -users.strength(v, mode="out", weights="weight"))[:3]
print("most retweeted:", [v["handle"] for v in top])
print(corpus.log.summary())  # every record used or skipped, by reason
