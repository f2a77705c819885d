//! Min-cost max-flow by successive shortest paths with Johnson potentials: Dijkstra on reduced
//! costs, then a blocking flow over every shortest path at once (primal-dual), which keeps the
//! number of Dijkstra runs to the number of distinct path costs rather than one per path.
//! Integer capacities and costs; deterministic: edges are scanned in insertion order.
//!
//! On a dense class × model network (100,000 cameras: ~1,400 classes × 500 models, ~500
//! rounds) the cost is in scanning edges, so each round's Dijkstra stops at the sink's
//! distance, the edges live in one contiguous array per node, and the blocking flow walks only
//! the round's zero-cost edges. The flow found is the same, edge for edge, as scanning every
//! edge with full distances: the zero-cost edges that lead to the sink are the same ones.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Debug, Clone)]
struct Edge {
    to: usize,
    cap: i64,
    cost: i64,
}

/// A flow network.
#[derive(Debug, Clone, Default)]
pub struct FlowNetwork {
    edges: Vec<Edge>,
    adj: Vec<Vec<usize>>,
}

/// The result of [`FlowNetwork::min_cost_max_flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowResult {
    /// Total flow from source to sink (the maximum).
    pub flow: i64,
    /// Total cost of that flow (the minimum among maximum flows).
    pub cost: i64,
}

/// The network laid out for the search: each node's edges contiguous, in insertion order
/// (a node's scan reads consecutive memory instead of hopping over the edge list, which is what
/// dominates on a dense class × model network), capacities apart from the rest.
struct Csr {
    /// `start[u]..start[u + 1]`: the slots of node `u`'s edges.
    start: Vec<usize>,
    to: Vec<u32>,
    cost: Vec<i64>,
    cap: Vec<i64>,
    /// The slot of each slot's reverse edge.
    rev: Vec<u32>,
}

impl Csr {
    /// Lays out `net`; also returns the slot of every edge id.
    fn new(net: &FlowNetwork) -> (Self, Vec<u32>) {
        let n = net.adj.len();
        let m = net.edges.len();
        let mut start = Vec::with_capacity(n + 1);
        let mut slot = vec![0u32; m];
        let mut next = 0usize;
        for list in &net.adj {
            start.push(next);
            for &e in list {
                slot[e] = next as u32;
                next += 1;
            }
        }
        start.push(next);
        let (mut to, mut cost, mut cap, mut rev) =
            (vec![0u32; m], vec![0i64; m], vec![0i64; m], vec![0u32; m]);
        for (e, edge) in net.edges.iter().enumerate() {
            let i = slot[e] as usize;
            to[i] = edge.to as u32;
            cost[i] = edge.cost;
            cap[i] = edge.cap;
            rev[i] = slot[e ^ 1];
        }
        (
            Self {
                start,
                to,
                cost,
                cap,
                rev,
            },
            slot,
        )
    }
}

impl FlowNetwork {
    /// A network with `n` nodes and no edges.
    pub fn new(n: usize) -> Self {
        Self {
            edges: Vec::new(),
            adj: vec![Vec::new(); n],
        }
    }

    /// Adds an edge `from → to` with capacity and non-negative cost; returns its id.
    pub fn add_edge(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
        debug_assert!(
            cost >= 0,
            "initial costs must be non-negative (zero potentials)"
        );
        let id = self.edges.len();
        self.edges.push(Edge { to, cap, cost });
        self.adj[from].push(id);
        self.edges.push(Edge {
            to: from,
            cap: 0,
            cost: -cost,
        });
        self.adj[to].push(id + 1);
        id
    }

    /// Flow on edge `id` (as returned by [`FlowNetwork::add_edge`]).
    pub fn flow(&self, id: usize) -> i64 {
        self.edges[id + 1].cap
    }

    /// Pushes the maximum flow from `s` to `t` at minimum cost.
    pub fn min_cost_max_flow(&mut self, s: usize, t: usize) -> FlowResult {
        let n = self.adj.len();
        let (mut g, slot) = Csr::new(self);
        let mut potential = vec![0i64; n];
        let mut result = FlowResult { flow: 0, cost: 0 };
        let mut dist = vec![i64::MAX; n];
        let mut heap = BinaryHeap::new();
        let mut level = vec![u32::MAX; n];
        let mut next = vec![0usize; n];
        let mut queue = std::collections::VecDeque::new();
        let mut zero: Vec<u32> = Vec::new();
        let mut zero_start = vec![0usize; n + 1];
        loop {
            // Shortest distances on reduced costs, as far as the sink: nodes farther than the
            // sink lie on no shortest path this round.
            dist.iter_mut().for_each(|d| *d = i64::MAX);
            dist[s] = 0;
            heap.clear();
            heap.push(Reverse((0i64, s)));
            while let Some(&Reverse((d, u))) = heap.peek() {
                // Settled as far as the sink's distance, ties included: nodes farther than
                // the sink lie on no shortest path to it this round.
                if d > dist[t] {
                    break;
                }
                heap.pop();
                if d > dist[u] {
                    continue;
                }
                let pu = potential[u] + d;
                for i in g.start[u]..g.start[u + 1] {
                    if g.cap[i] <= 0 {
                        continue;
                    }
                    let to = g.to[i] as usize;
                    let nd = g.cost[i] + pu - potential[to];
                    if nd < dist[to] {
                        dist[to] = nd;
                        heap.push(Reverse((nd, to)));
                    }
                }
            }
            let reach = dist[t];
            if reach == i64::MAX {
                break;
            }
            // Capped at the sink's distance, reduced costs stay non-negative (Johnson) and the
            // edges on shortest paths to the sink become exactly the zero-cost ones, as with
            // full distances.
            for v in 0..n {
                potential[v] += dist[v].min(reach);
            }
            // Every shortest path at once: a blocking flow (Dinic) over the edges whose reduced
            // cost is now zero, so one Dijkstra serves many augmentations. Those edges are
            // gathered once (in each node's order): they are few, while the network is dense.
            // Only nodes no farther than the sink can start one that leads to it, and
            // augmenting adds only reverses of such edges, so the set holds for the round.
            zero.clear();
            for u in 0..n {
                zero_start[u] = zero.len();
                if dist[u] > reach {
                    continue;
                }
                let pu = potential[u];
                for i in g.start[u]..g.start[u + 1] {
                    if g.cost[i] + pu == potential[g.to[i] as usize] {
                        zero.push(i as u32);
                    }
                }
            }
            zero_start[n] = zero.len();
            loop {
                level.iter_mut().for_each(|l| *l = u32::MAX);
                level[s] = 0;
                queue.clear();
                queue.push_back(s);
                while let Some(u) = queue.pop_front() {
                    // Nodes at the sink's depth or deeper lead to no path to it.
                    if level[t] != u32::MAX && level[u] >= level[t] {
                        break;
                    }
                    for &i in &zero[zero_start[u]..zero_start[u + 1]] {
                        let i = i as usize;
                        let to = g.to[i] as usize;
                        if g.cap[i] > 0 && level[to] == u32::MAX {
                            level[to] = level[u] + 1;
                            queue.push_back(to);
                        }
                    }
                }
                if level[t] == u32::MAX {
                    break;
                }
                next.copy_from_slice(&zero_start[..n]);
                loop {
                    let (pushed, cost) =
                        g.augment(s, t, i64::MAX, &level, &mut next, &zero, &zero_start);
                    if pushed == 0 {
                        break;
                    }
                    result.flow += pushed;
                    result.cost += cost;
                }
            }
        }
        for (e, edge) in self.edges.iter_mut().enumerate() {
            edge.cap = g.cap[slot[e] as usize];
        }
        result
    }
}

impl Csr {
    /// One augmenting path in the level graph over the zero-cost edges, depth first; returns
    /// (flow, cost).
    #[allow(clippy::too_many_arguments)]
    fn augment(
        &mut self,
        u: usize,
        t: usize,
        limit: i64,
        level: &[u32],
        next: &mut [usize],
        zero: &[u32],
        zero_start: &[usize],
    ) -> (i64, i64) {
        if u == t {
            return (limit, 0);
        }
        let end = zero_start[u + 1];
        while next[u] < end {
            let i = zero[next[u]] as usize;
            let to = self.to[i] as usize;
            let cap = self.cap[i];
            if cap > 0 && level[to] == level[u] + 1 {
                let (pushed, path_cost) =
                    self.augment(to, t, limit.min(cap), level, next, zero, zero_start);
                if pushed > 0 {
                    self.cap[i] -= pushed;
                    self.cap[self.rev[i] as usize] += pushed;
                    return (pushed, path_cost + pushed * self.cost[i]);
                }
            }
            next[u] += 1;
        }
        (0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over every assignment of `k` unit demands to suppliers (tiny instances).
    fn brute(costs: &[Vec<Option<i64>>], caps: &[i64]) -> (i64, i64) {
        fn go(
            i: usize,
            costs: &[Vec<Option<i64>>],
            caps: &mut Vec<i64>,
            served: i64,
            cost: i64,
            best: &mut (i64, i64),
        ) {
            if i == costs.len() {
                if served > best.0 || (served == best.0 && cost < best.1) {
                    *best = (served, cost);
                }
                return;
            }
            go(i + 1, costs, caps, served, cost, best);
            for (j, c) in costs[i].iter().enumerate() {
                if let Some(c) = c {
                    if caps[j] > 0 {
                        caps[j] -= 1;
                        go(i + 1, costs, caps, served + 1, cost + c, best);
                        caps[j] += 1;
                    }
                }
            }
        }
        let mut best = (0, i64::MAX);
        go(0, costs, &mut caps.to_vec(), 0, 0, &mut best);
        if best.0 == 0 {
            best.1 = 0;
        }
        best
    }

    #[test]
    fn matches_brute_force_on_small_bipartite_instances() {
        use proptest::prelude::*;
        let strategy = (1usize..6, 1usize..4).prop_flat_map(|(n, m)| {
            (
                proptest::collection::vec(
                    proptest::collection::vec(proptest::option::of(0i64..20), m),
                    n,
                ),
                proptest::collection::vec(0i64..3, m),
            )
        });
        proptest!(|((costs, caps) in strategy)| {
            let n = costs.len();
            let m = caps.len();
            let mut g = FlowNetwork::new(2 + n + m);
            for (i, row) in costs.iter().enumerate() {
                g.add_edge(0, 2 + i, 1, 0);
                for (j, c) in row.iter().enumerate() {
                    if let Some(c) = c {
                        g.add_edge(2 + i, 2 + n + j, 1, *c);
                    }
                }
            }
            for (j, cap) in caps.iter().enumerate() {
                g.add_edge(2 + n + j, 1, *cap, 0);
            }
            let r = g.min_cost_max_flow(0, 1);
            prop_assert_eq!((r.flow, r.cost), brute(&costs, &caps));
        });
    }
}
