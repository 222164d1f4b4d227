//! The suite's named cases, and the one list that names them all.
//!
//! [`__suite_cases!`](crate::__suite_cases) is the single source of truth: it builds
//! [`CASES`] here and the tests [`crate::datastore_suite!`] generates in a backend's crate, so
//! the two cannot drift apart. To add a case, write an `async fn name(h: Harness) ->
//! CaseResult` in the module of its domain and add `module::name` to the list
//! (`tests/coverage.rs` names a case written but not listed).

pub mod cooldowns;
pub mod event_reads;
pub mod events;
pub mod goals;
pub mod isolation;
pub mod kick_deliveries;
pub mod kick_duels;
pub mod kick_steps;
pub mod kick_support;
pub mod kick_viewers;
pub mod kick_watch;
pub mod overlay;
pub mod point_reads;
pub mod points;
pub mod powerups;
pub mod reports;
pub mod sessions;
pub mod streamers;
pub mod support;
pub mod tips;
pub mod tokens;
pub mod users;
pub mod verification;

/// Expands `$crate::__suite_expand!` with every case of the suite. Internal: use
/// [`crate::datastore_suite!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __suite_cases {
    ($($mode:tt)*) => {
        $crate::__suite_expand! { ($($mode)*) [
            streamers::create_streamer_starts_with_defaults,
            streamers::streamer_usernames_and_kick_ids_are_unique,
            streamers::create_streamer_rejects_invalid_input,
            streamers::update_streamer_changes_only_given_fields,
            streamers::list_streamers_in_id_order,
            streamers::delete_streamer_removes_everything_it_owns,
            users::get_or_create_user_ignores_ascii_case,
            users::get_user_by_id_and_by_username,
            users::lookups_by_text_holding_nul_find_nothing,
            users::update_user_profile_sets_and_clears,
            users::delete_user_removes_their_rows,
            users::list_users_with_points_paginates,
            users::usernames_are_validated_and_stored_exactly,
            users::ids_are_never_reused,
            points::earn_and_spend_move_balance_and_ledger,
            points::spend_refuses_insufficient_balance_and_changes_nothing,
            points::concurrent_spends_never_overdraw,
            points::concurrent_earns_lose_no_update,
            points::set_points_records_an_adjustment,
            points::add_drop_points_counts_and_records,
            point_reads::leaderboard_ranks_by_total,
            point_reads::leaderboard_follows_writes_and_stays_per_streamer,
            point_reads::drop_leaderboard_ranks_by_drop_points,
            point_reads::drop_leaderboard_follows_writes_and_stays_per_streamer,
            point_reads::points_summary_groups_by_source,
            point_reads::transaction_history_pages_newest_first,
            points::bulk_award_creates_and_awards_each_user_once,
            points::bulk_award_is_all_or_nothing,
            points::concurrent_bulk_awards_create_each_viewer_once,
            points::amounts_and_balances_are_bounded,
            points::point_operations_on_unknown_users_are_not_found,
            powerups::powerup_lists_by_cost_and_by_id,
            powerups::upsert_and_update_powerup,
            powerups::inventory_add_and_use,
            powerups::purchase_spends_adds_and_records,
            powerups::purchase_refuses_and_changes_nothing,
            powerups::streamer_buys_free,
            powerups::concurrent_purchases_never_overdraw,
            powerups::powerup_inputs_are_validated,
            overlay::overlay_setting_upsert_keeps_description,
            overlay::overlay_settings_list_by_key_and_delete,
            overlay::layouts_keep_at_most_one_default,
            overlay::documents_keep_escaped_control_characters,
            overlay::layout_names_are_unique_within_a_streamer,
            overlay::theme_get_and_set,
            overlay::overlay_inputs_are_validated,
            tips::tips_are_ordered_and_filtered,
            tips::tip_update_and_delete,
            tips::tip_inputs_are_validated,
            goals::goals_upsert_progress_and_delete,
            goals::goal_inputs_are_validated,
            tokens::oauth_tokens_upsert_replace_and_delete,
            sessions::user_sessions_expire_and_purge,
            sessions::streamer_sessions_expire_and_purge,
            sessions::session_tokens_are_unique_within_a_streamer,
            sessions::user_sessions_need_an_existing_user,
            sessions::admin_keys_replace_and_check,
            sessions::overlay_keys_replace_and_check,
            sessions::overlay_key_of_another_streamer_is_refused,
            verification::verification_codes_refresh_and_expire,
            verification::latest_verification_code_is_the_newest,
            verification::verification_codes_are_verified_and_deleted,
            verification::codes_redeem_only_with_their_own_secret,
            verification::concurrent_redemptions_redeem_once,
            verification::live_codes_per_username_are_bounded,
            verification::expired_codes_and_cooldowns_are_purged,
            cooldowns::cooldown_checks_and_sets,
            cooldowns::concurrent_cooldown_checks_let_one_through,
            reports::analytics_counts_one_streamer,
            reports::export_holds_everything_in_order,
            reports::streamed_export_is_the_export_in_parts,
            events::point_writes_record_their_events,
            events::powerup_writes_record_their_events,
            events::goals_and_tips_record_only_what_the_public_sees,
            events::overlay_and_viewer_writes_record_their_events,
            events::failed_writes_record_nothing,
            events::other_writes_record_nothing,
            events::another_streamers_row_never_decides_what_is_recorded,
            events::deleting_a_viewer_rewrites_the_events_that_name_them,
            event_reads::event_ids_count_per_streamer_from_one,
            event_reads::read_events_pages_after_an_id,
            event_reads::purge_events_by_age_and_count_keeps_the_counter,
            event_reads::delete_streamer_removes_its_events,
            event_reads::concurrent_writes_record_dense_unique_events,
            kick_deliveries::deliveries_apply_exactly_once,
            kick_deliveries::a_failing_effect_records_nothing,
            kick_deliveries::a_refused_command_undoes_its_steps_and_keeps_the_effects,
            kick_deliveries::delivery_arguments_are_checked_first,
            kick_deliveries::concurrent_redeliveries_apply_once,
            kick_deliveries::delivery_records_are_seen_and_purged,
            kick_deliveries::concurrent_deliveries_never_overdraw_or_lose_updates,
            kick_steps::earn_spend_and_wager_steps_move_points,
            kick_steps::chat_live_and_goal_steps,
            kick_steps::set_live_keeps_the_newest_stamp,
            kick_steps::an_earn_is_cut_at_the_balance_limit,
            kick_steps::alert_cooldown_and_verify_steps,
            kick_steps::powerup_and_speech_steps,
            kick_viewers::a_new_kick_user_becomes_a_linked_viewer,
            kick_viewers::a_name_only_viewer_is_linked_and_keeps_everything,
            kick_viewers::a_renamed_kick_user_keeps_points_history_and_inventory,
            kick_viewers::a_rename_to_a_taken_name_keeps_the_old_name,
            kick_viewers::a_stale_holder_gives_up_the_name,
            kick_viewers::deleting_a_viewer_removes_their_kick_data,
            kick_duels::duel_lifecycle,
            kick_duels::duels_expire_on_the_clock,
            kick_duels::duel_accept_needs_both_to_cover_the_stake,
            kick_watch::watch_minutes_award_recent_chatters_once,
            kick_watch::concurrent_watch_awards_award_once,
            kick_watch::purged_watch_minutes_are_never_awarded_again,
            kick_watch::a_full_balance_is_left_out_of_the_watch_award,
            kick_watch::live_streamers_are_listed,
            kick_watch::economy_config_defaults_roundtrips_and_validates,
            isolation::cannot_get_user_from_another_streamer,
            isolation::cannot_update_user_from_another_streamer,
            isolation::cannot_view_points_from_another_streamer,
            isolation::cannot_access_overlay_settings_from_another_streamer,
            isolation::cannot_access_tips_from_another_streamer,
            isolation::cannot_access_goals_from_another_streamer,
            isolation::same_username_under_two_streamers_is_two_users,
            isolation::same_keys_under_two_streamers_are_independent,
            isolation::default_layout_is_per_streamer,
            isolation::deleted_streamer_leaves_others_working,
            isolation::writes_cannot_link_rows_across_streamers,
            isolation::foreign_and_missing_resources_give_identical_errors,
            isolation::unknown_streamer_owns_nothing,
            isolation::credentials_do_not_cross_streamers,
            isolation::a_new_streamer_inherits_nothing,
            isolation::concurrent_tenants_stay_apart,
            isolation::admin_key_of_another_streamer_is_refused,
            isolation::cross_tenant_sweep_streamers,
            isolation::cross_tenant_sweep_users,
            isolation::cross_tenant_sweep_points,
            isolation::cross_tenant_sweep_powerups,
            isolation::cross_tenant_sweep_overlay,
            isolation::cross_tenant_sweep_tips,
            isolation::cross_tenant_sweep_goals,
            isolation::cross_tenant_sweep_tokens,
            isolation::cross_tenant_sweep_sessions,
            isolation::codes_are_bounded_counted_and_spent_per_streamer,
            isolation::cross_tenant_sweep_verification,
            isolation::cross_tenant_sweep_cooldowns,
            isolation::cross_tenant_sweep_reports,
            isolation::cross_tenant_sweep_events,
            isolation::a_delivery_for_one_streamer_never_touches_another,
            isolation::kick_reads_never_see_another_streamers_data,
            isolation::kick_links_stay_with_their_streamer,
            isolation::watch_minutes_are_per_streamer,
            isolation::duels_never_cross_streamers,
            isolation::cross_tenant_sweep_kick,
            isolation::matches_model_under_random_operations,
        ] }
    };
}

/// Internal: turns the case list into tests or into [`CASES`].
#[doc(hidden)]
#[macro_export]
macro_rules! __suite_expand {
    ((tests $factory:expr) [$($module:ident :: $case:ident),* $(,)?]) => {
        $(
            #[test]
            fn $case() {
                $crate::cases::run_test(stringify!($case), $crate::harness::Factory::new($factory));
            }
        )*
    };
    ((table) [$($module:ident :: $case:ident),* $(,)?]) => {
        /// Every case of the suite, in the order the list names them.
        pub const CASES: &[$crate::harness::Case] = &[
            $($crate::harness::Case {
                name: stringify!($case),
                module: stringify!($module),
                run: |h| Box::pin($crate::cases::$module::$case(h)),
            },)*
        ];
    };
}

crate::__suite_cases!(table);

/// Runs the named case against `factory` and panics with its failure: the body of every test
/// [`crate::datastore_suite!`] generates.
pub fn run_test(name: &str, factory: crate::harness::Factory) {
    let case = CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no conformance case named {name}"));
    crate::harness::run_test_case(case, factory, crate::harness::Options::from_env());
}
