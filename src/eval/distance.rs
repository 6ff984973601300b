//! Exact edit distances and alignments over Unicode scalar values (`char`).
//!
//! Distances use Myers' bit-vector algorithm in Hyyrö's blocked form: the
//! DP column is kept as 64-row words of +1/-1 vertical deltas, so a
//! 30,000 x 30,000 page costs about 1.4e7 word steps instead of 9e8 DP cells,
//! in O(n + m) memory. Alignments use Hirschberg's divide and conquer on top
//! of the same bit-vector columns, so a traceback over 6,000-char bodies
//! needs a few hundred kilobytes rather than a 36 MB matrix.

use std::collections::HashMap;
use std::iter::repeat_n;

/// Levenshtein distance (unit-cost insert, delete, substitute) between two
/// char sequences. Exact; O(n·m/64) time after stripping the common prefix
/// and suffix, O(n + m) memory.
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    let (a, b) = strip_common(a, b);
    if a.is_empty() {
        return b.len();
    }
    if b.is_empty() {
        return a.len();
    }
    // The shorter sequence is the bit-vector "pattern": fewer blocks to keep.
    let (pattern, text) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    distance_from_run(pattern, text)
}

/// Like [`edit_distance`], but gives up (returns `None`) when the work would
/// exceed `max_word_steps` 64-bit block updates. Used where inputs can be
/// arbitrarily large (whole multi-page documents) and an approximation is
/// preferable to minutes of CPU.
pub(crate) fn edit_distance_within(a: &[char], b: &[char], max_word_steps: u128) -> Option<usize> {
    let (a, b) = strip_common(a, b);
    if a.is_empty() {
        return Some(b.len());
    }
    if b.is_empty() {
        return Some(a.len());
    }
    let (pattern, text) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let steps = pattern.len().div_ceil(64) as u128 * text.len() as u128;
    (steps <= max_word_steps).then(|| distance_from_run(pattern, text))
}

/// Character error rate: `edit_distance(reference, hypothesis)` divided by
/// the reference length, both in chars. 0 when both are empty; 1.0 when the
/// reference is empty and the hypothesis is not (everything is an error, and
/// the ratio would otherwise be undefined). Can exceed 1.0 when the
/// hypothesis is much longer than the reference.
pub fn cer(reference: &str, hypothesis: &str) -> f64 {
    let r: Vec<char> = reference.chars().collect();
    let h: Vec<char> = hypothesis.chars().collect();
    cer_ratio(edit_distance(&r, &h), r.len())
}

/// `edits / reference_len` with the empty-reference conventions of [`cer`].
pub(crate) fn cer_ratio(edits: usize, reference_len: usize) -> f64 {
    if reference_len == 0 {
        if edits == 0 {
            0.0
        } else {
            1.0
        }
    } else {
        edits as f64 / reference_len as f64
    }
}

fn strip_common<'a>(a: &'a [char], b: &'a [char]) -> (&'a [char], &'a [char]) {
    let pre = common_prefix(a, b);
    let (a, b) = (&a[pre..], &b[pre..]);
    let suf = common_suffix(a, b);
    (&a[..a.len() - suf], &b[..b.len() - suf])
}

fn common_prefix(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_suffix(a: &[char], b: &[char]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Runs the blocked bit-vector DP of `pattern` (rows) against `text`
/// (columns) and returns the final column as vertical-delta words
/// (`pv` bit i set: D[i+1] = D[i] + 1; `mv` bit i set: D[i+1] = D[i] - 1).
fn myers_run(pattern: &[char], text: &[char]) -> (Vec<u64>, Vec<u64>) {
    let blocks = pattern.len().div_ceil(64);
    // For each pattern char, the (block, bitmask) words where it occurs;
    // sparse so memory stays O(m) even when every char is distinct.
    let mut peq: HashMap<char, Vec<(usize, u64)>> = HashMap::new();
    for (i, &c) in pattern.iter().enumerate() {
        let (blk, bit) = (i / 64, 1u64 << (i % 64));
        let words = peq.entry(c).or_default();
        match words.last_mut() {
            Some((b, mask)) if *b == blk => *mask |= bit,
            _ => words.push((blk, bit)),
        }
    }
    // Column 0 is D[i][0] = i: every vertical delta is +1.
    let mut pv = vec![!0u64; blocks];
    let mut mv = vec![0u64; blocks];
    let mut eq = vec![0u64; blocks];
    for c in text {
        let words = peq.get(c).map(Vec::as_slice).unwrap_or(&[]);
        for &(b, mask) in words {
            eq[b] = mask;
        }
        // Global alignment: the top row is D[0][j] = j, so the horizontal
        // delta entering the first block is always +1.
        let mut hin = 1i32;
        for ((p, m), &e) in pv.iter_mut().zip(mv.iter_mut()).zip(&eq) {
            hin = advance_block(p, m, e, hin);
        }
        for &(b, _) in words {
            eq[b] = 0;
        }
    }
    (pv, mv)
}

/// One 64-row block of one column (Hyyrö 2003, as in edlib): updates the
/// block's vertical deltas and returns the horizontal delta leaving its
/// bottom row. Padding rows above the pattern's end live in the high bits
/// and never influence lower bits (carries only travel upwards).
#[inline]
fn advance_block(pv: &mut u64, mv: &mut u64, eq: u64, hin: i32) -> i32 {
    let hin_neg = u64::from(hin < 0);
    let hin_pos = u64::from(hin > 0);
    let xv = eq | *mv;
    let eq = eq | hin_neg;
    let xh = ((eq & *pv).wrapping_add(*pv) ^ *pv) | eq;
    let mut ph = *mv | !(xh | *pv);
    let mut mh = *pv & xh;
    let hout = (ph >> 63) as i32 - (mh >> 63) as i32;
    ph = (ph << 1) | hin_pos;
    mh = (mh << 1) | hin_neg;
    *pv = mh | !(xv | ph);
    *mv = ph & xv;
    hout
}

/// D[m][n] = D[0][n] + sum of the column's vertical deltas, D[0][n] = n.
fn distance_from_run(pattern: &[char], text: &[char]) -> usize {
    let m = pattern.len();
    let (pv, mv) = myers_run(pattern, text);
    let mut up = 0usize;
    let mut down = 0usize;
    for (b, (p, q)) in pv.iter().zip(&mv).enumerate() {
        let rows = (m - b * 64).min(64);
        let mask = if rows == 64 {
            !0u64
        } else {
            (1u64 << rows) - 1
        };
        up += (p & mask).count_ones() as usize;
        down += (q & mask).count_ones() as usize;
    }
    (text.len() + up).saturating_sub(down)
}

/// `col[i] = edit_distance(&pattern[..i], text)` for `i` in `0..=m`.
fn last_column(pattern: &[char], text: &[char]) -> Vec<usize> {
    let mut col = Vec::with_capacity(pattern.len() + 1);
    let mut d = text.len();
    col.push(d);
    if pattern.is_empty() {
        return col;
    }
    let (pv, mv) = myers_run(pattern, text);
    for i in 0..pattern.len() {
        let (b, bit) = (i / 64, i % 64);
        if (pv[b] >> bit) & 1 == 1 {
            d += 1;
        } else if (mv[b] >> bit) & 1 == 1 {
            d = d.saturating_sub(1);
        }
        col.push(d);
    }
    col
}

/// One step of an alignment of `a` (reference) with `b` (hypothesis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Same char in both.
    Match,
    /// One char of each, different.
    Sub,
    /// A char of `a` missing from `b`.
    Del,
    /// A char of `b` not in `a`.
    Ins,
}

/// Sub-problems up to this many DP cells are solved with a full matrix
/// (8 MB at most); larger ones are split Hirschberg-style.
const FULL_DP_CELLS: usize = 1 << 20;

/// An optimal (minimum edit count) alignment of `a` with `b`, exact, in
/// O(n + m) memory plus a bounded base-case matrix.
pub(crate) fn align(a: &[char], b: &[char]) -> Vec<Op> {
    align_with(a, b, FULL_DP_CELLS)
}

fn align_with(a: &[char], b: &[char], base_cells: usize) -> Vec<Op> {
    let mut ops = Vec::with_capacity(a.len().max(b.len()));
    hirschberg(a, b, base_cells, &mut ops);
    ops
}

fn hirschberg(a: &[char], b: &[char], base_cells: usize, out: &mut Vec<Op>) {
    let pre = common_prefix(a, b);
    out.extend(repeat_n(Op::Match, pre));
    let (a, b) = (&a[pre..], &b[pre..]);
    let suf = common_suffix(a, b);
    let (a, b) = (&a[..a.len() - suf], &b[..b.len() - suf]);
    if a.is_empty() {
        out.extend(repeat_n(Op::Ins, b.len()));
    } else if b.is_empty() {
        out.extend(repeat_n(Op::Del, a.len()));
    } else if a.len() <= 2 || b.len() <= 2 || a.len().saturating_mul(b.len()) <= base_cells {
        full_dp(a, b, out);
    } else {
        // Split `a` in half and find where an optimal path crosses the
        // middle row: forward costs of the top half plus backward costs of
        // the bottom half, minimised over the column.
        let mid = a.len() / 2;
        let forward = last_column(b, &a[..mid]);
        let rb: Vec<char> = b.iter().rev().copied().collect();
        let ra: Vec<char> = a[mid..].iter().rev().copied().collect();
        let backward = last_column(&rb, &ra);
        let n = b.len();
        let split = (0..=n)
            .min_by_key(|&j| forward[j] + backward[n - j])
            .unwrap_or(0);
        hirschberg(&a[..mid], &b[..split], base_cells, out);
        hirschberg(&a[mid..], &b[split..], base_cells, out);
    }
    out.extend(repeat_n(Op::Match, suf));
}

fn full_dp(a: &[char], b: &[char], out: &mut Vec<Op>) {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    let mut d = vec![0usize; (n + 1) * w];
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        d[i * w] = i;
        for j in 1..=m {
            let sub = d[(i - 1) * w + j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let del = d[(i - 1) * w + j] + 1;
            let ins = d[i * w + j - 1] + 1;
            d[i * w + j] = sub.min(del).min(ins);
        }
    }
    let mut rev = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let here = d[i * w + j];
        if i > 0 && j > 0 {
            let same = a[i - 1] == b[j - 1];
            if here == d[(i - 1) * w + j - 1] + usize::from(!same) {
                rev.push(if same { Op::Match } else { Op::Sub });
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 0 && here == d[(i - 1) * w + j] + 1 {
            rev.push(Op::Del);
            i -= 1;
        } else {
            rev.push(Op::Ins);
            j -= 1;
        }
    }
    out.extend(rev.into_iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[char], b: &[char]) -> usize {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    /// Deterministic pseudo-random strings over a small alphabet, so that
    /// matches are frequent and every code path is hit.
    fn random_strings(count: usize, max_len: usize) -> Vec<Vec<char>> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = ['a', 'b', 'c', '旺', '能'];
        (0..count)
            .map(|_| {
                let len = (next() % (max_len as u64 + 1)) as usize;
                (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn known_distances() {
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(edit_distance(&chars(""), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("abc"), &chars("")), 3);
        assert_eq!(edit_distance(&chars("旺能"), &chars("旺 能")), 1);
        assert_eq!(cer("kitten", "sitting"), 0.5);
        assert_eq!(cer("", ""), 0.0);
        assert_eq!(cer("", "x"), 1.0);
        assert_eq!(cer("abcd", ""), 1.0);
        assert_eq!(cer("旺能", "旺"), 0.5);
    }

    #[test]
    fn bit_vector_matches_naive_dp_across_blocks() {
        let strings = random_strings(40, 200);
        for a in &strings {
            for b in strings.iter().take(12) {
                assert_eq!(edit_distance(a, b), naive(a, b), "{a:?} / {b:?}");
            }
        }
        // Long runs of equal chars make carries cross every block boundary.
        let a: Vec<char> = repeat_n('a', 300).collect();
        let mut b = a.clone();
        b[150] = 'b';
        b.insert(64, 'c');
        assert_eq!(edit_distance(&a, &b), 2);
        assert_eq!(distance_from_run(&a, &b), naive(&a, &b));
    }

    #[test]
    fn last_column_matches_naive_prefixes() {
        let strings = random_strings(8, 150);
        for p in &strings {
            for t in &strings {
                // naive(t, p[..i]) for every i is the last row of one DP.
                let mut row: Vec<usize> = (0..=p.len()).collect();
                for (k, ct) in t.iter().enumerate() {
                    let mut next = vec![k + 1; p.len() + 1];
                    for (i, cp) in p.iter().enumerate() {
                        next[i + 1] = (row[i] + usize::from(ct != cp))
                            .min(row[i + 1] + 1)
                            .min(next[i] + 1);
                    }
                    row = next;
                }
                assert_eq!(last_column(p, t), row);
            }
        }
    }

    fn check_alignment(a: &[char], b: &[char], ops: &[Op]) -> usize {
        let (mut i, mut j, mut cost) = (0, 0, 0);
        for op in ops {
            match op {
                Op::Match => {
                    assert_eq!(a[i], b[j]);
                    i += 1;
                    j += 1;
                }
                Op::Sub => {
                    assert_ne!(a[i], b[j]);
                    i += 1;
                    j += 1;
                    cost += 1;
                }
                Op::Del => {
                    i += 1;
                    cost += 1;
                }
                Op::Ins => {
                    j += 1;
                    cost += 1;
                }
            }
        }
        assert_eq!((i, j), (a.len(), b.len()));
        cost
    }

    #[test]
    fn hirschberg_alignment_is_optimal() {
        let strings = random_strings(16, 120);
        for a in &strings {
            for b in &strings {
                // A tiny base case forces deep recursion.
                let ops = align_with(a, b, 4);
                assert_eq!(check_alignment(a, b, &ops), naive(a, b));
                let ops = align(a, b);
                assert_eq!(check_alignment(a, b, &ops), naive(a, b));
            }
        }
    }

    #[test]
    fn budget_gives_up_only_when_exceeded() {
        let a = chars("abcdefgh");
        let b = chars("xbcdefgy");
        assert_eq!(edit_distance_within(&a, &b, 1_000), Some(2));
        let long_a: Vec<char> = "ab".repeat(500).chars().collect();
        let long_b: Vec<char> = "ba".repeat(500).chars().collect();
        assert_eq!(edit_distance_within(&long_a, &long_b, 10), None);
    }
}
