-- Overlays hear when the stream goes live or ends.
ALTER TABLE events DROP CONSTRAINT events_kind_check;
ALTER TABLE events ADD CONSTRAINT events_kind_check CHECK (kind IN ('points_changed',
    'drop_recorded', 'powerup_purchased', 'powerup_added', 'powerup_used', 'powerup_changed',
    'goal_changed', 'tip_changed', 'setting_changed', 'layout_changed', 'theme_changed',
    'viewer_changed', 'viewer_removed', 'alert', 'speech_queued', 'live_changed'));
