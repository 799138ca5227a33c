"""Connected components of a small edge list on one machine: a union-find.

The dedup stage labels the verified edges' vertices here when there are few of them (a few hundred per
million documents of ordinary text), and in Spark (``corpus/stages/dedup/components.py``) otherwise;
both give every vertex the smallest vertex of its component, and tests hold the two to each other.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable


def union_find_labels(edges: Iterable[tuple[Hashable, Hashable]]) -> dict:
    """Every vertex of the undirected graph ``edges`` -> the smallest vertex of its connected component.

    Self-loops and repeated edges are allowed; a vertex seen only in self-loops is its own component.

    >>> sorted(union_find_labels([("b", "c"), ("d", "c"), ("x", "y"), ("z", "z")]).items())
    [('b', 'b'), ('c', 'b'), ('d', 'b'), ('x', 'x'), ('y', 'x'), ('z', 'z')]
    """
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the root is always the smallest vertex
    return {v: find(v) for v in parent}
