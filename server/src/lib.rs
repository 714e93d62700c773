#![recursion_limit = "512"]
//! The server: the web app on axum, and the command line's tools (seed, bench, demo).

pub mod bench;
pub mod bench_load;
pub mod bench_queries;
pub mod cli;
pub mod demo;
pub mod export;
pub mod serve;
