//! The PostgreSQL back-end (in progress).
