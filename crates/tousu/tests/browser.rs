//! End-to-end: the real server, driven by a real headless Chromium
//! (`tests/browser/journey.mjs`, playwright-core over Debian's `chromium`).
//! An owner on a phone submits with a photo, the front desk confirms and
//! dispatches, the handler resolves, the owner accepts and answers the
//! callback, the dashboard counts it. Screenshots of every page go to
//! `<target>/browser-screenshots/`.
//!
//! Needs `node`, `tests/browser/node_modules` (`npm ci` there) and Chromium
//! (`TOUSU_CHROMIUM`, else `/usr/bin/chromium`). Without them the test says
//! so and passes, except under CI (`CI=true`), where `.ci/run` installs
//! them and a missing one is a failure rather than a silent skip.

#[path = "api/helpers.rs"]
#[allow(dead_code, unused_imports)]
mod helpers;

use helpers::spawn_app;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The journey takes about 15 s; a hung browser must not hang the suite.
const JOURNEY_LIMIT: Duration = Duration::from_secs(300);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository's root")
}

/// `<target>/browser-screenshots`: the test binary lives in `<target>/<profile>/deps/`.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).or_else(|| {
        std::env::current_exe().ok().and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
    });
    target.unwrap_or_else(|| repo_root().join("target")).join("browser-screenshots")
}

/// What the browser test needs, or why it cannot run here.
struct Tools {
    node: PathBuf,
    chromium: PathBuf,
    script: PathBuf,
}

fn tools() -> Result<Tools, String> {
    let root = repo_root();
    let node = PathBuf::from("node");
    let found = std::process::Command::new(&node).arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        return Err("`node` is not on the PATH (Debian: apt-get install nodejs npm)".into());
    }
    let browser_dir = root.join("tests/browser");
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        return Err(format!(
            "{}/node_modules/playwright-core is missing (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci)",
            browser_dir.display()
        ));
    }
    let chromium = std::env::var_os("TOUSU_CHROMIUM")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Err(format!("no Chromium at {} (apt-get install chromium fonts-wqy-microhei, or set TOUSU_CHROMIUM)", chromium.display()));
    }
    Ok(Tools { node, chromium, script: browser_dir.join("journey.mjs") })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_goes_from_an_owners_phone_to_the_dashboard_in_a_real_browser() {
    let tools = match tools() {
        Ok(t) => t,
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("the browser test cannot run under CI: {why}")
        }
        Err(why) => {
            eprintln!("\n!!! SKIPPED the browser test: {why}\n!!! (.ci/run installs what it needs)\n");
            return;
        }
    };
    let app = spawn_app().await;
    let shots = screenshot_dir();
    let accounts: serde_json::Map<String, serde_json::Value> =
        app.accounts.iter().map(|a| (a.username.clone(), json!(a.password))).collect();
    // Passwords go through the environment, not the command line (`ps` shows that).
    let config = json!({
        "base_url": app.address,
        "screenshot_dir": shots,
        "accounts": accounts,
        "company": "HTWY",
        "project": "JYHY",
    });
    eprintln!("browser journey against {}; screenshots in {}", app.address, shots.display());
    let started = Instant::now();
    let child = tokio::process::Command::new(&tools.node)
        .arg(&tools.script)
        .current_dir(repo_root().join("tests/browser"))
        .env("TOUSU_E2E", config.to_string())
        .env("TOUSU_CHROMIUM", &tools.chromium)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let output = tokio::time::timeout(JOURNEY_LIMIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("the browser journey took longer than {JOURNEY_LIMIT:?}; screenshots in {}", shots.display()))
        .expect("the browser journey's output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser journey failed ({}) after {:.1} s; screenshots in {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status,
        started.elapsed().as_secs_f64(),
        shots.display(),
    );
    eprintln!("{stdout}");
    let taken = std::fs::read_dir(&shots).expect("the screenshot folder").filter_map(Result::ok).count();
    assert!(taken >= 20, "only {taken} screenshots in {}", shots.display());
}
