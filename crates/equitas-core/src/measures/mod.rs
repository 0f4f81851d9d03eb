//! Inequality measures. This release has the confidence intervals the cohort model needs
//! ([`intervals`]); the WHO HEAT summary measures and the Fingertips methods follow.

pub mod intervals;
