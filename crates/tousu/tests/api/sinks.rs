//! The local receivers notifications are delivered to (`tousu-test-sinks`,
//! shared with `tousu-notify`'s tests), as these tests use them.

pub use tousu_test_sinks::{HttpSink, Reply, SmtpSink};
