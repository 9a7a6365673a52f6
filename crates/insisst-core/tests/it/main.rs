//! insisst-core's integration tests: one binary, on real SQLite files and real tantivy
//! indexes in temporary folders.

mod convergence;
mod exchange;
mod hostile;
mod interop;
mod learning;
mod markdown;
mod privacy;
mod search;
mod store;
mod util;
