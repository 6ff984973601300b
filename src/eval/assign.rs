//! Minimum-cost one-to-one assignment (the Hungarian algorithm).
//!
//! Article matching needs an optimal pairing: a greedy pass over ascending
//! CER can take a pair that blocks two better ones. Pages hold tens of
//! articles, so the O(r²·c) potentials form is instant.

/// For a `rows` x `cols` row-major `cost` matrix, the column assigned to each
/// row (`None` for rows left over when `rows > cols`), minimising the total
/// cost over `min(rows, cols)` pairs. Non-finite costs are treated as very
/// large so the search always terminates.
pub(crate) fn assign(cost: &[f64], rows: usize, cols: usize) -> Vec<Option<usize>> {
    if rows == 0 || cols == 0 || cost.len() < rows * cols {
        return vec![None; rows];
    }
    let at = |r: usize, c: usize| {
        let x = cost[r * cols + c];
        if x.is_finite() {
            x
        } else {
            f64::MAX / 4.0
        }
    };
    if rows <= cols {
        hungarian(rows, cols, at).into_iter().collect()
    } else {
        // Solve the transposed problem: every column gets a row.
        let col_to_row = hungarian(cols, rows, |c, r| at(r, c));
        let mut out = vec![None; rows];
        for (c, r) in col_to_row.into_iter().enumerate() {
            if let Some(r) = r {
                if let Some(slot) = out.get_mut(r) {
                    *slot = Some(c);
                }
            }
        }
        out
    }
}

/// Classic O(n²·m) Hungarian algorithm with row/column potentials, for
/// `n <= m`; index 0 of the internal arrays is a sentinel.
#[allow(clippy::needless_range_loop)] // parallel arrays indexed by column
fn hungarian(n: usize, m: usize, c: impl Fn(usize, usize) -> f64) -> Vec<Option<usize>> {
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; m + 1];
    let mut p = vec![0usize; m + 1]; // p[j]: row matched to column j (1-based)
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![f64::INFINITY; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=m {
                if !used[j] {
                    let cur = c(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            if j1 == 0 {
                // Unreachable with finite costs and n <= m; bail out rather
                // than loop forever.
                break;
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        // Augment along the alternating path back to the sentinel.
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut ans = vec![None; n];
    for j in 1..=m {
        if p[j] != 0 {
            ans[p[j] - 1] = Some(j - 1);
        }
    }
    ans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(cost: &[f64], cols: usize, a: &[Option<usize>]) -> f64 {
        a.iter()
            .enumerate()
            .filter_map(|(r, c)| c.map(|c| cost[r * cols + c]))
            .sum()
    }

    fn brute_force(cost: &[f64], rows: usize, cols: usize) -> f64 {
        // Best over all injective maps of rows into columns (rows <= cols).
        fn go(cost: &[f64], cols: usize, r: usize, rows: usize, used: &mut Vec<bool>) -> f64 {
            if r == rows {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for c in 0..cols {
                if !used[c] {
                    used[c] = true;
                    best = best.min(cost[r * cols + c] + go(cost, cols, r + 1, rows, used));
                    used[c] = false;
                }
            }
            best
        }
        go(cost, cols, 0, rows, &mut vec![false; cols])
    }

    #[test]
    fn beats_greedy() {
        // Greedy takes (0,0)=0.1 first and is left with (1,1)=0.9: total 1.0.
        // The optimum is (0,1)+(1,0) = 0.2+0.15 = 0.35.
        let cost = [0.1, 0.2, 0.15, 0.9];
        let a = assign(&cost, 2, 2);
        assert_eq!(a, vec![Some(1), Some(0)]);
        assert!((total(&cost, 2, &a) - 0.35).abs() < 1e-12);
    }

    #[test]
    fn rectangular_both_ways() {
        let cost = [5.0, 1.0, 9.0, 2.0, 8.0, 3.0]; // 2 x 3
        assert_eq!(assign(&cost, 2, 3), vec![Some(1), Some(0)]);
        let cost_t = [5.0, 2.0, 1.0, 8.0, 9.0, 3.0]; // 3 x 2 transpose
        assert_eq!(assign(&cost_t, 3, 2), vec![Some(1), Some(0), None]);
        assert_eq!(assign(&[], 0, 4), Vec::<Option<usize>>::new());
        assert_eq!(assign(&[], 3, 0), vec![None, None, None]);
    }

    #[test]
    fn matches_brute_force() {
        let mut state = 12345u64;
        for rows in 1..=5 {
            for cols in rows..=6 {
                let cost: Vec<f64> = (0..rows * cols)
                    .map(|_| {
                        state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                        ((state >> 33) % 100) as f64 / 10.0
                    })
                    .collect();
                let a = assign(&cost, rows, cols);
                let best = brute_force(&cost, rows, cols);
                assert!((total(&cost, cols, &a) - best).abs() < 1e-9);
                let mut seen: Vec<usize> = a.iter().flatten().copied().collect();
                seen.sort_unstable();
                seen.dedup();
                assert_eq!(seen.len(), rows, "one-to-one");
            }
        }
    }
}
