//! One stable sort for every element type, compiled once.
//!
//! `slice::sort_by` is generic over the element type and the comparison, so every call site
//! instantiates the whole of the standard library's driftsort (ARCHITECTURE.md has the bytes;
//! clippy.toml refuses the standard sorts in the crates the browser modules are built from). The
//! collections the browser build sorts are small (report rows, problems, subgroups), so instead
//! the indices are sorted, through one `dyn` comparison, and the permutation is applied with
//! swaps: the same result as `sort_by` (stable), with one copy of the sorting code.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably: the same order as `v.sort_by(cmp)`.
///
/// ```
/// let mut v = [3, 1, 2];
/// equitas_lean::sort::sort_by(&mut v, |a, b| b.cmp(a));
/// assert_eq!(v, [3, 2, 1]);
/// ```
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let order = {
        let items: &[T] = v;
        sorted_indices(items.len(), &mut |a, b| cmp(&items[a], &items[b]))
    };
    permute(&order, &mut |i, j| v.swap(i, j));
}

/// Sorts `v` by a key, stably: the same order as `v.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `0..n` sorted stably by `cmp` on the indices.
#[expect(
    clippy::disallowed_methods,
    reason = "the one instantiation of the standard stable sort, for every caller"
)]
fn sorted_indices(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    // The one instantiation of the standard sort, for every caller.
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Puts the item at `order[k]` at position `k`, for every `k`, with `swap`.
///
/// After step `k`, positions `0..=k` hold their final items; the item first at `order[k]` has
/// moved to the end of its chain of earlier swaps, which following `order` from it finds.
fn permute(order: &[usize], swap: &mut dyn FnMut(usize, usize)) {
    for (k, &first) in order.iter().enumerate() {
        let mut j = first;
        while j < k {
            j = order[j];
        }
        swap(k, j);
    }
}

#[cfg(test)]
#[allow(
    clippy::disallowed_methods,
    reason = "the standard sort is what these sorts are checked against"
)]
mod tests {
    use super::*;

    #[test]
    fn matches_std_stable_sort() {
        // Pairs sorted by the first item only: ties must keep their order, as std's does.
        let mut seed = 12345_u64;
        for len in 0..60 {
            let items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (u8::try_from((seed >> 60) & 7).unwrap_or(0), i)
                })
                .collect();
            let mut ours = items.clone();
            let mut std = items;
            sort_by_key(&mut ours, |p| p.0);
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "length {len}");
        }
    }

    #[test]
    fn reverse_order() {
        let mut v = vec![1, 5, 2, 4, 3];
        sort_by(&mut v, |a, b| b.cmp(a));
        assert_eq!(v, [5, 4, 3, 2, 1]);
    }
}
