//! The audit view over a real (embedded) store: the whole history of a request or a person, in
//! log order, with actor, role, on-behalf-of and both times, and without any payload.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use chrono::Duration;
use noaber_domain::AnyEvent;
use noaber_projections::audit::{person_history, request_history, AuditError};
use noaber_projections::fold_all;
use noaber_store::{EventStore, ExpectedVersion, Metadata, StreamId};

async fn append(store: &dyn EventStore, event: AnyEvent, hours: i64, meta: Metadata) {
    let stream = StreamId::parse(&event.stream_id()).unwrap();
    let new = new_event(&event, day(2025, 3, 3) + Duration::hours(hours), meta);
    store
        .append(&stream, ExpectedVersion::Any, vec![new])
        .await
        .unwrap();
}

#[tokio::test]
async fn a_requests_history_lists_every_event_in_order_with_who_did_it_and_for_whom() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let on_behalf = Metadata {
        on_behalf_of: Some(person(1).as_uuid()),
        ..meta_of(connector(), "connector")
    };
    append(
        &store,
        registered(1, 0, None),
        0,
        meta_of(person(1), "resident"),
    )
    .await;
    append(&store, posted(1, 1, 0), -20, on_behalf).await;
    append(&store, offered(1, 2), 1, meta_of(person(2), "helper")).await;
    append(&store, matched(1, 2), 2, meta_of(connector(), "connector")).await;

    let history = request_history(&store, request(1)).await.unwrap();
    let types: Vec<_> = history.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, vec!["RequestPosted", "HelpOffered", "HelperMatched"]);
    assert_eq!(history[0].actor_id, Some(connector().as_uuid()));
    assert_eq!(history[0].actor_role.as_deref(), Some("connector"));
    assert_eq!(history[0].on_behalf_of, Some(person(1).as_uuid()));
    // Back-dated: it happened before it was recorded.
    assert!(history[0].occurred_at < history[0].recorded_at);
    assert_eq!(history[1].actor_role.as_deref(), Some("helper"));
    let json = serde_json::to_string(&history).unwrap();
    assert!(
        !json.contains("help with shopping"),
        "payload leaked: {json}"
    );
}

#[tokio::test]
async fn a_persons_history_merges_their_stream_with_the_requests_they_took_part_in() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let mut h = History::new();
    let events = [
        registered(2, 0, None),
        posted(1, 1, 0),
        offered(1, 2),
        posted(2, 1, 0),
        skills_declared(2, &["cooking"], weekday_mornings(), 3),
    ];
    for (i, e) in events.into_iter().enumerate() {
        h.push(e.clone());
        append(
            &store,
            e,
            i64::try_from(i).unwrap(),
            meta_of(person(2), "helper"),
        )
        .await;
    }
    let models = fold_all(&h.events);
    let involved = models.directory.requests_of(person(2)).to_vec();
    let history = person_history(&store, person(2), &involved).await.unwrap();
    let types: Vec<_> = history.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        vec![
            "PersonRegistered",
            "RequestPosted",
            "HelpOffered",
            "SkillsDeclared"
        ]
    );
    assert!(history
        .windows(2)
        .all(|w| w[0].checkpoint < w[1].checkpoint));
}

#[tokio::test]
async fn the_history_of_an_unknown_request_is_not_found() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    assert!(matches!(
        request_history(&store, request(42)).await,
        Err(AuditError::NotFound(_))
    ));
}
