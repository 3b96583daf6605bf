//! The local HTTP and SMTP sinks the tests deliver to (shared with the
//! server's tests: `tousu-test-sinks`).

pub use tousu_test_sinks::*;
