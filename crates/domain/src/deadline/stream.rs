//! Every deadline's life as a stream, read from a complaint's history:
//! applied, at risk, met (on time or late), breached, extended, paused,
//! resumed, cancelled — each with the event that did it.

use super::{DeadlineRule, DeadlineState};
use crate::Timestamp;
use crate::event::Event;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Happened {
    Applied,
    AtRisk,
    Met,
    MetLate,
    Breached,
    Extended,
    Paused,
    Resumed,
    Cancelled,
}

/// One moment in a deadline's life.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineEvent {
    pub at: chrono::DateTime<chrono::Utc>,
    pub rule: DeadlineRule,
    pub happened: Happened,
    /// The due time after this moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The history entry that did it.
    pub seq: u32,
    #[serde(rename = "event")]
    pub event_type: &'static str,
}

/// The stream of all deadlines of a complaint, in history order.
pub fn stream(events: &[Event]) -> Vec<DeadlineEvent> {
    let mut out = Vec::new();
    let mut breached: Vec<DeadlineRule> = Vec::new();
    for e in events {
        let ch = &e.deadlines;
        let mut push = |rule, happened, due_at: Option<Timestamp>| {
            out.push(DeadlineEvent { at: e.at, rule, happened, due_at, seq: e.seq, event_type: e.kind.type_name() })
        };
        for r in &ch.at_risk {
            push(*r, Happened::AtRisk, None);
        }
        for r in &ch.breached {
            breached.push(*r);
            push(*r, Happened::Breached, None);
        }
        for x in &ch.extended {
            breached.retain(|b| *b != x.rule);
            push(x.rule, Happened::Extended, Some(x.due_at));
        }
        for r in &ch.paused {
            push(*r, Happened::Paused, None);
        }
        for r in &ch.resumed {
            push(*r, Happened::Resumed, None);
        }
        for r in &ch.met {
            let late = breached.contains(r);
            breached.retain(|b| b != r);
            push(*r, if late { Happened::MetLate } else { Happened::Met }, None);
        }
        for r in &ch.cancelled {
            breached.retain(|b| b != r);
            push(*r, Happened::Cancelled, None);
        }
        for d in &ch.opened {
            push(d.rule, Happened::Applied, Some(d.due_at));
            // A deadline opened already closed (a completion report recorded
            // with the resolution) has its whole life in one event.
            match d.state {
                DeadlineState::Met => push(d.rule, if d.breached_at.is_some() { Happened::MetLate } else { Happened::Met }, None),
                DeadlineState::Cancelled => push(d.rule, Happened::Cancelled, None),
                DeadlineState::Open => {}
            }
        }
    }
    out
}
