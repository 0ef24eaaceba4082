//! The SQLite back-end (in progress).
