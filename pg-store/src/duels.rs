//! Chat duels, as a delivery's steps run them inside its transaction: opening one, settling
//! one, closing one, and listing the open ones.
//!
//! A viewer is party to at most one open duel, in either role. Every step that opens or settles
//! a duel first locks both parties' user rows (in id order, as every write over several users
//! does), in a statement of its own, and only then reads their duels and balances: two
//! challenges naming a common viewer queue, and the second finds the first's duel. Settling
//! moves the stake with the parties locked, so neither can be overdrawn by a concurrent spend.
//! Declining and cancelling are one `DELETE` each. Expired duels count as closed; a challenge
//! deletes the streamer's expired rows before it looks.
//!
//! Each step answers `Ok(Err(refusal))` for a duel rule it refuses (`NoDuel`, `DuelPending`),
//! and a store error for the rest (an unknown opponent, too few points).

use crate::convert::{get, ts};
use crate::points::{lock_users, locked_balance, move_points, points_changed};
use crate::tx::Tx;
use datastore::{
    Duel, EventData, PointSource, Refusal, Resource, StepResult, StoreError, StoreResult,
    StreamerId, Timestamp, UserId, ViewerBalances, validate,
};
use std::time::Duration;

/// What a duel step did: its result and the events it asks to record.
pub(crate) type Ran = StoreResult<Result<(StepResult, Vec<EventData>), Refusal>>;

/// The name of `u` among `names` (from [`lock_users`]).
fn name_of(names: &[(UserId, String)], u: UserId) -> StoreResult<String> {
    names
        .iter()
        .find(|(id, _)| *id == u)
        .map(|(_, n)| n.clone())
        .ok_or(StoreError::not_found(Resource::User))
}

/// Deletes the streamer's expired duels: they count as closed, and their parties may duel again.
async fn drop_expired(tx: &Tx, s: StreamerId, now: Timestamp) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM duels WHERE expires_at <= $2 AND streamer_id = $1", // equivalent mutant: expired duels count as closed, so deleting another streamer's changes nothing any read can see
        &[&s.0, &now.as_millis()],
    )
    .await?;
    Ok(())
}

/// Opens a duel of `challenger` against the streamer's viewer called `opponent` (ignoring ASCII
/// case, not the challenger): `NotFound(User)` when there is none, `DuelPending` when either is
/// party to an open duel, `InsufficientPoints` when the challenger cannot cover the stake.
pub(crate) async fn challenge(
    tx: &Tx,
    s: StreamerId,
    challenger: UserId,
    opponent: &str,
    stake: i64,
    expires_in: Duration,
    now: Timestamp,
) -> Ran {
    drop_expired(tx, s, now).await?;
    let found = tx
        .query_opt(
            "SELECT id FROM users WHERE streamer_id = $1 AND username_key = fold($2) AND id <> $3",
            &[&s.0, &opponent, &challenger.0],
        )
        .await?
        .ok_or(StoreError::not_found(Resource::User))?;
    let opponent = UserId(get(&found, "id")?);
    let names = lock_users(tx, s, &[challenger, opponent]).await?;
    let pending = tx
        .query_opt(
            "SELECT 1 FROM duels WHERE (challenger_id = ANY($2) OR opponent_id = ANY($2)) \
             AND streamer_id = $1 LIMIT 1", // equivalent mutant: user ids are global and both parties were just found under this streamer
            &[&s.0, &vec![challenger.0, opponent.0]],
        )
        .await?;
    if pending.is_some() {
        return Ok(Err(Refusal::DuelPending));
    }
    let (challenger_name, balance) = locked_balance(tx, s, challenger).await?;
    if balance.channel_points < stake {
        return Err(StoreError::InsufficientPoints {
            balance: balance.channel_points,
            required: stake,
        });
    }
    let expires_at = now
        .checked_add(expires_in)
        .ok_or_else(|| StoreError::invalid("expires_in", "ends after the year 9999"))?;
    tx.execute(
        "INSERT INTO duels (streamer_id, challenger_id, opponent_id, stake, expires_at, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &s.0,
            &challenger.0,
            &opponent.0,
            &stake,
            &expires_at.as_millis(),
            &now.as_millis(),
        ],
    )
    .await?;
    let duel = Duel {
        challenger,
        challenger_name,
        opponent,
        opponent_name: name_of(&names, opponent)?,
        stake,
        expires_at,
    };
    Ok(Ok((StepResult::Duel(duel), Vec::new())))
}

/// The open duel naming `opponent`, as its row stands now: (id, challenger, stake, expiry).
/// `lock` reads it `FOR UPDATE`, for the settlement that closes it.
async fn open_against(
    tx: &Tx,
    s: StreamerId,
    opponent: UserId,
    now: Timestamp,
    lock: bool,
) -> StoreResult<Option<(i64, UserId, i64, Timestamp)>> {
    let sql = if lock {
        "SELECT id, challenger_id, stake, expires_at FROM duels WHERE opponent_id = $2 \
         AND expires_at > $3 AND streamer_id = $1 FOR UPDATE" // equivalent mutant: user ids are global and the opponent was just resolved under this streamer
    } else {
        "SELECT id, challenger_id, stake, expires_at FROM duels WHERE opponent_id = $2 \
         AND expires_at > $3 AND streamer_id = $1" // equivalent mutant: user ids are global and the opponent was just resolved under this streamer
    };
    let row = tx
        .query_opt(sql, &[&s.0, &opponent.0, &now.as_millis()])
        .await?;
    row.map(|r| {
        Ok((
            get(&r, "id")?,
            UserId(get(&r, "challenger_id")?),
            get(&r, "stake")?,
            ts(&r, "expires_at")?,
        ))
    })
    .transpose()
}

/// Settles the open duel naming `opponent`: the loser pays the winner the stake, one `duel`
/// ledger row each, and the duel closes. `NoDuel` when there is none; `InsufficientPoints` when
/// either party no longer covers the stake, whoever wins (the duel stays open).
pub(crate) async fn accept(
    tx: &Tx,
    s: StreamerId,
    opponent: UserId,
    challenger_wins: bool,
    now: Timestamp,
) -> Ran {
    // Who the challenger is decides which rows to lock; once both are locked, the duel is read
    // again (a concurrent step may have closed it, or, rarely, replaced it by another).
    let mut settled = None;
    for _ in 0..3 {
        let Some((_, challenger, _, _)) = open_against(tx, s, opponent, now, false).await? else {
            return Ok(Err(Refusal::NoDuel));
        };
        let names = lock_users(tx, s, &[challenger, opponent]).await?;
        match open_against(tx, s, opponent, now, true).await? {
            None => return Ok(Err(Refusal::NoDuel)),
            Some(d) if d.1 == challenger => {
                settled = Some((d, names));
                break;
            }
            Some(_) => continue,
        }
    }
    let Some(((id, challenger, stake, expires_at), names)) = settled else {
        return Err(StoreError::backend(
            "a duel kept changing while it was being accepted",
        ));
    };
    let (loser, winner) = if challenger_wins {
        (opponent, challenger)
    } else {
        (challenger, opponent)
    };
    let (loser_name, lost) = locked_balance(tx, s, loser).await?;
    let (winner_name, won) = locked_balance(tx, s, winner).await?;
    // Both parties must cover the stake, checked challenger first whoever wins, so a refusal
    // never depends on the coin (a short party cannot accept until they win).
    let (first, second) = match challenger_wins {
        true => (&won, &lost),
        false => (&lost, &won),
    };
    for party in [first, second] {
        if party.channel_points < stake {
            return Err(StoreError::InsufficientPoints {
                balance: party.channel_points,
                required: stake,
            });
        }
    }
    let winner_balance = validate::add_to_balance("stake", won.channel_points, stake)?;
    tx.execute(
        "DELETE FROM duels WHERE id = $2 AND streamer_id = $1", // equivalent mutant: duel ids are global and this duel was just locked under this streamer
        &[&s.0, &id],
    )
    .await?;
    let lost = move_points(
        tx,
        s,
        loser,
        &lost,
        lost.channel_points - stake,
        -stake,
        PointSource::Duel,
        None,
        now,
    )
    .await?;
    let won = move_points(
        tx,
        s,
        winner,
        &won,
        winner_balance,
        stake,
        PointSource::Duel,
        None,
        now,
    )
    .await?;
    let events = vec![
        points_changed(loser, &loser_name, &lost, -stake, PointSource::Duel, None),
        points_changed(winner, &winner_name, &won, stake, PointSource::Duel, None),
    ];
    let balances = |u: UserId| {
        if u == loser {
            ViewerBalances::of(loser, loser_name.clone(), &lost)
        } else {
            ViewerBalances::of(winner, winner_name.clone(), &won)
        }
    };
    let result = StepResult::DuelSettled {
        duel: Duel {
            challenger,
            challenger_name: name_of(&names, challenger)?,
            opponent,
            opponent_name: name_of(&names, opponent)?,
            stake,
            expires_at,
        },
        winner,
        challenger: balances(challenger),
        opponent: balances(opponent),
    };
    Ok(Ok((result, events)))
}

/// Which party closes a duel.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Party {
    /// The opponent declines.
    Opponent,
    /// The challenger withdraws.
    Challenger,
}

/// Closes the open duel in which `u` is `party` (declined or withdrawn): the duel as it was.
/// `NoDuel` when there is none.
pub(crate) async fn close(tx: &Tx, s: StreamerId, party: Party, u: UserId, now: Timestamp) -> Ran {
    let sql = match party {
        Party::Opponent => concat!(
            "DELETE FROM duels WHERE opponent_id = $2 AND expires_at > $3 AND streamer_id = $1", // equivalent mutant: user ids are global and this party was just resolved under this streamer
            " RETURNING challenger_id, opponent_id, stake, expires_at"
        ),
        Party::Challenger => concat!(
            "DELETE FROM duels WHERE challenger_id = $2 AND expires_at > $3 AND streamer_id = $1", // equivalent mutant: user ids are global and this party was just resolved under this streamer
            " RETURNING challenger_id, opponent_id, stake, expires_at"
        ),
    };
    let Some(row) = tx.query_opt(sql, &[&s.0, &u.0, &now.as_millis()]).await? else {
        return Ok(Err(Refusal::NoDuel));
    };
    let challenger = UserId(get(&row, "challenger_id")?);
    let opponent = UserId(get(&row, "opponent_id")?);
    let names = tx
        .query_one(
            "SELECT c.username AS challenger_name, o.username AS opponent_name FROM users c \
             JOIN users o ON o.streamer_id = c.streamer_id AND o.id = $3 \
             WHERE c.id = $2 AND c.streamer_id = $1", // equivalent mutant: user ids are global and the duel just deleted under this streamer names these users
            &[&s.0, &challenger.0, &opponent.0],
        )
        .await?;
    let duel = Duel {
        challenger,
        challenger_name: get(&names, "challenger_name")?,
        opponent,
        opponent_name: get(&names, "opponent_name")?,
        stake: get(&row, "stake")?,
        expires_at: ts(&row, "expires_at")?,
    };
    Ok(Ok((StepResult::Duel(duel), Vec::new())))
}

/// The streamer's open, unexpired duels, oldest first.
pub(crate) async fn list(tx: &Tx, s: StreamerId, now: Timestamp) -> StoreResult<Vec<Duel>> {
    let rows = tx
        .query(
            "SELECT d.challenger_id, c.username AS challenger_name, d.opponent_id, \
             o.username AS opponent_name, d.stake, d.expires_at FROM duels d \
             JOIN users c ON c.streamer_id = d.streamer_id AND c.id = d.challenger_id \
             JOIN users o ON o.streamer_id = d.streamer_id AND o.id = d.opponent_id \
             WHERE d.streamer_id = $1 AND d.expires_at > $2 ORDER BY d.id",
            &[&s.0, &now.as_millis()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Duel {
                challenger: UserId(get(r, "challenger_id")?),
                challenger_name: get(r, "challenger_name")?,
                opponent: UserId(get(r, "opponent_id")?),
                opponent_name: get(r, "opponent_name")?,
                stake: get(r, "stake")?,
                expires_at: ts(r, "expires_at")?,
            })
        })
        .collect()
}
