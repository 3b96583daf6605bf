//! The command line: `serve`, `migrate`, `copy`, `token create`, `user reset-password`, `calendar`, `bench`, `triage`.

use crate::settings::{Overrides, Settings};
use crate::startup::{Application, open_store, shutdown_signal};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tousu_app::{Services, SystemClock};
use tousu_domain::Role;

#[derive(Debug, Parser)]
#[command(name = "tousu", version, about = "tousu 投诉 — complaint handling for property-management companies")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (API) on the embedded SQLite database or on PostgreSQL.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit (SQLite or PostgreSQL).
    Migrate(DataArgs),
    /// Copy a whole installation from SQLite to PostgreSQL, verified by
    /// counts and checksums (`--from sqlite://PATH --to postgres://URL`).
    Copy(crate::copy::CopyArgs),
    /// API tokens for scripts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The working-day calendar (public holidays and 调休 make-up days).
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Measure performance (see BENCHMARKS.md).
    #[command(subcommand)]
    Bench(crate::bench::BenchCommand),
    /// Complaint triage (category, severity, emergency, psychology …) and group complaints.
    #[command(subcommand)]
    Triage(crate::triage_cmd::TriageCommand),
    /// The search index (rebuild it from the history).
    #[command(subcommand)]
    Search(crate::search_cmd::SearchCommand),
}

/// Where the data is.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// The data folder (default ./tousu-data).
    #[arg(long = "data", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH (default DIR/tousu.db) or postgres://USER@HOST:PORT/DATABASE.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// A settings file (default DIR/tousu.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl DataArgs {
    pub(crate) fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            database: self.database.clone(),
            config_file: self.config.clone(),
            ..Overrides::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = crate::settings::DEFAULT_BIND)]
    pub bind: SocketAddr,
    /// Seed a demo organisation on first start and print its logins.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; prints it alone on the last line.
    Create {
        /// front_desk, handler, department_head, company_leader, board, analyst or admin.
        #[arg(long)]
        role: Role,
        /// The staff member (default: the first with that role).
        #[arg(long)]
        user: Option<String>,
        /// A note about what the token is for.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Give a staff member a new random password (printed once).
    ResetPassword {
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Import one year (the format of calendars/cn/*.toml), replacing that year.
    Import {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List the years the calendar covers.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Runs a command and answers the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    crate::telemetry::init("info,sqlx=warn,tower_http=warn");
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tousu: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve(args).await,
            Command::Migrate(data) => migrate(data).await,
            Command::Copy(args) => crate::copy::copy(args).await,
            Command::Token(TokenCommand::Create { role, user, label, data }) => token_create(role, user, label, data).await,
            Command::User(UserCommand::ResetPassword { username, data }) => reset_password(username, data).await,
            Command::Calendar(CalendarCommand::Import { file, data }) => calendar_import(file, data).await,
            Command::Calendar(CalendarCommand::List { data }) => calendar_list(data).await,
            Command::Bench(cmd) => crate::bench::run(cmd).await,
            Command::Triage(cmd) => crate::triage_cmd::run(cmd),
            Command::Search(cmd) => crate::search_cmd::run(cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tousu: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = Settings::load(Overrides { bind: Some(args.bind), demo: args.demo, ..args.data.overrides() })?;
    let app = Application::build(settings.clone()).await?;
    let url = format!("http://{}", app.local_addr().unwrap_or(settings.bind));
    println!("tousu 投诉 is running at {url}");
    println!("  database: {}", crate::settings::redacted(&settings.database_url()));
    println!("  API:      {url}/api/v1/openapi.json");
    if let Some(accounts) = app.seeded_accounts() {
        println!();
        println!("Demo organisation seeded. Logins (shown once, keep them; `tousu user reset-password NAME` makes new ones):");
        println!("  演示账号（仅显示一次，请妥善保存）:");
        println!("  {:<12} {:<16} {:<18} {}", "username", "role", "name", "password");
        for a in accounts {
            let who = format!("{} ({})", a.display_name, a.role.label_zh());
            println!("  {:<12} {:<16} {:<18} {}", a.username, a.role.as_str(), who, a.password);
        }
        println!();
        println!("  Log in:  curl -c cookies.txt -H 'content-type: application/json' \\");
        println!("             -d '{{\"username\":\"frontdesk\",\"password\":\"…\"}}' {url}/api/v1/auth/login");
        println!("  Or a token: tousu token create --role front_desk");
    }
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}

/// Brings the database's schema up to date. On SQLite it takes the data
/// folder's lock first, so it never migrates under a running server.
async fn migrate(data: DataArgs) -> anyhow::Result<()> {
    let settings = Settings::load(data.overrides())?;
    let url = settings.database_url();
    let _lock = match crate::settings::Backend::from_url(&url)? {
        crate::settings::Backend::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            Some(crate::startup::DatabaseLock::acquire(&path)?)
        }
        crate::settings::Backend::Postgres(_) => None,
    };
    open_store(&settings).await?;
    println!("database {}: migrations applied, schema up to date", crate::settings::redacted(&url));
    println!("数据库结构已是最新。");
    Ok(())
}

async fn services(data: &DataArgs) -> anyhow::Result<Services> {
    let settings = Settings::load(data.overrides())?;
    let store = open_store(&settings).await?;
    Ok(Services::new(store, Arc::new(SystemClock), settings.app))
}

async fn token_create(role: Role, user: Option<String>, label: Option<String>, data: DataArgs) -> anyhow::Result<()> {
    let services = services(&data).await?;
    let (token, staff) = services
        .create_api_token(role, user.as_deref(), label)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "API token for {} ({}, {}). Send it as: Authorization: Bearer <token>",
        staff.username,
        staff.display_name,
        staff.role.label_zh()
    );
    println!("{token}");
    Ok(())
}

async fn reset_password(username: String, data: DataArgs) -> anyhow::Result<()> {
    let services = services(&data).await?;
    let password = services.reset_password(&username).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("New password for {username} (shown once):");
    println!("{password}");
    Ok(())
}

async fn calendar_import(file: PathBuf, data: DataArgs) -> anyhow::Result<()> {
    let content = std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let services = services(&data).await?;
    services.load_calendar().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let year = services.import_calendar_year(&content).await.map_err(|e| match e {
        tousu_app::AppError::Domain(d) => anyhow::anyhow!("{}\n{}", d.message_zh(), d.message_en()),
        other => anyhow::anyhow!("{other}"),
    })?;
    println!(
        "imported {}: {} holidays, {} make-up working days ({}). A running server picks it up when restarted.",
        year.year,
        year.holidays,
        year.workdays,
        if year.official { "official" } else { "provisional" }
    );
    Ok(())
}

async fn calendar_list(data: DataArgs) -> anyhow::Result<()> {
    let services = services(&data).await?;
    services.load_calendar().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for y in services.calendar_years() {
        println!(
            "{}  {:<12} holidays {:>2}  make-up days {:>2}  {}",
            y.year,
            if y.official { "official" } else { "provisional" },
            y.holidays,
            y.workdays,
            y.source.unwrap_or_default()
        );
    }
    Ok(())
}
