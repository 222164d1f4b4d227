//! Chat duels (`duels`): opened, accepted (settled with two ledger rows), declined or
//! withdrawn by Kick command steps. A viewer is party to at most one open duel; an expired duel
//! counts as closed, and every duel step first deletes the streamer's expired rows.

use crate::convert::{Db, DbOptional, ts_at};
use crate::points::{Booking, move_by, user_balance};
use crate::users;
use datastore::{
    Duel, EventData, PointSource, Refusal, Resource, StepResult, StoreError, StoreResult,
    StreamerId, Timestamp, User, UserId,
};
use rusqlite::{Connection, Row, params};
use std::time::Duration;

/// The columns a duel is read with, the parties' names joined in.
macro_rules! duel_select {
    () => {
        "SELECT d.id, d.challenger_id, c.username, d.opponent_id, o.username, d.stake, \
         d.expires_at FROM duels d \
         JOIN users c ON c.streamer_id = d.streamer_id AND c.id = d.challenger_id \
         JOIN users o ON o.streamer_id = d.streamer_id AND o.id = d.opponent_id "
    };
}

/// A duel's row id and the duel, from a row of `duel_select!`.
fn from_row(r: &Row<'_>) -> rusqlite::Result<(i64, Duel)> {
    Ok((
        r.get(0)?,
        Duel {
            challenger: UserId(r.get(1)?),
            challenger_name: r.get(2)?,
            opponent: UserId(r.get(3)?),
            opponent_name: r.get(4)?,
            stake: r.get(5)?,
            expires_at: ts_at(r, 6, "expires_at")?,
        },
    ))
}

/// Which side of a duel a viewer is on.
#[derive(Clone, Copy)]
enum Side {
    Challenger,
    Opponent,
}

/// Deletes the streamer's expired duels: they count as closed.
fn close_expired(conn: &Connection, s: StreamerId, now: Timestamp) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM duels WHERE streamer_id = ?1 AND expires_at <= ?2") // equivalent mutant: an expired duel counts as closed wherever it is read, so deleting another streamer's too changes nothing anyone sees
        .db()?
        .execute(params![s.0, now.as_millis()])
        .db()?;
    Ok(())
}

/// The open duel `user` is on `side` of (after [`close_expired`]), with its row id.
fn open_duel(
    conn: &Connection,
    s: StreamerId,
    side: Side,
    user: UserId,
) -> StoreResult<Option<(i64, Duel)>> {
    let sql = match side {
        Side::Challenger => concat!(
            duel_select!(),
            "WHERE d.streamer_id = ?1 AND d.challenger_id = ?2" // equivalent mutant: user ids are global and this user was just resolved under this streamer
        ),
        Side::Opponent => concat!(
            duel_select!(),
            "WHERE d.streamer_id = ?1 AND d.opponent_id = ?2" // equivalent mutant: user ids are global and this user was just resolved under this streamer
        ),
    };
    conn.prepare_cached(sql)
        .db()?
        .query_row(params![s.0, user.0], from_row)
        .db_optional()
}

/// Deletes a duel read under this streamer.
fn close(conn: &Connection, s: StreamerId, id: i64) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM duels WHERE streamer_id = ?1 AND id = ?2") // equivalent mutant: duel ids are global and the caller has just read this duel under this streamer
        .db()?
        .execute(params![s.0, id])
        .db()?;
    Ok(())
}

/// Opens a duel of `challenger` against the streamer's viewer named `opponent` (ignoring ASCII
/// case). Refused (inner `Err`) with `DuelPending` when either is party to an open duel; errors
/// `NotFound(User)` for no such opponent (the challenger's own name included),
/// `InsufficientPoints` when the challenger does not cover the stake.
pub(crate) fn challenge(
    conn: &Connection,
    s: StreamerId,
    challenger: &User,
    opponent: &str,
    stake: i64,
    expires_in: Duration,
    now: Timestamp,
) -> StoreResult<Result<Duel, Refusal>> {
    close_expired(conn, s, now)?;
    // The challenger is no opponent of theirs: no such viewer.
    let opponent = users::by_name(conn, s, opponent)?
        .filter(|o| o.id != challenger.id)
        .ok_or(StoreError::not_found(Resource::User))?;
    let busy = conn
        .prepare_cached(
            "SELECT 1 FROM duels WHERE (challenger_id IN (?2, ?3) OR opponent_id IN (?2, ?3)) \
             AND streamer_id = ?1 LIMIT 1", // equivalent mutant: user ids are global and both were just resolved under this streamer
        )
        .db()?
        .query_row(params![s.0, challenger.id.0, opponent.id.0], |_| Ok(()))
        .db_optional()?;
    if busy.is_some() {
        return Ok(Err(Refusal::DuelPending));
    }
    let balance = user_balance(conn, s, challenger.id)?.points.channel_points;
    if balance < stake {
        return Err(StoreError::InsufficientPoints {
            balance,
            required: stake,
        });
    }
    let expires_at = now
        .checked_add(expires_in)
        .ok_or_else(|| StoreError::invalid("expires_in", "ends after the year 9999"))?;
    conn.prepare_cached(
        "INSERT INTO duels (streamer_id, challenger_id, opponent_id, stake, expires_at, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .db()?
    .execute(params![
        s.0,
        challenger.id.0,
        opponent.id.0,
        stake,
        expires_at.as_millis(),
        now.as_millis()
    ])
    .db()?;
    Ok(Ok(Duel {
        challenger: challenger.id,
        challenger_name: challenger.username.clone(),
        opponent: opponent.id,
        opponent_name: opponent.username,
        stake,
        expires_at,
    }))
}

/// Accepts the open duel naming `opponent` and settles it: the loser pays the winner the stake,
/// a `duel` ledger row each (the loser's first), with their events; the duel closes. Refused
/// with `NoDuel` when there is none; `InsufficientPoints` when either party no longer covers
/// the stake, whoever wins (the caller's rollback keeps the duel open).
pub(crate) fn accept(
    conn: &Connection,
    s: StreamerId,
    opponent: &User,
    challenger_wins: bool,
    now: Timestamp,
    events: &mut Vec<EventData>,
) -> StoreResult<Result<StepResult, Refusal>> {
    close_expired(conn, s, now)?;
    let Some((id, duel)) = open_duel(conn, s, Side::Opponent, opponent.id)? else {
        return Ok(Err(Refusal::NoDuel));
    };
    let (winner, loser) = match challenger_wins {
        true => (duel.challenger, duel.opponent),
        false => (duel.opponent, duel.challenger),
    };
    // Both parties must cover the stake, checked challenger first whoever wins, so a refusal
    // never depends on the coin: a short party cannot accept again and again until they win.
    for party in [duel.challenger, duel.opponent] {
        let balance = user_balance(conn, s, party)?.points.channel_points;
        if balance < duel.stake {
            return Err(StoreError::InsufficientPoints {
                balance,
                required: duel.stake,
            });
        }
    }
    let paid = Booking::spend(duel.stake, PointSource::Duel, None);
    let paid = move_by(conn, s, loser, paid, now)?;
    let won = Booking {
        field: "stake",
        ..Booking::earn(duel.stake, PointSource::Duel, None)
    };
    let won = move_by(conn, s, winner, won, now)?;
    close(conn, s, id)?;
    let (challenger, opponent) = match challenger_wins {
        true => (won.viewer, paid.viewer),
        false => (paid.viewer, won.viewer),
    };
    events.extend(paid.event);
    events.extend(won.event);
    Ok(Ok(StepResult::DuelSettled {
        duel,
        winner,
        challenger,
        opponent,
    }))
}

/// Closes the open duel `user` is on `side` of (declined by its opponent, withdrawn by its
/// challenger) and returns it; refused with `NoDuel` when there is none.
fn withdraw(
    conn: &Connection,
    s: StreamerId,
    side: Side,
    user: &User,
    now: Timestamp,
) -> StoreResult<Result<Duel, Refusal>> {
    close_expired(conn, s, now)?;
    let Some((id, duel)) = open_duel(conn, s, side, user.id)? else {
        return Ok(Err(Refusal::NoDuel));
    };
    close(conn, s, id)?;
    Ok(Ok(duel))
}

/// The opponent declines the open duel naming them.
pub(crate) fn decline(
    conn: &Connection,
    s: StreamerId,
    opponent: &User,
    now: Timestamp,
) -> StoreResult<Result<Duel, Refusal>> {
    withdraw(conn, s, Side::Opponent, opponent, now)
}

/// The challenger withdraws the open duel they started.
pub(crate) fn cancel(
    conn: &Connection,
    s: StreamerId,
    challenger: &User,
    now: Timestamp,
) -> StoreResult<Result<Duel, Refusal>> {
    withdraw(conn, s, Side::Challenger, challenger, now)
}

/// The streamer's open, unexpired duels, oldest first.
pub(crate) fn list(conn: &Connection, s: StreamerId, now: Timestamp) -> StoreResult<Vec<Duel>> {
    conn.prepare_cached(concat!(
        duel_select!(),
        "WHERE d.streamer_id = ?1 AND d.expires_at > ?2 ORDER BY d.id"
    ))
    .db()?
    .query_map(params![s.0, now.as_millis()], |r| {
        from_row(r).map(|(_, d)| d)
    })
    .db()?
    .collect::<rusqlite::Result<_>>()
    .db()
}
