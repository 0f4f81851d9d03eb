//! Calendar dates: the crate's one [`Date`] type (`crate::date`), kept here under the path
//! assessment code has always used.

pub use crate::date::{Date, DateError};
