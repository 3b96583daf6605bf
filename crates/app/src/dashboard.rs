//! The dashboard's figures: complaints received per day by category, open
//! complaints by state, deadlines met and breached per week, the monthly
//! satisfaction index, and the projects and buildings complained of most.
//!
//! Everything comes from the figures kept as events are written
//! ([`tousu_domain::stats`]): a handful of range reads over tables whose size
//! grows with days × projects × keys, never with the number of complaints.
//! Nothing here scans complaints.

use crate::{AppError, AppResult, Principal, Services};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;
use tousu_domain::stats::month_of;
use tousu_domain::{Category, Role, Status};
use tousu_store::Project;

/// Days of complaints received shown (today included).
pub const DAYS: u64 = 30;
/// Weeks (Monday to Sunday, this week included) of deadlines met and breached.
pub const WEEKS: u64 = 12;
/// Months (this month included) of the satisfaction trend and of the top
/// projects and buildings.
pub const MONTHS: u32 = 12;
/// How many projects and buildings the rankings show.
pub const TOP: usize = 10;
/// The time zone of the figures' days (`tousu_domain::stats` counts days in
/// China time, whatever the company's time zone).
const FIGURES_TZ: &str = "Asia/Shanghai";
/// The category key of complaints not yet categorised.
pub const UNCATEGORISED: &str = "uncategorised";

/// Who sees the dashboard: company leaders, the board, analysts, department
/// heads and administrators.
pub fn may_see_dashboard(role: Role) -> bool {
    matches!(role, Role::CompanyLeader | Role::Board | Role::Analyst | Role::DepartmentHead | Role::Admin)
}

/// Everything the dashboard shows, for one company.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    /// Today in China time: the last day of every period.
    pub today: NaiveDate,
    pub received: ReceivedByDay,
    /// Open complaints now, by state, in lifecycle order (every open state, zeros included).
    pub open_by_status: Vec<StatusCount>,
    pub open_total: i64,
    /// Deadlines met on time, met late and breached, per week, oldest first.
    pub deadlines: Vec<DeadlineWeek>,
    /// The satisfaction index per month, oldest first.
    pub satisfaction: Vec<SatisfactionMonth>,
    /// The first day of the rankings' period (the first of the oldest month).
    pub ranking_since: NaiveDate,
    /// Projects by complaints received in the period, most first (at most [`TOP`]).
    pub top_projects: Vec<Ranked>,
    /// Buildings by complaints received in the period, most first (at most [`TOP`]).
    pub top_buildings: Vec<Ranked>,
}

/// Complaints received per day, one series per category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceivedByDay {
    /// The days, oldest first ([`DAYS`] of them, today last).
    pub days: Vec<NaiveDate>,
    /// One series per category (the five of DOMAIN.md, then uncategorised),
    /// each with one count per day.
    pub series: Vec<CategorySeries>,
    /// All categories per day.
    pub per_day: Vec<i64>,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategorySeries {
    /// `facilities`, `service`, `fees`, `emergency`, `consultation` or `uncategorised`.
    pub category: String,
    pub counts: Vec<i64>,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusCount {
    /// The status code (`in_progress`).
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadlineWeek {
    /// The week's Monday.
    pub week: NaiveDate,
    pub met: i64,
    /// Met after being breached.
    pub met_late: i64,
    pub breached: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SatisfactionMonth {
    /// The first day of the month.
    pub month: NaiveDate,
    pub callbacks: i64,
    /// The sum of the month's indexes × 1000.
    pub index_milli: i64,
    /// The average satisfaction index (perceived ÷ expected) of the month's
    /// callbacks; none without callbacks.
    pub index: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub project_code: String,
    pub project_name: String,
    /// The building, for building rankings.
    pub building: Option<String>,
    pub count: i64,
}

/// The rows read from the figures, as the store answers them (summed over
/// projects per day, or over days per project).
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// `(day, received:{category}, count)` over the last [`DAYS`].
    pub received: Vec<(NaiveDate, String, i64)>,
    /// `(day, met | met_late | breached, count)` over the last [`WEEKS`].
    pub deadlines: Vec<(NaiveDate, String, i64)>,
    /// `(day, callbacks | index_milli, value)` over the last [`MONTHS`].
    pub satisfaction: Vec<(NaiveDate, String, i64)>,
    /// `(project, received_building:{building}, count)` over the last [`MONTHS`].
    pub buildings: Vec<(i64, String, i64)>,
    /// `(project, status:{status}, count)` now.
    pub status: Vec<(i64, String, i64)>,
}

/// The periods the dashboard reads, ending today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub today: NaiveDate,
    /// First day of the received-per-day chart.
    pub first_day: NaiveDate,
    /// Monday of the oldest week.
    pub first_week: NaiveDate,
    /// First day of the oldest month.
    pub first_month: NaiveDate,
}

impl Periods {
    pub fn ending(today: NaiveDate) -> Periods {
        let first_day = today - Days::new(DAYS - 1);
        let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        let first_week = monday - Days::new(7 * (WEEKS - 1));
        let first_month = month_of(today).checked_sub_months(Months::new(MONTHS - 1)).unwrap_or(month_of(today));
        Periods { today, first_day, first_week, first_month }
    }
}

fn week_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The category keys in the order charts show them.
pub fn category_keys() -> Vec<&'static str> {
    Category::ALL.iter().map(|c| c.as_str()).chain([UNCATEGORISED]).collect()
}

impl Dashboard {
    /// Puts the figures' rows together. `projects` names the projects.
    pub fn assemble(periods: Periods, figures: &Figures, projects: &[Project]) -> Dashboard {
        let Periods { today, first_day, first_week, first_month } = periods;

        // Received per day by category.
        let days: Vec<NaiveDate> = first_day.iter_days().take_while(|d| *d <= today).collect();
        let day_index: HashMap<NaiveDate, usize> = days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        let mut series: Vec<CategorySeries> = category_keys()
            .into_iter()
            .map(|c| CategorySeries { category: c.to_string(), counts: vec![0; days.len()], total: 0 })
            .collect();
        for (day, key, value) in &figures.received {
            let Some(category) = key.strip_prefix("received:") else { continue };
            let Some(&i) = day_index.get(day) else { continue };
            let s = match series.iter_mut().position(|s| s.category == category) {
                Some(p) => &mut series[p],
                None => {
                    // A category this build does not know (kept, not lost).
                    series.push(CategorySeries { category: category.to_string(), counts: vec![0; days.len()], total: 0 });
                    series.last_mut().expect("just pushed")
                }
            };
            s.counts[i] += value;
            s.total += value;
        }
        let per_day: Vec<i64> = (0..days.len()).map(|i| series.iter().map(|s| s.counts[i]).sum()).collect();
        let total = per_day.iter().sum();

        // Open by state, summed over projects.
        let mut by_status: HashMap<&str, i64> = HashMap::new();
        for (_, key, value) in &figures.status {
            if let Some(status) = key.strip_prefix("status:") {
                *by_status.entry(status).or_default() += value;
            }
        }
        let open_by_status: Vec<StatusCount> = Status::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| StatusCount { status: s.as_str().to_string(), count: by_status.get(s.as_str()).copied().unwrap_or(0) })
            .collect();
        let open_total = open_by_status.iter().map(|s| s.count).sum();

        // Deadlines per week.
        let mut deadlines: Vec<DeadlineWeek> = first_week
            .iter_weeks()
            .take_while(|w| *w <= today)
            .map(|week| DeadlineWeek { week, met: 0, met_late: 0, breached: 0 })
            .collect();
        let week_index: HashMap<NaiveDate, usize> = deadlines.iter().enumerate().map(|(i, w)| (w.week, i)).collect();
        for (day, key, value) in &figures.deadlines {
            let Some(&i) = week_index.get(&week_of(*day)) else { continue };
            match key.as_str() {
                "met" => deadlines[i].met += value,
                "met_late" => deadlines[i].met_late += value,
                "breached" => deadlines[i].breached += value,
                _ => {}
            }
        }

        // Satisfaction per month.
        let months: Vec<NaiveDate> = (0..MONTHS)
            .filter_map(|k| first_month.checked_add_months(Months::new(k)))
            .take_while(|m| *m <= today)
            .collect();
        let mut satisfaction: Vec<SatisfactionMonth> =
            months.iter().map(|m| SatisfactionMonth { month: *m, callbacks: 0, index_milli: 0, index: None }).collect();
        let month_index: HashMap<NaiveDate, usize> = months.iter().enumerate().map(|(i, m)| (*m, i)).collect();
        for (day, key, value) in &figures.satisfaction {
            let Some(&i) = month_index.get(&month_of(*day)) else { continue };
            match key.as_str() {
                "callbacks" => satisfaction[i].callbacks += value,
                "index_milli" => satisfaction[i].index_milli += value,
                _ => {}
            }
        }
        for m in &mut satisfaction {
            if m.callbacks > 0 {
                m.index = Some(m.index_milli as f64 / m.callbacks as f64 / 1000.0);
            }
        }

        // Top projects and buildings: complaints received in the period.
        let names: HashMap<i64, &Project> = projects.iter().map(|p| (p.id, p)).collect();
        let project_of = |id: i64| match names.get(&id) {
            Some(p) => (p.code.clone(), p.name.clone()),
            None => (format!("#{id}"), format!("#{id}")),
        };
        let mut per_project: HashMap<i64, i64> = HashMap::new();
        let mut per_building: HashMap<(i64, &str), i64> = HashMap::new();
        for (project, key, value) in &figures.buildings {
            let Some(building) = key.strip_prefix("received_building:") else { continue };
            *per_project.entry(*project).or_default() += value;
            *per_building.entry((*project, building)).or_default() += value;
        }
        let mut top_projects: Vec<Ranked> = per_project
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(id, count)| {
                let (project_code, project_name) = project_of(id);
                Ranked { project_code, project_name, building: None, count }
            })
            .collect();
        let mut top_buildings: Vec<Ranked> = per_building
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((id, building), count)| {
                let (project_code, project_name) = project_of(id);
                Ranked { project_code, project_name, building: Some(building.to_string()), count }
            })
            .collect();
        for list in [&mut top_projects, &mut top_buildings] {
            list.sort_by(|a, b| {
                b.count.cmp(&a.count).then_with(|| a.project_code.cmp(&b.project_code)).then_with(|| a.building.cmp(&b.building))
            });
            list.truncate(TOP);
        }

        Dashboard {
            today,
            received: ReceivedByDay { days, series, per_day, total },
            open_by_status,
            open_total,
            deadlines,
            satisfaction,
            ranking_since: first_month,
            top_projects,
            top_buildings,
        }
    }
}

impl Services {
    /// The dashboard of the caller's company, from the figures (a few
    /// hundred rows read concurrently, however many complaints there are).
    pub async fn dashboard(&self, who: &Principal) -> AppResult<Dashboard> {
        if !may_see_dashboard(who.role) {
            return Err(AppError::forbidden(
                "数据看板仅对公司领导、董事、品质分析员、部门负责人和系统管理员开放",
                "the dashboard is for company leaders, the board, analysts, department heads and administrators",
            ));
        }
        let periods = Periods::ending(crate::complaints::local_date(self.now(), FIGURES_TZ));
        let org = self.org(who.company_id).await?;
        let (store, company, today) = (&self.store, who.company_id, periods.today);
        let received_keys: Vec<String> = category_keys().into_iter().map(|c| format!("received:{c}")).collect();
        let received_keys: Vec<&str> = received_keys.iter().map(String::as_str).collect();
        let (received, deadlines, satisfaction, buildings, status) = tokio::try_join!(
            store.sum_daily_figures(company, periods.first_day, today, &received_keys),
            store.sum_daily_figures(company, periods.first_week, today, &["met", "met_late", "breached"]),
            store.sum_daily_figures(company, periods.first_month, today, &["callbacks", "index_milli"]),
            store.sum_figures_by_project(company, periods.first_month, today, "received_building:"),
            store.list_current_figures(company, "status:"),
        )?;
        let figures = Figures { received, deadlines, satisfaction, buildings, status };
        Ok(Dashboard::assemble(periods, &figures, &org.snapshot.projects))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    fn row(day: &str, key: &str, value: i64) -> (NaiveDate, String, i64) {
        (d(day), key.to_string(), value)
    }

    fn projects() -> Vec<Project> {
        vec![
            Project { id: 1, code: "JYHY".into(), name: "锦园华苑".into(), buildings: vec![] },
            Project { id: 2, code: "LHW".into(), name: "丽湖湾".into(), buildings: vec![] },
        ]
    }

    /// Wednesday 2026-11-25.
    fn periods() -> Periods {
        Periods::ending(d("2026-11-25"))
    }

    #[test]
    fn the_periods_end_today_and_start_on_a_day_a_monday_and_a_first_of_month() {
        let p = periods();
        assert_eq!(p.first_day, d("2026-10-27"), "30 days, today included");
        assert_eq!(p.first_week, d("2026-09-07"), "the Monday 11 weeks before this week's (2026-11-23)");
        assert_eq!(p.first_month, d("2025-12-01"), "12 months, this one included");
    }

    #[test]
    fn received_per_day_is_split_by_category_with_every_day_and_category_present() {
        let figures = Figures {
            received: vec![
                row("2026-10-26", "received:fees", 9), // before the period: ignored
                row("2026-10-27", "received:facilities", 3),
                row("2026-11-25", "received:service", 4),
                row("2026-11-25", "received:uncategorised", 1),
            ],
            ..Figures::default()
        };
        let dash = Dashboard::assemble(periods(), &figures, &projects());
        let r = &dash.received;
        assert_eq!(r.days.len(), 30);
        assert_eq!((r.days[0], r.days[29]), (d("2026-10-27"), d("2026-11-25")));
        let keys: Vec<_> = r.series.iter().map(|s| s.category.as_str()).collect();
        assert_eq!(keys, ["facilities", "service", "fees", "emergency", "consultation", "uncategorised"]);
        assert_eq!(r.series[0].counts[0], 3);
        assert_eq!(r.series[0].total, 3);
        assert_eq!(r.series[1].counts[29], 4);
        assert_eq!(r.series[2].total, 0, "the fees before the period are not counted");
        assert_eq!(r.series[5].counts[29], 1);
        assert_eq!((r.per_day[0], r.per_day[1], r.per_day[29]), (3, 0, 5));
        assert_eq!(r.total, 8);
    }

    #[test]
    fn open_states_are_summed_over_projects_in_lifecycle_order_and_closed_ones_left_out() {
        let figures = Figures {
            status: vec![
                (1, "status:received".into(), 3),
                (2, "status:received".into(), 2),
                (1, "status:in_progress".into(), 4),
                (1, "status:closed".into(), 40),
                (2, "status:closed_invalid".into(), 7),
            ],
            ..Figures::default()
        };
        let dash = Dashboard::assemble(periods(), &figures, &projects());
        let states: Vec<_> = dash.open_by_status.iter().map(|s| (s.status.as_str(), s.count)).collect();
        assert_eq!(
            states,
            [
                ("received", 5),
                ("confirmed", 0),
                ("assessed", 0),
                ("investigating", 0),
                ("dispatched", 0),
                ("in_progress", 4),
                ("resolved", 0),
                ("customer_accepted", 0)
            ]
        );
        assert_eq!(dash.open_total, 9);
    }

    #[test]
    fn deadlines_are_counted_per_monday_to_sunday_week() {
        let figures = Figures {
            deadlines: vec![
                row("2026-09-06", "met", 100), // Sunday before the first week: ignored
                row("2026-09-07", "met", 2),
                row("2026-09-13", "met", 1), // Sunday: same week
                row("2026-11-23", "met", 5),
                row("2026-11-25", "met_late", 1),
                row("2026-09-14", "breached", 3),
                row("2026-11-24", "breached", 2),
            ],
            ..Figures::default()
        };
        let dash = Dashboard::assemble(periods(), &figures, &projects());
        assert_eq!(dash.deadlines.len(), 12);
        let w = |i: usize| {
            let x = &dash.deadlines[i];
            (x.week, x.met, x.met_late, x.breached)
        };
        assert_eq!(w(0), (d("2026-09-07"), 3, 0, 0));
        assert_eq!(w(1), (d("2026-09-14"), 0, 0, 3));
        assert_eq!(w(11), (d("2026-11-23"), 5, 1, 2));
    }

    #[test]
    fn the_satisfaction_index_is_the_months_average_of_perceived_over_expected() {
        let figures = Figures {
            // November: 8/10 and 10/8 (0.8 + 1.25); January: one 5/5.
            satisfaction: vec![
                row("2026-11-02", "callbacks", 1),
                row("2026-11-20", "callbacks", 1),
                row("2026-01-15", "callbacks", 1),
                row("2026-11-02", "index_milli", 800),
                row("2026-11-20", "index_milli", 1250),
                row("2026-01-15", "index_milli", 1000),
                row("2025-11-30", "callbacks", 7), // before the period: ignored
            ],
            ..Figures::default()
        };
        let dash = Dashboard::assemble(periods(), &figures, &projects());
        assert_eq!(dash.satisfaction.len(), 12);
        assert_eq!(dash.satisfaction[0].month, d("2025-12-01"));
        assert_eq!(dash.satisfaction[0].index, None, "no callbacks, no index");
        assert_eq!((dash.satisfaction[1].callbacks, dash.satisfaction[1].index), (1, Some(1.0)));
        let nov = &dash.satisfaction[11];
        assert_eq!((nov.month, nov.callbacks, nov.index_milli), (d("2026-11-01"), 2, 2050));
        assert_eq!(nov.index, Some(1.025));
    }

    #[test]
    fn projects_and_buildings_are_ranked_by_complaints_received_in_the_period() {
        let figures = Figures {
            buildings: vec![
                (1, "received_building:1栋".into(), 3),
                (1, "received_building:3栋".into(), 4),
                (2, "received_building:A座".into(), 6),
                (9, "received_building:X".into(), 1), // a project no longer known
            ],
            ..Figures::default()
        };
        let dash = Dashboard::assemble(periods(), &figures, &projects());
        let projects: Vec<_> = dash.top_projects.iter().map(|r| (r.project_name.as_str(), r.count)).collect();
        assert_eq!(projects, [("锦园华苑", 7), ("丽湖湾", 6), ("#9", 1)]);
        let buildings: Vec<_> =
            dash.top_buildings.iter().map(|r| (r.project_code.as_str(), r.building.as_deref(), r.count)).collect();
        assert_eq!(buildings, [("LHW", Some("A座"), 6), ("JYHY", Some("3栋"), 4), ("JYHY", Some("1栋"), 3), ("#9", Some("X"), 1)]);
        assert_eq!(dash.ranking_since, d("2025-12-01"));
    }

    #[test]
    fn rankings_keep_the_top_ten() {
        let figures = Figures {
            buildings: (0..15).map(|i| (1, format!("received_building:{i}栋"), i + 1)).collect(),
            ..Figures::default()
        };
        let dash = Dashboard::assemble(periods(), &figures, &projects());
        assert_eq!(dash.top_buildings.len(), TOP);
        assert_eq!(dash.top_buildings[0].count, 15);
        assert_eq!(dash.top_projects[0].count, (1..=15).sum::<i64>());
    }

    #[test]
    fn only_leaders_board_analysts_heads_and_admins_see_the_dashboard() {
        let allowed: Vec<_> = Role::ALL.into_iter().filter(|r| may_see_dashboard(*r)).collect();
        assert_eq!(allowed, [Role::DepartmentHead, Role::CompanyLeader, Role::Board, Role::Analyst, Role::Admin]);
    }
}
