// The benchmark's peer: the stack the legacy KickOverlay app runs on (Bun, `bun:sqlite`, one
// process), serving the three endpoints scripts/bench-api measures on the same multi-tenant
// tables and the same seeded file, written the way the legacy app's data layer is: prepared
// statements through `db.query`, a write wrapped in `db.transaction`, the legacy pragmas
// (WAL, foreign keys on) plus `synchronous = NORMAL`, the setting kick-overlay runs with, so
// both servers promise the same durability (a commit survives the process being killed).
//
// What it does not do, each of which only makes it faster than kick-overlay:
// - no authentication: the admin key a POST carries is not read, let alone checked;
// - no events: an earn writes its balance and ledger row, not the `points_changed` event an
//   overlay's live stream reads, nor its counter row;
// - no limits (connections, body size), no request log, no cache, no strict JSON checks
//   beyond what the endpoints need;
// - rows go out as SQLite holds them (times as integer milliseconds), with no formatting.
//
//   bun scripts/bench-peer/server.ts --db FILE --port N
import { Database } from "bun:sqlite";

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) {
    console.error(`usage: server.ts --db FILE --port N (missing ${name})`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const db = new Database(arg("--db"), { create: false, strict: true });
db.exec("PRAGMA journal_mode = WAL");
db.exec("PRAGMA foreign_keys = ON");
db.exec("PRAGMA synchronous = NORMAL");

const SOURCES = new Set([
  "admin", "chat", "drop", "duel", "gamble", "gift", "renewal", "spend", "sub", "tip", "watch",
]);

const streamerByName = db.query("SELECT id FROM streamers WHERE username = ?");
const userById = db.query(
  "SELECT id, streamer_id, username, voice_id, drop_image, country, created_at, updated_at " +
    "FROM users WHERE streamer_id = ? AND id = ?",
);
const leaderboard = db.query(
  "SELECT p.user_id, u.username, p.channel_points, p.drop_points, " +
    "p.channel_points + p.drop_points AS total_points, p.total_drops " +
    "FROM user_points p JOIN users u ON u.streamer_id = p.streamer_id AND u.id = p.user_id " +
    "WHERE p.streamer_id = ? AND p.channel_points + p.drop_points > 0 " +
    "ORDER BY p.channel_points + p.drop_points DESC, p.user_id LIMIT ?",
);
const addPoints = db.query(
  "INSERT INTO user_points (streamer_id, user_id, channel_points, last_updated) " +
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (streamer_id, user_id) DO UPDATE SET " +
    "channel_points = channel_points + excluded.channel_points, last_updated = excluded.last_updated",
);
const addTransaction = db.query(
  "INSERT INTO point_transactions (streamer_id, user_id, amount, source, description, created_at) " +
    "VALUES (?, ?, ?, ?, ?, ?)",
);
const pointsOf = db.query(
  "SELECT channel_points, drop_points, total_drops, last_updated FROM user_points " +
    "WHERE streamer_id = ? AND user_id = ?",
);

const earn = db.transaction((streamer: number, user: number, amount: number, source: string,
  description: string | null) => {
  if (!userById.get(streamer, user)) return null;
  const now = Date.now();
  addPoints.run(streamer, user, amount, now);
  addTransaction.run(streamer, user, amount, source, description, now);
  return pointsOf.get(streamer, user);
});

const notFound = () => Response.json({ error: "not found" }, { status: 404 });
const invalid = (why: string) => Response.json({ error: why }, { status: 400 });

Bun.serve({
  development: false,
  hostname: "127.0.0.1",
  port: Number(arg("--port")),
  async fetch(req) {
    const url = new URL(req.url);
    const parts = url.pathname.split("/");
    // ["", streamer, "api", ...]
    if (parts.length < 4 || parts[2] !== "api") return notFound();
    const streamer = streamerByName.get(parts[1]) as { id: number } | null;
    if (!streamer) return notFound();
    if (req.method === "GET" && parts.length === 4 && parts[3] === "leaderboard") {
      const limit = Number(url.searchParams.get("limit") ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid("limit");
      const rows = leaderboard.all(streamer.id, limit) as Record<string, unknown>[];
      return Response.json(rows.map((r, i) => ({ rank: i + 1, ...r })));
    }
    if (parts.length < 5 || parts[3] !== "users" || !/^[0-9]{1,18}$/.test(parts[4])) {
      return notFound();
    }
    const user = Number(parts[4]);
    if (req.method === "GET" && parts.length === 5) {
      const row = userById.get(streamer.id, user);
      return row ? Response.json(row) : notFound();
    }
    if (req.method === "POST" && parts.length === 6 && parts[5] === "points") {
      let body: { amount?: unknown; source?: unknown; description?: unknown };
      try {
        body = await req.json();
      } catch {
        return invalid("the body is not JSON");
      }
      const { amount, source, description } = body;
      if (!Number.isInteger(amount) || (amount as number) <= 0 || (amount as number) > 1e9) {
        return invalid("amount");
      }
      if (typeof source !== "string" || !SOURCES.has(source)) return invalid("source");
      if (description != null && typeof description !== "string") return invalid("description");
      const points = earn(streamer.id, user, amount as number, source, description ?? null);
      return points ? Response.json(points) : notFound();
    }
    return notFound();
  },
});
