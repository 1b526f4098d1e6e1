"""From a folder of Altmetric exports to diffusion graphs and cascade metrics.

Run from the repository root:  python examples/example.py
"""

from pathlib import Path

import cascade

data = Path(__file__).parent / "data"
corpus = cascade.read(data)  # lazy: papers are read one at a time

# One pass: a row per cascade (tree of the tweet forest) and a row per paper.
cascades, papers = cascade.metric_tables(corpus)
print(papers[["citation_id", "tweets", "retweets", "cascades", "max_depth"]].to_string(index=False))
print(cascades.nlargest(3, "size")[["root_id", "size", "depth", "structural_virality"]])

paper = next(iter(corpus))
users = paper.user_graph()  # igraph: edge original author -> retweeter, weight = retweets
top = sorted(users.vs, key=lambda v: -users.strength(v, mode="out", weights="weight"))[:3]
print("most retweeted:", [v["handle"] for v in top])
print(corpus.log.summary())  # every record used or skipped, by reason
