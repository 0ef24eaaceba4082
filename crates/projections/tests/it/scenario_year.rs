//! Scenario: a realistic year of neighbourhood help in two neighbourhoods (the demo generator's
//! history, cut to one year), written through the command executor to the embedded store and
//! folded into the read models. It checks what a connector sees (queue, feed, suggestions) and
//! what a funder is told (KPIs) against a plain reading of the same events.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::Duration;
use futures::TryStreamExt;
use noaber_demo::{self as demo, period_start, TenantSize};
use noaber_domain::{AnyEvent, NeighbourhoodEvent, RequestEvent, RequestId};
use noaber_projections::feed::{Audience, FeedKind};
use noaber_projections::kpi::KpiQuery;
use noaber_projections::queue::{QueueConfig, QueueSubject};
use noaber_projections::runner::{decode, fold_all};
use noaber_store::exec::Executor;
use noaber_store::privacy::{MasterKey, Privacy};
use noaber_store::{Checkpoint, EventFilter, EventStore, KeyStore};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Open,
    Resolved,
    Closed,
    Voided,
}

#[tokio::test]
async fn a_year_in_two_neighbourhoods_shows_connectors_and_funders_what_happened() {
    // Arrange: one year, two neighbourhoods, about 270 requests.
    let year = TenantSize {
        days: 365,
        requests: 270,
        calls: 2,
        ..TenantSize::SMALL
    };
    let steps = demo::tenant_history(2024, 0, year).expect("the year plans");
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store = Arc::new(store);
    let keys: Arc<dyn KeyStore> = store.clone();
    let log: Arc<dyn EventStore> = store.clone();
    let executor = Executor::new(
        log.clone(),
        Arc::new(Privacy::new(MasterKey::generate(), keys)),
    );
    for step in &steps {
        let done = demo::execute_step(&executor, step)
            .await
            .expect("the log accepts it");
        assert!(
            done.is_ok(),
            "{} refused: {:?}",
            demo::command_name(&step.command),
            done.err()
        );
    }
    let events: Vec<_> = log
        .read_all(Checkpoint::START, 1_000_000, &EventFilter::all())
        .try_collect()
        .await
        .expect("the log reads back");

    // Act: fold every read model.
    let models = fold_all(events.iter());

    // A plain reading of the same events: the oracle.
    let start = period_start();
    let end = start + Duration::days(365);
    let tenant = events[0].tenant_id;
    let mut fate: HashMap<RequestId, Fate> = HashMap::new();
    let mut posted_in_year = Vec::new();
    let mut requester_of = HashMap::new();
    let mut anonymous = HashSet::new();
    let mut on_behalf = 0u64;
    let mut hoods = Vec::new();
    for raw in &events {
        let event = decode(raw).expect("every stored event decodes");
        match event {
            AnyEvent::Neighbourhood(NeighbourhoodEvent::NeighbourhoodRegistered(n)) => {
                hoods.push(n.neighbourhood_id)
            }
            AnyEvent::Request(e) => match e {
                RequestEvent::RequestPosted(p) => {
                    fate.insert(p.request_id, Fate::Open);
                    requester_of.insert(p.request_id, p.requester);
                    if p.anonymous {
                        anonymous.insert(p.request_id);
                    }
                    if raw.occurred_at >= start && raw.occurred_at < end {
                        posted_in_year.push(p.request_id);
                        on_behalf += u64::from(p.on_behalf);
                    }
                }
                RequestEvent::RequestResolved(r) => {
                    fate.insert(r.request_id, Fate::Resolved);
                }
                RequestEvent::RequestClosed(c) => {
                    fate.insert(c.request_id, Fate::Closed);
                }
                RequestEvent::RequestReopened(r) => {
                    fate.insert(r.request_id, Fate::Open);
                }
                RequestEvent::RequestVoided(v) => {
                    fate.insert(v.request_id, Fate::Voided);
                }
                _ => {}
            },
            _ => {}
        }
    }
    let counted: Vec<RequestId> = posted_in_year
        .iter()
        .copied()
        .filter(|r| fate[r] != Fate::Voided)
        .collect();
    let requesters: BTreeSet<_> = counted.iter().map(|r| requester_of[r]).collect();
    assert_eq!(hoods.len(), 2);

    // Assert, the funder: the year's figures match the plain count.
    let report = models.kpis.query(&KpiQuery::new(tenant, start, end, end));
    let t = &report.total;
    assert_eq!(t.requests, counted.len() as u64);
    assert_eq!(t.distinct_requesters, requesters.len() as u64);
    assert_eq!(
        t.resolved,
        counted
            .iter()
            .filter(|r| fate[*r] == Fate::Resolved)
            .count() as u64
    );
    assert_eq!(
        t.resolved,
        t.resolved_by_neighbour + t.resolved_by_professional + t.resolved_by_requester
    );
    assert!(
        t.resolved_by_neighbour > t.resolved_by_professional,
        "informal help comes first"
    );
    assert!(t.distinct_helpers > 10 && t.matched > 0 && t.referred > 0);
    assert!(
        on_behalf > 0,
        "offline residents are reached through connectors and partners"
    );

    // Assert, the connector: the queue holds only what is still open and needs a human.
    let queue = models.queue.items(&hoods, end, &QueueConfig::default());
    assert!(
        !queue.is_empty(),
        "after a year something always needs a connector"
    );
    for item in &queue {
        if let QueueSubject::Request(id) = item.subject {
            assert_eq!(
                fate.get(&id),
                Some(&Fate::Open),
                "a finished request is in the queue"
            );
        }
    }

    // The feed: open requests only, anonymous ones without their requester.
    let mut seen_request = None;
    for hood in &hoods {
        let page = models
            .feed
            .page(*hood, Audience::Resident, None, 50)
            .expect("a page");
        for item in page.items.iter().filter(|i| i.kind == FeedKind::Request) {
            let id = RequestId::new(item.id);
            assert_eq!(
                fate.get(&id),
                Some(&Fate::Open),
                "a finished request is in the feed"
            );
            if anonymous.contains(&id) {
                assert!(
                    item.person.is_none(),
                    "an anonymous request shows its requester"
                );
            }
            seen_request.get_or_insert(id);
        }
    }

    // Suggestions for an open request: helpers, never the requester.
    let open = seen_request.expect("the feed shows open requests");
    let suggestions = models
        .directory
        .suggest(open, end, 10)
        .expect("suggestions");
    assert!(
        !suggestions.is_empty(),
        "no helper suggested for an open request"
    );
    assert!(suggestions.iter().all(|s| s.helper != requester_of[&open]));
    assert!(
        suggestions.windows(2).all(|w| w[0].score >= w[1].score),
        "best first"
    );
}
