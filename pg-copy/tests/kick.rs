//! What Kick drove moves with a deployment: after the copy, PostgreSQL recognises the
//! deliveries SQLite applied (a redelivery changes nothing), links the same Kick users to the
//! same viewers, knows the stream is live and who chatted, refuses a minute already awarded,
//! shows the open duel (and the next one opened goes after it), and keeps the economy.

use datastore::{
    Clock, CommandOutcome, Delivery, DeliveryId, DeliveryOutcome, EconomyConfig, KickStore,
    KickViewer, ManualClock, NewStreamer, PointSource, Step, StreamerId, StreamerStore, Timestamp,
    WatchAward, WatchMinute,
};
use std::sync::Arc;
use std::time::Duration;

fn delivery(id: &str, effects: Vec<Step>, command: Vec<Step>) -> Delivery {
    Delivery {
        id: DeliveryId(id.to_owned()),
        effects,
        command,
    }
}

fn challenge(challenger: &KickViewer, opponent: &str) -> Step {
    Step::ChallengeDuel {
        challenger: challenger.clone(),
        opponent: opponent.to_owned(),
        stake: 50,
        expires_in: Duration::from_secs(600),
    }
}

fn opened(outcome: &DeliveryOutcome) -> bool {
    matches!(
        outcome,
        DeliveryOutcome::Applied {
            command: Some(CommandOutcome::Done { .. }),
            ..
        }
    )
}

/// Everything [`KickStore`] shows of streamer `s`.
async fn kick_view(
    store: &impl KickStore,
    s: StreamerId,
) -> (
    Vec<datastore::Duel>,
    datastore::StreamState,
    EconomyConfig,
    Vec<Option<datastore::User>>,
) {
    let mut viewers = Vec::new();
    for kick_id in 1..=4 {
        viewers.push(store.get_kick_viewer(s, kick_id).await.unwrap());
    }
    (
        store.list_duels(s).await.unwrap(),
        store.get_stream_state(s).await.unwrap(),
        store.get_economy_config(s).await.unwrap(),
        viewers,
    )
}

#[tokio::test]
async fn kick_data_is_copied_and_goes_on_where_sqlite_left_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let clock = Arc::new(ManualClock::new(Timestamp::saturating_from_millis(
        1_767_225_600_000,
    )));
    let (ann, bob, cy, dee) = (
        KickViewer::new(1, "ann"),
        KickViewer::new(2, "bob"),
        KickViewer::new(3, "cy"),
        KickViewer::new(4, "dee"),
    );
    let mut commands = datastore::CommandsConfig::default();
    commands.duel.cooldown_secs = 42;
    let economy = EconomyConfig {
        chat_points: 7,
        commands,
        ..EconomyConfig::default()
    };
    let (a, before) = {
        let sqlite = reference_store::SqliteStore::open(&path, clock.clone())
            .await
            .unwrap();
        let a = sqlite
            .create_streamer(NewStreamer::named("alpha"))
            .await
            .unwrap()
            .id;
        let earn = |v: &KickViewer| Step::Earn {
            viewer: v.clone(),
            amount: 100,
            source: PointSource::Chat,
            description: None,
        };
        let live = Step::SetLive {
            live: true,
            at: clock.now(),
        };
        let mut effects = vec![live];
        for v in [&ann, &bob, &cy, &dee] {
            effects.push(earn(v));
            effects.push(Step::Chatted { viewer: v.clone() });
        }
        sqlite
            .apply_delivery(a, delivery("msg-1", effects, vec![]))
            .await
            .unwrap();
        let duel = sqlite
            .apply_delivery(a, delivery("msg-2", vec![], vec![challenge(&ann, "bob")]))
            .await
            .unwrap();
        assert!(opened(&duel), "{duel:?}");
        let award = sqlite
            .award_watch_minute(
                a,
                WatchMinute {
                    minute: 29_453_760,
                    amount: 5,
                    window: Duration::from_secs(600),
                },
            )
            .await
            .unwrap();
        assert!(matches!(award, WatchAward::Awarded { ref viewers } if viewers.len() == 4));
        sqlite.set_economy_config(a, economy.clone()).await.unwrap();
        (a, kick_view(&sqlite, a).await)
    };

    let scratch = pg_scratch::server().scratch();
    let options = pg_store::PgOptions::new(scratch.server_url)
        .with_owner(scratch.owner_url)
        .with_schema(scratch.schema);
    let report = pg_copy::copy(&path, options.clone()).await.unwrap();
    let copied = |table: &str| {
        report
            .tables
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, n)| *n)
    };
    assert_eq!(copied("kick_viewers"), Some(4));
    assert_eq!(copied("kick_deliveries"), Some(2));
    assert_eq!(copied("stream_states"), Some(1));
    assert_eq!(copied("chatters"), Some(4));
    assert_eq!(copied("watch_minutes"), Some(1));
    assert_eq!(copied("duels"), Some(1));
    assert_eq!(copied("economy_configs"), Some(1));

    let pg = pg_store::PgStore::connect(options, clock.clone())
        .await
        .unwrap();
    assert_eq!(kick_view(&pg, a).await, before);
    assert_eq!(before.2, economy);
    assert!(pg.list_live_streamers().await.unwrap().contains(&a));
    // A redelivery of what SQLite applied changes nothing.
    assert!(
        pg.delivery_seen(a, &DeliveryId("msg-1".into()))
            .await
            .unwrap()
    );
    let again = pg
        .apply_delivery(
            a,
            delivery(
                "msg-1",
                vec![Step::Chatted {
                    viewer: ann.clone(),
                }],
                vec![],
            ),
        )
        .await
        .unwrap();
    assert_eq!(again, DeliveryOutcome::Duplicate);
    // The minute SQLite awarded stays awarded.
    let award = pg
        .award_watch_minute(
            a,
            WatchMinute {
                minute: 29_453_760,
                amount: 5,
                window: Duration::from_secs(600),
            },
        )
        .await
        .unwrap();
    assert_eq!(award, WatchAward::AlreadyAwarded);
    // The duel's parties are still in it, and the next duel is listed after the copied one.
    let pending = pg
        .apply_delivery(a, delivery("msg-3", vec![], vec![challenge(&bob, "cy")]))
        .await
        .unwrap();
    assert!(!opened(&pending), "{pending:?}");
    let next = pg
        .apply_delivery(a, delivery("msg-4", vec![], vec![challenge(&cy, "dee")]))
        .await
        .unwrap();
    assert!(opened(&next), "{next:?}");
    let duels = pg.list_duels(a).await.unwrap();
    let pairs: Vec<(&str, &str)> = duels
        .iter()
        .map(|d| (d.challenger_name.as_str(), d.opponent_name.as_str()))
        .collect();
    assert_eq!(pairs, vec![("ann", "bob"), ("cy", "dee")]);
}
