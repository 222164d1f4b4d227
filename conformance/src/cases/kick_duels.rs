//! Chat duels: challenged, refused while either party has one open, accepted (settled with two
//! `duel` ledger rows, either way), declined, cancelled, expired on the clock, and never
//! settled while either party no longer covers the stake.

use crate::cases::kick_support::*;
use crate::cases::support::*;
use crate::harness::{CaseResult, Failure, Harness, check, check_eq};
use datastore::*;
use std::time::Duration;

/// Four funded viewers (Kick ids 1 to 4: alice, bob, carol, dave) of a new streamer.
async fn four(h: &Harness) -> Result<(Shared, StreamerId, [KickViewer; 4]), Failure> {
    let store = h.store().await;
    let s = streamer(&*store, "chan").await?;
    let v = [kv(1, "alice"), kv(2, "bob"), kv(3, "carol"), kv(4, "dave")];
    let effects = v.iter().map(|x| earn(x, 1000, PointSource::Sub)).collect();
    applied(&*store, s, delivery("fund", effects, vec![])).await?;
    Ok((store, s, v))
}

/// One command step as its own delivery.
fn one(id: &str, step: Step) -> Delivery {
    delivery(id, vec![], vec![step])
}

/// A duel opens, blocks further duels of both parties, settles either way with two `duel`
/// ledger rows and their events, and closes by decline or cancel; accept, decline and cancel
/// without a duel of one's own are refused.
pub async fn duel_lifecycle(h: Harness) -> CaseResult {
    let (store, s, [alice, bob, carol, dave]) = four(&h).await?;
    let id = |k: i64| {
        let store = store.clone();
        async move { linked(&*store, s, k).await.map(|u| u.id) }
    };
    let (a, b, c, d) = (id(1).await?, id(2).await?, id(3).await?, id(4).await?);
    let opened_at = h.clock().now();
    let results = command_done(&*store, s, one("c-1", challenge(&alice, "BOB", 300, 60))).await?;
    let duel = Duel {
        challenger: a,
        challenger_name: "alice".into(),
        opponent: b,
        opponent_name: "bob".into(),
        stake: 300,
        expires_at: shifted(opened_at, 60),
    };
    check_eq!(
        results,
        vec![StepResult::Duel(duel.clone())],
        "the duel opens"
    );
    check_eq!(
        store.list_duels(s).await?,
        vec![duel.clone()],
        "it is listed"
    );
    check_eq!(
        kick_balance(&*store, s, 1).await?,
        1000,
        "nothing is staked before the accept"
    );
    for (n, (who, whom)) in [
        (&alice, "carol"),
        (&carol, "bob"),
        (&carol, "alice"),
        (&bob, "carol"),
    ]
    .into_iter()
    .enumerate()
    {
        check_eq!(
            command_refused(
                &*store,
                s,
                one(&format!("p-{n}"), challenge(who, whom, 50, 60))
            )
            .await?,
            (0, Refusal::DuelPending),
            "{} challenging {whom} while a party is in a duel",
            who.username
        );
    }
    check_eq!(
        command_refused(&*store, s, one("nf", challenge(&carol, "nobody", 50, 60))).await?,
        (0, Refusal::Store(StoreError::not_found(Resource::User))),
        "an opponent who is no viewer"
    );
    check_eq!(
        command_refused(&*store, s, one("poor", challenge(&carol, "dave", 5000, 60))).await?,
        (
            0,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 1000,
                required: 5000
            })
        ),
        "a stake the challenger does not cover"
    );
    for (n, step) in [
        accept(&carol, true),
        Step::DeclineDuel {
            opponent: carol.clone(),
        },
        Step::DeclineDuel {
            opponent: alice.clone(),
        },
        Step::CancelDuel {
            challenger: bob.clone(),
        },
    ]
    .into_iter()
    .enumerate()
    {
        check_eq!(
            command_refused(&*store, s, one(&format!("none-{n}"), step.clone())).await?,
            (0, Refusal::NoDuel),
            "{step:?} without a duel of one's own"
        );
    }
    let after = last_event(&*store, s).await?;
    let results = command_done(&*store, s, one("acc-1", accept(&bob, true))).await?;
    let StepResult::DuelSettled {
        duel: settled,
        winner,
        challenger,
        opponent,
    } = &results[0]
    else {
        return Err(Failure(format!("wanted a settlement: {results:?}")));
    };
    check_eq!(settled, &duel, "the duel settled");
    check_eq!(*winner, a, "the challenger won");
    check_eq!(
        (challenger.user_id, challenger.channel_points),
        (a, 1300),
        "the challenger's balances"
    );
    check_eq!(
        (opponent.user_id, opponent.channel_points),
        (b, 700),
        "the opponent's balances"
    );
    check_eq!(store.list_duels(s).await?, vec![], "the duel closed");
    let mut rows: Vec<(UserId, i64, PointSource)> = export(&*store, s)
        .await?
        .transactions
        .into_iter()
        .filter(|t| t.source == PointSource::Duel)
        .map(|t| (t.user_id, t.amount, t.source))
        .collect();
    rows.sort();
    let mut want = vec![(a, 300, PointSource::Duel), (b, -300, PointSource::Duel)];
    want.sort();
    check_eq!(rows, want, "one duel row each");
    let mut events: Vec<(UserId, i64, PointSource, i64)> = events_after(&*store, s, after)
        .await?
        .into_iter()
        .map(|e| match e {
            EventData::PointsChanged {
                viewer,
                amount,
                source,
                ..
            } => Ok((viewer.user_id, amount, source, viewer.channel_points)),
            other => Err(Failure(format!("an unexpected event: {other:?}"))),
        })
        .collect::<Result<_, _>>()?;
    events.sort();
    let mut want = vec![
        (a, 300, PointSource::Duel, 1300),
        (b, -300, PointSource::Duel, 700),
    ];
    want.sort();
    check_eq!(events, want, "one PointsChanged each");
    // The opponent wins.
    command_done(&*store, s, one("c-2", challenge(&carol, "dave", 200, 60))).await?;
    let results = command_done(&*store, s, one("acc-2", accept(&dave, false))).await?;
    check!(
        matches!(&results[0], StepResult::DuelSettled { winner, challenger, opponent, .. }
            if *winner == d && challenger.channel_points == 800 && opponent.channel_points == 1200),
        "the opponent won: {results:?}"
    );
    check_eq!(
        (
            kick_balance(&*store, s, 3).await?,
            kick_balance(&*store, s, 4).await?
        ),
        (800, 1200),
        "the balances"
    );
    // Oldest first, then a decline and a cancel.
    command_done(&*store, s, one("c-3", challenge(&alice, "carol", 100, 60))).await?;
    h.clock().advance(Duration::from_secs(1));
    command_done(&*store, s, one("c-4", challenge(&bob, "dave", 100, 600))).await?;
    let listed: Vec<(UserId, UserId)> = store
        .list_duels(s)
        .await?
        .iter()
        .map(|x| (x.challenger, x.opponent))
        .collect();
    check_eq!(listed, vec![(a, c), (b, d)], "oldest first");
    let after = last_event(&*store, s).await?;
    let results = command_done(
        &*store,
        s,
        one(
            "dec",
            Step::DeclineDuel {
                opponent: carol.clone(),
            },
        ),
    )
    .await?;
    check!(
        matches!(&results[0], StepResult::Duel(x) if x.challenger == a && x.opponent == c),
        "the declined duel: {results:?}"
    );
    let results = command_done(
        &*store,
        s,
        one(
            "can",
            Step::CancelDuel {
                challenger: bob.clone(),
            },
        ),
    )
    .await?;
    check!(
        matches!(&results[0], StepResult::Duel(x) if x.challenger == b && x.opponent == d),
        "the cancelled duel: {results:?}"
    );
    check_eq!(store.list_duels(s).await?, vec![], "both closed");
    check_eq!(
        last_event(&*store, s).await?,
        after,
        "declines and cancels record nothing"
    );
    check_eq!(
        (
            kick_balance(&*store, s, 1).await?,
            kick_balance(&*store, s, 2).await?
        ),
        (1300, 700),
        "and move no points"
    );
    check_invariants(&export(&*store, s).await?)
}

/// A duel is open until its expiry on the store's clock: then it is no longer listed, cannot be
/// accepted, and blocks nobody.
pub async fn duels_expire_on_the_clock(h: Harness) -> CaseResult {
    let (store, s, [alice, bob, carol, _]) = four(&h).await?;
    command_done(&*store, s, one("c-1", challenge(&alice, "bob", 100, 60))).await?;
    h.clock().advance(Duration::from_secs(59));
    check_eq!(store.list_duels(s).await?.len(), 1, "open a second before");
    h.clock().advance(Duration::from_secs(1));
    check_eq!(store.list_duels(s).await?, vec![], "closed at its expiry");
    check_eq!(
        command_refused(&*store, s, one("a-1", accept(&bob, true))).await?,
        (0, Refusal::NoDuel),
        "an expired duel cannot be accepted"
    );
    check_eq!(
        command_refused(
            &*store,
            s,
            one(
                "x-1",
                Step::CancelDuel {
                    challenger: alice.clone()
                }
            )
        )
        .await?,
        (0, Refusal::NoDuel),
        "nor cancelled"
    );
    command_done(&*store, s, one("c-2", challenge(&carol, "bob", 100, 60))).await?;
    command_done(&*store, s, one("c-3", challenge(&alice, "dave", 100, 60))).await?;
    check_eq!(
        store.list_duels(s).await?.len(),
        2,
        "both parties are free again"
    );
    check_eq!(
        (
            kick_balance(&*store, s, 1).await?,
            kick_balance(&*store, s, 2).await?
        ),
        (1000, 1000),
        "nothing moved"
    );
    Ok(())
}

/// An accept is refused and changes nothing while either party no longer covers the stake,
/// whoever the coin favours (so a short party cannot accept until they win): the duel stays
/// open, and settles once both cover it.
pub async fn duel_accept_needs_both_to_cover_the_stake(h: Harness) -> CaseResult {
    let (store, s, [alice, bob, _, _]) = four(&h).await?;
    command_done(&*store, s, one("c-1", challenge(&alice, "bob", 500, 600))).await?;
    command_done(&*store, s, one("spend", spend(&bob, 900))).await?;
    let ids = ["fund", "c-1", "spend", "a-1"];
    let before = snapshot(&*store, s, &ids, &[1, 2]).await?;
    check_eq!(
        command_refused(&*store, s, one("a-1", accept(&bob, true))).await?,
        (
            0,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 100,
                required: 500
            })
        ),
        "bob lost but cannot pay"
    );
    let mut after = snapshot(&*store, s, &ids, &[1, 2]).await?;
    // The refused delivery is recorded; nothing else differs.
    after["seen"][3] = serde_json::json!(false);
    check_eq!(after, before, "nothing changed, the duel stays open");
    check_eq!(store.list_duels(s).await?.len(), 1, "still open");
    // The challenger short of the stake, when they lose.
    command_done(&*store, s, one("spend-2", spend(&alice, 800))).await?;
    check_eq!(
        command_refused(&*store, s, one("a-2", accept(&bob, false))).await?,
        (
            0,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 200,
                required: 500
            })
        ),
        "alice lost but cannot pay"
    );
    command_done(&*store, s, one("earn", earn(&alice, 300, PointSource::Tip))).await?;
    // Alice covers it now, but bob, who would win, does not: still refused.
    check_eq!(
        command_refused(&*store, s, one("a-3", accept(&bob, false))).await?,
        (
            0,
            Refusal::Store(StoreError::InsufficientPoints {
                balance: 100,
                required: 500
            })
        ),
        "bob would win but cannot cover the stake"
    );
    command_done(&*store, s, one("earn-2", earn(&bob, 400, PointSource::Tip))).await?;
    command_done(&*store, s, one("a-4", accept(&bob, false))).await?;
    check_eq!(
        (
            kick_balance(&*store, s, 1).await?,
            kick_balance(&*store, s, 2).await?
        ),
        (0, 1000),
        "settled once both cover it"
    );
    check_invariants(&export(&*store, s).await?)
}
