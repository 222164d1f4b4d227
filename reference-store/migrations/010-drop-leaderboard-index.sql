-- 010: the drop game's board (`drop_leaderboard`, chat's `!droptop`): a streamer's balances by
-- drop points, highest first, then by user. Partial: only rows with drop points, the only rows
-- the board can show, so viewers who never played add nothing to it. Led by `streamer_id`, like
-- every index, so the read walks one streamer's rows in board order and stops at its limit.
CREATE INDEX user_points_by_drops
    ON user_points (streamer_id, drop_points DESC, user_id) WHERE drop_points > 0;
