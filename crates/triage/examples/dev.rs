//! Development helper: `cargo run -p tousu-triage --example dev -- eval FILE [--misses]`
//! or `-- replay STREAM` or `-- show "text"`.
use std::sync::Arc;
use tousu_triage::{GroupConfig, Triage, eval, replay};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let triage = Triage::new();
    match args.first().map(String::as_str) {
        Some("eval") => {
            let content = std::fs::read_to_string(&args[1]).unwrap();
            let records = eval::parse_jsonl(&content).unwrap();
            let r = eval::evaluate(&triage, &records);
            println!("{}", r.to_text(args.iter().any(|a| a == "--misses")));
            println!("targets: {:?}", eval::check_targets(&r));
        }
        Some("replay") => {
            let content = std::fs::read_to_string(&args[1]).unwrap();
            let rows = replay::parse_stream(&content).unwrap();
            let rep = replay::replay(Arc::new(triage), GroupConfig::default(), &rows);
            println!("{}", rep.to_text());
            let s = replay::score(&rows, &rep);
            println!("{}", serde_json::to_string_pretty(&s).unwrap());
            println!("failures: {:?}", s.failures());
        }
        Some("dump") => {
            let content = std::fs::read_to_string(&args[1]).unwrap();
            for r in eval::parse_jsonl(&content).unwrap() {
                let a = triage.classify(&r.text);
                let mut m = serde_json::Map::new();
                m.insert("id".into(), r.id.clone().into());
                for l in eval::LABELS {
                    m.insert(l.to_string(), eval::predicted(&a, l).into());
                }
                m.insert(
                    "signals".into(),
                    format!("{:?}", triage.signals(&r.text)).into(),
                );
                println!("{}", serde_json::Value::Object(m));
            }
        }
        Some("bench") => {
            let r = tousu_triage::bench::classify_bench(
                &triage,
                tousu_triage::bench::SAMPLE_TEXTS,
                20_000,
            );
            println!("{r:?}");
            let r = tousu_triage::bench::group_bench(std::sync::Arc::new(triage), 1_000_000, 2_000);
            println!("{r:?}");
        }
        Some("show") => {
            for t in &args[1..] {
                println!("{}", triage.normalise(t));
                println!("{:?}", triage.signals(t));
                println!(
                    "{}",
                    serde_json::to_string_pretty(&triage.classify(t)).unwrap()
                );
            }
        }
        _ => eprintln!("eval FILE | replay FILE | show TEXT"),
    }
}
