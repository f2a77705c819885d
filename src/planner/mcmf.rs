//! Min-cost max-flow by successive shortest paths with Johnson potentials: Dijkstra on reduced
//! costs, then a blocking flow over every shortest path at once (primal-dual), which keeps the
//! number of Dijkstra runs to the number of distinct path costs rather than one per path.
//! Integer capacities and costs; deterministic: edges are scanned in insertion order.

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
        let mut potential = vec![0i64; n];
        let mut result = FlowResult { flow: 0, cost: 0 };
        let mut dist = vec![i64::MAX; n];
        let mut heap = BinaryHeap::new();
        let mut level = vec![u32::MAX; n];
        let mut next = vec![0usize; n];
        let mut queue = std::collections::VecDeque::new();
        loop {
            // Shortest distances on reduced costs.
            dist.iter_mut().for_each(|d| *d = i64::MAX);
            dist[s] = 0;
            heap.clear();
            heap.push(Reverse((0i64, s)));
            while let Some(Reverse((d, u))) = heap.pop() {
                if d > dist[u] {
                    continue;
                }
                for &e in &self.adj[u] {
                    let edge = &self.edges[e];
                    if edge.cap <= 0 {
                        continue;
                    }
                    let nd = d + edge.cost + potential[u] - potential[edge.to];
                    if nd < dist[edge.to] {
                        dist[edge.to] = nd;
                        heap.push(Reverse((nd, edge.to)));
                    }
                }
            }
            if dist[t] == i64::MAX {
                break;
            }
            for v in 0..n {
                if dist[v] != i64::MAX {
                    potential[v] += dist[v];
                }
            }
            // Every shortest path at once: a blocking flow (Dinic) over the edges whose reduced
            // cost is now zero, so one Dijkstra serves many augmentations.
            loop {
                level.iter_mut().for_each(|l| *l = u32::MAX);
                level[s] = 0;
                queue.clear();
                queue.push_back(s);
                while let Some(u) = queue.pop_front() {
                    for &e in &self.adj[u] {
                        let edge = &self.edges[e];
                        if edge.cap > 0
                            && level[edge.to] == u32::MAX
                            && self.admissible(e, u, &potential)
                        {
                            level[edge.to] = level[u] + 1;
                            queue.push_back(edge.to);
                        }
                    }
                }
                if level[t] == u32::MAX {
                    break;
                }
                next.iter_mut().for_each(|i| *i = 0);
                loop {
                    let (pushed, cost) =
                        self.augment(s, t, i64::MAX, &level, &mut next, &potential);
                    if pushed == 0 {
                        break;
                    }
                    result.flow += pushed;
                    result.cost += cost;
                }
            }
        }
        result
    }

    /// True when edge `e` out of `u` has zero reduced cost (lies on a shortest path).
    fn admissible(&self, e: usize, u: usize, potential: &[i64]) -> bool {
        let edge = &self.edges[e];
        edge.cost + potential[u] - potential[edge.to] == 0
    }

    /// One augmenting path in the level graph, depth first; returns (flow, cost).
    fn augment(
        &mut self,
        u: usize,
        t: usize,
        limit: i64,
        level: &[u32],
        next: &mut [usize],
        potential: &[i64],
    ) -> (i64, i64) {
        if u == t {
            return (limit, 0);
        }
        while next[u] < self.adj[u].len() {
            let e = self.adj[u][next[u]];
            let (to, cap, cost) = {
                let edge = &self.edges[e];
                (edge.to, edge.cap, edge.cost)
            };
            if cap > 0 && level[to] == level[u] + 1 && self.admissible(e, u, potential) {
                let (pushed, path_cost) =
                    self.augment(to, t, limit.min(cap), level, next, potential);
                if pushed > 0 {
                    self.edges[e].cap -= pushed;
                    self.edges[e ^ 1].cap += pushed;
                    return (pushed, path_cost + pushed * cost);
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
