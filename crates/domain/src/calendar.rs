//! The working-day calendar (工作日历): Chinese public holidays (放假) and 调休
//! make-up working days, one data file per year, and the arithmetic of
//! "within N working days" (N 个工作日内).
//!
//! # Rules
//! - A day listed as a holiday is a rest day, whatever its weekday.
//! - A day listed as a make-up working day (调休上班, always a Saturday or a
//!   Sunday) is a working day.
//! - Any other Saturday or Sunday is a rest day, any other weekday a working day.
//! - A year that no file covers falls back to exactly that: weekends only. It
//!   never panics; callers that care ask [`WorkCalendar::covers`],
//!   [`WorkCalendar::coverage`] or [`WorkCalendar::coverage_between`] and can
//!   tell the user that a deadline was computed without the holiday data.
//!
//! # "Within N working days"
//! [`WorkCalendar::add_working_days`] answers the last instant of the Nth
//! working day after the *local date* of `start` in the time zone given
//! (Asia/Shanghai by default, [`DEFAULT_TZ`]):
//!
//! - the day of `start` itself never counts (a complaint received on Monday at
//!   09:00 with "2 working days" is due by the end of Wednesday);
//! - rest days (weekends, holidays) are skipped, make-up Saturdays/Sundays count;
//! - the due instant is **the start (00:00 local) of the day after the Nth
//!   working day, minus one millisecond** — 23:59:59.999 local in Asia/Shanghai,
//!   and still the true end of the day in a zone whose midnight is shifted by
//!   daylight saving. A deadline is met by anything done at or before it;
//! - N = 0 means the end of the start day if it is a working day, else the end
//!   of the next working day.
//!
//! [`WorkCalendar::working_days_between`] is the inverse: for N ≥ 1,
//! `working_days_between(start, add_working_days(start, N)) == N`.
//!
//! # Hour and calendar-day limits do not use this calendar
//! Limits in hours or minutes (dispatch in 12 h, emergencies in 3 min, written
//! reports in 24/48 h, …) and limits in plain days ("within 3 days", "never
//! later than 7 days") run around the clock: they are `start + duration` and
//! never consult this module. Only limits stated in *working* days (工作日)
//! do.
//!
//! # Data
//! The shipped Chinese calendar ([`WorkCalendar::china`]) is embedded at
//! compile time from `calendars/cn/<year>.toml` (no runtime I/O); the format
//! is described on [`YearFile`] and in `calendars/README.md`. A company imports
//! a newer or corrected year with [`YearFile::parse`] and
//! [`WorkCalendar::insert`], which replaces that whole year.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{Excluded, Included};

use chrono::{DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The time zone working days are counted in unless configured otherwise.
pub const DEFAULT_TZ: Tz = chrono_tz::Asia::Shanghai;

/// The shipped year files of the Chinese calendar, `(year, TOML text)`.
/// 2025 and 2026 are the State Council's arrangements; 2027 is provisional
/// (`official = false`, statutory holidays only) until the notice is imported.
pub const CHINA_YEAR_FILES: &[(i32, &str)] = &[
    (2025, include_str!("../../../calendars/cn/2025.toml")),
    (2026, include_str!("../../../calendars/cn/2026.toml")),
    (2027, include_str!("../../../calendars/cn/2027.toml")),
];

/// Years a file may describe.
pub const YEAR_RANGE: std::ops::RangeInclusive<i64> = 1..=9999;

/// Why a year file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The text is not TOML at all.
    #[error("not valid TOML: {0}")]
    Toml(String),

    /// A required key is absent.
    #[error("missing field `{0}`")]
    Missing(&'static str),

    /// A key has a value of the wrong type.
    #[error("field `{field}` must be {expected}")]
    WrongType { field: String, expected: &'static str },

    /// A key the format does not know (often a typo such as `holiday`).
    #[error("unknown field `{0}` (known: year, official, source, published, holidays, workdays)")]
    UnknownField(String),

    /// `year` is outside 1..=9999.
    #[error("year {0} is out of range (1..=9999)")]
    YearOutOfRange(i64),

    /// A value that should be a date is not a valid `YYYY-MM-DD` date.
    #[error("{field}: `{value}` is not a valid date (YYYY-MM-DD)")]
    BadDate { field: String, value: String },

    /// A listed date belongs to another year than the file's `year`.
    #[error("{field}: {date} is not in year {year}")]
    OutsideYear { field: &'static str, date: NaiveDate, year: i32 },

    /// The same date is both a holiday and a make-up working day.
    #[error("{0} is listed both as a holiday and as a make-up working day")]
    HolidayAndWorkday(NaiveDate),

    /// A make-up working day that is a Monday–Friday (it would change nothing,
    /// and is almost certainly a typo).
    #[error("workdays: {date} is a {weekday}; a make-up working day (调休上班) must be a Saturday or a Sunday")]
    WeekdayMakeUp { date: NaiveDate, weekday: Weekday },

    /// The same date appears twice in one list.
    #[error("{field}: {date} is listed twice")]
    Duplicate { field: &'static str, date: NaiveDate },
}

impl CalendarError {
    /// The message in Chinese, for the admin UI and the CLI.
    pub fn zh(&self) -> String {
        match self {
            CalendarError::Toml(e) => format!("不是有效的 TOML：{e}"),
            CalendarError::Missing(f) => format!("缺少字段 {f}"),
            CalendarError::WrongType { field, expected } => {
                format!("字段 {field} 的类型应为 {expected}")
            }
            CalendarError::UnknownField(f) => {
                format!("未知字段 {f}（可用字段：year, official, source, published, holidays, workdays）")
            }
            CalendarError::YearOutOfRange(y) => format!("年份 {y} 超出范围（1–9999）"),
            CalendarError::BadDate { field, value } => {
                format!("{field}：“{value}”不是有效日期（应为 YYYY-MM-DD）")
            }
            CalendarError::OutsideYear { field, date, year } => {
                format!("{field}：{date} 不在 {year} 年内")
            }
            CalendarError::HolidayAndWorkday(d) => format!("{d} 同时列为放假日和调休上班日"),
            CalendarError::WeekdayMakeUp { date, weekday } => {
                format!("workdays：{date} 是{}，调休上班日必须是周六或周日", weekday_zh(*weekday))
            }
            CalendarError::Duplicate { field, date } => format!("{field}：{date} 重复列出"),
        }
    }
}

/// 周一 … 周日.
pub fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// One year of the calendar, as written in a `calendars/cn/<year>.toml` file
/// or imported by a company:
///
/// ```toml
/// # 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）
/// year = 2026
/// official = true                 # false: provisional, not the State Council's notice
/// published = "2025-11-04"        # optional
/// source = "国办发明电〔2025〕7号"   # optional
/// holidays = ["2026-01-01", "2026-01-02", "2026-01-03"]  # every 放假 day, weekends inside a period included
/// workdays = ["2026-01-04"]       # optional: 调休 make-up working days (Saturdays/Sundays)
/// ```
///
/// Dates may be strings or bare TOML dates (`2026-01-01`). Every date must lie
/// in `year`; no date may be listed twice or in both lists; every make-up
/// working day must be a Saturday or a Sunday. Unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFile {
    year: i32,
    official: bool,
    source: Option<String>,
    published: Option<NaiveDate>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl YearFile {
    /// Builds a year from its parts, with the checks of [`YearFile::parse`].
    pub fn new(
        year: i32,
        official: bool,
        source: Option<String>,
        published: Option<NaiveDate>,
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<YearFile, CalendarError> {
        if !YEAR_RANGE.contains(&i64::from(year)) {
            return Err(CalendarError::YearOutOfRange(i64::from(year)));
        }
        let mut h = BTreeSet::new();
        for date in holidays {
            if date.year() != year {
                return Err(CalendarError::OutsideYear { field: "holidays", date, year });
            }
            if !h.insert(date) {
                return Err(CalendarError::Duplicate { field: "holidays", date });
            }
        }
        let mut w = BTreeSet::new();
        for date in workdays {
            if date.year() != year {
                return Err(CalendarError::OutsideYear { field: "workdays", date, year });
            }
            if !w.insert(date) {
                return Err(CalendarError::Duplicate { field: "workdays", date });
            }
            if h.contains(&date) {
                return Err(CalendarError::HolidayAndWorkday(date));
            }
            if !is_weekend(date) {
                return Err(CalendarError::WeekdayMakeUp { date, weekday: date.weekday() });
            }
        }
        Ok(YearFile { year, official, source, published, holidays: h, workdays: w })
    }

    /// Parses and checks one year file (format on [`YearFile`]).
    pub fn parse(text: &str) -> Result<YearFile, CalendarError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| CalendarError::Toml(e.to_string()))?;
        for key in table.keys() {
            if !matches!(key.as_str(), "year" | "official" | "source" | "published" | "holidays" | "workdays") {
                return Err(CalendarError::UnknownField(key.clone()));
            }
        }
        let year = match table.get("year") {
            None => return Err(CalendarError::Missing("year")),
            Some(toml::Value::Integer(y)) => *y,
            Some(_) => return Err(wrong("year", "an integer")),
        };
        if !YEAR_RANGE.contains(&year) {
            return Err(CalendarError::YearOutOfRange(year));
        }
        let official = match table.get("official") {
            None => return Err(CalendarError::Missing("official")),
            Some(toml::Value::Boolean(b)) => *b,
            Some(_) => return Err(wrong("official", "true or false")),
        };
        let source = match table.get("source") {
            None => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(wrong("source", "a string")),
        };
        let published = table.get("published").map(|v| date_value("published", v)).transpose()?;
        let holidays = match table.get("holidays") {
            None => return Err(CalendarError::Missing("holidays")),
            Some(v) => date_list("holidays", v)?,
        };
        let workdays = match table.get("workdays") {
            None => Vec::new(),
            Some(v) => date_list("workdays", v)?,
        };
        YearFile::new(year as i32, official, source, published, holidays, workdays)
    }

    /// The canonical TOML text of this year (sorted dates); parsing it gives
    /// back an equal `YearFile`. Comments of an imported file are not kept.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("year = {}\nofficial = {}\n", self.year, self.official));
        if let Some(p) = self.published {
            out.push_str(&format!("published = \"{p}\"\n"));
        }
        if let Some(s) = &self.source {
            out.push_str(&format!("source = {}\n", toml::Value::String(s.clone())));
        }
        for (key, dates) in [("holidays", &self.holidays), ("workdays", &self.workdays)] {
            out.push_str(key);
            out.push_str(" = [");
            for d in dates {
                out.push_str(&format!("\n  \"{d}\", # {}", weekday_zh(d.weekday())));
            }
            out.push_str(if dates.is_empty() { "]\n" } else { "\n]\n" });
        }
        out
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// `true` for the State Council's published arrangement, `false` for a
    /// provisional year (statutory holidays only, or a company's own guess).
    pub fn official(&self) -> bool {
        self.official
    }

    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    pub fn published(&self) -> Option<NaiveDate> {
        self.published
    }

    /// Every 放假 day of the year.
    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// Every 调休 make-up working day of the year.
    pub fn workdays(&self) -> &BTreeSet<NaiveDate> {
        &self.workdays
    }
}

fn wrong(field: &str, expected: &'static str) -> CalendarError {
    CalendarError::WrongType { field: field.to_owned(), expected }
}

fn date_value(field: &str, v: &toml::Value) -> Result<NaiveDate, CalendarError> {
    match v {
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| CalendarError::BadDate { field: field.to_owned(), value: s.clone() }),
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(|| CalendarError::BadDate { field: field.to_owned(), value: dt.to_string() }),
            _ => Err(CalendarError::BadDate { field: field.to_owned(), value: dt.to_string() }),
        },
        _ => Err(wrong(field, "a date (\"YYYY-MM-DD\")")),
    }
}

fn date_list(field: &str, v: &toml::Value) -> Result<Vec<NaiveDate>, CalendarError> {
    let toml::Value::Array(items) = v else {
        return Err(wrong(field, "an array of dates"));
    };
    items.iter().enumerate().map(|(i, item)| date_value(&format!("{field}[{i}]"), item)).collect()
}

/// How well the calendar knows a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// No file for the year: weekends are the only rest days.
    WeekendsOnly,
    /// A file marked `official = false` (e.g. statutory holidays only).
    Provisional,
    /// The State Council's arrangement.
    Official,
}

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary Monday–Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A listed 放假 day.
    Holiday,
    /// A listed 调休 make-up working day (a Saturday or a Sunday).
    MakeUpWorkday,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday)
    }
}

/// Holidays and make-up working days by year. Build it once (e.g.
/// [`WorkCalendar::china`] plus the company's imports) and share it; every
/// method is a pure function of the calendar and its arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearFile>,
}

impl WorkCalendar {
    /// A calendar without any year: weekends are the only rest days.
    pub fn weekends_only() -> WorkCalendar {
        WorkCalendar::default()
    }

    /// The shipped Chinese calendar ([`CHINA_YEAR_FILES`]: 2025, 2026 official;
    /// 2027 provisional).
    pub fn china() -> WorkCalendar {
        WorkCalendar::from_years(CHINA_YEAR_FILES.iter().map(|(year, text)| {
            let file = YearFile::parse(text).unwrap_or_else(|e| panic!("shipped calendar {year}.toml is invalid: {e}"));
            assert_eq!(file.year, *year, "shipped calendar {year}.toml declares year {}", file.year);
            file
        }))
    }

    /// A calendar of these years; a later file for the same year replaces an
    /// earlier one.
    pub fn from_years(files: impl IntoIterator<Item = YearFile>) -> WorkCalendar {
        let mut cal = WorkCalendar::default();
        for f in files {
            cal.insert(f);
        }
        cal
    }

    /// Puts a year in, replacing the whole year if it was there (a company's
    /// import replaces the shipped year). Answers the year it replaced.
    pub fn insert(&mut self, file: YearFile) -> Option<YearFile> {
        self.years.insert(file.year, file)
    }

    /// [`WorkCalendar::insert`], by value.
    pub fn with(mut self, file: YearFile) -> WorkCalendar {
        self.insert(file);
        self
    }

    /// Every year of `other` replaces the same year here.
    pub fn merge(&mut self, other: WorkCalendar) {
        self.years.extend(other.years);
    }

    /// Takes a year out (it falls back to weekends only).
    pub fn remove(&mut self, year: i32) -> Option<YearFile> {
        self.years.remove(&year)
    }

    /// The years the calendar has a file for, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    pub fn year(&self, year: i32) -> Option<&YearFile> {
        self.years.get(&year)
    }

    /// Whether a file covers the year (else weekends only are rest days).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// `Some(true)` for an official year, `Some(false)` for a provisional one,
    /// `None` for a year without a file.
    pub fn is_official(&self, year: i32) -> Option<bool> {
        self.years.get(&year).map(|f| f.official)
    }

    pub fn coverage(&self, year: i32) -> Coverage {
        match self.is_official(year) {
            None => Coverage::WeekendsOnly,
            Some(false) => Coverage::Provisional,
            Some(true) => Coverage::Official,
        }
    }

    /// The weakest coverage of the years from `from` to `to` (either order):
    /// what a deadline computed over that span can claim.
    pub fn coverage_between(&self, from: NaiveDate, to: NaiveDate) -> Coverage {
        let (a, b) = if from <= to { (from.year(), to.year()) } else { (to.year(), from.year()) };
        let known = self.years.range(a..=b);
        let mut worst = Coverage::Official;
        let mut count: i64 = 0;
        for (_, f) in known {
            count += 1;
            if !f.official {
                worst = Coverage::Provisional;
            }
        }
        if count < i64::from(b) - i64::from(a) + 1 { Coverage::WeekendsOnly } else { worst }
    }

    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        if let Some(f) = self.years.get(&date.year()) {
            if f.holidays.contains(&date) {
                return DayKind::Holiday;
            }
            if f.workdays.contains(&date) {
                return DayKind::MakeUpWorkday;
            }
        }
        if is_weekend(date) { DayKind::Weekend } else { DayKind::Workday }
    }

    /// Weekends are rest days unless listed as make-up working days; listed
    /// holidays are rest days; everything else is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day_kind(date).is_working()
    }

    /// The first working day strictly after `date` (`None` only past the end
    /// of chrono's date range).
    pub fn next_working_day(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.add_working_days_to_date(date, 1)
    }

    /// The date of the Nth working day after `date` (`date` itself not
    /// counted); N = 0 answers `date` if it is a working day, else the next
    /// working day. `None` only past the end of chrono's date range.
    pub fn add_working_days_to_date(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut d = date;
        if n == 0 {
            while !self.is_working_day(d) {
                d = d.succ_opt()?;
            }
            return Some(d);
        }
        let mut remaining = n;
        while remaining > 0 {
            if remaining > 5 && !self.covers(d.year()) {
                // An uncovered stretch is weekends-only, and any 7 consecutive
                // days of it hold exactly 5 working days: jump whole weeks,
                // staying before the next covered year, and leave at least one
                // working day to walk.
                let mut weeks = (remaining - 1) / 5;
                if let Some((&next, _)) = self.years.range(d.year() + 1..).next() {
                    let limit = NaiveDate::from_ymd_opt(next, 1, 1)?;
                    let room = (limit - d).num_days() - 1;
                    weeks = weeks.min(u32::try_from(room / 7).unwrap_or(u32::MAX));
                }
                if weeks > 0 {
                    d = d.checked_add_days(Days::new(7 * u64::from(weeks)))?;
                    remaining -= 5 * weeks;
                    continue;
                }
            }
            d = d.succ_opt()?;
            if self.is_working_day(d) {
                remaining -= 1;
            }
        }
        Some(d)
    }

    /// "Within N working days" of `start`: the last instant of the Nth
    /// working day after `start`'s local date in `tz` — the start of the next
    /// local day minus 1 ms (23:59:59.999 in Asia/Shanghai). N = 0: the end of
    /// the start day if it is a working day, else of the next working day.
    /// Saturates at `DateTime::<Utc>::MAX_UTC` instead of overflowing.
    pub fn add_working_days(&self, start: DateTime<Utc>, n: u32, tz: Tz) -> DateTime<Utc> {
        local_date(start, tz)
            .and_then(|d| self.add_working_days_to_date(d, n))
            .and_then(|d| end_of_day(d, tz))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The working days after `a`'s local date up to and including `b`'s
    /// local date (negative when `b` is before `a`). A complaint answered on
    /// the Nth working day after receipt gives N.
    pub fn working_days_between(&self, a: DateTime<Utc>, b: DateTime<Utc>, tz: Tz) -> i64 {
        match (local_date(a, tz), local_date(b, tz)) {
            (Some(a), Some(b)) => self.working_days_between_dates(a, b),
            _ => 0,
        }
    }

    /// Working days `d` with `a < d <= b` (negative, mirrored, when `b < a`).
    pub fn working_days_between_dates(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return -self.working_days_between_dates(b, a);
        }
        let mut count = weekdays_upto(b) - weekdays_upto(a);
        for (_, f) in self.years.range(a.year()..=b.year()) {
            count -= f.holidays.range((Excluded(a), Included(b))).filter(|d| !is_weekend(**d)).count() as i64;
            count += f.workdays.range((Excluded(a), Included(b))).count() as i64;
        }
        count
    }
}

/// Monday–Friday count from a fixed origin up to and including `d`;
/// differences give the weekdays in a half-open range `(a, b]`.
fn weekdays_upto(d: NaiveDate) -> i64 {
    // Day numbers shifted so that residue 0..=4 is Monday..=Friday.
    let k = i64::from(d.num_days_from_ce()) - i64::from(NaiveDate::MIN.num_days_from_ce())
        + i64::from(NaiveDate::MIN.weekday().num_days_from_monday());
    k.div_euclid(7) * 5 + (k.rem_euclid(7) + 1).min(5)
}

/// The local calendar date of an instant.
fn local_date(t: DateTime<Utc>, tz: Tz) -> Option<NaiveDate> {
    let offset = tz.offset_from_utc_datetime(&t.naive_utc());
    let secs = chrono::Offset::fix(&offset).local_minus_utc();
    t.naive_utc().checked_add_signed(Duration::seconds(i64::from(secs))).map(|l| l.date())
}

/// The first instant of a local date (00:00, or the first existing local time
/// when midnight falls in a daylight-saving gap).
pub fn start_of_day(date: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let mut t = date.and_time(NaiveTime::MIN);
    for _ in 0..(24 * 4) {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return Some(x.with_timezone(&Utc)),
            LocalResult::Ambiguous(x, _) => return Some(x.with_timezone(&Utc)),
            LocalResult::None => t = t.checked_add_signed(Duration::minutes(15))?,
        }
    }
    None
}

/// The last instant of a local date: the start of the next day minus 1 ms.
pub fn end_of_day(date: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let next = date.succ_opt()?;
    start_of_day(next, tz)?.checked_sub_signed(Duration::milliseconds(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A Shanghai local time as a UTC instant.
    fn cst(s: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        DEFAULT_TZ.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
    }

    /// The last millisecond of a Shanghai local date.
    fn end_cst(s: &str) -> DateTime<Utc> {
        let naive = d(s).and_hms_milli_opt(23, 59, 59, 999).unwrap();
        DEFAULT_TZ.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
    }

    fn china() -> WorkCalendar {
        WorkCalendar::china()
    }

    fn due(start: &str, n: u32) -> DateTime<Utc> {
        china().add_working_days(cst(start), n, DEFAULT_TZ)
    }

    // --- the convention ---------------------------------------------------

    #[test]
    fn a_deadline_is_the_last_millisecond_of_the_local_day_1559_59_999_utc_in_shanghai() {
        let t = due("2026-09-30 10:00", 2);
        assert_eq!(t, "2026-10-09T15:59:59.999Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(t, end_cst("2026-10-09"));
    }

    #[test]
    fn the_start_day_does_not_count_two_working_days_from_monday_end_on_wednesday() {
        assert_eq!(due("2026-03-02 09:00", 2), end_cst("2026-03-04"));
        assert_eq!(due("2026-03-02 23:59", 1), end_cst("2026-03-03"));
    }

    #[test]
    fn zero_working_days_is_the_end_of_the_start_day_when_it_is_a_working_day() {
        assert_eq!(due("2026-03-02 09:00", 0), end_cst("2026-03-02"));
    }

    #[test]
    fn zero_working_days_on_a_holiday_is_the_end_of_the_next_working_day() {
        assert_eq!(due("2026-10-03 09:00", 0), end_cst("2026-10-08"));
    }

    #[test]
    fn the_local_date_counts_so_17_00_utc_on_29_september_is_30_september_in_shanghai() {
        let start = "2026-09-29T17:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(china().add_working_days(start, 2, DEFAULT_TZ), end_cst("2026-10-09"));
        // In UTC the same instant is still Tuesday 29 September: 30 September
        // is the first working day, 8 October the second.
        let utc = china().add_working_days(start, 2, chrono_tz::UTC);
        assert_eq!(utc, "2026-10-08T23:59:59.999Z".parse::<DateTime<Utc>>().unwrap());
    }

    // --- the facts of 2025 and 2026 --------------------------------------------

    #[test]
    fn two_working_days_from_mid_autumn_friday_2026_09_25_end_on_tuesday_2026_09_29() {
        assert!(!china().is_working_day(d("2026-09-25")));
        assert_eq!(due("2026-09-25 10:00", 2), end_cst("2026-09-29"));
    }

    #[test]
    fn two_working_days_from_wednesday_2026_09_30_cross_national_day_and_end_on_friday_2026_10_09() {
        assert_eq!(due("2026-09-30 10:00", 1), end_cst("2026-10-08"));
        assert_eq!(due("2026-09-30 10:00", 2), end_cst("2026-10-09"));
        for day in 1..=7 {
            assert!(!china().is_working_day(NaiveDate::from_ymd_opt(2026, 10, day).unwrap()));
        }
    }

    #[test]
    fn make_up_saturday_2026_10_10_is_a_working_day_and_counts() {
        let cal = china();
        assert_eq!(cal.day_kind(d("2026-10-10")), DayKind::MakeUpWorkday);
        assert!(cal.is_working_day(d("2026-10-10")));
        assert!(!cal.is_working_day(d("2026-10-11")));
        // 3 working days from 30 Sep: 8 Oct, 9 Oct, Saturday 10 Oct.
        assert_eq!(due("2026-09-30 10:00", 3), end_cst("2026-10-10"));
        assert_eq!(due("2026-09-30 10:00", 4), end_cst("2026-10-12"));
    }

    #[test]
    fn saturday_2026_02_14_is_a_working_day() {
        assert_eq!(d("2026-02-14").weekday(), Weekday::Sat);
        assert!(china().is_working_day(d("2026-02-14")));
        assert_eq!(due("2026-02-13 16:00", 1), end_cst("2026-02-14"));
    }

    #[test]
    fn spring_festival_2026_from_15_to_23_february_is_skipped() {
        let cal = china();
        let mut day = d("2026-02-15");
        while day <= d("2026-02-23") {
            assert_eq!(cal.day_kind(day), DayKind::Holiday, "{day}");
            day = day.succ_opt().unwrap();
        }
        assert_eq!(due("2026-02-14 09:00", 1), end_cst("2026-02-24"));
        assert_eq!(due("2026-02-13 09:00", 2), end_cst("2026-02-24"));
        // Saturday 28 February is a make-up day, Sunday 1 March is not.
        assert_eq!(due("2026-02-26 09:00", 2), end_cst("2026-02-28"));
        assert_eq!(due("2026-02-26 09:00", 3), end_cst("2026-03-02"));
    }

    #[test]
    fn national_day_and_mid_autumn_2025_is_eight_days_from_1_to_8_october() {
        let cal = china();
        let rest: Vec<_> = (20..=31)
            .filter_map(|day| NaiveDate::from_ymd_opt(2025, 9, day))
            .chain((1..=15).map(|day| d(&format!("2025-10-{day:02}"))))
            .filter(|x| cal.day_kind(*x) == DayKind::Holiday)
            .collect();
        assert_eq!(rest.len(), 8);
        assert_eq!(rest.first(), Some(&d("2025-10-01")));
        assert_eq!(rest.last(), Some(&d("2025-10-08")));
        assert_eq!(due("2025-09-30 12:00", 1), end_cst("2025-10-09"));
    }

    #[test]
    fn sunday_2025_09_28_and_saturday_2025_10_11_are_working_days() {
        let cal = china();
        assert_eq!(d("2025-09-28").weekday(), Weekday::Sun);
        assert!(cal.is_working_day(d("2025-09-28")));
        assert_eq!(d("2025-10-11").weekday(), Weekday::Sat);
        assert!(cal.is_working_day(d("2025-10-11")));
        // Friday 26 Sep + 1 working day = Sunday 28 Sep.
        assert_eq!(due("2025-09-26 15:00", 1), end_cst("2025-09-28"));
    }

    #[test]
    fn the_seven_working_day_answer_limit_from_monday_2026_09_28_ends_tuesday_2026_10_13() {
        // 29, 30 Sep; 8, 9, 10 (make-up Saturday), 12, 13 Oct.
        assert_eq!(due("2026-09-28 09:30", 7), end_cst("2026-10-13"));
    }

    #[test]
    fn the_two_working_day_callback_from_friday_2025_01_24_counts_sunday_2025_01_26() {
        // 24 Jan (Fri) → 26 Jan (make-up Sunday) = 1, 27 Jan (Mon) = 2.
        assert_eq!(due("2025-01-24 18:00", 2), end_cst("2025-01-27"));
        // 27 Jan + 1 working day: 28 Jan – 4 Feb are Spring Festival.
        assert_eq!(due("2025-01-27 18:00", 1), end_cst("2025-02-05"));
    }

    #[test]
    fn from_thursday_2026_12_31_one_working_day_crosses_into_2027_and_ends_monday_2027_01_04() {
        // 2027-01-01 (Fri) is 元旦, then a weekend.
        assert_eq!(due("2026-12-31 15:00", 1), end_cst("2027-01-04"));
        assert_eq!(due("2026-12-31 15:00", 2), end_cst("2027-01-05"));
    }

    #[test]
    fn the_2027_spring_festival_is_provisional_statutory_days_only() {
        let cal = china();
        assert_eq!(cal.coverage(2027), Coverage::Provisional);
        assert_eq!(cal.is_official(2027), Some(false));
        for x in ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"] {
            assert_eq!(cal.day_kind(d(x)), DayKind::Holiday, "{x}");
        }
        assert!(cal.is_working_day(d("2027-02-09")));
    }

    // --- the shipped data ----------------------------------------------------

    #[test]
    fn every_shipped_file_parses_with_dates_in_its_year_and_make_up_days_on_weekends() {
        assert_eq!(CHINA_YEAR_FILES.iter().map(|(y, _)| *y).collect::<Vec<_>>(), vec![2025, 2026, 2027]);
        for (year, text) in CHINA_YEAR_FILES {
            let f = YearFile::parse(text).unwrap_or_else(|e| panic!("{year}: {e}"));
            assert_eq!(f.year(), *year);
            assert!(f.holidays().iter().all(|x| x.year() == *year));
            assert!(f.workdays().iter().all(|x| x.year() == *year && is_weekend(*x)));
            assert!(f.holidays().is_disjoint(f.workdays()));
            assert!(f.source().is_some());
        }
        let cal = china();
        assert_eq!(cal.years().collect::<Vec<_>>(), vec![2025, 2026, 2027]);
        assert_eq!(cal.is_official(2025), Some(true));
        assert_eq!(cal.is_official(2026), Some(true));
        assert_eq!(cal.year(2025).unwrap().holidays().len(), 1 + 8 + 3 + 5 + 3 + 8);
        assert_eq!(cal.year(2025).unwrap().workdays().len(), 5);
        assert_eq!(cal.year(2026).unwrap().holidays().len(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
        assert_eq!(cal.year(2026).unwrap().workdays().len(), 6);
        assert_eq!(cal.year(2027).unwrap().holidays().len(), 13);
        assert!(cal.year(2027).unwrap().workdays().is_empty());
    }

    /// The weekday the State Council's notices print next to each date (周X).
    #[test]
    fn the_weekdays_printed_in_the_notices_match_the_dates() {
        use Weekday::*;
        let printed = [
            // 2025
            ("2025-01-01", Wed),
            ("2025-01-28", Tue),
            ("2025-02-04", Tue),
            ("2025-01-26", Sun),
            ("2025-02-08", Sat),
            ("2025-04-04", Fri),
            ("2025-04-06", Sun),
            ("2025-05-01", Thu),
            ("2025-05-05", Mon),
            ("2025-04-27", Sun),
            ("2025-05-31", Sat),
            ("2025-06-02", Mon),
            ("2025-10-01", Wed),
            ("2025-10-08", Wed),
            ("2025-09-28", Sun),
            ("2025-10-11", Sat),
            // 2026
            ("2026-01-01", Thu),
            ("2026-01-03", Sat),
            ("2026-01-04", Sun),
            ("2026-02-15", Sun),
            ("2026-02-23", Mon),
            ("2026-02-14", Sat),
            ("2026-02-28", Sat),
            ("2026-04-04", Sat),
            ("2026-04-06", Mon),
            ("2026-05-01", Fri),
            ("2026-05-05", Tue),
            ("2026-05-09", Sat),
            ("2026-06-19", Fri),
            ("2026-06-21", Sun),
            ("2026-09-25", Fri),
            ("2026-09-27", Sun),
            ("2026-10-01", Thu),
            ("2026-10-07", Wed),
            ("2026-09-20", Sun),
            ("2026-10-10", Sat),
            // 2027 (as written in the provisional file's comment)
            ("2027-01-01", Fri),
            ("2027-02-05", Fri),
            ("2027-02-06", Sat),
            ("2027-02-08", Mon),
            ("2027-04-05", Mon),
            ("2027-05-01", Sat),
            ("2027-05-02", Sun),
            ("2027-06-09", Wed),
            ("2027-09-15", Wed),
            ("2027-10-01", Fri),
            ("2027-10-03", Sun),
        ];
        for (date, weekday) in printed {
            assert_eq!(d(date).weekday(), weekday, "{date}");
        }
        // The periods are contiguous runs of holidays.
        let cal = china();
        for (from, to) in [
            ("2025-01-28", "2025-02-04"),
            ("2025-05-01", "2025-05-05"),
            ("2025-10-01", "2025-10-08"),
            ("2026-01-01", "2026-01-03"),
            ("2026-02-15", "2026-02-23"),
            ("2026-05-01", "2026-05-05"),
            ("2026-10-01", "2026-10-07"),
            ("2027-02-05", "2027-02-08"),
            ("2027-10-01", "2027-10-03"),
        ] {
            let mut x = d(from);
            while x <= d(to) {
                assert_eq!(cal.day_kind(x), DayKind::Holiday, "{x}");
                x = x.succ_opt().unwrap();
            }
        }
    }

    // --- parsing ---------------------------------------------------------------

    const MINIMAL: &str = "year = 2030\nofficial = true\nholidays = [\"2030-01-01\"]\n";

    #[test]
    fn a_minimal_file_parses_and_workdays_may_be_omitted() {
        let f = YearFile::parse(MINIMAL).unwrap();
        assert_eq!(f.year(), 2030);
        assert!(f.workdays().is_empty());
        assert_eq!(f.source(), None);
    }

    #[test]
    fn bare_toml_dates_are_accepted_like_strings() {
        let f = YearFile::parse("year = 2030\nofficial = false\nholidays = [2030-01-01, \"2030-01-02\"]\nworkdays = [2030-01-05]\npublished = 2029-11-01\n").unwrap();
        assert_eq!(f.holidays().len(), 2);
        assert_eq!(f.workdays().iter().next(), Some(&d("2030-01-05")));
        assert_eq!(f.published(), Some(d("2029-11-01")));
    }

    #[test]
    fn text_that_is_not_toml_is_refused() {
        assert!(matches!(YearFile::parse("year = = 2030"), Err(CalendarError::Toml(_))));
    }

    #[test]
    fn a_missing_or_mistyped_field_is_named() {
        assert_eq!(YearFile::parse("official = true\nholidays = []"), Err(CalendarError::Missing("year")));
        assert_eq!(YearFile::parse("year = 2030\nholidays = []"), Err(CalendarError::Missing("official")));
        assert_eq!(YearFile::parse("year = 2030\nofficial = true"), Err(CalendarError::Missing("holidays")));
        assert!(matches!(
            YearFile::parse("year = \"2030\"\nofficial = true\nholidays = []"),
            Err(CalendarError::WrongType { field, .. }) if field == "year"
        ));
        assert!(matches!(
            YearFile::parse("year = 2030\nofficial = true\nholidays = \"2030-01-01\""),
            Err(CalendarError::WrongType { field, .. }) if field == "holidays"
        ));
        assert_eq!(
            YearFile::parse("year = 2030\nofficial = true\nholiday = []\nholidays = []"),
            Err(CalendarError::UnknownField("holiday".into()))
        );
        assert_eq!(YearFile::parse("year = 0\nofficial = true\nholidays = []"), Err(CalendarError::YearOutOfRange(0)));
    }

    #[test]
    fn a_malformed_date_is_refused_with_its_position() {
        assert_eq!(
            YearFile::parse("year = 2030\nofficial = true\nholidays = [\"2030-01-01\", \"2030-02-30\"]"),
            Err(CalendarError::BadDate { field: "holidays[1]".into(), value: "2030-02-30".into() })
        );
        assert!(matches!(
            YearFile::parse("year = 2030\nofficial = true\nholidays = [2030-01-01T00:00:00]"),
            Err(CalendarError::BadDate { .. })
        ));
    }

    #[test]
    fn a_date_outside_the_year_is_refused() {
        assert_eq!(
            YearFile::parse("year = 2030\nofficial = true\nholidays = [\"2031-01-01\"]"),
            Err(CalendarError::OutsideYear { field: "holidays", date: d("2031-01-01"), year: 2030 })
        );
        assert_eq!(
            YearFile::parse("year = 2030\nofficial = true\nholidays = []\nworkdays = [\"2029-12-29\"]"),
            Err(CalendarError::OutsideYear { field: "workdays", date: d("2029-12-29"), year: 2030 })
        );
    }

    #[test]
    fn a_date_both_holiday_and_make_up_day_is_refused() {
        // 2030-01-05 is a Saturday.
        assert_eq!(
            YearFile::parse("year = 2030\nofficial = true\nholidays = [\"2030-01-05\"]\nworkdays = [\"2030-01-05\"]"),
            Err(CalendarError::HolidayAndWorkday(d("2030-01-05")))
        );
    }

    #[test]
    fn a_weekday_listed_as_make_up_day_is_refused() {
        let e =
            YearFile::parse("year = 2030\nofficial = true\nholidays = []\nworkdays = [\"2030-01-07\"]").unwrap_err();
        assert_eq!(e, CalendarError::WeekdayMakeUp { date: d("2030-01-07"), weekday: Weekday::Mon });
        assert!(e.zh().contains("周一"));
    }

    #[test]
    fn a_date_listed_twice_is_refused() {
        assert_eq!(
            YearFile::parse("year = 2030\nofficial = true\nholidays = [\"2030-01-01\", \"2030-01-01\"]"),
            Err(CalendarError::Duplicate { field: "holidays", date: d("2030-01-01") })
        );
        assert_eq!(
            YearFile::parse("year = 2030\nofficial = true\nholidays = []\nworkdays = [\"2030-01-05\", \"2030-01-05\"]"),
            Err(CalendarError::Duplicate { field: "workdays", date: d("2030-01-05") })
        );
    }

    #[test]
    fn to_toml_parses_back_to_the_same_year() {
        for (_, text) in CHINA_YEAR_FILES {
            let f = YearFile::parse(text).unwrap();
            assert_eq!(YearFile::parse(&f.to_toml()).unwrap(), f);
        }
    }

    // --- merging and fallback --------------------------------------------------

    #[test]
    fn an_imported_year_replaces_the_shipped_year_entirely() {
        let mut cal = china();
        // A company's (hypothetical) official 2027: 春节 2027-02-05 – 02-11, make-up Sunday 2027-01-31.
        let official_2027 = YearFile::parse(
            "year = 2027\nofficial = true\nsource = \"test\"\nholidays = [\"2027-02-05\", \"2027-02-06\", \"2027-02-07\", \"2027-02-08\", \"2027-02-09\", \"2027-02-10\", \"2027-02-11\"]\nworkdays = [\"2027-01-31\"]",
        )
        .unwrap();
        let old = cal.insert(official_2027).unwrap();
        assert!(!old.official());
        assert_eq!(cal.coverage(2027), Coverage::Official);
        assert!(!cal.is_working_day(d("2027-02-10")));
        assert!(cal.is_working_day(d("2027-01-31")));
        // Whole-year replacement: the provisional 元旦 is gone with the old file.
        assert!(cal.is_working_day(d("2027-01-01")));
        // Other years are untouched.
        assert!(!cal.is_working_day(d("2026-10-01")));
    }

    #[test]
    fn merge_and_from_years_let_the_later_file_win() {
        let a = YearFile::parse(MINIMAL).unwrap();
        let b = YearFile::parse("year = 2030\nofficial = false\nholidays = [\"2030-01-02\"]").unwrap();
        let cal = WorkCalendar::from_years([a.clone(), b.clone()]);
        assert_eq!(cal.year(2030), Some(&b));
        let mut base = WorkCalendar::weekends_only().with(b);
        base.merge(WorkCalendar::from_years([a.clone()]));
        assert_eq!(base.year(2030), Some(&a));
        assert_eq!(base.remove(2030), Some(a));
        assert!(!base.covers(2030));
    }

    #[test]
    fn beyond_the_covered_years_only_weekends_are_rest_days_and_covers_says_so() {
        let cal = china();
        assert!(!cal.covers(2028));
        assert!(!cal.covers(2024));
        assert_eq!(cal.coverage(2028), Coverage::WeekendsOnly);
        // 2028-10-02 is a Monday: a working day without data.
        assert!(cal.is_working_day(d("2028-10-02")));
        assert!(!cal.is_working_day(d("2028-10-01")));
        assert_eq!(due("2028-09-29 10:00", 1), end_cst("2028-10-02"));
        assert_eq!(cal.coverage_between(d("2026-01-01"), d("2026-12-31")), Coverage::Official);
        assert_eq!(cal.coverage_between(d("2026-12-31"), d("2027-01-04")), Coverage::Provisional);
        assert_eq!(cal.coverage_between(d("2027-12-31"), d("2028-01-04")), Coverage::WeekendsOnly);
        assert_eq!(cal.coverage_between(d("2028-01-04"), d("2025-01-01")), Coverage::WeekendsOnly);
    }

    #[test]
    fn far_dates_and_huge_n_saturate_instead_of_panicking() {
        let cal = china();
        assert_eq!(cal.add_working_days(cst("2026-01-05 09:00"), u32::MAX, DEFAULT_TZ), DateTime::<Utc>::MAX_UTC);
        assert_eq!(cal.add_working_days(DateTime::<Utc>::MAX_UTC, 1, DEFAULT_TZ), DateTime::<Utc>::MAX_UTC);
        let _ = cal.add_working_days(DateTime::<Utc>::MIN_UTC, 3, DEFAULT_TZ);
        let _ = cal.working_days_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, DEFAULT_TZ);
        // A big but representable n jumps weeks outside the covered years: 5 per 7 days.
        let far = cal.add_working_days_to_date(d("2028-01-03"), 5 * 52 * 100).unwrap();
        assert_eq!(far, d("2028-01-03") + Days::new(7 * 52 * 100));
    }

    // --- working_days_between --------------------------------------------------

    #[test]
    fn working_days_between_counts_after_the_first_date_up_to_and_including_the_second() {
        let cal = china();
        assert_eq!(cal.working_days_between(cst("2026-09-28 09:00"), cst("2026-10-13 17:00"), DEFAULT_TZ), 7);
        assert_eq!(cal.working_days_between(cst("2026-10-13 17:00"), cst("2026-09-28 09:00"), DEFAULT_TZ), -7);
        assert_eq!(cal.working_days_between(cst("2026-09-28 09:00"), cst("2026-09-28 18:00"), DEFAULT_TZ), 0);
        assert_eq!(cal.working_days_between_dates(d("2026-09-30"), d("2026-10-07")), 0);
        // The whole of 2026: 261 weekdays − 19 weekday holidays + 6 make-up days.
        assert_eq!(cal.working_days_between_dates(d("2025-12-31"), d("2026-12-31")), 261 - 19 + 6);
    }

    fn brute_between(cal: &WorkCalendar, a: NaiveDate, b: NaiveDate) -> i64 {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut n = 0;
        let mut x = lo;
        while x < hi {
            x = x.succ_opt().unwrap();
            if cal.is_working_day(x) {
                n += 1;
            }
        }
        sign * n
    }

    fn date_in(lo: i32, hi: i32) -> impl Strategy<Value = NaiveDate> {
        let lo = NaiveDate::from_ymd_opt(lo, 1, 1).unwrap();
        let span = (NaiveDate::from_ymd_opt(hi, 12, 31).unwrap() - lo).num_days() as u64;
        (0..=span).prop_map(move |k| lo + Days::new(k))
    }

    fn instant_in(lo: i32, hi: i32) -> impl Strategy<Value = DateTime<Utc>> {
        (date_in(lo, hi), 0u32..86_400)
            .prop_map(|(day, s)| day.and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::seconds(s.into()))
    }

    proptest! {
        #[test]
        fn add_working_days_is_monotonic_in_n_and_always_lands_on_a_working_day(
            start in instant_in(2023, 2030), n in 0u32..400,
        ) {
            let cal = china();
            let a = cal.add_working_days(start, n, DEFAULT_TZ);
            let b = cal.add_working_days(start, n + 1, DEFAULT_TZ);
            // Non-decreasing; strictly increasing except N = 0 → 1 from a
            // rest day, where both answer the next working day.
            prop_assert!(a <= b);
            let start_day = start.with_timezone(&DEFAULT_TZ).date_naive();
            if n > 0 || cal.is_working_day(start_day) {
                prop_assert!(a < b);
            } else {
                prop_assert_eq!(a, b);
            }
            prop_assert!(a > start);
            for t in [a, b] {
                let local = t.with_timezone(&DEFAULT_TZ);
                prop_assert!(cal.is_working_day(local.date_naive()));
                prop_assert_eq!(local.time(), NaiveTime::from_hms_milli_opt(23, 59, 59, 999).unwrap());
            }
            if n > 0 {
                prop_assert_eq!(cal.working_days_between(start, a, DEFAULT_TZ), i64::from(n));
            }
        }

        #[test]
        fn working_days_between_matches_counting_day_by_day(a in date_in(2023, 2029), b in date_in(2023, 2029)) {
            let cal = china();
            prop_assert_eq!(cal.working_days_between_dates(a, b), brute_between(&cal, a, b));
            let none = WorkCalendar::weekends_only();
            prop_assert_eq!(none.working_days_between_dates(a, b), brute_between(&none, a, b));
        }

        #[test]
        fn week_jumps_outside_the_data_agree_with_walking_day_by_day(start in date_in(2020, 2032), n in 0u32..3000) {
            let cal = china();
            let fast = cal.add_working_days_to_date(start, n).unwrap();
            let mut slow = start;
            if n == 0 {
                while !cal.is_working_day(slow) { slow = slow.succ_opt().unwrap(); }
            } else {
                let mut left = n;
                while left > 0 {
                    slow = slow.succ_opt().unwrap();
                    if cal.is_working_day(slow) { left -= 1; }
                }
            }
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn any_instant_and_any_n_never_panics(secs in any::<i64>(), n in any::<u32>()) {
            let t = DateTime::<Utc>::from_timestamp(secs % 8_000_000_000_000, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
            let cal = china();
            let due = cal.add_working_days(t, n, DEFAULT_TZ);
            prop_assert!(due >= t || due == DateTime::<Utc>::MAX_UTC);
            let _ = cal.working_days_between(t, due, DEFAULT_TZ);
        }
    }
}
