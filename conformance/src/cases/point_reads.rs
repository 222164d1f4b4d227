//! Points reads: the leaderboards, the summary by source and the ledger history.

use super::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq};
use datastore::*;

/// The leaderboard ranks users with a positive total by channel + drop points, ties by id.
pub async fn leaderboard_ranks_by_total(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let a = funded(&*store, s, "a", 100).await?;
    let b = funded(&*store, s, "b", 50).await?;
    store
        .add_drop_points(
            s,
            b,
            NewDrop {
                score: 50,
                is_perfect: false,
                powerup_used: None,
            },
        )
        .await?;
    let c = user(&*store, s, "c").await?;
    store
        .add_drop_points(
            s,
            c,
            NewDrop {
                score: 300,
                is_perfect: true,
                powerup_used: None,
            },
        )
        .await?;
    let d = funded(&*store, s, "d", 10).await?;
    store
        .spend_points(s, d, PointDelta::new(10, PointSource::Spend))
        .await?;
    user(&*store, s, "e").await?;
    let board = store.leaderboard(s, 50).await?;
    let got: Vec<(u32, UserId, &str, i64, i64, i64)> = board
        .iter()
        .map(|r| {
            (
                r.rank,
                r.user_id,
                r.username.as_str(),
                r.channel_points,
                r.drop_points,
                r.total_points,
            )
        })
        .collect();
    check_eq!(
        got,
        vec![
            (1, c, "c", 0, 300, 300),
            (2, a, "a", 100, 0, 100),
            (3, b, "b", 50, 50, 100),
        ],
        "ranked by total, ties by id, zero totals left out"
    );
    check_eq!(board[0].total_drops, 1, "drop count");
    check_eq!(
        store.leaderboard(s, 2).await?,
        board[..2].to_vec(),
        "the limit"
    );
    for limit in [0, validate::MAX_PAGE_LIMIT + 1] {
        let r = store.leaderboard(s, limit).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "limit {limit}: {r:?}"
        );
    }
    Ok(())
}

/// A leaderboard read reflects every write its streamer made before it, and only ever shows
/// that streamer's board: what a backend that caches boards must keep (keyed by streamer,
/// invalidated by every write that moves a balance, adds or removes a user).
pub async fn leaderboard_follows_writes_and_stays_per_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let alice = funded(&*store, a, "alice", 100).await?;
    funded(&*store, b, "bob", 40).await?;
    // Each board read again and again at the same limits, one streamer right after the other
    // with nothing between the reads; then each compared with what the user list implies.
    let boards = |step: &'static str| {
        let store = store.clone();
        async move {
            let mut read = Vec::new();
            for s in [a, b, a, b] {
                for limit in [50, 1, 50] {
                    read.push((s, limit, store.leaderboard(s, limit).await?));
                }
            }
            for (s, limit, board) in read {
                check_eq!(
                    board,
                    board_from_user_list(&*store, s, limit).await?,
                    "{step}: the board of streamer {s:?}, limit {limit}"
                );
            }
            Ok::<(), Failure>(())
        }
    };
    boards("first reads").await?;
    store
        .earn_points(a, alice, PointDelta::new(10, PointSource::Chat))
        .await?;
    boards("earn").await?;
    store
        .spend_points(a, alice, PointDelta::new(5, PointSource::Spend))
        .await?;
    boards("spend").await?;
    let set = AdminSetPoints {
        channel_points: 7,
        drop_points: Some(3),
        description: None,
    };
    store.set_points(a, alice, set).await?;
    boards("set points").await?;
    let drop = NewDrop {
        score: 200,
        is_perfect: false,
        powerup_used: None,
    };
    store.add_drop_points(a, alice, drop).await?;
    boards("a drop").await?;
    let carol = funded(&*store, a, "carol", 500).await?;
    boards("a new user").await?;
    let names = ["alice".to_owned(), "dave".to_owned()];
    store
        .bulk_award(a, &names, PointDelta::new(1000, PointSource::Watch))
        .await?;
    boards("a bulk award").await?;
    store.purchase_powerup(a, alice, PowerupType::Boost).await?;
    boards("a purchase").await?;
    store.delete_user(a, carol).await?;
    boards("a deleted user").await?;
    check!(
        store.leaderboard(a, 50).await?.len() == 2,
        "alice and dave stay on the board"
    );
    store.delete_streamer(a).await?;
    check_eq!(
        store.leaderboard(a, 50).await?,
        vec![],
        "a deleted streamer's board"
    );
    Ok(())
}

/// The board as the user list (a read no leaderboard cache serves) implies it.
async fn board_from_user_list(
    store: &dyn DataStore,
    s: StreamerId,
    limit: u32,
) -> Result<Vec<LeaderboardEntry>, Failure> {
    let page = PageRequest {
        offset: 0,
        limit: validate::MAX_PAGE_LIMIT,
    };
    let mut rows: Vec<LeaderboardEntry> = store
        .list_users_with_points(s, page)
        .await?
        .items
        .into_iter()
        .map(|u| LeaderboardEntry {
            rank: 0,
            user_id: u.user.id,
            username: u.user.username,
            channel_points: u.points.channel_points,
            drop_points: u.points.drop_points,
            total_points: u.points.channel_points + u.points.drop_points,
            total_drops: u.points.total_drops,
        })
        .filter(|r| r.total_points > 0)
        .collect();
    rows.sort_by_key(|r| (-r.total_points, r.user_id));
    rows.truncate(limit as usize);
    for (rank, r) in (1..).zip(rows.iter_mut()) {
        r.rank = rank;
    }
    Ok(rows)
}

/// A drop of `score` drop points.
fn drop_of(score: i64) -> NewDrop {
    NewDrop {
        score,
        is_perfect: false,
        powerup_used: None,
    }
}

/// The drop leaderboard ranks users with positive drop points by drop points, ties by id;
/// channel points neither order it nor put anyone on it; zero drop points (never dropped, a
/// drop of 0, drop points set back to 0) keep a user off it; and it shows one streamer only.
pub async fn drop_leaderboard_ranks_by_drop_points(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let other = streamer(&*store, "other").await?;
    check_eq!(
        store.drop_leaderboard(s, 50).await?,
        vec![],
        "nobody has dropped yet"
    );
    // The richest viewer never dropped.
    let rich = funded(&*store, s, "rich", 1_000_000).await?;
    // A tie on 300 drop points: `zed` has the lower id, `amy` the first name and the higher
    // total, so only the order by id puts `zed` first.
    let zed = user(&*store, s, "zed").await?;
    store.add_drop_points(s, zed, drop_of(300)).await?;
    let amy = funded(&*store, s, "amy", 50).await?;
    store.add_drop_points(s, amy, drop_of(100)).await?;
    store.add_drop_points(s, amy, drop_of(200)).await?;
    // Few drop points, many channel points: below both on this board, above them on the other.
    let cal = funded(&*store, s, "cal", 10_000).await?;
    store.add_drop_points(s, cal, drop_of(40)).await?;
    // A drop that scored nothing.
    let nil = user(&*store, s, "nil").await?;
    store.add_drop_points(s, nil, drop_of(0)).await?;
    // Drop points an admin set back to zero, and drop points an admin set without a drop.
    let reset = user(&*store, s, "reset").await?;
    store.add_drop_points(s, reset, drop_of(70)).await?;
    let zero = AdminSetPoints {
        channel_points: 5,
        drop_points: Some(0),
        description: None,
    };
    store.set_points(s, reset, zero).await?;
    let given = user(&*store, s, "given").await?;
    let set = AdminSetPoints {
        channel_points: 0,
        drop_points: Some(90),
        description: None,
    };
    store.set_points(s, given, set).await?;
    // Another streamer's best dropper, and a namesake of `zed` there.
    let star = user(&*store, other, "star").await?;
    store.add_drop_points(other, star, drop_of(9_000)).await?;
    let zed_there = user(&*store, other, "zed").await?;
    store
        .add_drop_points(other, zed_there, drop_of(300))
        .await?;

    let entry =
        |rank, user_id, name: &str, channel_points, drop_points, total_drops| LeaderboardEntry {
            rank,
            user_id,
            username: name.to_owned(),
            channel_points,
            drop_points,
            total_points: channel_points + drop_points,
            total_drops,
        };
    let board = store.drop_leaderboard(s, 50).await?;
    check_eq!(
        board,
        vec![
            entry(1, zed, "zed", 0, 300, 1),
            entry(2, amy, "amy", 50, 300, 2),
            entry(3, given, "given", 0, 90, 0),
            entry(4, cal, "cal", 10_000, 40, 1),
        ],
        "ranked by drop points, ties by id, zero drop points left out, one streamer only"
    );
    for limit in [1, 2, 3] {
        check_eq!(
            store.drop_leaderboard(s, limit).await?,
            board[..limit as usize].to_vec(),
            "limit {limit}"
        );
    }
    check_eq!(
        store.drop_leaderboard(s, validate::MAX_PAGE_LIMIT).await?,
        board,
        "the largest limit"
    );
    check_eq!(
        store.drop_leaderboard(other, 50).await?,
        vec![
            entry(1, star, "star", 0, 9_000, 1),
            entry(2, zed_there, "zed", 0, 300, 1),
        ],
        "the other streamer's board"
    );
    check!(
        store.leaderboard(s, 1).await?.first().map(|e| e.user_id) == Some(rich),
        "the other board still ranks by total (the rich viewer first)"
    );
    for limit in [0, validate::MAX_PAGE_LIMIT + 1] {
        let r = store.drop_leaderboard(s, limit).await;
        check!(
            matches!(r, Err(StoreError::InvalidInput { .. })),
            "limit {limit}: {r:?}"
        );
    }
    Ok(())
}

/// The drop leaderboard reflects every write its streamer made before it (a drop, drop points
/// set, a deleted viewer, a deleted streamer) and only ever shows that streamer's board, read
/// after the other's with nothing between.
pub async fn drop_leaderboard_follows_writes_and_stays_per_streamer(h: Harness) -> CaseResult {
    let store = h.store().await;
    let a = streamer(&*store, "alpha").await?;
    let b = streamer(&*store, "bravo").await?;
    let alice = user(&*store, a, "alice").await?;
    store.add_drop_points(a, alice, drop_of(100)).await?;
    let bob = user(&*store, b, "bob").await?;
    store.add_drop_points(b, bob, drop_of(400)).await?;
    let boards = |step: &'static str| {
        let store = store.clone();
        async move {
            let mut read = Vec::new();
            for s in [a, b, a, b] {
                for limit in [50, 1] {
                    read.push((s, limit, store.drop_leaderboard(s, limit).await?));
                }
            }
            for (s, limit, board) in read {
                check_eq!(
                    board,
                    drop_board_from_user_list(&*store, s, limit).await?,
                    "{step}: the drop board of streamer {s:?}, limit {limit}"
                );
            }
            Ok::<(), Failure>(())
        }
    };
    boards("first reads").await?;
    let carol = user(&*store, a, "carol").await?;
    store.add_drop_points(a, carol, drop_of(250)).await?;
    boards("a new dropper").await?;
    store.add_drop_points(a, alice, drop_of(200)).await?;
    boards("another drop").await?;
    store
        .earn_points(a, carol, PointDelta::new(5_000, PointSource::Chat))
        .await?;
    boards("channel points").await?;
    let set = AdminSetPoints {
        channel_points: 0,
        drop_points: Some(0),
        description: None,
    };
    store.set_points(a, alice, set).await?;
    boards("drop points set to zero").await?;
    check_eq!(
        store
            .drop_leaderboard(a, 50)
            .await?
            .iter()
            .map(|e| e.user_id)
            .collect::<Vec<_>>(),
        vec![carol],
        "alice left the board"
    );
    store.delete_user(a, carol).await?;
    boards("a deleted viewer").await?;
    check_eq!(
        store.drop_leaderboard(a, 50).await?,
        vec![],
        "nobody left on the board"
    );
    store.add_drop_points(a, alice, drop_of(1)).await?;
    boards("a drop of one").await?;
    store.delete_streamer(a).await?;
    check_eq!(
        store.drop_leaderboard(a, 50).await?,
        vec![],
        "a deleted streamer's board"
    );
    check_eq!(
        store
            .drop_leaderboard(b, 50)
            .await?
            .iter()
            .map(|e| (e.user_id, e.drop_points))
            .collect::<Vec<_>>(),
        vec![(bob, 400)],
        "the other streamer's board is untouched"
    );
    Ok(())
}

/// The drop board as the user list implies it.
async fn drop_board_from_user_list(
    store: &dyn DataStore,
    s: StreamerId,
    limit: u32,
) -> Result<Vec<LeaderboardEntry>, Failure> {
    let mut rows: Vec<LeaderboardEntry> = board_from_user_list(store, s, validate::MAX_PAGE_LIMIT)
        .await?
        .into_iter()
        .filter(|r| r.drop_points > 0)
        .collect();
    rows.sort_by_key(|r| (-r.drop_points, r.user_id));
    rows.truncate(limit as usize);
    for (rank, r) in (1..).zip(rows.iter_mut()) {
        r.rank = rank;
    }
    Ok(rows)
}

/// The summary sums a user's ledger by source, in source-name order.
pub async fn points_summary_groups_by_source(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    check_eq!(
        store.points_summary(s, u).await?,
        Some(vec![]),
        "no ledger yet"
    );
    for d in [
        PointDelta::new(2000, PointSource::Sub),
        PointDelta::new(25, PointSource::Chat),
        PointDelta::new(25, PointSource::Chat),
    ] {
        store.earn_points(s, u, d).await?;
    }
    store
        .spend_points(s, u, PointDelta::new(500, PointSource::Spend))
        .await?;
    let summary = store.points_summary(s, u).await?;
    check_eq!(
        summary,
        Some(vec![
            SourceSummary {
                source: PointSource::Chat,
                total: 50,
                transactions: 2
            },
            SourceSummary {
                source: PointSource::Spend,
                total: -500,
                transactions: 1
            },
            SourceSummary {
                source: PointSource::Sub,
                total: 2000,
                transactions: 1
            },
        ]),
        "by source"
    );
    check_eq!(
        store.points_summary(s, UserId(u.0 + 1000)).await?,
        None,
        "unknown user"
    );
    Ok(())
}

/// The ledger pages newest first with a `before` cursor.
pub async fn transaction_history_pages_newest_first(h: Harness) -> CaseResult {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let u = user(&*store, s, "viewer").await?;
    let other = user(&*store, s, "other").await?;
    for amount in 1..=7 {
        store
            .earn_points(s, u, PointDelta::new(amount, PointSource::Chat))
            .await?;
        store
            .earn_points(s, other, PointDelta::new(100, PointSource::Chat))
            .await?;
    }
    let mut before = None;
    let mut pages = Vec::new();
    loop {
        let page = store
            .transaction_history(s, u, HistoryRequest { limit: 3, before })
            .await?
            .unwrap_or_default();
        if page.is_empty() {
            break;
        }
        check!(page.iter().all(|t| t.user_id == u), "only the user's rows");
        before = page.last().map(|t| t.id);
        pages.push(page.iter().map(|t| t.amount).collect::<Vec<_>>());
    }
    check_eq!(
        pages,
        vec![vec![7, 6, 5], vec![4, 3, 2], vec![1]],
        "pages, newest first"
    );
    check_eq!(
        store
            .transaction_history(
                s,
                UserId(u.0 + 1000),
                HistoryRequest {
                    limit: 3,
                    before: None
                }
            )
            .await?,
        None,
        "unknown user"
    );
    let r = store
        .transaction_history(
            s,
            u,
            HistoryRequest {
                limit: 0,
                before: None,
            },
        )
        .await;
    check!(
        matches!(r, Err(StoreError::InvalidInput { .. })),
        "limit 0: {r:?}"
    );
    Ok(())
}
