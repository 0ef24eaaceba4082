//! queue (in progress)
