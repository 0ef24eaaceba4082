//! The subcommands, one module each, with their options beside their `run`.

pub mod admin;
pub mod bench;
pub mod demo;
pub mod doctor;
pub mod kpi;
pub mod migrate;
pub mod openapi;
pub mod replay;
pub mod serve;
pub mod taxonomy;
pub mod verify;
