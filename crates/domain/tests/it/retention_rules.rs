//! Given/when/then tests and a property for retention: a tenant's policy, and the end of an
//! ended request's personal data (ADR 0033).

use chrono::Duration;
use proptest::prelude::*;

use crate::common::*;
use noaber_domain::request::*;
use noaber_domain::tenant::{SetRetention, Tenant, TenantError, TenantSettingsChanged};
use noaber_domain::values::{Retention, RetentionDays};
use noaber_domain::{Decider, PersonId, Personal, Refusal, Role};

fn days(n: u32) -> RetentionDays {
    RetentionDays::new(n).expect("in range")
}

fn noaber() -> noaber_domain::CommandContext {
    ctx(PersonId::NOABER, Role::Admin)
}

fn expire(ended_days_ago: i64, retention: u32) -> ExpirePersonalData {
    ExpirePersonalData {
        request_id: REQ,
        ended_at: now() - Duration::days(ended_days_ago),
        retention_days: days(retention),
    }
}

fn expired(ended_days_ago: i64, retention: u32) -> RequestEvent {
    PersonalDataExpired {
        request_id: REQ,
        ended_at: now() - Duration::days(ended_days_ago),
        retention_days: days(retention),
    }
    .into()
}

fn policy(n: Option<u32>) -> SetRetention {
    SetRetention {
        tenant_id: TENANT,
        retention: Retention {
            closed_request_days: n.map(days),
        },
    }
}

#[test]
fn an_admin_sets_the_retention_policy_and_the_same_policy_again_changes_nothing() {
    let admin = ctx(ADA, Role::Admin);
    given::<Tenant>([])
        .when(&admin, policy(Some(365)))
        .then(vec![TenantSettingsChanged {
            tenant_id: TENANT,
            name: None,
            default_language: None,
            sensitive_categories: None,
            retention: Some(Retention {
                closed_request_days: Some(days(365)),
            }),
        }
        .into()]);
    let history = given::<Tenant>([])
        .when(&admin, policy(Some(365)))
        .history();
    assert_eq!(
        Tenant::fold(history.iter()).retention.closed_request_days,
        Some(days(365))
    );
    given::<Tenant>(history.clone())
        .when(&admin, policy(Some(365)))
        .then_err(TenantError::NothingChanged);
    let kept_forever = given::<Tenant>(history)
        .when(&admin, policy(None))
        .history();
    assert_eq!(
        Tenant::fold(kept_forever.iter()).retention,
        Retention::default()
    );
}

#[test]
fn only_an_admin_sets_the_retention_policy() {
    given::<Tenant>([])
        .when(&dirk(), policy(Some(30)))
        .then_err(TenantError::Access(Refusal::AdminOnly {
            role: Role::Connector,
            action: "manage the tenant",
        }));
}

#[test]
fn a_retention_period_is_one_day_to_a_hundred_years() {
    assert!(RetentionDays::new(0).is_err());
    assert!(RetentionDays::new(36_501).is_err());
    assert!(RetentionDays::new(1).is_ok());
}

#[test]
fn personal_data_written_with_a_request_is_kept_under_the_request_s_key_scope() {
    let events = given::<HelpRequest>([]).when(&anna(), post(ANNA)).events();
    let RequestEvent::RequestPosted(p) = &events[0] else {
        panic!("posted: {events:?}");
    };
    assert_eq!(p.description.scope, Some(REQ.as_uuid()));
    let events = given::<HelpRequest>([posted()])
        .when(
            &ben(),
            OfferHelp {
                request_id: REQ,
                helper: BEN,
                message: Some(Personal::clear(BEN, "ik kom dinsdag")),
            },
        )
        .events();
    let RequestEvent::HelpOffered(o) = &events[0] else {
        panic!("offered: {events:?}");
    };
    let message = o.message.as_ref().expect("a message");
    assert_eq!((message.subject, message.scope), (BEN, Some(REQ.as_uuid())));
}

#[test]
fn a_closed_request_s_data_expires_once_the_period_is_over() {
    given::<HelpRequest>([posted(), closed(CloseReason::Withdrawn)])
        .when(&noaber(), expire(31, 30))
        .then(vec![expired(31, 30)]);
}

#[test]
fn a_resolved_or_voided_request_s_data_expires_too() {
    given::<HelpRequest>([posted(), matched(BEN), resolved_by_neighbour(BEN)])
        .when(&noaber(), expire(30, 30))
        .then(vec![expired(30, 30)]);
    given::<HelpRequest>([posted(), voided()])
        .when(&noaber(), expire(400, 365))
        .then(vec![expired(400, 365)]);
}

#[test]
fn an_open_request_s_data_never_expires() {
    given::<HelpRequest>([posted()])
        .when(&noaber(), expire(400, 30))
        .then_err(RequestError::NotEnded);
    given::<HelpRequest>([posted(), closed(CloseReason::Withdrawn), reopened()])
        .when(&noaber(), expire(400, 30))
        .then_err(RequestError::NotEnded);
    given::<HelpRequest>([])
        .when(&noaber(), expire(400, 30))
        .then_err(RequestError::NotPosted);
}

#[test]
fn the_data_does_not_expire_before_the_period_is_over() {
    given::<HelpRequest>([posted(), closed(CloseReason::Withdrawn)])
        .when(&noaber(), expire(29, 30))
        .then_err(RequestError::RetentionRunning);
}

#[test]
fn only_the_administrator_role_ends_a_request_s_data() {
    given::<HelpRequest>([posted(), closed(CloseReason::Withdrawn)])
        .when(&dirk(), expire(31, 30))
        .then_err(RequestError::Access(Refusal::AdminOnly {
            role: Role::Connector,
            action: "end a request's personal data",
        }));
}

#[test]
fn after_its_data_expired_a_request_accepts_nothing_more() {
    let history = [posted(), closed(CloseReason::Withdrawn), expired(31, 30)];
    given::<HelpRequest>(history.clone())
        .when(&dirk(), ReopenRequest { request_id: REQ })
        .then_err(RequestError::DataExpired);
    given::<HelpRequest>(history)
        .when(&noaber(), expire(31, 30))
        .then_err(RequestError::DataExpired);
}

fn reopened() -> RequestEvent {
    RequestReopened {
        request_id: REQ,
        reopened_by: DIRK,
    }
    .into()
}

proptest! {
    /// For any end and period: an ended request's data expires exactly when the period is
    /// over, and then only once.
    #[test]
    fn expiry_happens_exactly_when_the_period_is_over(
        ended_days_ago in 0i64..800,
        retention in 1u32..800,
        ending in prop::sample::select(vec!["closed", "resolved", "voided"]),
    ) {
        let end = match ending {
            "closed" => vec![posted(), closed(CloseReason::Withdrawn)],
            "resolved" => vec![posted(), matched(BEN), resolved_by_neighbour(BEN)],
            _ => vec![posted(), voided()],
        };
        let outcome = HelpRequest::decide(
            &HelpRequest::fold(end.iter()),
            &noaber(),
            &expire(ended_days_ago, retention).into(),
        );
        if ended_days_ago >= i64::from(retention) {
            let events = outcome.expect("expires");
            prop_assert_eq!(&events, &vec![expired(ended_days_ago, retention)]);
            let mut after = end.clone();
            after.extend(events);
            prop_assert_eq!(
                HelpRequest::decide(
                    &HelpRequest::fold(after.iter()),
                    &noaber(),
                    &expire(ended_days_ago, retention).into(),
                ),
                Err(RequestError::DataExpired)
            );
        } else {
            prop_assert_eq!(outcome, Err(RequestError::RetentionRunning));
        }
    }
}
