//! The site-wide assignment of cameras to models under stock limits.
//!
//! Cameras with identical needs form one class (100,000 cameras collapse to the few
//! configurations a site really has), and classes offered the same models at the same costs
//! form one group. The network is source → group (capacity: its cameras) → model (every model
//! meeting the group's hard constraints; cost from [`super::matching::cost`]) → sink
//! (capacity: the stock). A min-cost max-flow serves as many cameras as possible, then at the
//! least total cost. Within a group, cameras (earlier waves first, then in plan order) take
//! the cheapest allocated model first; cameras the flow cannot serve are out of stock (models
//! fit but are all allocated) or have no suitable model (with what the closest model misses).

use std::collections::BTreeMap;

use super::PlanOptions;
use super::catalog::CatalogModel;
use super::matching::{cost, fits, shortfall, unmet, unpriced_price};
use super::mcmf::FlowNetwork;
use super::requirements::Needs;
use crate::parallel;

/// What one camera gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// This model (index into the catalogue's models).
    Model(usize),
    /// These models fit, but their stock is allocated to other cameras.
    OutOfStock(Vec<usize>),
    /// No model meets every hard constraint; what the closest one misses.
    NoModel {
        /// Unmet requirements of the closest model.
        unmet: Vec<String>,
        /// The closest model.
        closest: Option<usize>,
    },
}

/// A class of cameras with the same needs; `cameras` in priority order.
#[derive(Debug, Clone)]
pub struct Class {
    /// The shared needs.
    pub needs: Needs,
    /// Camera indices, highest priority first.
    pub cameras: Vec<usize>,
}

/// The outcome of an assignment.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// One choice per camera index.
    pub choices: Vec<Choice>,
    /// Units of each model used.
    pub used: Vec<u64>,
    /// Per class: how many models fit.
    pub fitting_per_class: Vec<usize>,
}

/// One class checked against the catalogue: the models that fit, and of those the ones with
/// stock left, with their cost.
type Checked = (Vec<usize>, Vec<(usize, i64)>);

/// Assigns `n_cameras` cameras grouped in `classes` to `models`, each model limited to
/// `capacity[i]` units (`None`: unlimited).
pub fn assign(
    n_cameras: usize,
    classes: &[Class],
    models: &[CatalogModel],
    capacity: &[Option<u64>],
    opts: &PlanOptions,
    wave_of: &[usize],
    threads: usize,
) -> Assignment {
    let m = models.len();
    let total: i64 = classes.iter().map(|c| c.cameras.len() as i64).sum();
    let unpriced = unpriced_price(models);
    // Every class checked and costed against every model (the bulk of the work before the
    // flow), classes apart.
    let checked: Vec<Checked> = parallel::map(threads, classes, |class| {
        let fit: Vec<usize> = (0..m)
            .filter(|&j| fits(&models[j], &class.needs, opts))
            .collect();
        let costed = fit
            .iter()
            .filter(|&&j| capacity[j] != Some(0))
            .map(|&j| (j, cost(&models[j], &class.needs, opts, unpriced)))
            .collect();
        (fit, costed)
    });
    // Classes offered the same models at the same costs are one node of the network: the flow
    // cannot tell them apart, and a site has far fewer such offers than classes (the
    // benchmark's 100,000 cameras: 1,372 classes, 200 offers), which is what the flow's time
    // grows with. Groups are numbered in class order.
    let mut group_of_offer: BTreeMap<&[(usize, i64)], usize> = BTreeMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, (_, costed)) in checked.iter().enumerate() {
        let g = *group_of_offer.entry(costed).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    let k = groups.len();
    let source = 0;
    let sink = 1;
    let group_node = |g: usize| 2 + g;
    let model_node = |j: usize| 2 + k + j;
    let mut g = FlowNetwork::new(2 + k + m);
    let mut group_edges: Vec<Vec<(usize, usize, i64)>> = Vec::with_capacity(k);
    for (n, members) in groups.iter().enumerate() {
        let size: i64 = members
            .iter()
            .map(|&i| classes[i].cameras.len() as i64)
            .sum();
        g.add_edge(source, group_node(n), size, 0);
        let edges = checked[members[0]]
            .1
            .iter()
            .map(|&(j, c)| (j, g.add_edge(group_node(n), model_node(j), size, c), c))
            .collect();
        group_edges.push(edges);
    }
    for (j, cap) in capacity.iter().enumerate().take(m) {
        let cap = cap.map_or(total, |c| c.min(total as u64) as i64);
        if cap > 0 {
            g.add_edge(model_node(j), sink, cap, 0);
        }
    }
    g.min_cost_max_flow(source, sink);

    let mut choices = vec![
        Choice::NoModel {
            unmet: Vec::new(),
            closest: None,
        };
        n_cameras
    ];
    let mut served = vec![false; n_cameras];
    let mut used = vec![0u64; m];
    for (n, members) in groups.iter().enumerate() {
        let mut flows: Vec<(i64, usize, i64)> = group_edges[n]
            .iter()
            .map(|&(j, e, c)| (c, j, g.flow(e)))
            .filter(|&(_, _, f)| f > 0)
            .collect();
        flows.sort();
        // The group's cameras in priority order: earlier waves first, then plan order.
        let mut cameras: Vec<usize> = members
            .iter()
            .flat_map(|&i| classes[i].cameras.iter().copied())
            .collect();
        if members.len() > 1 {
            cameras.sort_by_key(|&cam| (wave_of[cam], cam));
        }
        let mut cams = cameras.into_iter();
        for (_, j, f) in flows {
            for cam in cams.by_ref().take(f as usize) {
                choices[cam] = Choice::Model(j);
                served[cam] = true;
                used[j] += 1;
            }
        }
    }
    let fitting: Vec<Vec<usize>> = checked.into_iter().map(|(fit, _)| fit).collect();
    for (i, class) in classes.iter().enumerate() {
        let rest: Vec<usize> = class
            .cameras
            .iter()
            .copied()
            .filter(|&cam| !served[cam])
            .collect();
        if rest.is_empty() {
            continue;
        }
        let left = if fitting[i].is_empty() {
            // Closest: fewest unmet requirements, then the smallest shortfall.
            let (closest, missing) = (0..m)
                .map(|j| {
                    (
                        j,
                        unmet(&models[j], &class.needs, opts),
                        shortfall(&models[j], &class.needs),
                    )
                })
                .min_by(|a, b| {
                    a.1.len()
                        .cmp(&b.1.len())
                        .then(a.2.total_cmp(&b.2))
                        .then(a.0.cmp(&b.0))
                })
                .map_or((None, Vec::new()), |(j, u, _)| (Some(j), u));
            Choice::NoModel {
                unmet: missing,
                closest,
            }
        } else {
            Choice::OutOfStock(fitting[i].clone())
        };
        for cam in rest {
            choices[cam] = left.clone();
        }
    }
    Assignment {
        choices,
        used,
        fitting_per_class: fitting.iter().map(Vec::len).collect(),
    }
}
