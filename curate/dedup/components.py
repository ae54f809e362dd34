"""Connected components of a duplicate graph, as rounds of hash-partitioned jobs.

The graph is too large for one node at Common Crawl scale, so no step gathers it: each
round is a job whose map emits every edge in both directions keyed by node, and whose
reduce sees one node's neighbourhood at a time. The rounds alternate the *large-star* and
*small-star* operations of Kiveris et al., "Connected Components in MapReduce and Beyond"
(SoCC 2014), which converge in O(log² n) rounds and leave each component as a star whose
centre is its smallest node:

- large-star: node u with neighbours N(u) and m = min(N(u) ∪ {u}) links every neighbour
  v > u to m;
- small-star: node u with N'(u) = {v ∈ N(u): v ≤ u} and m = min(N'(u) ∪ {u}) links every
  v ∈ N'(u) ∪ {u} to m.

Nodes are ordered by (``prio``, ``node``): the smallest is the component's centre, so a
caller chooses which member each cluster keeps through ``prio`` (e.g. minus the fetch time,
for the newest). Edges are tables of ``u, pu, v, pv`` (int64 node ids and priorities).

The reduce also checks whether the neighbourhoods it saw were already stars (every node is
the minimum of its closed neighbourhood or has exactly one neighbour); the rounds stop after
the first round whose input was settled, since a round leaves a star graph unchanged.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

EDGE_SCHEMA = pa.schema([("u", pa.int64()), ("pu", pa.int64()), ("v", pa.int64()), ("pv", pa.int64())])
OUT_SCHEMA = pa.schema([*EDGE_SCHEMA, ("settled", pa.bool_())])


def symmetric(edges: pa.Table) -> pa.Table:
    """Both directions of every edge, keyed by ``node``: columns node, np, nbr, nbp."""
    u, pu, v, pv = (edges.column(c) for c in ("u", "pu", "v", "pv"))
    fwd = pa.table({"node": u, "np": pu, "nbr": v, "nbp": pv})
    back = pa.table({"node": v, "np": pv, "nbr": u, "nbp": pu})
    return pa.concat_tables([fwd, back])


def _less(pa_, na, pb, nb):
    """(pa_, na) < (pb, nb) elementwise."""
    return (pa_ < pb) | ((pa_ == pb) & (na < nb))


def star(adj: pa.Table, large: bool) -> pa.Table:
    """One large-star or small-star step over neighbourhoods (columns node, np, nbr, nbp).

    Vectorized: rows sorted by node, then per node the minimum over its (closed)
    neighbourhood. Returns edges (u, pu, v, pv, settled) with v the new parent of u; the
    ``settled`` column is the same on every row: whether the input was already a star forest.
    """
    if adj.num_rows == 0:
        return OUT_SCHEMA.empty_table()
    node = adj.column("node").to_numpy()
    npri = adj.column("np").to_numpy()
    nbr = adj.column("nbr").to_numpy()
    nbp = adj.column("nbp").to_numpy()
    keep = nbr != node  # self-loops carry no information
    node, npri, nbr, nbp = node[keep], npri[keep], nbr[keep], nbp[keep]
    if len(node) == 0:
        return OUT_SCHEMA.empty_table()
    # one row per (node, neighbour)
    order = np.lexsort((nbr, nbp, node))
    node, npri, nbr, nbp = node[order], npri[order], nbr[order], nbp[order]
    dup = np.zeros(len(node), bool)
    dup[1:] = (node[1:] == node[:-1]) & (nbr[1:] == nbr[:-1])
    node, npri, nbr, nbp = node[~dup], npri[~dup], nbr[~dup], nbp[~dup]
    starts = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])
    group = np.cumsum(np.r_[True, node[1:] != node[:-1]]) - 1
    degree = np.diff(np.r_[starts, len(node)])
    # within a node's rows, neighbours are sorted by (nbp, nbr): the first is the smallest neighbour
    min_nbr, min_nbp = nbr[starts], nbp[starts]
    g_node, g_np = node[starts], npri[starts]
    node_is_min = _less(g_np, g_node, min_nbp, min_nbr)
    settled = bool(np.all(node_is_min | (degree == 1)))
    m_n = np.where(node_is_min, g_node, min_nbr)
    m_p = np.where(node_is_min, g_np, min_nbp)
    above = _less(npri, node, nbp, nbr)  # neighbour > node
    if large:
        sel = above  # link every larger neighbour to m
        u, pu = nbr[sel], nbp[sel]
        v, pv = m_n[group][sel], m_p[group][sel]
    else:
        sel = ~above  # neighbours not larger than the node, and the node itself
        u = np.r_[nbr[sel], g_node]
        pu = np.r_[nbp[sel], g_np]
        v = np.r_[m_n[group][sel], m_n]
        pv = np.r_[m_p[group][sel], m_p]
    keep = u != v
    u, pu, v, pv = u[keep], pu[keep], v[keep], pv[keep]
    order = np.lexsort((v, u))  # one row per edge: several nodes may emit the same one
    u, pu, v, pv = u[order], pu[order], v[order], pv[order]
    first = np.r_[True, (u[1:] != u[:-1]) | (v[1:] != v[:-1])] if len(u) else np.zeros(0, bool)
    u, pu, v, pv = u[first], pu[first], v[first], pv[first]
    return pa.table({"u": u, "pu": pu, "v": v, "pv": pv, "settled": np.full(len(u), settled)}, schema=OUT_SCHEMA)


def components_local(edges: pa.Table) -> dict[int, int]:
    """Reference answer: node -> centre (the smallest (prio, node) of its component), by union-find."""
    parent: dict[int, int] = {}
    prio: dict[int, int] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in edges.to_pylist():
        for n, p in ((r["u"], r["pu"]), (r["v"], r["pv"])):
            parent.setdefault(n, n)
            prio[n] = p
    for r in edges.to_pylist():
        a, b = find(r["u"]), find(r["v"])
        if a != b:
            lo, hi = (a, b) if (prio[a], a) < (prio[b], b) else (b, a)
            parent[hi] = lo
    return {n: find(n) for n in parent}
