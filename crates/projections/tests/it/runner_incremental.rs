//! Property tests: every read model built incrementally, in any split of batches, with a
//! snapshot taken and restored at every split point, equals the model rebuilt from scratch:
//! in its stored state and in the answers its queries give.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use chrono::{Duration, NaiveDate};
use noaber_projections::directory::{Directory, HelperQuery};
use noaber_projections::feed::{Audience, Feed};
use noaber_projections::queue::{Queue, QueueConfig};
use noaber_projections::runner::{decode, fold_all, ReadModels};
use noaber_projections::signals::{Granularity, Signals};
use noaber_projections::snapshot::{self, MemorySnapshotStore, SnapshotStore};
use noaber_projections::standing_offers::{OfferQuery, StandingOffers};
use noaber_projections::{Envelope, ReadModel};
use noaber_store::{Checkpoint, RecordedEvent};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Folds `events` into a fresh `M`, taking a snapshot and restoring from it at every split.
fn incremental<M: ReadModel>(events: &[RecordedEvent], splits: &[usize]) -> M {
    let mut model = M::default();
    let mut at = Checkpoint::START;
    let mut start = 0;
    let mut cuts: Vec<usize> = splits.iter().map(|s| s % (events.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(events.len());
    for cut in cuts {
        for raw in &events[start..cut.max(start)] {
            let event = decode(raw).expect("generated events decode");
            model.apply(&Envelope { raw, event: &event });
            at = raw.checkpoint;
        }
        start = start.max(cut);
        let snap = snapshot::take(&model, at).unwrap();
        let (restored, restored_at) = snapshot::restore::<M>(&snap).unwrap().unwrap();
        assert_eq!(restored_at, at);
        model = restored;
    }
    model
}

fn scratch<M: ReadModel>(events: &[RecordedEvent]) -> M {
    let mut model = M::default();
    for raw in events {
        let event = decode(raw).expect("generated events decode");
        model.apply(&Envelope { raw, event: &event });
    }
    model
}

fn state<M: ReadModel>(m: &M) -> Value {
    serde_json::to_value(m).unwrap()
}

fn feed_answers(f: &Feed) -> Value {
    let mut out = Vec::new();
    for n in 0..2 {
        for audience in [Audience::Resident, Audience::Connector] {
            let mut cursor = None;
            let mut pages = Vec::new();
            loop {
                let page = f.page(hood(n), audience, cursor.as_deref(), 3).unwrap();
                pages.push(serde_json::to_value(&page.items).unwrap());
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            out.push(json!(pages));
        }
    }
    json!(out)
}

fn queue_answers(q: &Queue) -> Value {
    let now = day(2025, 6, 1);
    json!([
        q.items(&[hood(0)], now, &QueueConfig::default()),
        q.items(
            &[hood(0), hood(1)],
            now - Duration::days(60),
            &QueueConfig::default()
        ),
    ])
}

fn directory_answers(d: &Directory) -> Value {
    let near = HelperQuery {
        near: Some(place(0.0)),
        ..HelperQuery::default()
    };
    let suggestions: Vec<Value> = (0..6)
        .map(|r| match d.suggest(request(r), day(2025, 4, 1), 0) {
            Ok(s) => serde_json::to_value(s).unwrap(),
            Err(e) => json!(e.to_string()),
        })
        .collect();
    let involvement: Vec<Value> = (0..8).map(|p| json!(d.requests_of(person(p)))).collect();
    json!([d.helpers(&near).unwrap(), suggestions, involvement])
}

fn signals_answers(s: &Signals) -> Value {
    let (from, to) = (
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    );
    json!([
        s.series(&[hood(0), hood(1)], Granularity::Week, from, to, 0),
        s.series(&[hood(0)], Granularity::Month, from, to, 2),
    ])
}

fn standing_offer_answers(s: &StandingOffers) -> Value {
    let tenant = noaber_domain::TenantId::new(tenant());
    let (early, late) = (
        NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
    );
    let hoods = [hood(0)];
    let mut answers = Vec::new();
    for today in [early, late] {
        for neighbourhoods in [None, Some(&hoods[..])] {
            answers.push(json!(s.listed(&OfferQuery {
                tenant,
                neighbourhoods,
                category: None,
                skill: None,
                today,
            })));
        }
    }
    let own: Vec<Value> = (0..8)
        .map(|p| json!(s.of_helper(tenant, person(p))))
        .collect();
    json!([answers, own])
}

fn check<M: ReadModel>(events: &[RecordedEvent], splits: &[usize], answers: fn(&M) -> Value) {
    let whole: M = scratch(events);
    let parts: M = incremental(events, splits);
    assert_eq!(state(&parts), state(&whole), "stored state differs");
    assert_eq!(answers(&parts), answers(&whole), "answers differ");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_feed_built_in_batches_with_snapshots_equals_the_feed_built_from_scratch(
        steps in prop::collection::vec(step(), 0..60),
        splits in prop::collection::vec(any::<usize>(), 0..5),
    ) {
        let h = history_from(&steps);
        check::<Feed>(&h.events, &splits, feed_answers);
    }

    #[test]
    fn the_queue_built_in_batches_with_snapshots_equals_the_queue_built_from_scratch(
        steps in prop::collection::vec(step(), 0..60),
        splits in prop::collection::vec(any::<usize>(), 0..5),
    ) {
        let h = history_from(&steps);
        check::<Queue>(&h.events, &splits, queue_answers);
    }

    #[test]
    fn the_directory_built_in_batches_with_snapshots_equals_the_directory_built_from_scratch(
        steps in prop::collection::vec(step(), 0..60),
        splits in prop::collection::vec(any::<usize>(), 0..5),
    ) {
        let h = history_from(&steps);
        check::<Directory>(&h.events, &splits, directory_answers);
    }

    #[test]
    fn the_signals_built_in_batches_with_snapshots_equal_the_signals_built_from_scratch(
        steps in prop::collection::vec(step(), 0..60),
        splits in prop::collection::vec(any::<usize>(), 0..5),
    ) {
        let h = history_from(&steps);
        check::<Signals>(&h.events, &splits, signals_answers);
    }

    #[test]
    fn the_standing_offers_built_in_batches_with_snapshots_equal_those_built_from_scratch(
        steps in prop::collection::vec(step(), 0..60),
        splits in prop::collection::vec(any::<usize>(), 0..5),
    ) {
        let h = history_from(&steps);
        check::<StandingOffers>(&h.events, &splits, standing_offer_answers);
    }

    #[test]
    fn all_models_restored_from_snapshots_of_different_ages_catch_up_to_the_same_state(
        steps in prop::collection::vec(step(), 1..60),
        split in any::<usize>(),
    ) {
        let h = history_from(&steps);
        let events = &h.events;
        let cut = split % (events.len() + 1);
        // Snapshot every model at `cut`, then let the feed alone run ahead and snapshot it
        // again: the restored set has models at two different checkpoints.
        let mut early = fold_all(&events[..cut]);
        let store = MemorySnapshotStore::new();
        for s in early.snapshots().unwrap() {
            store.save(&s).unwrap();
        }
        for raw in &events[cut..] {
            early.apply_recorded(raw);
        }
        let feed_snapshot = early
            .snapshots()
            .unwrap()
            .into_iter()
            .find(|s| s.name == "feed")
            .unwrap();
        store.save(&feed_snapshot).unwrap();
        let mut restored = ReadModels::restore(&store);
        // Replay from the lowest checkpoint: the feed must skip what it already has.
        let from = restored.checkpoint();
        for raw in events.iter().filter(|e| e.checkpoint > from) {
            restored.apply_recorded(raw);
        }
        let whole = fold_all(events);
        prop_assert_eq!(restored.checkpoints(), whole.checkpoints());
        prop_assert_eq!(state(&restored.feed), state(&whole.feed));
        prop_assert_eq!(feed_answers(&restored.feed), feed_answers(&whole.feed));
        prop_assert_eq!(state(&restored.queue), state(&whole.queue));
        prop_assert_eq!(state(&restored.directory), state(&whole.directory));
        prop_assert_eq!(state(&restored.signals), state(&whole.signals));
        prop_assert_eq!(state(&restored.kpis), state(&whole.kpis));
        prop_assert_eq!(state(&restored.standing_offers), state(&whole.standing_offers));
    }
}
