//! 月度报告 — the monthly report of a company as an XLSX workbook: a
//! summary, satisfaction by department, touchpoint and project (with a
//! chart), the iceberg, the defect library with its Pareto chart, and —
//! for heads and above — departments' performance. Every figure comes from the reports of
//! [`crate::satisfaction`] and [`crate::performance`] (the figures kept as
//! events are written), so the workbook costs the same for 100 or 100,000
//! complaints in the month.

use crate::satisfaction::{SatisfactionQuery, SatisfactionRow};
use crate::{AppError, AppResult, Principal, Services};
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};
use tousu_domain::performance::Who;
use tousu_domain::satisfaction_figures::Dimension;

fn xlsx(e: XlsxError) -> AppError {
    AppError::Internal(format!("writing the XLSX report: {e}"))
}

const SATISFACTION_HEADER: [&str; 8] = ["维度值", "名称", "回访数", "平均满意度", "平均差值", "满意", "一般", "不满意"];

fn satisfaction_sheet(sheet: &mut Worksheet, rows: &[SatisfactionRow], bold: &Format) -> Result<(), XlsxError> {
    for (c, h) in SATISFACTION_HEADER.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let f = &r.figures;
        sheet.write_string(row, 0, &r.key)?;
        sheet.write_string(row, 1, &r.label)?;
        sheet.write_number(row, 2, f.callbacks as f64)?;
        sheet.write_number(row, 3, f.mean_index)?;
        sheet.write_number(row, 4, f.mean_difference)?;
        sheet.write_number(row, 5, f.satisfied as f64)?;
        sheet.write_number(row, 6, f.content as f64)?;
        sheet.write_number(row, 7, f.dissatisfied as f64)?;
    }
    sheet.set_column_width(1, 16)?;
    Ok(())
}

impl Services {
    /// The workbook for one month (`YYYY-MM`) of the caller's company.
    pub async fn monthly_report(&self, who: &Principal, month: &str) -> AppResult<Vec<u8>> {
        crate::satisfaction::parse_month("month", month)?;
        let by = |by| SatisfactionQuery { by, from: month.to_string(), to: month.to_string(), project: None };
        let company = self.satisfaction_report(who, by(Dimension::Company)).await?;
        let departments = self.satisfaction_report(who, by(Dimension::Department)).await?;
        let touchpoints = self.satisfaction_report(who, by(Dimension::Touchpoint)).await?;
        let projects = self.satisfaction_report(who, by(Dimension::Project)).await?;
        let iceberg = self.iceberg_report(who, month.to_string(), month.to_string()).await?;
        let performance = if crate::performance::may_see_performance(who.role) {
            Some(self.performance_report(who, Who::Department, month.to_string(), month.to_string()).await?)
        } else {
            None
        };
        let library = self
            .defect_library(
                who,
                crate::defects::LibraryQuery {
                    by: Some("component_phase".into()),
                    from: Some(month.to_string()),
                    to: Some(month.to_string()),
                    ..Default::default()
                },
            )
            .await?;
        let org = self.org(who.company_id).await?;

        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let title = Format::new().set_bold().set_font_size(14);
        {
            let sheet = book.add_worksheet().set_name("概要").map_err(xlsx)?;
            sheet
                .write_string_with_format(0, 0, format!("{} 投诉月度报告 {month}", org.company.name), &title)
                .map_err(xlsx)?;
            let complaints: u64 = iceberg.projects.iter().map(|p| p.iceberg.complaints).sum();
            let silent: u64 = iceberg.projects.iter().map(|p| p.iceberg.silent_estimate).sum();
            let all = company.rows.first().map(|r| &r.figures);
            let lines: [(&str, f64); 7] = [
                ("收到投诉（不含咨询）", complaints as f64),
                ("沉默的不满客户（估计）", silent as f64),
                ("回访数", all.map_or(0.0, |f| f.callbacks as f64)),
                ("平均满意度（感受值÷期望值）", all.map_or(0.0, |f| f.mean_index)),
                ("满意", all.map_or(0.0, |f| f.satisfied as f64)),
                ("一般", all.map_or(0.0, |f| f.content as f64)),
                ("不满意", all.map_or(0.0, |f| f.dissatisfied as f64)),
            ];
            for (i, (label, value)) in lines.iter().enumerate() {
                let row = i as u32 + 2;
                sheet.write_string_with_format(row, 0, *label, &bold).map_err(xlsx)?;
                sheet.write_number(row, 1, *value).map_err(xlsx)?;
            }
            sheet.set_column_width(0, 30).map_err(xlsx)?;
        }
        {
            let sheet = book.add_worksheet().set_name("满意度-部门").map_err(xlsx)?;
            satisfaction_sheet(sheet, &departments.rows, &bold).map_err(xlsx)?;
            if !departments.rows.is_empty() {
                let last = departments.rows.len() as u32;
                let mut chart = Chart::new(ChartType::Column);
                chart.title().set_name("各部门平均满意度");
                chart.add_series().set_categories(("满意度-部门", 1, 1, last, 1)).set_values((
                    "满意度-部门",
                    1,
                    3,
                    last,
                    3,
                ));
                chart.legend().set_hidden();
                sheet.insert_chart(1, 9, &chart).map_err(xlsx)?;
            }
        }
        satisfaction_sheet(book.add_worksheet().set_name("满意度-触点").map_err(xlsx)?, &touchpoints.rows, &bold)
            .map_err(xlsx)?;
        satisfaction_sheet(book.add_worksheet().set_name("满意度-项目").map_err(xlsx)?, &projects.rows, &bold)
            .map_err(xlsx)?;
        {
            let sheet = book.add_worksheet().set_name("冰山").map_err(xlsx)?;
            for (c, h) in ["项目", "名称", "投诉", "沉默的不满客户（估计）", "回访数", "平均满意度"].iter().enumerate()
            {
                sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(xlsx)?;
            }
            for (i, p) in iceberg.projects.iter().enumerate() {
                let row = i as u32 + 1;
                sheet.write_string(row, 0, &p.project).map_err(xlsx)?;
                sheet.write_string(row, 1, &p.name).map_err(xlsx)?;
                sheet.write_number(row, 2, p.iceberg.complaints as f64).map_err(xlsx)?;
                sheet.write_number(row, 3, p.iceberg.silent_estimate as f64).map_err(xlsx)?;
                if let Some(cb) = &p.iceberg.callbacks {
                    sheet.write_number(row, 4, cb.callbacks as f64).map_err(xlsx)?;
                    sheet.write_number(row, 5, cb.mean_index).map_err(xlsx)?;
                }
            }
        }
        {
            let sheet = book.add_worksheet().set_name("缺陷库").map_err(xlsx)?;
            let header = ["缺陷部位", "责任阶段", "投诉", "户数", "重复", "升级", "费用（元）", "项目数", "占比", "累计占比"];
            for (c, h) in header.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(xlsx)?;
            }
            for (i, r) in library.rows.iter().enumerate() {
                let row = i as u32 + 1;
                sheet.write_string(row, 0, &r.label).map_err(xlsx)?;
                sheet.write_string(row, 1, r.phase.map_or("", |p| p.label_zh())).map_err(xlsx)?;
                let numbers = [
                    r.complaints as f64,
                    r.households as f64,
                    r.repeat as f64,
                    r.escalated as f64,
                    r.cost_yuan,
                    r.projects as f64,
                    r.share,
                    r.cumulative_share,
                ];
                for (c, n) in numbers.iter().enumerate() {
                    sheet.write_number(row, c as u16 + 2, *n).map_err(xlsx)?;
                }
            }
            sheet.set_column_width(0, 22).map_err(xlsx)?;
            if !library.rows.is_empty() {
                // The Pareto chart: complaints per defect, and the running share.
                let last = library.rows.len() as u32;
                let mut chart = Chart::new(ChartType::Column);
                chart.title().set_name("缺陷帕累托图");
                chart.add_series().set_name("投诉").set_categories(("缺陷库", 1, 0, last, 0)).set_values(("缺陷库", 1, 2, last, 2));
                let mut line = Chart::new(ChartType::Line);
                line.add_series().set_name("累计占比").set_values(("缺陷库", 1, 9, last, 9)).set_secondary_axis(true);
                chart.combine(&line);
                sheet.insert_chart(1, 11, &chart).map_err(xlsx)?;
            }
        }
        if let Some(perf) = performance {
            let sheet = book.add_worksheet().set_name("绩效-部门").map_err(xlsx)?;
            let header = [
                "部门",
                "办结",
                "时限达成",
                "超时",
                "达成率",
                "解决中位时长（小时内）",
                "重新处理",
                "升级",
                "回访",
                "平均满意度",
            ];
            for (c, h) in header.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(xlsx)?;
            }
            for (i, r) in perf.rows.iter().enumerate() {
                let row = i as u32 + 1;
                let f = &r.figures;
                sheet.write_string(row, 0, &r.name).map_err(xlsx)?;
                let numbers = [
                    Some(f.handled as f64),
                    Some(f.deadlines_met as f64),
                    Some(f.deadlines_breached as f64),
                    f.deadlines_met_share,
                    f.median_hours_to_resolve.map(f64::from),
                    Some(f.reopened as f64),
                    Some(f.escalations as f64),
                    Some(f.callbacks as f64),
                    f.mean_index,
                ];
                for (c, n) in numbers.iter().enumerate() {
                    if let Some(n) = n {
                        sheet.write_number(row, c as u16 + 1, *n).map_err(xlsx)?;
                    }
                }
            }
        }
        book.save_to_buffer().map_err(xlsx)
    }
}
