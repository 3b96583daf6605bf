//! tousu's domain: the complaint lifecycle of DOMAIN.md as plain data and pure
//! functions. Nothing here reads a clock, touches a disk or a network: callers
//! pass `now` in, and every decision is a value that can be tested directly.
//!
//! The shape is event-sourced: [`lifecycle::decide`] checks an [`Action`]
//! against the current [`Complaint`] and the [`Actor`], and answers the
//! [`EventKind`] to record; [`Complaint::apply`] folds an [`Event`] into the
//! state. Replaying a complaint's events rebuilds it exactly.

pub mod action;
pub mod actor;
pub mod calendar;
pub mod catalogue;
pub mod classification;
pub mod complaint;
pub mod deadline;
pub mod defects;
pub mod error;
pub mod event;
pub mod iceberg;
pub mod intake;
pub mod lifecycle;
pub mod masking;
pub mod notices;
pub mod owner_view;
pub mod performance;
pub mod phone;
pub mod repeat;
pub mod role;
pub mod satisfaction;
pub mod satisfaction_figures;
pub mod stats;
pub mod status;
pub mod text;
pub mod tracking;
pub mod training;
pub mod triage;

pub use action::Action;
pub use actor::Actor;
pub use classification::{Category, Channel, Severity};
pub use complaint::Complaint;
pub use deadline::{Deadline, DeadlineRule, DeadlineState, EscalationLevel, Span, TimePolicy, WorkingDays};
pub use error::DomainError;
pub use event::{Event, EventKind};
pub use intake::{Customer, Intake};
pub use phone::PhoneNumber;
pub use role::Role;
pub use status::Status;
pub use tracking::TrackingNo;

/// The time type used everywhere: an instant in UTC. Local dates (for
/// tracking numbers, working days) are derived with an explicit time zone.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
