BEGIN TRANSACTION;
CREATE TABLE admin_keys (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    key_hash     BLOB    NOT NULL CHECK (typeof(key_hash) = 'blob' AND length(key_hash) = 32),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id)
) STRICT, WITHOUT ROWID;
INSERT INTO "admin_keys" VALUES(1,X'099A78A4351570AA9A551096B19AEB81D78DDFCFA52A52990CA5DD51D6787563',1796420844457);
CREATE TABLE api_tokens (
    streamer_id    INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    provider       TEXT    NOT NULL,
    access_token   TEXT    NOT NULL,
    refresh_token  TEXT,
    expires_at     INTEGER NOT NULL,
    scope          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (streamer_id, provider)
) STRICT;
INSERT INTO "api_tokens" VALUES(1,'kick','access-abc','refresh-def',1741689600000,'user:read chat:write',1735689660000,1735689720000);
CREATE TABLE command_cooldowns (
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    command       TEXT    NOT NULL CHECK (length(command) BETWEEN 1 AND 128),
    last_used_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL CHECK (expires_at >= last_used_at),
    PRIMARY KEY (streamer_id, user_id, command),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO "command_cooldowns" VALUES(1,4,'!drop',1735689840000,1735689900500);
INSERT INTO "command_cooldowns" VALUES(1,8,'!drop',1735690080000,1735690140500);
INSERT INTO "command_cooldowns" VALUES(1,12,'!drop',1735690320000,1735690380500);
CREATE TABLE drop_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    score         INTEGER NOT NULL CHECK (score >= 0),
    is_perfect    INTEGER NOT NULL DEFAULT 0 CHECK (is_perfect IN (0, 1)),
    powerup_used  TEXT    CHECK (powerup_used IS NULL OR powerup_used IN ('boost', 'ghost',
                              'magnet', 'powerdrop', 'shield', 'tnt')),
    created_at    INTEGER NOT NULL,
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO "drop_history" VALUES(1,1,11,102,0,NULL,1735689600000);
INSERT INTO "drop_history" VALUES(2,1,11,67,0,'tnt',1735689600000);
INSERT INTO "drop_history" VALUES(3,1,6,82,0,NULL,1735689600000);
INSERT INTO "drop_history" VALUES(4,1,3,70,0,NULL,1735689600000);
INSERT INTO "drop_history" VALUES(5,1,13,73,0,NULL,1735689600067);
INSERT INTO "drop_history" VALUES(6,1,10,75,0,NULL,1735689600000);
INSERT INTO "drop_history" VALUES(7,1,4,72,0,NULL,1735689600000);
INSERT INTO "drop_history" VALUES(8,1,6,89,0,NULL,1735689600000);
INSERT INTO "drop_history" VALUES(9,1,12,108,0,'tnt',1735689600000);
INSERT INTO "drop_history" VALUES(10,1,1,53,0,NULL,1735689660168);
INSERT INTO "drop_history" VALUES(11,1,2,80,0,NULL,1735689660000);
INSERT INTO "drop_history" VALUES(12,1,12,96,0,NULL,1735689660000);
INSERT INTO "drop_history" VALUES(13,1,10,50,0,NULL,1735689660000);
INSERT INTO "drop_history" VALUES(14,1,3,68,0,NULL,1735689660000);
INSERT INTO "drop_history" VALUES(15,1,10,108,0,NULL,1735689660458);
INSERT INTO "drop_history" VALUES(16,1,9,82,0,'boost',1735689660000);
INSERT INTO "drop_history" VALUES(17,1,8,75,0,NULL,1735689660000);
INSERT INTO "drop_history" VALUES(18,1,2,92,0,NULL,1735689660000);
INSERT INTO "drop_history" VALUES(19,1,9,81,0,NULL,1735689660000);
INSERT INTO "drop_history" VALUES(20,1,9,97,0,'tnt',1735689720447);
CREATE TABLE goals (
    streamer_id    INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    id             TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
    label          TEXT    NOT NULL,
    current_value  INTEGER NOT NULL DEFAULT 0 CHECK (current_value >= 0),
    target_value   INTEGER NOT NULL CHECK (target_value > 0),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, id)
) STRICT;
INSERT INTO "goals" VALUES(1,'followers','Followers',812,1000,1,1764532800000);
INSERT INTO "goals" VALUES(1,'subscribers','Subs 💜',41,50,0,1764532800500);
CREATE TABLE migration_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('migrate-legacy', 'import-legacy')),
    -- The streamer's names as the run created them (a rollback re-runs it to find later writes).
    username     TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    source_path  TEXT    NOT NULL,
    backup_path  TEXT,
    counts       TEXT    NOT NULL CHECK (json_type(counts) = 'object'),
    program      TEXT    NOT NULL
, normalised TEXT NOT NULL DEFAULT '{}' CHECK (json_type(normalised) = 'object')) STRICT;
INSERT INTO "migration_audit" VALUES(1,1,'migrate-legacy','oldchannel','oldchannel',1796420844436,1796420844452,'/tmp/oldfix/kick-overlay.db','/tmp/oldfix/backups/kick-overlay.2026-12-04T21-47-24.436Z.pre-migration.db','{"admin_sessions":2,"api_tokens":1,"command_cooldowns":3,"drop_history":20,"goals":2,"overlay_settings":6,"point_transactions":27,"powerup_config":6,"powerup_inventory":13,"powerup_purchases":13,"tips":5,"user_points":12,"user_sessions":2,"users":14,"verification_codes":7}','kick-overlay 0.1.0','{}');
CREATE TABLE overlay_layouts (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
    name         TEXT    NOT NULL COLLATE NOCASE,
    is_default   INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    layout       TEXT    NOT NULL CHECK (json_type(layout) = 'object'),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, id),
    UNIQUE (streamer_id, name)
) STRICT;
CREATE TABLE overlay_settings (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
    value        TEXT    NOT NULL,
    description  TEXT,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, key)
) STRICT;
INSERT INTO "overlay_settings" VALUES(1,'chat_position','bottom-left','Where chat sits',1735689600005);
INSERT INTO "overlay_settings" VALUES(1,'drop_speed','1.5',NULL,1735689660000);
INSERT INTO "overlay_settings" VALUES(1,'tts_voice','Brian','It''s the "default" voice',1735689720005);
INSERT INTO "overlay_settings" VALUES(1,'welcome_text','Willkommen! ようこそ 🎉',NULL,1735689780000);
INSERT INTO "overlay_settings" VALUES(1,'sql_text','''; DELETE FROM overlay_settings; --','not an attack, just text',1735689840005);
INSERT INTO "overlay_settings" VALUES(1,'theme_config','dark','an early theme setting, not JSON',1735689600000);
CREATE TABLE point_transactions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    source       TEXT    NOT NULL CHECK (source IN ('admin', 'chat', 'drop', 'duel', 'gamble',
                             'gift', 'renewal', 'spend', 'sub', 'tip', 'watch')),
    description  TEXT,
    created_at   INTEGER NOT NULL,
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO "point_transactions" VALUES(1,1,2,-128,'duel',NULL,1735689600007);
INSERT INTO "point_transactions" VALUES(2,1,2,262,'admin','it''s a "quoted" tip; DROP TABLE tips;--',1735689660000);
INSERT INTO "point_transactions" VALUES(3,1,8,765,'admin','Spiel gewonnen 🎉 — ünïcödé',1735689720007);
INSERT INTO "point_transactions" VALUES(4,1,11,103,'watch','watch reward',1735689780000);
INSERT INTO "point_transactions" VALUES(5,1,10,-500,'duel','duel reward',1735689840007);
INSERT INTO "point_transactions" VALUES(6,1,13,828,'sub',NULL,1735689900000);
INSERT INTO "point_transactions" VALUES(7,1,2,1863,'sub','it''s a "quoted" tip; DROP TABLE tips;--',1735689960007);
INSERT INTO "point_transactions" VALUES(8,1,6,938,'renewal','Spiel gewonnen 🎉 — ünïcödé',1735690020000);
INSERT INTO "point_transactions" VALUES(9,1,2,241,'chat','chat reward',1735690080007);
INSERT INTO "point_transactions" VALUES(10,1,3,631,'tip','tip reward',1735690140000);
INSERT INTO "point_transactions" VALUES(11,1,13,-261,'duel',NULL,1735690200007);
INSERT INTO "point_transactions" VALUES(12,1,4,-387,'spend','it''s a "quoted" tip; DROP TABLE tips;--',1735690260000);
INSERT INTO "point_transactions" VALUES(13,1,12,1217,'gift','Spiel gewonnen 🎉 — ünïcödé',1735690320007);
INSERT INTO "point_transactions" VALUES(14,1,6,-276,'duel','duel reward',1735690380000);
INSERT INTO "point_transactions" VALUES(15,1,6,-310,'spend','spend reward',1735690440007);
INSERT INTO "point_transactions" VALUES(16,1,5,-244,'duel',NULL,1735690500000);
INSERT INTO "point_transactions" VALUES(17,1,8,361,'watch','it''s a "quoted" tip; DROP TABLE tips;--',1735690560007);
INSERT INTO "point_transactions" VALUES(18,1,14,1684,'tip','Spiel gewonnen 🎉 — ünïcödé',1735690620000);
INSERT INTO "point_transactions" VALUES(19,1,8,450,'tip','tip reward',1735690680007);
INSERT INTO "point_transactions" VALUES(20,1,7,-488,'duel','duel reward',1735690740000);
INSERT INTO "point_transactions" VALUES(21,1,12,1030,'drop',NULL,1735690800007);
INSERT INTO "point_transactions" VALUES(22,1,4,-444,'duel','it''s a "quoted" tip; DROP TABLE tips;--',1735690860000);
INSERT INTO "point_transactions" VALUES(23,1,14,-323,'gamble','Spiel gewonnen 🎉 — ünïcödé',1735690920007);
INSERT INTO "point_transactions" VALUES(24,1,11,-485,'duel','duel reward',1735690980000);
INSERT INTO "point_transactions" VALUES(25,1,14,361,'tip','tip reward',1735691040007);
INSERT INTO "point_transactions" VALUES(26,1,13,481,'renewal',NULL,1735691100000);
INSERT INTO "point_transactions" VALUES(27,1,7,-38,'duel','it''s a "quoted" tip; DROP TABLE tips;--',1735691160007);
CREATE TABLE powerup_config (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL CHECK (id IN ('boost', 'ghost', 'magnet', 'powerdrop',
                             'shield', 'tnt')),
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    cost         INTEGER NOT NULL DEFAULT 500 CHECK (cost >= 0),
    emoji        TEXT    NOT NULL,
    effect       TEXT    NOT NULL,
    variables    TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(variables) = 'object'),
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, id)
) STRICT;
INSERT INTO "powerup_config" VALUES(1,'tnt','TNT','TNT: the "tnt" powerup''s description',500,'💣','TNT does what TNT does','{"explosionRadius":2000,"explosionForce":1500,"explosionUpwardBoost":400}',1,1735689600000,1735689660999);
INSERT INTO "powerup_config" VALUES(1,'powerdrop','Power Drop','Power Drop: the "powerdrop" powerup''s description',300,'⚡','Power Drop does what Power Drop does','{"gravityMultiplier":3}',1,1735689660000,1735689720999);
INSERT INTO "powerup_config" VALUES(1,'shield','Shield','Shield: the "shield" powerup''s description',400,'🛡️','Shield does what Shield does','{"duration":10000}',1,1735689720000,1735689780999);
INSERT INTO "powerup_config" VALUES(1,'magnet','Magnet','Magnet: the "magnet" powerup''s description',600,'🧲','Magnet does what Magnet does','{"pullStrength":500,"duration":3000}',1,1735689780000,1735689840999);
INSERT INTO "powerup_config" VALUES(1,'ghost','Ghost','Ghost: the "ghost" powerup''s description',750,'👻','Ghost does what Ghost does','{"duration":5000}',0,1735689840000,1735689900999);
INSERT INTO "powerup_config" VALUES(1,'boost','Speed Boost','Speed Boost: the "boost" powerup''s description',250,'🚀','Speed Boost does what Speed Boost does','{"speedMultiplier":2,"duration":3000}',1,1735689900000,1735689960999);
CREATE TABLE powerup_inventory (
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    powerup_type  TEXT    NOT NULL CHECK (powerup_type IN ('boost', 'ghost', 'magnet',
                              'powerdrop', 'shield', 'tnt')),
    quantity      INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    PRIMARY KEY (streamer_id, user_id, powerup_type),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO "powerup_inventory" VALUES(1,2,'shield',4);
INSERT INTO "powerup_inventory" VALUES(1,3,'powerdrop',4);
INSERT INTO "powerup_inventory" VALUES(1,3,'boost',5);
INSERT INTO "powerup_inventory" VALUES(1,5,'magnet',5);
INSERT INTO "powerup_inventory" VALUES(1,6,'shield',5);
INSERT INTO "powerup_inventory" VALUES(1,8,'tnt',5);
INSERT INTO "powerup_inventory" VALUES(1,8,'ghost',4);
INSERT INTO "powerup_inventory" VALUES(1,9,'magnet',2);
INSERT INTO "powerup_inventory" VALUES(1,11,'powerdrop',4);
INSERT INTO "powerup_inventory" VALUES(1,11,'boost',1);
INSERT INTO "powerup_inventory" VALUES(1,12,'tnt',1);
INSERT INTO "powerup_inventory" VALUES(1,12,'ghost',5);
INSERT INTO "powerup_inventory" VALUES(1,14,'shield',5);
CREATE TABLE powerup_purchases (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id   INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    powerup_type  TEXT    NOT NULL CHECK (powerup_type IN ('boost', 'ghost', 'magnet',
                              'powerdrop', 'shield', 'tnt')),
    cost          INTEGER NOT NULL CHECK (cost >= 0),
    purchased_at  INTEGER NOT NULL,
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO "powerup_purchases" VALUES(1,1,2,'shield',0,1735689720250);
INSERT INTO "powerup_purchases" VALUES(2,1,3,'powerdrop',500,1735689780250);
INSERT INTO "powerup_purchases" VALUES(3,1,3,'boost',500,1735689780250);
INSERT INTO "powerup_purchases" VALUES(4,1,5,'magnet',500,1735689900250);
INSERT INTO "powerup_purchases" VALUES(5,1,6,'shield',500,1735689960250);
INSERT INTO "powerup_purchases" VALUES(6,1,8,'tnt',500,1735690080250);
INSERT INTO "powerup_purchases" VALUES(7,1,8,'ghost',500,1735690080250);
INSERT INTO "powerup_purchases" VALUES(8,1,9,'magnet',500,1735690140250);
INSERT INTO "powerup_purchases" VALUES(9,1,11,'powerdrop',500,1735690260250);
INSERT INTO "powerup_purchases" VALUES(10,1,11,'boost',500,1735690260250);
INSERT INTO "powerup_purchases" VALUES(11,1,12,'tnt',500,1735690320250);
INSERT INTO "powerup_purchases" VALUES(12,1,12,'ghost',500,1735690320250);
INSERT INTO "powerup_purchases" VALUES(13,1,14,'shield',500,1735690440250);
CREATE TABLE streamer_sessions (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL CHECK (length(token_hash) = 32),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, token_hash)
) STRICT;
INSERT INTO "streamer_sessions" VALUES(1,X'1D0D2541B7CC9D479FE20E799B34E3A129630C4088D72A1D3167A6EEE8088271',1735689660000,4070908800000);
INSERT INTO "streamer_sessions" VALUES(1,X'5218D50075434100BDF0E1C0D169BEA8106064A49A99785E9EE33CC41B4CDF60',1735689660000,1735689720000);
CREATE TABLE streamers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kick_user_id  INTEGER UNIQUE CHECK (kick_user_id IS NULL OR kick_user_id > 0),
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE
                          CHECK (length(username) BETWEEN 1 AND 32),
    display_name  TEXT    NOT NULL CHECK (length(display_name) >= 1),
    avatar_url    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
INSERT INTO "streamers" VALUES(1,NULL,'oldchannel','oldchannel',NULL,1796420844436,1796420844436);
CREATE TABLE theme_settings (
    streamer_id  INTEGER NOT NULL PRIMARY KEY REFERENCES streamers (id) ON DELETE CASCADE,
    theme        TEXT    NOT NULL CHECK (json_type(theme) = 'object'),
    updated_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE tips (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    content      TEXT    NOT NULL CHECK (length(content) >= 1),
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    sort_order   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
) STRICT;
INSERT INTO "tips" VALUES(1,1,'Type !drop to play',1,0,1735689600000);
INSERT INTO "tips" VALUES(2,1,'Earn 5 points a minute for watching',1,1,1735689660000);
INSERT INTO "tips" VALUES(3,1,'It''s "free" — no purchase needed',1,1,1735689720000);
INSERT INTO "tips" VALUES(4,1,'An old tip nobody sees',0,2,1735689780000);
INSERT INTO "tips" VALUES(5,1,'Use !tts to talk 🗣️',1,3,1735689840000);
CREATE TABLE user_points (
    streamer_id     INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    channel_points  INTEGER NOT NULL DEFAULT 0 CHECK (channel_points >= 0),
    drop_points     INTEGER NOT NULL DEFAULT 0 CHECK (drop_points >= 0),
    total_drops     INTEGER NOT NULL DEFAULT 0 CHECK (total_drops >= 0),
    last_updated    INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, user_id),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO "user_points" VALUES(1,1,18065,53,1,1735689720000);
INSERT INTO "user_points" VALUES(1,2,24614,172,2,1735689840000);
INSERT INTO "user_points" VALUES(1,3,12076,138,2,1735689960000);
INSERT INTO "user_points" VALUES(1,4,20824,72,1,1735690080000);
INSERT INTO "user_points" VALUES(1,5,5382,0,0,1735690200000);
INSERT INTO "user_points" VALUES(1,6,43149,171,2,1735690320000);
INSERT INTO "user_points" VALUES(1,8,23273,75,1,1735690560000);
INSERT INTO "user_points" VALUES(1,9,7172,260,3,1735690680000);
INSERT INTO "user_points" VALUES(1,10,17716,233,3,1735690800000);
INSERT INTO "user_points" VALUES(1,11,8784,169,2,1735690920000);
INSERT INTO "user_points" VALUES(1,12,46432,204,2,1735691040000);
INSERT INTO "user_points" VALUES(1,13,635,73,1,1735691160000);
CREATE TABLE user_sessions (
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL CHECK (length(token_hash) = 32),
    user_id      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (streamer_id, token_hash),
    FOREIGN KEY (streamer_id, user_id) REFERENCES users (streamer_id, id) ON DELETE CASCADE
) STRICT;
INSERT INTO "user_sessions" VALUES(1,X'9F3C0CF9E56541963817B9DAAEEDA4D9FA97666AEBA743534AE3D3F06B6F9A4B',3,1735689900000,4070908800000);
INSERT INTO "user_sessions" VALUES(1,X'0BF65DFC9301070B1E774A335430AE36A82440D297559F5FDDF4FC4F2EE48932',4,1735689900000,1735693200000);
CREATE TABLE users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    username     TEXT    NOT NULL COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 64),
    voice_id     TEXT,
    drop_image   TEXT,
    country      TEXT    CHECK (country IS NULL OR country GLOB '[A-Z][A-Z]'),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (streamer_id, id),
    UNIQUE (streamer_id, username)
) STRICT;
INSERT INTO "users" VALUES(1,1,'CodingButter',NULL,NULL,'US',1735689660000,1736200800000);
INSERT INTO "users" VALUES(2,1,'O''Brien',NULL,NULL,'US',1735689720000,1736215380048);
INSERT INTO "users" VALUES(3,1,'Robert''); DROP TABLE users;--','voice-5','https://cdn.example/drops/3.png','JP',1735689780000,1736080980000);
INSERT INTO "users" VALUES(4,1,'"quoted"',NULL,NULL,NULL,1735689840000,1736094060870);
INSERT INTO "users" VALUES(5,1,'名前ユーザー',NULL,NULL,'BR',1735689900000,1736081220000);
INSERT INTO "users" VALUES(6,1,'emoji🎮player','voice-19','https://cdn.example/drops/6.png','US',1735689960000,1735704420014);
INSERT INTO "users" VALUES(7,1,'Zoë',NULL,NULL,'DE',1735690020000,1735776780000);
INSERT INTO "users" VALUES(8,1,'x',NULL,NULL,NULL,1735690080000,1736139180676);
INSERT INTO "users" VALUES(9,1,'SELECT * FROM user_points','voice-3','https://cdn.example/drops/9.png','BR',1735690140000,1735972680000);
INSERT INTO "users" VALUES(10,1,'percent%_under',NULL,NULL,'GB',1735690200000,1736227440036);
INSERT INTO "users" VALUES(11,1,'back\slash',NULL,NULL,'DE',1735690260000,1735695840000);
INSERT INTO "users" VALUES(12,1,'spaces in name','voice-15','https://cdn.example/drops/12.png',NULL,1735690320000,1735857120053);
INSERT INTO "users" VALUES(13,1,'viewer13',NULL,NULL,'GB',1735690380000,1736031660000);
INSERT INTO "users" VALUES(14,1,'viewer14',NULL,NULL,'DE',1735690440000,1736115180955);
CREATE TABLE verification_codes (
    -- `id` is the issue order ("the newest code" of a username).
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    streamer_id  INTEGER NOT NULL REFERENCES streamers (id) ON DELETE CASCADE,
    username     TEXT    NOT NULL COLLATE NOCASE,
    code         TEXT    NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    verified     INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    UNIQUE (streamer_id, username, code)
) STRICT;
INSERT INTO "verification_codes" VALUES(1,1,'codingbutter','ABC123',1,1735690200000,1735690500000);
INSERT INTO "verification_codes" VALUES(2,1,'VIEWER20','XYZ789',0,1735690200000,4070908800000);
INSERT INTO "verification_codes" VALUES(3,1,'not_a_user_yet','Q''1;--',0,1735690260000,1735690560000);
INSERT INTO "verification_codes" VALUES(4,1,'Viewer_2','525095',1,1735689720000,1735690320600);
INSERT INTO "verification_codes" VALUES(5,1,'Viewer_6','380282',0,1735689960000,1735690560600);
INSERT INTO "verification_codes" VALUES(6,1,'Viewer_10','192565',1,1735690200000,1735690800600);
INSERT INTO "verification_codes" VALUES(7,1,'Viewer_14','658666',0,1735690440000,1735691040600);
CREATE UNIQUE INDEX overlay_layouts_one_default
    ON overlay_layouts (streamer_id) WHERE is_default = 1;
CREATE INDEX user_points_by_total
    ON user_points (streamer_id, (channel_points + drop_points) DESC, user_id);
CREATE INDEX point_transactions_by_user
    ON point_transactions (streamer_id, user_id, id);
CREATE INDEX powerup_purchases_by_user ON powerup_purchases (streamer_id, user_id);
CREATE INDEX drop_history_by_user ON drop_history (streamer_id, user_id);
CREATE INDEX user_sessions_by_expiry ON user_sessions (streamer_id, expires_at);
CREATE INDEX user_sessions_by_user ON user_sessions (streamer_id, user_id);
CREATE INDEX streamer_sessions_by_expiry ON streamer_sessions (streamer_id, expires_at);
CREATE INDEX tips_in_order ON tips (streamer_id, sort_order, id);
CREATE INDEX powerup_purchases_by_type ON powerup_purchases (streamer_id, powerup_type);
CREATE INDEX drop_history_by_streamer ON drop_history (streamer_id, id);
CREATE INDEX migration_audit_by_streamer ON migration_audit (streamer_id, id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('streamers',1);
INSERT INTO "sqlite_sequence" VALUES('users',14);
INSERT INTO "sqlite_sequence" VALUES('point_transactions',28);
INSERT INTO "sqlite_sequence" VALUES('powerup_purchases',13);
INSERT INTO "sqlite_sequence" VALUES('drop_history',20);
INSERT INTO "sqlite_sequence" VALUES('verification_codes',7);
INSERT INTO "sqlite_sequence" VALUES('tips',6);
INSERT INTO "sqlite_sequence" VALUES('migration_audit',1);
COMMIT;
