//! Runs the one conformance suite (`noaber_store::testing::conformance`) against every
//! back-end, each check as a test of its own: `sqlite::<check>` on a temporary SQLite file,
//! `postgres::<check>` on a fresh PostgreSQL database (skipped without a database URL, and
//! failed instead when `CI` is set).

use noaber_store::testing::conformance;

/// Declares one test per check and back-end. Every check takes the store by reference, as an
/// `EventStore` or a `KeyStore`; both back-ends are both.
macro_rules! conformance_tests {
    ($($check:ident),* $(,)?) => {
        mod sqlite {
            use super::conformance;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
                    conformance::$check(&store).await;
                }
            )*

            #[test]
            fn any_sequence_of_appends_reads_back_exactly_the_acknowledged_events() {
                let runtime = super::runtime();
                let (store, _dir) = runtime.block_on(noaber_store::testing::fresh_sqlite_store());
                conformance::any_sequence_of_appends_reads_back_exactly_the_acknowledged_events(
                    &runtime, &store, 64,
                );
            }
        }

        mod postgres {
            use super::conformance;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let Some(store) = noaber_store::testing::fresh_pg_store().await else {
                        return;
                    };
                    conformance::$check(&store).await;
                }
            )*

            #[test]
            fn any_sequence_of_appends_reads_back_exactly_the_acknowledged_events() {
                let runtime = super::runtime();
                let Some(store) = runtime.block_on(noaber_store::testing::fresh_pg_store()) else {
                    return;
                };
                // Fewer cases than on SQLite: each one costs a few round trips per append.
                conformance::any_sequence_of_appends_reads_back_exactly_the_acknowledged_events(
                    &runtime, &store, 24,
                );
            }
        }
    };
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

conformance_tests!(
    append_and_read_round_trip_every_envelope_field,
    no_stream_admits_only_a_new_stream,
    append_rejects_a_stale_expected_version,
    append_rejects_an_expected_version_ahead_of_the_stream,
    any_and_exact_append_at_the_current_version,
    append_rejects_an_empty_batch,
    a_retried_batch_returns_the_original_outcome_and_writes_nothing,
    an_event_id_reused_with_different_content_is_refused,
    an_event_id_reused_in_another_stream_is_refused,
    a_batch_with_one_reused_event_id_writes_nothing,
    a_batch_holding_an_event_id_twice_writes_nothing,
    read_stream_starts_at_the_requested_version,
    read_all_resumes_after_a_checkpoint_and_honours_the_limit,
    reads_stream_more_events_than_one_page,
    read_all_filters_by_tenant_category_and_event_type,
    subscribe_catches_up_then_follows_new_appends,
    subscribe_honours_its_checkpoint_and_filter,
    concurrent_writers_never_share_a_version,
    a_subscriber_sees_concurrent_appends_once_each_in_log_order,
    head_is_the_checkpoint_of_the_last_event,
    stream_version_is_the_last_version_of_a_stream,
    every_stream_hash_chain_verifies,
    a_subject_key_is_stored_once_and_kept,
    an_erased_key_is_gone_for_good,
    erasing_a_subject_without_a_key_still_forbids_one_later,
    an_account_is_created_once_and_found_by_its_login,
    passwords_are_set_and_closing_revokes_everything,
    a_link_is_redeemed_once_and_only_while_live,
    credentials_are_listed_and_revoked,
    sign_in_failures_count_within_their_window,
    the_access_log_answers_per_subject_newest_first,
    the_access_log_keeps_every_entry_once_over_many_batches,
    rotating_the_master_key_rewraps_every_live_key,
);
