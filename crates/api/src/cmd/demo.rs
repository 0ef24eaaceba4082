//! cmd/demo (in progress)
