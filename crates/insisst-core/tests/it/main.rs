//! insisst-core's integration tests: one binary, on real SQLite files and real tantivy
//! indexes in temporary folders.

mod exchange;
mod search;
mod store;
mod util;
