//! The working-day calendar in force: the shipped Chinese calendar
//! (2025–2027) with the years the company imported in its place, read from
//! storage at start and replaced on import.

use crate::{AppError, AppResult, Services};
use std::sync::{Arc, RwLock};
use tousu_domain::calendar::{WorkCalendar, YearFile};
use tousu_domain::{DomainError, Timestamp, WorkingDays};

/// A calendar with its time zone, as deadline rules use it.
pub struct CalendarDays {
    pub calendar: Arc<WorkCalendar>,
    pub tz: chrono_tz::Tz,
}

impl WorkingDays for CalendarDays {
    fn add_working_days(&self, start: Timestamp, n: u32) -> Timestamp {
        self.calendar.add_working_days(start, n, self.tz)
    }
}

pub struct CalendarState {
    current: RwLock<Arc<WorkCalendar>>,
}

impl Default for CalendarState {
    fn default() -> Self {
        CalendarState { current: RwLock::new(Arc::new(WorkCalendar::china())) }
    }
}

/// A summary of one year of the calendar in force.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarYear {
    pub year: i32,
    /// From the State Council's published arrangement (false: statutory holidays only, provisional).
    pub official: bool,
    pub holidays: usize,
    /// 调休 make-up working days.
    pub workdays: usize,
    pub source: Option<String>,
}

impl Services {
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.current.read().map(|c| c.clone()).unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Working days for a company's time zone.
    pub fn working_days(&self, timezone: &str) -> Arc<CalendarDays> {
        let tz = timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
        Arc::new(CalendarDays { calendar: self.calendar(), tz })
    }

    /// Applies the years imported earlier (at start).
    pub async fn load_calendar(&self) -> AppResult<()> {
        let mut calendar = WorkCalendar::china();
        for (year, content) in self.store.list_calendar_years().await? {
            match YearFile::parse(&content) {
                Ok(file) => {
                    calendar.insert(file);
                }
                Err(e) => tracing::error!(year, error = %e, "an imported calendar year no longer parses; the shipped one stays"),
            }
        }
        self.set_calendar(calendar);
        Ok(())
    }

    fn set_calendar(&self, calendar: WorkCalendar) {
        match self.calendar.current.write() {
            Ok(mut c) => *c = Arc::new(calendar),
            Err(e) => *e.into_inner() = Arc::new(calendar),
        }
    }

    /// Imports one year (the State Council's arrangement, or the company's
    /// own), replacing the shipped or earlier imported year.
    pub async fn import_calendar_year(&self, content: &str) -> AppResult<CalendarYear> {
        let file = YearFile::parse(content)
            .map_err(|e| AppError::Domain(DomainError::invalid("calendar", e.zh(), e.to_string())))?;
        self.store.upsert_calendar_year(file.year(), content, self.now()).await?;
        let summary = summary(&file);
        let mut calendar = (*self.calendar()).clone();
        calendar.insert(file);
        self.set_calendar(calendar);
        Ok(summary)
    }

    /// The years the calendar in force covers.
    pub fn calendar_years(&self) -> Vec<CalendarYear> {
        let calendar = self.calendar();
        calendar.years().filter_map(|y| calendar.year(y)).map(summary).collect()
    }
}

fn summary(f: &YearFile) -> CalendarYear {
    CalendarYear {
        year: f.year(),
        official: f.official(),
        holidays: f.holidays().len(),
        workdays: f.workdays().len(),
        source: f.source().map(str::to_string),
    }
}
