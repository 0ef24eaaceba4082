//! bench/store (in progress)
