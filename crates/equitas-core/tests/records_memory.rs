//! The person-record reader's memory stays bounded, whatever is in the file (issue 12, finding 1).
//!
//! A test binary of its own, because it counts every heap allocation of the process: the peak
//! heap is measured with `peak_alloc` as the global allocator, which is exact and does not
//! depend on timing. There is one test, so nothing else allocates while it measures.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Read;

use equitas_core::cohort::records::{ReadSummary, count_records, count_records_parallel};
use equitas_core::cohort::{Classifier, CohortCounts, CohortDefinition};
use peak_alloc::PeakAlloc;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// A person-record file made as it is read (so the file itself takes no memory): `rows` people
/// with unique ids (in order, or scrambled: i -> i * 7919 mod rows, a permutation as 7919 is a
/// prime not dividing `rows`), an ignored `note` column of `note` bytes, and a stray quote in the
/// middle of the id on data line `quote_at` (`S"YN…`, which a CSV parser keeps as text).
struct People {
    next: u64,
    rows: u64,
    scrambled: bool,
    note: String,
    quote_at: u64,
    line: Vec<u8>,
    at: usize,
}

impl People {
    fn new(rows: u64, scrambled: bool, note: usize, quote_at: u64) -> Self {
        Self {
            next: 0,
            rows,
            scrambled,
            note: "n".repeat(note),
            quote_at,
            line: b"person_id,age,sex,ethnicity,lsoa,conditions,groups,note\n".to_vec(),
            at: 0,
        }
    }
}

impl Read for People {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.line.len() {
            if self.next == self.rows {
                return Ok(0);
            }
            self.next += 1;
            let quote = if self.next == self.quote_at { "\"" } else { "" };
            let id = if self.scrambled {
                self.next * 7919 % self.rows
            } else {
                self.next
            };
            self.line.clear();
            self.line.extend_from_slice(
                format!("S{quote}YN{id:08},30,male,A,,,,{}\n", self.note).as_bytes(),
            );
            self.at = 0;
        }
        let n = buf.len().min(self.line.len() - self.at);
        buf[..n].copy_from_slice(&self.line[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Count `people` (on `threads` threads, 0 for [`count_records`]) and give the summary and the
/// peak heap while counting, above what was in use before.
fn peak(people: People, threads: usize, classifier: &Classifier<'_>) -> (ReadSummary, usize) {
    let mut counts = CohortCounts::new(classifier);
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let summary = if threads == 0 {
        count_records(people, classifier, &mut counts, false)
    } else {
        count_records_parallel(people, classifier, &mut counts, threads, 64 << 10)
    }
    .unwrap();
    (summary, HEAP.peak_usage() - before)
}

#[test]
fn issue12_f1_memory_is_bounded_by_the_ids_not_the_file() {
    let c = Classifier::new(CohortDefinition::national(), None).unwrap();
    const MIB: usize = 1 << 20;

    // 200,000 people of about 540 bytes each (108 MB) with a stray quote half-way: the old
    // parallel reader held the whole second half (54 MB) and then dropped it. Ids out of order,
    // so that the repeated-id check keeps its hash table (the larger case).
    let rows = 200_000;
    for threads in [0, 1, 2, 4] {
        let (s, peak) = peak(People::new(rows, true, 500, rows / 2), threads, &c);
        assert_eq!((s.rows, s.counted, s.rejected), (rows, rows, 0));
        eprintln!(
            "{threads} thread(s): peak heap {:.1} MiB",
            peak as f64 / MIB as f64
        );
        // The ids (~40 bytes each: 7.6 MiB, and the table's old copy while it grows), the
        // partial counts of each worker (1.5 MiB each for this definition) and a few 64 KiB
        // batches per thread.
        assert!(
            peak < 20 * MIB,
            "{threads} thread(s): peak heap {peak} bytes"
        );
    }

    // What the repeated-id check costs per distinct id, in order and out of order: the
    // difference between 400,000 and 200,000 ids of 11 bytes (the table doubles once between
    // them).
    for scrambled in [false, true] {
        let (_, small) = peak(People::new(200_000, scrambled, 0, 0), 0, &c);
        let (_, large) = peak(People::new(400_000, scrambled, 0, 0), 0, &c);
        let per_id = (large - small) as f64 / 200_000.0;
        eprintln!("ids scrambled {scrambled}: peak heap per distinct 11-byte id {per_id:.1} bytes");
        assert!(per_id < 64.0, "{per_id} bytes per id");
    }
}
