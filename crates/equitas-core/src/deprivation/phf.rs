//! A perfect hash from `u64` keys to row numbers, built once when an index is loaded.
//!
//! "Hash and displace" (Belazzougui, Botelho and Dietzfelbinger, 2009): keys are split into
//! buckets of about four; buckets are placed largest first, each trying displacement values until
//! all of its keys land in free slots. A lookup is two multiplications, two array reads and no
//! probing, whatever the key set (LSOAs, data zones, Northern Ireland SOAs).

const EMPTY: u32 = u32::MAX;

/// Keys in a bucket, on average.
const BUCKET_SIZE: usize = 4;

/// A perfect hash table: every key given to [`PerfectHash::build`] has its own slot.
#[derive(Debug, Clone)]
pub struct PerfectHash {
    seed: u64,
    displacements: Vec<u32>,
    slots: Vec<u32>,
}

/// A key set the builder could not place (only possible with duplicate keys).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not build a perfect hash for {keys} keys (are there duplicate keys?)")]
pub struct BuildError {
    /// How many keys were given.
    pub keys: usize,
}

#[inline]
fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Map a hash onto `0..n` without division.
#[inline]
fn reduce(h: u64, n: usize) -> usize {
    ((u128::from(h) * n as u128) >> 64) as usize
}

#[inline]
fn slot_hash(key_hash: u64, displacement: u32) -> u64 {
    mix(key_hash ^ (u64::from(displacement) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

impl PerfectHash {
    /// Build the table for `keys`; `get(keys[i])` then returns `Some(i)`.
    ///
    /// # Errors
    /// Only when keys repeat (the loader rejects duplicate areas before this).
    pub fn build(keys: &[u64]) -> Result<Self, BuildError> {
        for attempt in 0..8u64 {
            if let Some(t) =
                Self::try_build(keys, attempt.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x5eed)
            {
                return Ok(t);
            }
        }
        Err(BuildError { keys: keys.len() })
    }

    #[allow(
        clippy::disallowed_methods,
        reason = "only the IMD file loader builds a table, and no browser module reaches it: see \
                  clippy.toml"
    )]
    fn try_build(keys: &[u64], seed: u64) -> Option<Self> {
        let n = keys.len();
        let n_buckets = n.div_ceil(BUCKET_SIZE).max(1);
        // Load factor about 0.9: a little spare room keeps placement fast.
        let n_slots = (n + n / 9 + 1).max(1);
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); n_buckets];
        for (i, &k) in keys.iter().enumerate() {
            let h = mix(k ^ seed);
            buckets[reduce(h, n_buckets)].push(u32::try_from(i).ok()?);
        }
        let mut order: Vec<usize> = (0..n_buckets).collect();
        order.sort_by_key(|&b| std::cmp::Reverse(buckets[b].len()));

        let mut slots = vec![EMPTY; n_slots];
        let mut displacements = vec![0u32; n_buckets];
        let mut taken: Vec<usize> = Vec::with_capacity(16);
        for b in order {
            let members = &buckets[b];
            if members.is_empty() {
                break;
            }
            let mut placed = false;
            for d in 0..(1u32 << 20) {
                taken.clear();
                let ok = members.iter().all(|&i| {
                    let h = mix(keys[i as usize] ^ seed);
                    let s = reduce(slot_hash(h, d), n_slots);
                    if slots[s] != EMPTY || taken.contains(&s) {
                        false
                    } else {
                        taken.push(s);
                        true
                    }
                });
                if ok {
                    for (&i, &s) in members.iter().zip(&taken) {
                        slots[s] = i;
                    }
                    displacements[b] = d;
                    placed = true;
                    break;
                }
            }
            if !placed {
                return None;
            }
        }
        Some(Self {
            seed,
            displacements,
            slots,
        })
    }

    /// The row stored for `key`, or a row of some other key (or `None`) when `key` was not in the
    /// build set: callers compare the stored key.
    #[inline]
    #[must_use]
    pub fn get(&self, key: u64) -> Option<u32> {
        let h = mix(key ^ self.seed);
        let d = self.displacements[reduce(h, self.displacements.len())];
        let row = self.slots[reduce(slot_hash(h, d), self.slots.len())];
        (row != EMPTY).then_some(row)
    }

    /// Bytes used by the table.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        (self.displacements.len() + self.slots.len()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn places_every_key() {
        let keys: Vec<u64> = (0..40_000u64).map(|i| i * 7919 + 3).collect();
        let t = PerfectHash::build(&keys).unwrap();
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i as u32));
        }
    }

    #[test]
    fn duplicate_keys_are_refused() {
        assert_eq!(
            PerfectHash::build(&[5, 5]).unwrap_err(),
            BuildError { keys: 2 }
        );
    }

    #[test]
    fn empty_and_single() {
        let t = PerfectHash::build(&[]).unwrap();
        assert_eq!(t.get(1), None);
        let t = PerfectHash::build(&[42]).unwrap();
        assert_eq!(t.get(42), Some(0));
    }

    proptest! {
        #[test]
        fn any_distinct_keys(keys in proptest::collection::hash_set(any::<u64>(), 0..500)) {
            let keys: Vec<u64> = keys.into_iter().collect();
            let t = PerfectHash::build(&keys).unwrap();
            for (i, &k) in keys.iter().enumerate() {
                prop_assert_eq!(t.get(k), Some(i as u32));
            }
        }
    }
}
