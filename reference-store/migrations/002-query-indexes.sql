-- 002: one index per query the store runs that no key already serves, each leading with
-- `streamer_id` so a query reads one streamer's rows and nothing else. (Keys declared in 001
-- serve: users by id and by name, balances by user, inventory, cooldowns, sessions by token,
-- codes by username, tokens by provider, settings, layouts, goals.)

-- The leaderboard: a streamer's balances by total, highest first.
CREATE INDEX user_points_by_total
    ON user_points (streamer_id, (channel_points + drop_points) DESC, user_id);

-- The ledger of one user, newest first (history, summary, user delete).
CREATE INDEX point_transactions_by_user
    ON point_transactions (streamer_id, user_id, id);

-- Purchases and drops of one user (user delete, cascades).
CREATE INDEX powerup_purchases_by_user ON powerup_purchases (streamer_id, user_id);
CREATE INDEX drop_history_by_user ON drop_history (streamer_id, user_id);

-- Sessions: purge by expiry, and a user's sessions (user delete).
CREATE INDEX user_sessions_by_expiry ON user_sessions (streamer_id, expires_at);
CREATE INDEX user_sessions_by_user ON user_sessions (streamer_id, user_id);
CREATE INDEX streamer_sessions_by_expiry ON streamer_sessions (streamer_id, expires_at);

-- Tips in display order.
CREATE INDEX tips_in_order ON tips (streamer_id, sort_order, id);

-- Every other table's rows of one streamer (streamer delete, export, analytics).
CREATE INDEX powerup_purchases_by_type ON powerup_purchases (streamer_id, powerup_type);
CREATE INDEX drop_history_by_streamer ON drop_history (streamer_id, id);
