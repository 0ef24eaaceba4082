//! bench/projections (in progress)
