//! Tooling around the service rather than the service: the private PostgreSQL cluster the
//! embedded default and the tests run on, and the generated data the benchmarks and
//! tests load.

pub mod pg_cluster;
pub mod synthetic;
