//! tousu triage (投诉分诊): reads a complaint the way an experienced
//! service-centre supervisor would — category, service aspect, severity,
//! emergency, psychology, touchpoint/stage, repeat, expected compensation,
//! building and unit — each with a confidence and its evidence; suggests a
//! response script (话术); detects group complaints (群诉) and repeats over a
//! stream. Pure, offline and deterministic: the lexicon and scripts ship in
//! the binary (`data/*.toml`), nothing is downloaded.
//!
//! ```
//! let triage = tousu_triage::Triage::new();
//! let a = triage.classify("5栋电梯卡住了，里面有人被困，快来！");
//! assert!(a.emergency.value);
//! assert_eq!(a.building.value.as_deref(), Some("5栋"));
//! ```

pub mod bench;
mod engine;
pub mod eval;
pub mod group;
pub mod labels;
pub mod lexicon;
pub mod location;
pub mod normalize;
pub mod replay;
pub mod scripts;

pub use engine::{CAUSES, GroupFeatures, Triage, TriageError};
pub use group::{Finding, GroupConfig, GroupDetector, Observation};
pub use labels::*;

/// The embedded lexicon (crates/triage/data/lexicon.toml).
pub const DEFAULT_LEXICON: &str = include_str!("../data/lexicon.toml");
/// The embedded response scripts (crates/triage/data/scripts.toml).
pub const DEFAULT_SCRIPTS: &str = include_str!("../data/scripts.toml");
