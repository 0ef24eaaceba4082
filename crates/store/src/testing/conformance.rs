//! The conformance suite every back-end passes (in progress).
