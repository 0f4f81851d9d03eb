//! The person ids seen so far in a record file, to find a repeated id exactly.
//!
//! Every distinct id is kept, byte for byte, with the row where it first appeared: a repeat is
//! found by comparing the bytes, so two different ids whose hashes collide are never taken for
//! the same person. The ids are packed one after another into 1 MiB chunks (a chunk is never
//! moved or grown, so memory rises in small steps, with no copy of everything when it fills).
//! While the ids come in ascending byte order, as in a file sorted by id, a repeat can only be of
//! the last one: the ids are then just listed in order, one 8-byte word each (where the bytes
//! are and how many), and nothing is looked up. From the first id out of order on, a hash table
//! holds one such word per id.
//!
//! Memory per distinct id: its length, plus 8 bytes for its first row, plus either 8 to 16 bytes
//! (the list in order, which doubles as it grows) or the table's 8-byte word and 1 control byte
//! at a load between 7/16 and 7/8 (10 to 21 bytes). For 1,000,000 ids of 11 bytes
//! (`SYN00000001`) the unit test below measures 28.3 bytes per id in order and 38.8 out of order.

use std::cmp::Ordering;
use std::hash::BuildHasher;

use hashbrown::hash_table::Entry;
use hashbrown::{DefaultHashBuilder, HashTable};

/// The longest `person_id` accepted, in bytes (after surrounding spaces are trimmed).
///
/// Ids in use are far shorter (an NHS number has 10 digits, a pseudonymised one 64 hex
/// characters); the limit keeps the memory of the repeated-id check in proportion to real ids.
/// A longer id is a bad row. The limit is fixed.
pub const MAX_PERSON_ID_BYTES: usize = 256;

/// Bytes in one chunk of packed ids.
const CHUNK_BYTES: usize = 1 << 20;
/// Bytes before each id in a chunk: the row where it first appeared.
const ROW_BYTES: usize = 8;
/// Bits of a table word that hold the id's length (the rest hold where it starts).
const LEN_BITS: u32 = 16;

// An id and its row always fit in one chunk, and its length in the word's low bits.
const _: () = assert!(ROW_BYTES + MAX_PERSON_ID_BYTES <= CHUNK_BYTES);
const _: () = assert!(MAX_PERSON_ID_BYTES < 1 << LEN_BITS);

/// The distinct ids seen so far, each with the row where it first appeared.
#[derive(Debug)]
pub(super) struct PersonIds {
    /// One word per id: (where its row starts, over all chunks) << [`LEN_BITS`] | its length.
    table: HashTable<u64>,
    /// Packed `[row: u64 little-endian][id bytes]`, each chunk allocated once at full size.
    chunks: Vec<Vec<u8>>,
    hasher: DefaultHashBuilder,
    /// The words of the ids so far, in file order, while each id has been greater (byte by
    /// byte) than the one before, as in a file sorted by id: a repeat can then only be of the
    /// last one, so nothing is looked up. `None` from the first id out of order on; the table
    /// then holds every id.
    ascending: Option<Vec<u64>>,
}

impl Default for PersonIds {
    fn default() -> Self {
        Self {
            table: HashTable::new(),
            chunks: Vec::new(),
            hasher: DefaultHashBuilder::default(),
            ascending: Some(Vec::new()),
        }
    }
}

/// Where the id of table word `word` is: its chunk, the start of its row, and its length.
fn place(word: u64) -> (usize, usize, usize) {
    let len = (word & ((1 << LEN_BITS) - 1)) as usize;
    let at = (word >> LEN_BITS) as usize;
    (at / CHUNK_BYTES, at % CHUNK_BYTES, len)
}

fn id_of(chunks: &[Vec<u8>], word: u64) -> &[u8] {
    let (chunk, at, len) = place(word);
    chunks
        .get(chunk)
        .and_then(|c| c.get(at + ROW_BYTES..at + ROW_BYTES + len))
        .unwrap_or_default()
}

fn row_of(chunks: &[Vec<u8>], word: u64) -> u64 {
    let (chunk, at, _) = place(word);
    let mut row = [0u8; ROW_BYTES];
    if let Some(b) = chunks.get(chunk).and_then(|c| c.get(at..at + ROW_BYTES)) {
        row.copy_from_slice(b);
    }
    u64::from_le_bytes(row)
}

/// Keep `id`, first seen at `row`, in the chunks; its word.
fn keep(chunks: &mut Vec<Vec<u8>>, id: &[u8], row: u64) -> u64 {
    let need = ROW_BYTES + id.len();
    if chunks.last().is_none_or(|c| c.len() + need > CHUNK_BYTES) {
        chunks.push(Vec::with_capacity(CHUNK_BYTES));
    }
    let chunk = chunks.len() - 1;
    let last = &mut chunks[chunk];
    let at = chunk * CHUNK_BYTES + last.len();
    last.extend_from_slice(&row.to_le_bytes());
    last.extend_from_slice(id);
    ((at as u64) << LEN_BITS) | id.len() as u64
}

impl PersonIds {
    /// The row where `id` first appeared; when it is new, `None`, and it is kept as seen at `row`.
    ///
    /// `id` must be at most [`MAX_PERSON_ID_BYTES`] long (the caller refuses longer ones).
    pub(super) fn first_row_or_insert(&mut self, id: &[u8], row: u64) -> Option<u64> {
        debug_assert!(id.len() <= MAX_PERSON_ID_BYTES);
        if let Some(order) = &mut self.ascending {
            let last = order.last().map(|&w| (w, id.cmp(id_of(&self.chunks, w))));
            match last {
                Some((w, Ordering::Equal)) => return Some(row_of(&self.chunks, w)),
                Some((_, Ordering::Less)) => self.index_all(),
                None | Some((_, Ordering::Greater)) => {
                    order.push(keep(&mut self.chunks, id, row));
                    return None;
                }
            }
        }
        let hash = self.hasher.hash_one(id);
        let (chunks, hasher) = (&self.chunks, &self.hasher);
        let entry = self.table.entry(
            hash,
            |&w| id_of(chunks, w) == id,
            |&w| hasher.hash_one(id_of(chunks, w)),
        );
        match entry {
            Entry::Occupied(found) => Some(row_of(&self.chunks, *found.get())),
            Entry::Vacant(slot) => {
                slot.insert(keep(&mut self.chunks, id, row));
                None
            }
        }
    }

    /// The ids have come out of order: put every one so far in the table.
    fn index_all(&mut self) {
        let order = self.ascending.take().unwrap_or_default();
        let (chunks, hasher) = (&self.chunks, &self.hasher);
        let hash = |w: &u64| hasher.hash_one(id_of(chunks, *w));
        self.table.reserve(order.len(), hash);
        for w in order {
            self.table.insert_unique(hash(&w), w, hash);
        }
    }

    /// Bytes these ids hold on the heap: the table, the chunks and the ids in order, as
    /// allocated.
    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        self.table.allocation_size()
            + self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<u8>>()
            + self
                .ascending
                .as_ref()
                .map_or(0, |o| o.capacity() * std::mem::size_of::<u64>())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn repeats_are_found_by_their_bytes_with_the_first_row() {
        let mut ids = PersonIds::default();
        assert_eq!(ids.first_row_or_insert(b"p1", 2), None);
        assert_eq!(ids.first_row_or_insert(b"p2", 3), None);
        assert_eq!(ids.first_row_or_insert(b"p2", 4), Some(3));
        assert!(ids.ascending.is_some());
        assert_eq!(ids.first_row_or_insert(b"p1", 5), Some(2));
        assert!(ids.ascending.is_none());
        assert_eq!(ids.first_row_or_insert(b"p1", 9), Some(2));
        assert_eq!(ids.first_row_or_insert(b"p", 10), None);
        assert_eq!(ids.first_row_or_insert(b"p10", 11), None);
        let long = [b'x'; MAX_PERSON_ID_BYTES];
        assert_eq!(ids.first_row_or_insert(&long, u64::MAX), None);
        assert_eq!(ids.first_row_or_insert(&long, 1), Some(u64::MAX));
    }

    #[test]
    fn ids_across_many_chunks_and_table_growths_stay_exact() {
        for ascending in [true, false] {
            let mut ids = PersonIds::default();
            let n = 3 * CHUNK_BYTES as u64 / 200;
            // In order, or in a scrambled order (7919 is prime, so i -> i * 7919 mod n is a
            // permutation).
            let id = |i: u64| format!("{:0>200}", if ascending { i } else { i * 7919 % n });
            for i in 0..n {
                assert_eq!(ids.first_row_or_insert(id(i).as_bytes(), i + 2), None);
            }
            assert_eq!(ids.ascending.is_some(), ascending);
            assert!(ids.chunks.len() >= 3);
            for i in (0..n).step_by(97) {
                assert_eq!(ids.first_row_or_insert(id(i).as_bytes(), 0), Some(i + 2));
            }
        }
    }

    /// The memory the module docs state, for ids in order and out of order.
    #[test]
    fn memory_per_id_is_its_length_and_about_two_dozen_bytes() {
        let n = 1_000_000u64;
        for ascending in [true, false] {
            let mut ids = PersonIds::default();
            for i in 0..n {
                let k = if ascending { i } else { i * 7919 % n };
                ids.first_row_or_insert(format!("SYN{k:08}").as_bytes(), i + 2);
            }
            let per_id = ids.heap_bytes() as f64 / n as f64;
            eprintln!("ascending {ascending}: {per_id:.1} bytes per 11-byte id");
            // 11 bytes of id and 8 of row, and the chunks' unused tail (up to 1.1 bytes here);
            // then 8 bytes of word per id in order (2^20 words for 10^6 ids), or 2^21 table
            // words of 9 bytes (load 0.48) out of order.
            let range = if ascending { 8.0..=16.0 } else { 10.0..=21.0 };
            let rest = per_id - 19.0;
            assert!(
                rest >= *range.start() && rest <= range.end() + 1.1,
                "{per_id}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The fast path for ids in order gives exactly what a plain map gives, on any sequence:
        /// in order for a while (or throughout), then anything.
        #[test]
        fn the_same_answers_as_a_plain_map(
            sorted in prop::collection::vec(prop::collection::vec(0u8..4, 0..4), 0..40),
            rest in prop::collection::vec(prop::collection::vec(0u8..4, 0..4), 0..40),
        ) {
            let mut sorted = sorted;
            sorted.sort();
            let mut ids = PersonIds::default();
            let mut plain: HashMap<Vec<u8>, u64> = HashMap::new();
            for (row, id) in sorted.iter().chain(&rest).enumerate() {
                let row = row as u64 + 2;
                let expected = plain.get(id).copied();
                plain.entry(id.clone()).or_insert(row);
                prop_assert_eq!(ids.first_row_or_insert(id, row), expected);
            }
        }
    }
}
