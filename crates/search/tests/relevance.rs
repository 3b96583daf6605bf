//! Relevance on a small corpus whose right answers were written down
//! before the index was built: word order, Traditional = Simplified,
//! synonyms, stemming, unit strings, fragments, filters, masking, order,
//! snippets and bad queries.

use std::collections::BTreeSet;
use tousu_search::{Filters, ParsedQuery, SearchDoc, SearchError, SearchIndex, SortBy, Synonyms};

const CORPUS: [(u64, &str, &str, &str, &str); 12] = [
    (1, "JYHY", "3栋", "3栋1801卫生间顶上滴水，楼上防水层破损", "张三丰 13812345678"),
    (2, "JYHY", "1栋", "电梯维修了三次还是坏，困人十分钟", "王芳 13500000002"),
    (3, "LHW", "A座", "小区升降机经常停运", "李娜 13500000003"),
    (4, "LHW", "B座", "The lift is broken again, leaking oil", "Tom Lee 13500000004"),
    (5, "JYHY", "2栋", "物业费比去年多收了两百元", "刘洋 13500000005"),
    (6, "LHW", "A座", "管理费收费标准不公示", "陈静 13500000006"),
    (7, "LHW", "B座", "B座地下车库渗水严重", "赵雷 13500000007"),
    (8, "JYHY", "3栋", "電梯按鈕失靈", "周杰 13500000008"),
    (9, "JYHY", "1栋", "楼下商铺噪音太大，晚上装修", "吴敏 13500000009"),
    (10, "JYHY", "2栋", "维修电梯的师傅态度很差", "郑爽 13500000010"),
    (11, "LHW", "A座", "窗户密封条老化漏风", "孙丽 13900001111"),
    (12, "JYHY", "3栋", "垃圾桶满了没人清理", "钱多 13500000012"),
];

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory().expect("an index");
    for (id, project, building, text, personal) in CORPUS {
        index
            .upsert(&SearchDoc {
                id,
                company: 1,
                project: project.into(),
                building: building.into(),
                status: if id % 2 == 0 { "closed".into() } else { "in_progress".into() },
                category: "facilities".into(),
                received_ms: id as i64 * 1000,
                text: text.into(),
                personal: personal.into(),
                ..SearchDoc::default()
            })
            .expect("added");
    }
    // Another company's complaint never shows.
    index.upsert(&SearchDoc { id: 99, company: 2, text: "电梯维修".into(), ..SearchDoc::default() }).expect("added");
    index.commit().expect("committed");
    index
}

fn find(index: &SearchIndex, q: &str, filters: &Filters, personal: bool) -> BTreeSet<u64> {
    let parsed = ParsedQuery::parse(q).expect("a valid query");
    let hits =
        index.search(&parsed, filters, &Synonyms::builtin(), personal, SortBy::Relevance, 0, 50).expect("searched");
    hits.hits.into_iter().map(|h| h.id).collect()
}

fn company() -> Filters {
    Filters { company: 1, ..Filters::default() }
}

fn set(ids: &[u64]) -> BTreeSet<u64> {
    ids.iter().copied().collect()
}

#[test]
fn each_query_finds_exactly_the_complaints_written_down_for_it() {
    let index = index();
    let lifts = set(&[2, 3, 4, 8, 10]);
    let expected: Vec<(&str, BTreeSet<u64>)> = vec![
        ("电梯维修", set(&[2, 10])),
        ("维修电梯", set(&[2, 10])),
        ("电梯", lifts.clone()),
        ("電梯", lifts.clone()),
        ("升降机", lifts.clone()),
        ("lift", lifts.clone()),
        ("leaks", set(&[4])),
        ("物业费", set(&[5, 6])),
        ("渗水", set(&[1, 4, 7])),
        ("3栋1801", set(&[1])),
        ("B座", set(&[7])),
        ("防水层", set(&[1])),
        ("修了三", set(&[2])),
        ("\"车库渗水\"", set(&[7])),
        ("窗户 漏风", set(&[11])),
        ("窗户 电梯", set(&[])),
    ];
    for (q, want) in expected {
        assert_eq!(find(&index, q, &company(), false), want, "{q}");
    }
}

#[test]
fn filters_narrow_the_answer_and_other_companies_never_show() {
    let index = index();
    let lhw = Filters { project: Some("LHW".into()), ..company() };
    assert_eq!(find(&index, "电梯", &lhw, false), set(&[3, 4]));
    let closed = Filters { status: vec!["closed".into()], ..company() };
    assert_eq!(find(&index, "电梯", &closed, false), set(&[2, 4, 8, 10]));
    let building = Filters { building: Some("3栋".into()), ..company() };
    assert_eq!(find(&index, "电梯", &building, false), set(&[8]));
    let window = Filters { received_from: Some(3000), received_to: Some(9000), ..company() };
    assert_eq!(find(&index, "电梯", &window, false), set(&[3, 4, 8]));
    assert!(!find(&index, "电梯维修", &company(), false).contains(&99));
}

#[test]
fn personal_data_is_found_only_by_who_may_see_it() {
    let index = index();
    assert_eq!(find(&index, "13812345678", &company(), false), set(&[]));
    assert_eq!(find(&index, "张三丰", &company(), false), set(&[]));
    assert_eq!(find(&index, "13812345678", &company(), true), set(&[1]));
    assert_eq!(find(&index, "张三丰", &company(), true), set(&[1]));
}

#[test]
fn newest_first_and_snippets_mark_what_matched_in_the_original_text() {
    let index = index();
    let parsed = ParsedQuery::parse("电梯").unwrap();
    let hits = index.search(&parsed, &company(), &Synonyms::builtin(), false, SortBy::Newest, 0, 3).unwrap();
    assert_eq!(hits.total, 5);
    assert_eq!(hits.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![10, 8, 4], "a page, newest first");
    assert_eq!(hits.hits[1].snippet, "<mark>電梯</mark>按鈕失靈");
    let next = index.search(&parsed, &company(), &Synonyms::builtin(), false, SortBy::Newest, 3, 3).unwrap();
    assert_eq!(next.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![3, 2]);
    assert!(next.hits[0].snippet.contains("<mark>升降机</mark>"), "{}", next.hits[0].snippet);
}

#[test]
fn bad_queries_are_refused_or_find_nothing() {
    let index = index();
    for q in ["\"\"\"", "？！。，、", "   ", "\"电梯"] {
        let parsed = ParsedQuery::parse(q).expect("not an error");
        let hits = index.search(&parsed, &company(), &Synonyms::builtin(), false, SortBy::Relevance, 0, 10).unwrap();
        if q == "\"电梯" {
            assert_eq!(hits.total, 5, "an unbalanced quote is a space");
        } else {
            assert_eq!(hits.total, 0, "{q}");
        }
    }
    assert!(matches!(ParsedQuery::parse(&"电".repeat(10_000)), Err(SearchError::QueryTooLong(10_000))));
}

/// The filters are checked per candidate, beside the text's own top-k
/// pruning: over many segments, with replaced documents, with a page of
/// 1 among many equal matches, the page and the total stay exact; merging
/// the segments into one changes no answer and keeps the cursor.
#[test]
fn filters_and_totals_stay_exact_across_segments_replacements_and_a_merge() {
    let index = SearchIndex::in_memory().expect("an index");
    let doc = |id: u64, status: &str, company: u64| SearchDoc {
        id,
        company,
        project: if id % 3 == 0 { "LHW".into() } else { "JYHY".into() },
        status: status.into(),
        received_ms: id as i64,
        text: format!("第{id}号，电梯坏了"),
        ..SearchDoc::default()
    };
    // Three commits, three segments; the second replaces the first's even ids.
    for id in 1..=60 {
        index.upsert(&doc(id, "received", 1 + id % 2)).unwrap();
    }
    index.commit_at("1").unwrap();
    for id in (2..=60).step_by(2) {
        index.upsert(&doc(id, "closed", 1)).unwrap();
    }
    index.commit_at("2").unwrap();
    for id in 61..=90 {
        index.upsert(&doc(id, "received", 1)).unwrap();
    }
    index.commit_at("3").unwrap();
    let ask = |filters: &Filters, limit: usize| {
        let parsed = ParsedQuery::parse("电梯").unwrap();
        index.search(&parsed, filters, &Synonyms::builtin(), false, SortBy::Relevance, 0, limit).unwrap()
    };
    let expect = |filters: &Filters, want: Vec<u64>| {
        let hits = ask(filters, 100);
        let mut ids: Vec<u64> = hits.hits.iter().map(|h| h.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, want);
        assert_eq!(hits.total, want.len(), "the total counts what passes");
        assert_eq!(ask(filters, 1).hits.len(), 1.min(want.len()), "a page of one among equals");
    };
    let closed = Filters { status: vec!["closed".into()], ..company() };
    let lhw_open = Filters { project: Some("LHW".into()), status: vec!["received".into()], ..company() };
    let window = Filters { received_from: Some(50), received_to: Some(70), ..company() };
    let cases = [
        (company(), (1..=90).filter(|id| id % 2 == 0 || *id > 60).collect::<Vec<u64>>()),
        (Filters { company: 2, ..Filters::default() }, (1..=60).filter(|id| id % 2 == 1).collect()),
        (closed, (2..=60).step_by(2).collect()),
        (lhw_open, (61..=90).filter(|id| id % 3 == 0).collect()),
        (window, (50..70).filter(|id| id % 2 == 0 || *id > 60).collect()),
        (Filters { project: Some("NONE".into()), ..company() }, vec![]),
    ];
    for (filters, want) in &cases {
        expect(filters, want.clone());
    }
    let page: Vec<u64> = ask(&company(), 5).hits.iter().map(|h| h.id).collect();
    assert!(page.len() == 5 && page.windows(2).all(|w| w[0] > w[1]), "equal scores: newest id first: {page:?}");
    assert!(index.merge_all().unwrap(), "merged");
    assert_eq!(index.cursor().unwrap(), "3", "the cursor survives the merge");
    for (filters, want) in &cases {
        expect(filters, want.clone());
    }
    assert_eq!(ask(&company(), 100).total, cases[0].1.len());
}
