//! The leaderboard cache: each streamer's last board, served until that streamer writes.
//!
//! An overlay polls its streamer's leaderboard every few seconds, while the board changes only
//! when the streamer's points do. The cache keeps the last board read per streamer and serves
//! it while it is current:
//!
//! * **Keyed by streamer.** A board is stored under its streamer's id and only ever served for
//!   that id.
//! * **Invalidated by writes.** Every streamer has a generation, bumped by every successful
//!   write of that streamer *after it commits* and before its caller is answered (see
//!   [`crate::SqliteStore`]'s `write`). A board is stored with the generation read *before*
//!   its query ran and served only while the generation is unchanged, so a board read from a
//!   snapshot older than a write can never be served once that write is acknowledged, even if
//!   it is stored after the bump.
//! * **Bounded.** At most [`LEADERBOARD_CACHE_ROWS`] rows in all (by default; an empty board
//!   counts as one); a new board that would pass the bound evicts other boards first.
//!
//! Generations live in a fixed table of slots indexed by the streamer's id: two streamers that
//! share a slot invalidate each other's boards (a spurious miss, never a stale hit), and the
//! table's size does not grow with the number of streamers.

use datastore::{LeaderboardEntry, StreamerId, UserId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Default bound on the rows all cached boards hold together (48 bytes each and the name's, so
/// under 8 MiB with long names, about 4 MiB with typical ones): a board of 50 for each of 1,300
/// streamers.
pub const LEADERBOARD_CACHE_ROWS: usize = 65_536;

/// Generation slots: a power of two, far more than the streamers that write at once.
const SLOTS: usize = 4096;

/// A streamer's generation when a board was read: the ticket to store it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Generation(u64);

struct Board {
    generation: Generation,
    /// The limit it was read with: it answers any limit up to this one, or any limit at all when
    /// it holds fewer rows (the whole board).
    limit: u32,
    /// Shared, so that a hit copies its rows after letting go of the lock.
    rows: Arc<Packed>,
}

/// A board's rows as the cache keeps them: the usernames end to end in one string, each row
/// its numbers and where its name ends. One allocation per board instead of one per row, and
/// about half the bytes (48 per row and the name's own, against 72 and a heap block of at
/// least 32). With a board cached for each of 1,000 streamers this took the server's peak
/// resident memory under `scripts/bench-api` down by about 2.5 MiB.
struct Packed {
    names: Box<str>,
    rows: Box<[PackedRow]>,
}

struct PackedRow {
    rank: u32,
    /// The name is `names[previous row's name_end..name_end]`.
    name_end: u32,
    user_id: i64,
    channel_points: i64,
    drop_points: i64,
    total_points: i64,
    total_drops: i64,
}

impl Packed {
    /// `None` when the names do not fit the 32-bit offsets (never, for a board's bounded
    /// number of bounded names: the board is then simply not cached).
    fn pack(rows: &[LeaderboardEntry]) -> Option<Packed> {
        let mut names = String::with_capacity(rows.iter().map(|r| r.username.len()).sum());
        let mut packed = Vec::with_capacity(rows.len());
        for r in rows {
            names.push_str(&r.username);
            packed.push(PackedRow {
                rank: r.rank,
                name_end: u32::try_from(names.len()).ok()?,
                user_id: r.user_id.0,
                channel_points: r.channel_points,
                drop_points: r.drop_points,
                total_points: r.total_points,
                total_drops: r.total_drops,
            });
        }
        Some(Packed {
            names: names.into_boxed_str(),
            rows: packed.into_boxed_slice(),
        })
    }

    /// The first `limit` rows, as the store reads them.
    fn unpack(&self, limit: usize) -> Vec<LeaderboardEntry> {
        let mut start = 0;
        self.rows
            .iter()
            .take(limit)
            .map(|r| {
                let end = r.name_end as usize;
                let username = self.names[start..end].to_owned();
                start = end;
                LeaderboardEntry {
                    rank: r.rank,
                    user_id: UserId(r.user_id),
                    username,
                    channel_points: r.channel_points,
                    drop_points: r.drop_points,
                    total_points: r.total_points,
                    total_drops: r.total_drops,
                }
            })
            .collect()
    }

    fn len(&self) -> usize {
        self.rows.len()
    }
}

struct Boards {
    by_streamer: HashMap<StreamerId, Board>,
    rows: usize,
}

/// The cache. Disabled (every lookup a miss, nothing stored) with a bound of 0.
pub(crate) struct LeaderboardCache {
    max_rows: usize,
    generations: Box<[AtomicU64]>,
    boards: Mutex<Boards>,
}

impl LeaderboardCache {
    pub(crate) fn new(max_rows: usize) -> Self {
        LeaderboardCache {
            max_rows,
            generations: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            boards: Mutex::new(Boards {
                by_streamer: HashMap::new(),
                rows: 0,
            }),
        }
    }

    fn slot(&self, streamer: StreamerId) -> &AtomicU64 {
        &self.generations[streamer.0.rem_euclid(SLOTS as i64) as usize]
    }

    /// The streamer's current generation: read it before reading the board from the database.
    pub(crate) fn generation(&self, streamer: StreamerId) -> Generation {
        Generation(self.slot(streamer).load(Ordering::SeqCst))
    }

    /// Marks every board of `streamer` stale. Called after each write of the streamer commits.
    pub(crate) fn invalidate(&self, streamer: StreamerId) {
        if self.max_rows == 0 {
            return;
        }
        self.slot(streamer).fetch_add(1, Ordering::SeqCst);
        let mut boards = self.lock();
        if let Some(old) = boards.by_streamer.remove(&streamer) {
            boards.rows -= cost_of(&old);
        }
    }

    /// The first `limit` rows of the streamer's board, if a board read at `current` (the
    /// generation now) holds them.
    pub(crate) fn get(
        &self,
        streamer: StreamerId,
        limit: u32,
        current: Generation,
    ) -> Option<Vec<LeaderboardEntry>> {
        if self.max_rows == 0 {
            return None;
        }
        let rows = {
            let boards = self.lock();
            let board = boards.by_streamer.get(&streamer)?;
            let whole = board.rows.len() < board.limit as usize;
            if board.generation != current || (board.limit < limit && !whole) {
                return None;
            }
            board.rows.clone()
        };
        Some(rows.unpack(limit as usize))
    }

    /// Stores the streamer's board, read with `limit` after [`LeaderboardCache::generation`]
    /// returned `read_at`. A board already stored from a later generation is kept.
    pub(crate) fn put(
        &self,
        streamer: StreamerId,
        limit: u32,
        read_at: Generation,
        rows: &[LeaderboardEntry],
    ) {
        let cost = cost(rows.len());
        if self.max_rows == 0 || cost > self.max_rows || self.generation(streamer) != read_at {
            // Off, too big, or read before a write that has since committed: it could never
            // be served.
            return;
        }
        let Some(packed) = Packed::pack(rows) else {
            return;
        };
        let mut boards = self.lock();
        let covered = |old: &Board| old.generation == read_at && old.limit >= limit;
        if boards.by_streamer.get(&streamer).is_some_and(covered) {
            return;
        }
        if let Some(old) = boards.by_streamer.remove(&streamer) {
            boards.rows -= cost_of(&old);
        }
        // Make room by evicting other boards, one at a time, in no particular order.
        while boards.rows + cost > self.max_rows {
            let Some(victim) = boards.by_streamer.keys().next().copied() else {
                break;
            };
            if let Some(old) = boards.by_streamer.remove(&victim) {
                boards.rows -= cost_of(&old);
            }
        }
        boards.rows += cost;
        boards.by_streamer.insert(
            streamer,
            Board {
                generation: read_at,
                limit,
                rows: Arc::new(packed),
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Boards> {
        self.boards.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a board counts against the bound: its rows, and at least one (an empty board, such as
/// that of an id no streamer has, still takes an entry).
fn cost(rows: usize) -> usize {
    rows.max(1)
}

fn cost_of(board: &Board) -> usize {
    cost(board.rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: i64) -> Vec<LeaderboardEntry> {
        (1..=n)
            .map(|i| LeaderboardEntry {
                rank: i as u32,
                user_id: UserId(i),
                username: format!("u{i}"),
                channel_points: 1000 - i,
                drop_points: 0,
                total_points: 1000 - i,
                total_drops: 0,
            })
            .collect()
    }

    #[test]
    fn a_packed_board_gives_back_every_row_as_stored() {
        let mut board = rows(4);
        board[0].username = "Zoë_の_viewer".into();
        board[1].username = "a".repeat(64);
        board[2].drop_points = 7;
        board[2].total_points = board[2].channel_points + 7;
        board[3].total_drops = 12;
        let cache = LeaderboardCache::new(100);
        let s = StreamerId(9);
        cache.put(s, 50, cache.generation(s), &board);
        assert_eq!(cache.get(s, 50, cache.generation(s)), Some(board.clone()));
        assert_eq!(
            cache.get(s, 2, cache.generation(s)),
            Some(board[..2].to_vec())
        );
    }

    #[test]
    fn a_board_is_served_to_its_streamer_only_and_until_it_writes() {
        let cache = LeaderboardCache::new(100);
        let (a, b) = (StreamerId(1), StreamerId(2));
        let at = cache.generation(a);
        cache.put(a, 50, at, &rows(3));
        assert_eq!(cache.get(a, 50, cache.generation(a)), Some(rows(3)));
        assert_eq!(cache.get(a, 2, cache.generation(a)), Some(rows(2)));
        assert_eq!(cache.get(b, 50, cache.generation(b)), None);
        cache.invalidate(b);
        assert_eq!(cache.get(a, 50, cache.generation(a)), Some(rows(3)));
        cache.invalidate(a);
        assert_eq!(cache.get(a, 50, cache.generation(a)), None);
    }

    #[test]
    fn a_board_read_before_a_write_is_never_served_after_it() {
        let cache = LeaderboardCache::new(100);
        let a = StreamerId(7);
        // A reader takes its ticket and reads the old board; a write commits and bumps the
        // generation; then the reader stores what it read.
        let ticket = cache.generation(a);
        cache.invalidate(a);
        cache.put(a, 50, ticket, &rows(3));
        assert_eq!(cache.get(a, 50, cache.generation(a)), None);
        // Nor may it replace a board of the new generation.
        let fresh = cache.generation(a);
        cache.put(a, 50, fresh, &rows(2));
        cache.put(a, 50, ticket, &rows(3));
        assert_eq!(cache.get(a, 50, cache.generation(a)), Some(rows(2)));
    }

    #[test]
    fn a_stored_board_is_served_only_at_its_generation() {
        let cache = LeaderboardCache::new(100);
        // Two streamers whose generations share a slot: a write of the second moves the first's
        // generation but leaves its board in the map, where only the generation check stops it.
        let (a, neighbour) = (StreamerId(3), StreamerId(3 + SLOTS as i64));
        cache.put(a, 50, cache.generation(a), &rows(3));
        cache.invalidate(neighbour);
        assert!(cache.lock().by_streamer.contains_key(&a), "still stored");
        assert_eq!(cache.get(a, 50, cache.generation(a)), None);
    }

    #[test]
    fn a_short_board_answers_only_the_limits_it_covers() {
        let cache = LeaderboardCache::new(100);
        let a = StreamerId(1);
        let at = cache.generation(a);
        cache.put(a, 2, at, &rows(2));
        assert_eq!(cache.get(a, 3, at), None, "there may be a third row");
        cache.put(a, 10, at, &rows(4));
        assert_eq!(cache.get(a, 1000, at), Some(rows(4)), "the whole board");
    }

    #[test]
    fn the_rows_stay_within_the_bound() {
        let cache = LeaderboardCache::new(5);
        for s in 1..=4 {
            let s = StreamerId(s);
            cache.put(s, 50, cache.generation(s), &rows(2));
            let boards = cache.lock();
            assert!(boards.rows <= 5);
            let held: usize = boards.by_streamer.values().map(|b| b.rows.len()).sum();
            assert_eq!(boards.rows, held);
        }
        let held: Vec<_> = (1..=4)
            .filter(|&s| {
                let s = StreamerId(s);
                cache.get(s, 50, cache.generation(s)).is_some()
            })
            .collect();
        assert_eq!(
            held.len(),
            2,
            "older boards were evicted one by one: {held:?}"
        );
        assert!(held.contains(&4), "the newest board stays");
        // Empty boards count too: ids of no streamer cannot grow the map without bound.
        for s in 100..110 {
            let s = StreamerId(s);
            cache.put(s, 50, cache.generation(s), &[]);
        }
        assert!(cache.lock().by_streamer.len() <= 5);
        cache.put(StreamerId(9), 50, cache.generation(StreamerId(9)), &rows(6));
        assert_eq!(
            cache.get(StreamerId(9), 50, cache.generation(StreamerId(9))),
            None
        );
        let off = LeaderboardCache::new(0);
        off.put(StreamerId(1), 50, off.generation(StreamerId(1)), &rows(1));
        assert_eq!(
            off.get(StreamerId(1), 50, off.generation(StreamerId(1))),
            None
        );
    }
}
