//! DBSCAN on 1-D values with scikit-learn semantics (docs/analysis.md#drift-and-stepping).
//!
//! A small own implementation rather than `linfa-clustering`: linfa's DBSCAN treats points as
//! neighbours only when their distance is strictly *below* the tolerance (sklearn: `≤ eps`) and grows
//! clusters breadth-first, so labels can differ from scikit-learn's; the whole algorithm is a few lines
//! and this way needs no ndarray/linfa dependency.
//!
//! Semantics (identical to `sklearn.cluster.DBSCAN` with the exact distance `|y_i − y_j|`):
//! neighbours of `i` are all `j` with `|y_i − y_j| ≤ eps` (`i` included); `i` is core iff it has at
//! least `min_samples` neighbours; clusters are grown depth-first (a stack, like sklearn's
//! `dbscan_inner`) from unlabelled core points in index order and numbered 0, 1, 2 … in that order;
//! border points keep the first cluster that reaches them; everything else is noise (−1).

/// Cluster labels of `values` (−1 = noise).
pub fn dbscan_1d(values: &[f64], eps: f64, min_samples: usize) -> Vec<i64> {
    let n = values.len();
    let neighbours: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| (values[i] - values[j]).abs() <= eps)
                .collect()
        })
        .collect();
    let is_core: Vec<bool> = neighbours
        .iter()
        .map(|nb| nb.len() >= min_samples)
        .collect();
    let mut labels = vec![-1i64; n];
    let mut label_num = 0i64;
    let mut stack: Vec<usize> = Vec::new();
    for start in 0..n {
        if labels[start] != -1 || !is_core[start] {
            continue;
        }
        let mut i = start;
        loop {
            if labels[i] == -1 {
                labels[i] = label_num;
                if is_core[i] {
                    for &v in &neighbours[i] {
                        if labels[v] == -1 {
                            stack.push(v);
                        }
                    }
                }
            }
            match stack.pop() {
                Some(next) => i = next,
                None => break,
            }
        }
        label_num += 1;
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connected_groups_of_two_or_more_with_min_samples_two() {
        let labels = dbscan_1d(&[0.0, 20.0, 40.0, 100.0, 101.0, 300.0], 20.0, 2);
        assert_eq!(labels, vec![0, 0, 0, 1, 1, -1]);
    }

    #[test]
    fn distance_equal_to_eps_is_a_neighbour() {
        assert_eq!(dbscan_1d(&[0.0, 20.0], 20.0, 2), vec![0, 0]);
        assert_eq!(dbscan_1d(&[0.0, 20.000001], 20.0, 2), vec![-1, -1]);
    }

    #[test]
    fn labels_follow_first_core_point_in_index_order() {
        assert_eq!(
            dbscan_1d(&[500.0, 0.0, 501.0, 1.0], 20.0, 2),
            vec![0, 1, 0, 1]
        );
    }

    #[test]
    fn border_point_joins_first_cluster_that_reaches_it() {
        // eps 3, min_samples 4 (expected labels checked against scikit-learn 1.9):
        // 2 has neighbours {0, 1, 2, 5} and 8 has {5, 8, 9, 10} → both core; 5 has only {2, 5, 8}
        // → a border point of both clusters, labelled with the first one (0).
        let labels = dbscan_1d(&[0.0, 1.0, 2.0, 5.0, 8.0, 9.0, 10.0], 3.0, 4);
        assert_eq!(labels, vec![0, 0, 0, 0, 1, 1, 1]);
        // eps 5, min_samples 3: 6 has neighbours {1, 6, 11} → core, so it links everything.
        assert_eq!(
            dbscan_1d(&[0.0, 1.0, 6.0, 11.0, 12.0], 5.0, 3),
            vec![0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn empty_input() {
        assert!(dbscan_1d(&[], 20.0, 2).is_empty());
    }
}
