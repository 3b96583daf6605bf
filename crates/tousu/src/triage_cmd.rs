//! `tousu triage …`: the triage engine from the command line (see
//! crates/triage/README.md).

use clap::Subcommand;
use std::path::PathBuf;
use std::sync::Arc;
use tousu_triage::{GroupConfig, Triage, eval, replay};

#[derive(Debug, Subcommand)]
pub enum TriageCommand {
    /// Triage a labelled JSONL file (the format of complaints-dev.jsonl) and
    /// print per-label accuracy, per-class precision/recall and confusion matrices.
    Eval {
        file: PathBuf,
        /// One JSON object keyed by label instead of the tables.
        #[arg(long)]
        json: bool,
        /// Also list the misses (id, gold → predicted).
        #[arg(long)]
        misses: bool,
        /// Exit with an error when a target of issue 5 is missed.
        #[arg(long)]
        check: bool,
    },
    /// Replay a timestamped stream (the format of group-stream-dev.jsonl):
    /// group incidents (群诉) and repeat links.
    Replay {
        file: PathBuf,
        /// One JSON object per incident and per repeat link (JSON Lines).
        #[arg(long)]
        json: bool,
        /// Thresholds as TOML (the fields of GroupConfig); defaults otherwise.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Score against the stream's ground truth (`cluster`, `repeat_of`) when present.
        #[arg(long)]
        score: bool,
    },
    /// Triage one text and print the assessment as JSON.
    Classify {
        text: String,
        /// Response scripts (话术) to use instead of the embedded ones (TOML).
        #[arg(long, value_name = "FILE")]
        scripts: Option<PathBuf>,
    },
}

fn read(path: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
}

pub fn run(cmd: TriageCommand) -> anyhow::Result<()> {
    match cmd {
        TriageCommand::Eval {
            file,
            json,
            misses,
            check,
        } => {
            let records = eval::parse_jsonl(&read(&file)?)?;
            let triage = Triage::new();
            let report = eval::evaluate(&triage, &records);
            if json {
                println!("{}", serde_json::to_string_pretty(&report.to_json())?);
            } else {
                print!("{}", report.to_text(misses));
            }
            let fails = eval::check_targets(&report);
            if !json {
                if fails.is_empty() {
                    println!("\nall targets of issue 5 met");
                } else {
                    println!("\ntargets missed: {}", fails.join("; "));
                }
            }
            if check && !fails.is_empty() {
                anyhow::bail!("targets missed: {}", fails.join("; "));
            }
            Ok(())
        }
        TriageCommand::Replay {
            file,
            json,
            config,
            score,
        } => {
            let rows = replay::parse_stream(&read(&file)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let config: GroupConfig = match config {
                Some(p) => toml::from_str(&read(&p)?)?,
                None => GroupConfig::default(),
            };
            let report = replay::replay(Arc::new(Triage::new()), config, &rows);
            if json {
                for line in report.json_lines() {
                    println!("{}", serde_json::to_string(&line)?);
                }
            } else {
                print!("{}", report.to_text());
            }
            if score {
                let s = replay::score(&rows, &report);
                eprintln!("{}", serde_json::to_string_pretty(&s)?);
                let fails = s.failures();
                if !fails.is_empty() {
                    anyhow::bail!("targets missed: {}", fails.join("; "));
                }
            }
            Ok(())
        }
        TriageCommand::Classify { text, scripts } => {
            let triage = match scripts {
                Some(p) => Triage::with_scripts(&read(&p)?)?,
                None => Triage::new(),
            };
            println!("{}", serde_json::to_string_pretty(&triage.classify(&text))?);
            Ok(())
        }
    }
}
