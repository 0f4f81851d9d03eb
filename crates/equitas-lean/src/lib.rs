//! # equitas-lean
//!
//! General-purpose pieces that equitas's browser build needs in a smaller form than the standard
//! library's, each the same in behaviour as what it replaces:
//!
//! - [`SortedMap`]: a map kept as one sorted list of pairs, for small maps read in key order
//!   (a `BTreeMap` compiles its B-tree again for every key and value type);
//! - [`sort::sort_by`] and [`sort::sort_by_key`]: one stable sort for every element type
//!   (`slice::sort_by` compiles the whole of driftsort again for each);
//! - [`Num`] and [`num::whole`]: numbers in messages through the shortest-digits printer that
//!   writing JSON brings anyway (`format!("{x}")` on an `f64` brings core's own float printers).
//!
//! What each saves in the browser's assessment engine is measured in the workspace's
//! ARCHITECTURE.md ("What keeps the assessment engine small").
//!
//! ```
//! use equitas_lean::{Num, SortedMap, sort};
//!
//! let mut credit: SortedMap<String, f64> = SortedMap::new();
//! credit.insert("some".into(), 0.5);
//! credit.insert("all".into(), 1.0);
//! assert_eq!(credit.keys().collect::<Vec<_>>(), ["all", "some"]);
//!
//! let mut rows = vec![(2, "b"), (1, "a"), (2, "a")];
//! sort::sort_by_key(&mut rows, |r| r.0);
//! assert_eq!(rows, [(1, "a"), (2, "b"), (2, "a")]);
//!
//! assert_eq!(format!("{} and {}", Num(12.0), Num(0.35)), "12 and 0.35");
//! ```

pub mod map;
pub mod num;
pub mod sort;

pub use map::SortedMap;
pub use num::Num;
