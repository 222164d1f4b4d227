BEGIN TRANSACTION;
CREATE TABLE admin_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_token TEXT NOT NULL UNIQUE,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    expires_at DATETIME NOT NULL
);
INSERT INTO "admin_sessions" VALUES(1,'admin-session-6ff6095883d7ff08','2025-01-01 00:01:00','2099-01-01T00:00:00.000Z');
INSERT INTO "admin_sessions" VALUES(2,'admin-old-85881bbdacff9509','2025-01-01 00:01:00','2025-01-01T00:02:00.000Z');
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider TEXT NOT NULL DEFAULT 'kick' UNIQUE,
    access_token TEXT NOT NULL,
    refresh_token TEXT,
    expires_at DATETIME NOT NULL,
    scope TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "api_tokens" VALUES(1,'kick','access-abc','refresh-def','2025-03-11T10:40:00.000Z','user:read chat:write','2025-01-01 00:01:00','2025-01-01 00:02:00');
CREATE TABLE command_cooldowns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    command TEXT NOT NULL,
    last_used_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    UNIQUE (user_id, command)
);
INSERT INTO "command_cooldowns" VALUES(1,4,'!drop','2025-01-01 00:04:00','2025-01-01T00:05:00.500Z');
INSERT INTO "command_cooldowns" VALUES(2,8,'!drop','2025-01-01 00:08:00','2025-01-01T00:09:00.500Z');
INSERT INTO "command_cooldowns" VALUES(3,12,'!drop','2025-01-01 00:12:00','2025-01-01T00:13:00.500Z');
CREATE TABLE drop_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    score INTEGER NOT NULL,
    is_perfect INTEGER DEFAULT 0,
    powerup_used TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "drop_history" VALUES(1,11,102,0,NULL,'2025-01-01 00:00:00');
INSERT INTO "drop_history" VALUES(2,11,67,0,'tnt','2025-01-01 00:00:00');
INSERT INTO "drop_history" VALUES(3,6,82,0,NULL,'2025-01-01 00:00:00');
INSERT INTO "drop_history" VALUES(4,3,70,0,NULL,'2025-01-01 00:00:00');
INSERT INTO "drop_history" VALUES(5,13,73,0,NULL,'2025-01-01T00:00:00.067Z');
INSERT INTO "drop_history" VALUES(6,10,75,0,NULL,'2025-01-01 00:00:00');
INSERT INTO "drop_history" VALUES(7,4,72,0,NULL,'2025-01-01 00:00:00');
INSERT INTO "drop_history" VALUES(8,6,89,0,NULL,'2025-01-01 00:00:00');
INSERT INTO "drop_history" VALUES(9,12,108,0,'tnt','2025-01-01 00:00:00');
INSERT INTO "drop_history" VALUES(10,1,53,0,NULL,'2025-01-01T00:01:00.168Z');
INSERT INTO "drop_history" VALUES(11,2,80,0,NULL,'2025-01-01 00:01:00');
INSERT INTO "drop_history" VALUES(12,12,96,0,NULL,'2025-01-01 00:01:00');
INSERT INTO "drop_history" VALUES(13,10,50,0,NULL,'2025-01-01 00:01:00');
INSERT INTO "drop_history" VALUES(14,3,68,0,NULL,'2025-01-01 00:01:00');
INSERT INTO "drop_history" VALUES(15,10,108,0,NULL,'2025-01-01T00:01:00.458Z');
INSERT INTO "drop_history" VALUES(16,9,82,0,'boost','2025-01-01 00:01:00');
INSERT INTO "drop_history" VALUES(17,8,75,0,NULL,'2025-01-01 00:01:00');
INSERT INTO "drop_history" VALUES(18,2,92,0,NULL,'2025-01-01 00:01:00');
INSERT INTO "drop_history" VALUES(19,9,81,0,NULL,'2025-01-01 00:01:00');
INSERT INTO "drop_history" VALUES(20,9,97,0,'tnt','2025-01-01T00:02:00.447Z');
CREATE TABLE goals (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    current_value INTEGER DEFAULT 0,
    target_value INTEGER NOT NULL,
    enabled INTEGER DEFAULT 1,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "goals" VALUES('followers','Followers',812,1000,1,'2025-11-30 20:00:00');
INSERT INTO "goals" VALUES('subscribers','Subs 💜',41,50,0,'2025-11-30T20:00:00.500Z');
CREATE TABLE overlay_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    description TEXT,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "overlay_settings" VALUES('chat_position','bottom-left','Where chat sits','2025-01-01T00:00:00.005Z');
INSERT INTO "overlay_settings" VALUES('drop_speed','1.5',NULL,'2025-01-01 00:01:00');
INSERT INTO "overlay_settings" VALUES('tts_voice','Brian','It''s the "default" voice','2025-01-01T00:02:00.005Z');
INSERT INTO "overlay_settings" VALUES('welcome_text','Willkommen! ようこそ 🎉',NULL,'2025-01-01 00:03:00');
INSERT INTO "overlay_settings" VALUES('sql_text','''; DELETE FROM overlay_settings; --','not an attack, just text','2025-01-01T00:04:00.005Z');
INSERT INTO "overlay_settings" VALUES('theme_config','dark','an early theme setting, not JSON','2025-01-01 00:00:00');
CREATE TABLE point_transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    amount INTEGER NOT NULL,
    source TEXT NOT NULL,
    description TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "point_transactions" VALUES(1,2,-128,'duel',NULL,'2025-01-01T00:00:00.007Z');
INSERT INTO "point_transactions" VALUES(2,2,262,'admin','it''s a "quoted" tip; DROP TABLE tips;--','2025-01-01 00:01:00');
INSERT INTO "point_transactions" VALUES(3,8,765,'admin','Spiel gewonnen 🎉 — ünïcödé','2025-01-01T00:02:00.007Z');
INSERT INTO "point_transactions" VALUES(4,11,103,'watch','watch reward','2025-01-01 00:03:00');
INSERT INTO "point_transactions" VALUES(5,10,-500,'duel','duel reward','2025-01-01T00:04:00.007Z');
INSERT INTO "point_transactions" VALUES(6,13,828,'sub',NULL,'2025-01-01 00:05:00');
INSERT INTO "point_transactions" VALUES(7,2,1863,'sub','it''s a "quoted" tip; DROP TABLE tips;--','2025-01-01T00:06:00.007Z');
INSERT INTO "point_transactions" VALUES(8,6,938,'renewal','Spiel gewonnen 🎉 — ünïcödé','2025-01-01 00:07:00');
INSERT INTO "point_transactions" VALUES(9,2,241,'chat','chat reward','2025-01-01T00:08:00.007Z');
INSERT INTO "point_transactions" VALUES(10,3,631,'tip','tip reward','2025-01-01 00:09:00');
INSERT INTO "point_transactions" VALUES(11,13,-261,'duel',NULL,'2025-01-01T00:10:00.007Z');
INSERT INTO "point_transactions" VALUES(12,4,-387,'spend','it''s a "quoted" tip; DROP TABLE tips;--','2025-01-01 00:11:00');
INSERT INTO "point_transactions" VALUES(13,12,1217,'gift','Spiel gewonnen 🎉 — ünïcödé','2025-01-01T00:12:00.007Z');
INSERT INTO "point_transactions" VALUES(14,6,-276,'duel','duel reward','2025-01-01 00:13:00');
INSERT INTO "point_transactions" VALUES(15,6,-310,'spend','spend reward','2025-01-01T00:14:00.007Z');
INSERT INTO "point_transactions" VALUES(16,5,-244,'duel',NULL,'2025-01-01 00:15:00');
INSERT INTO "point_transactions" VALUES(17,8,361,'watch','it''s a "quoted" tip; DROP TABLE tips;--','2025-01-01T00:16:00.007Z');
INSERT INTO "point_transactions" VALUES(18,14,1684,'tip','Spiel gewonnen 🎉 — ünïcödé','2025-01-01 00:17:00');
INSERT INTO "point_transactions" VALUES(19,8,450,'tip','tip reward','2025-01-01T00:18:00.007Z');
INSERT INTO "point_transactions" VALUES(20,7,-488,'duel','duel reward','2025-01-01 00:19:00');
INSERT INTO "point_transactions" VALUES(21,12,1030,'drop',NULL,'2025-01-01T00:20:00.007Z');
INSERT INTO "point_transactions" VALUES(22,4,-444,'duel','it''s a "quoted" tip; DROP TABLE tips;--','2025-01-01 00:21:00');
INSERT INTO "point_transactions" VALUES(23,14,-323,'gamble','Spiel gewonnen 🎉 — ünïcödé','2025-01-01T00:22:00.007Z');
INSERT INTO "point_transactions" VALUES(24,11,-485,'duel','duel reward','2025-01-01 00:23:00');
INSERT INTO "point_transactions" VALUES(25,14,361,'tip','tip reward','2025-01-01T00:24:00.007Z');
INSERT INTO "point_transactions" VALUES(26,13,481,'renewal',NULL,'2025-01-01 00:25:00');
INSERT INTO "point_transactions" VALUES(27,7,-38,'duel','it''s a "quoted" tip; DROP TABLE tips;--','2025-01-01T00:26:00.007Z');
CREATE TABLE powerup_config (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    cost INTEGER NOT NULL DEFAULT 500,
    emoji TEXT NOT NULL,
    effect TEXT NOT NULL,
    variables TEXT DEFAULT '{}',
    enabled INTEGER DEFAULT 1,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "powerup_config" VALUES('tnt','TNT','TNT: the "tnt" powerup''s description',500,'💣','TNT does what TNT does','{"explosionRadius":2000,"explosionForce":1500,"explosionUpwardBoost":400}',1,'2025-01-01 00:00:00','2025-01-01T00:01:00.999Z');
INSERT INTO "powerup_config" VALUES('powerdrop','Power Drop','Power Drop: the "powerdrop" powerup''s description',300,'⚡','Power Drop does what Power Drop does','{"gravityMultiplier":3}',1,'2025-01-01 00:01:00','2025-01-01T00:02:00.999Z');
INSERT INTO "powerup_config" VALUES('shield','Shield','Shield: the "shield" powerup''s description',400,'🛡️','Shield does what Shield does','{"duration":10000}',1,'2025-01-01 00:02:00','2025-01-01T00:03:00.999Z');
INSERT INTO "powerup_config" VALUES('magnet','Magnet','Magnet: the "magnet" powerup''s description',600,'🧲','Magnet does what Magnet does','{"pullStrength":500,"duration":3000}',1,'2025-01-01 00:03:00','2025-01-01T00:04:00.999Z');
INSERT INTO "powerup_config" VALUES('ghost','Ghost','Ghost: the "ghost" powerup''s description',750,'👻','Ghost does what Ghost does','{"duration":5000}',0,'2025-01-01 00:04:00','2025-01-01T00:05:00.999Z');
INSERT INTO "powerup_config" VALUES('boost','Speed Boost','Speed Boost: the "boost" powerup''s description',250,'🚀','Speed Boost does what Speed Boost does','{"speedMultiplier":2,"duration":3000}',1,'2025-01-01 00:05:00','2025-01-01T00:06:00.999Z');
CREATE TABLE powerup_inventory (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    powerup_type TEXT NOT NULL CHECK (powerup_type IN ('tnt', 'powerdrop', 'shield', 'magnet', 'ghost', 'boost')),
    quantity INTEGER DEFAULT 0,
    UNIQUE (user_id, powerup_type)
);
INSERT INTO "powerup_inventory" VALUES(1,2,'shield',4);
INSERT INTO "powerup_inventory" VALUES(2,3,'powerdrop',4);
INSERT INTO "powerup_inventory" VALUES(3,3,'boost',5);
INSERT INTO "powerup_inventory" VALUES(4,5,'magnet',5);
INSERT INTO "powerup_inventory" VALUES(5,6,'shield',5);
INSERT INTO "powerup_inventory" VALUES(6,8,'tnt',5);
INSERT INTO "powerup_inventory" VALUES(7,8,'ghost',4);
INSERT INTO "powerup_inventory" VALUES(8,9,'magnet',2);
INSERT INTO "powerup_inventory" VALUES(9,11,'powerdrop',4);
INSERT INTO "powerup_inventory" VALUES(10,11,'boost',1);
INSERT INTO "powerup_inventory" VALUES(11,12,'tnt',1);
INSERT INTO "powerup_inventory" VALUES(12,12,'ghost',5);
INSERT INTO "powerup_inventory" VALUES(13,14,'shield',5);
CREATE TABLE powerup_purchases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    powerup_type TEXT NOT NULL,
    cost INTEGER NOT NULL,
    purchased_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "powerup_purchases" VALUES(1,2,'shield',0,'2025-01-01T00:02:00.250Z');
INSERT INTO "powerup_purchases" VALUES(2,3,'powerdrop',500,'2025-01-01T00:03:00.250Z');
INSERT INTO "powerup_purchases" VALUES(3,3,'boost',500,'2025-01-01T00:03:00.250Z');
INSERT INTO "powerup_purchases" VALUES(4,5,'magnet',500,'2025-01-01T00:05:00.250Z');
INSERT INTO "powerup_purchases" VALUES(5,6,'shield',500,'2025-01-01T00:06:00.250Z');
INSERT INTO "powerup_purchases" VALUES(6,8,'tnt',500,'2025-01-01T00:08:00.250Z');
INSERT INTO "powerup_purchases" VALUES(7,8,'ghost',500,'2025-01-01T00:08:00.250Z');
INSERT INTO "powerup_purchases" VALUES(8,9,'magnet',500,'2025-01-01T00:09:00.250Z');
INSERT INTO "powerup_purchases" VALUES(9,11,'powerdrop',500,'2025-01-01T00:11:00.250Z');
INSERT INTO "powerup_purchases" VALUES(10,11,'boost',500,'2025-01-01T00:11:00.250Z');
INSERT INTO "powerup_purchases" VALUES(11,12,'tnt',500,'2025-01-01T00:12:00.250Z');
INSERT INTO "powerup_purchases" VALUES(12,12,'ghost',500,'2025-01-01T00:12:00.250Z');
INSERT INTO "powerup_purchases" VALUES(13,14,'shield',500,'2025-01-01T00:14:00.250Z');
CREATE TABLE tips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content TEXT NOT NULL,
    enabled INTEGER DEFAULT 1,
    sort_order INTEGER DEFAULT 0,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "tips" VALUES(1,'Type !drop to play',1,0,'2025-01-01 00:00:00');
INSERT INTO "tips" VALUES(2,'Earn 5 points a minute for watching',1,1,'2025-01-01 00:01:00');
INSERT INTO "tips" VALUES(3,'It''s "free" — no purchase needed',1,1,'2025-01-01 00:02:00');
INSERT INTO "tips" VALUES(4,'An old tip nobody sees',0,2,'2025-01-01 00:03:00');
INSERT INTO "tips" VALUES(5,'Use !tts to talk 🗣️',1,3,'2025-01-01 00:04:00');
CREATE TABLE user_points (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    channel_points INTEGER DEFAULT 0,
    drop_points INTEGER DEFAULT 0,
    total_drops INTEGER DEFAULT 0,
    last_updated DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "user_points" VALUES(1,1,18065,53,1,'2025-01-01T00:02:00.000Z');
INSERT INTO "user_points" VALUES(2,2,24614,172,2,'2025-01-01 00:04:00');
INSERT INTO "user_points" VALUES(3,3,12076,138,2,'2025-01-01T00:06:00.000Z');
INSERT INTO "user_points" VALUES(4,4,20824,72,1,'2025-01-01 00:08:00');
INSERT INTO "user_points" VALUES(5,5,5382,0,0,'2025-01-01T00:10:00.000Z');
INSERT INTO "user_points" VALUES(6,6,43149,171,2,'2025-01-01 00:12:00');
INSERT INTO "user_points" VALUES(7,8,23273,75,1,'2025-01-01 00:16:00');
INSERT INTO "user_points" VALUES(8,9,7172,260,3,'2025-01-01T00:18:00.000Z');
INSERT INTO "user_points" VALUES(9,10,17716,233,3,'2025-01-01 00:20:00');
INSERT INTO "user_points" VALUES(10,11,8784,169,2,'2025-01-01T00:22:00.000Z');
INSERT INTO "user_points" VALUES(11,12,46432,204,2,'2025-01-01 00:24:00');
INSERT INTO "user_points" VALUES(12,13,635,73,1,'2025-01-01T00:26:00.000Z');
CREATE TABLE user_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_token TEXT NOT NULL UNIQUE,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    expires_at DATETIME NOT NULL
);
INSERT INTO "user_sessions" VALUES(1,3,'live-session-bcc4c0e8566975de','2025-01-01 00:05:00','2099-01-01T00:00:00.000Z');
INSERT INTO "user_sessions" VALUES(2,4,'old-session-2ff05502e91b3f08','2025-01-01 00:05:00','2025-01-01T01:00:00.000Z');
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    voice_id TEXT,
    drop_image TEXT,
    country TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "users" VALUES(1,'CodingButter',NULL,NULL,'US','2025-01-01 00:01:00','2025-01-06 22:00:00');
INSERT INTO "users" VALUES(2,'O''Brien',NULL,NULL,'US','2025-01-01 00:02:00','2025-01-07T02:03:00.048Z');
INSERT INTO "users" VALUES(3,'Robert''); DROP TABLE users;--','voice-5','https://cdn.example/drops/3.png','JP','2025-01-01 00:03:00','2025-01-05 12:43:00');
INSERT INTO "users" VALUES(4,'"quoted"',NULL,NULL,NULL,'2025-01-01 00:04:00','2025-01-05T16:21:00.870Z');
INSERT INTO "users" VALUES(5,'名前ユーザー',NULL,NULL,'BR','2025-01-01 00:05:00','2025-01-05 12:47:00');
INSERT INTO "users" VALUES(6,'emoji🎮player','voice-19','https://cdn.example/drops/6.png','US','2025-01-01 00:06:00','2025-01-01T04:07:00.014Z');
INSERT INTO "users" VALUES(7,'Zoë',NULL,NULL,'DE','2025-01-01 00:07:00','2025-01-02 00:13:00');
INSERT INTO "users" VALUES(8,'x',NULL,NULL,NULL,'2025-01-01 00:08:00','2025-01-06T04:53:00.676Z');
INSERT INTO "users" VALUES(9,'SELECT * FROM user_points','voice-3','https://cdn.example/drops/9.png','BR','2025-01-01 00:09:00','2025-01-04 06:38:00');
INSERT INTO "users" VALUES(10,'percent%_under',NULL,NULL,'GB','2025-01-01 00:10:00','2025-01-07T05:24:00.036Z');
INSERT INTO "users" VALUES(11,'back\slash',NULL,NULL,'DE','2025-01-01 00:11:00','2025-01-01 01:44:00');
INSERT INTO "users" VALUES(12,'spaces in name','voice-15','https://cdn.example/drops/12.png',NULL,'2025-01-01 00:12:00','2025-01-02T22:32:00.053Z');
INSERT INTO "users" VALUES(13,'viewer13',NULL,NULL,'GB','2025-01-01 00:13:00','2025-01-04 23:01:00');
INSERT INTO "users" VALUES(14,'viewer14',NULL,NULL,'DE','2025-01-01 00:14:00','2025-01-05T22:13:00.955Z');
CREATE TABLE verification_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    code TEXT NOT NULL,
    verified INTEGER DEFAULT 0,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    expires_at DATETIME NOT NULL,
    UNIQUE (username, code)
);
INSERT INTO "verification_codes" VALUES(1,'codingbutter','ABC123',1,'2025-01-01 00:10:00','2025-01-01T00:15:00.000Z');
INSERT INTO "verification_codes" VALUES(2,'VIEWER20','XYZ789',0,'2025-01-01 00:10:00','2099-01-01T00:00:00.000Z');
INSERT INTO "verification_codes" VALUES(3,'not_a_user_yet','Q''1;--',0,'2025-01-01 00:11:00','2025-01-01T00:16:00.000Z');
INSERT INTO "verification_codes" VALUES(4,'Viewer_2','525095',1,'2025-01-01 00:02:00','2025-01-01T00:12:00.600Z');
INSERT INTO "verification_codes" VALUES(5,'Viewer_6','380282',0,'2025-01-01 00:06:00','2025-01-01T00:16:00.600Z');
INSERT INTO "verification_codes" VALUES(6,'Viewer_10','192565',1,'2025-01-01 00:10:00','2025-01-01T00:20:00.600Z');
INSERT INTO "verification_codes" VALUES(7,'Viewer_14','658666',0,'2025-01-01 00:14:00','2025-01-01T00:24:00.600Z');
CREATE INDEX idx_users_username ON users (username);
CREATE INDEX idx_user_points_user_id ON user_points (user_id);
CREATE INDEX idx_powerup_inventory_user_id ON powerup_inventory (user_id);
CREATE INDEX idx_user_sessions_token ON user_sessions (session_token);
CREATE INDEX idx_user_sessions_expires ON user_sessions (expires_at);
CREATE INDEX idx_verification_codes_username ON verification_codes (username);
CREATE INDEX idx_command_cooldowns_user_command ON command_cooldowns (user_id, command);
CREATE INDEX idx_drop_history_user_id ON drop_history (user_id);
CREATE INDEX idx_admin_sessions_token ON admin_sessions (session_token);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('users',14);
INSERT INTO "sqlite_sequence" VALUES('drop_history',20);
INSERT INTO "sqlite_sequence" VALUES('user_points',12);
INSERT INTO "sqlite_sequence" VALUES('point_transactions',28);
INSERT INTO "sqlite_sequence" VALUES('powerup_inventory',13);
INSERT INTO "sqlite_sequence" VALUES('powerup_purchases',13);
INSERT INTO "sqlite_sequence" VALUES('command_cooldowns',3);
INSERT INTO "sqlite_sequence" VALUES('user_sessions',2);
INSERT INTO "sqlite_sequence" VALUES('admin_sessions',2);
INSERT INTO "sqlite_sequence" VALUES('verification_codes',7);
INSERT INTO "sqlite_sequence" VALUES('api_tokens',1);
INSERT INTO "sqlite_sequence" VALUES('tips',6);
COMMIT;
