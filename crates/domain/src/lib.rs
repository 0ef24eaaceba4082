//! Noaber domain.
