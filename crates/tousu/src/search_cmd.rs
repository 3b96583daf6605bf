//! `tousu search …`: the search index (issue 8).

use crate::cli::DataArgs;
use crate::settings::Settings;
use crate::startup::open_store;
use clap::Subcommand;
use std::sync::Arc;
use tousu_app::{Services, SystemClock};

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the search index from the complaint history, with a progress
    /// bar. The server keeps its index current by itself; this is for a
    /// damaged or deleted index (the server must be stopped: the index has
    /// one writer).
    Reindex {
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(cmd: SearchCommand) -> anyhow::Result<()> {
    match cmd {
        SearchCommand::Reindex { data } => reindex(data).await,
    }
}

async fn reindex(data: DataArgs) -> anyhow::Result<()> {
    let settings = Settings::load(data.overrides())?;
    let store = open_store(&settings).await?;
    let dir = settings.search_index_dir();
    let services = Services::new(store, Arc::new(SystemClock), settings.app.clone())
        .with_search_index(&dir)
        .map_err(|e| anyhow::anyhow!("{e} (is a server running on this data folder?)"))?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} complaints, {per_sec}, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let n = services
        .reindex(|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "search index rebuilt in {}: {n} complaints in {seconds:.1} s ({:.0}/s)",
        dir.display(),
        n as f64 / seconds.max(0.001)
    );
    println!("搜索索引已重建。");
    Ok(())
}
