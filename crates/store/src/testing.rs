//! Test support and the conformance suite (in progress).
