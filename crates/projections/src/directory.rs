//! directory (in progress)
