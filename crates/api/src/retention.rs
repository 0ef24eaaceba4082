//! The retention schedule: for every ended request whose tenant's retention period ran out, it
//! records `PersonalDataExpired` and then destroys the request's key scope, so the personal data
//! written with the request (description, location, notes, messages, feedback) is unreadable
//! everywhere while the facts stay in the log and in the figures (ADR 0033).
//!
//! Run by `noaber serve` once an hour, on every instance: the command id is derived from the
//! request, so a second instance gets the first one's outcome and writes nothing twice. Every
//! read-model follower also destroys the scope's key when it sees the event, so a schedule that
//! stopped between the event and the key cannot leave the data readable.

use chrono::{DateTime, Utc};
use noaber_domain::request::{ExpirePersonalData, HelpRequest, RequestCommand, RequestError};
use noaber_domain::{CommandContext, PersonId, Role};
use noaber_store::exec::ExecError;
use uuid::Uuid;

use crate::http::AppState;

/// The most requests one run ends; the next run takes the rest.
pub const BATCH: usize = 1_000;

/// What one run of the schedule did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetentionRun {
    /// Requests whose personal data ended in this run (or had just ended on another instance).
    pub expired: usize,
    /// Requests that could not be ended now; the next run tries again.
    pub failed: usize,
}

/// The command id of ending `request`'s personal data: the same on every instance.
fn command_id(request: Uuid) -> Uuid {
    Uuid::new_v5(&request, b"noaber: personal data expired")
}

/// Ends the personal data of every request whose retention period is over at `now`.
pub async fn expire_due(state: &AppState, now: DateTime<Utc>) -> RetentionRun {
    let due = state.projections.read().await.retention.due(now, BATCH);
    let mut run = RetentionRun::default();
    for due in due {
        let request = due.request.as_uuid();
        let ctx = CommandContext::new(
            due.tenant,
            PersonId::NOABER,
            Role::Admin,
            now,
            command_id(request),
        );
        let command = RequestCommand::ExpirePersonalData(ExpirePersonalData {
            request_id: due.request,
            ended_at: due.ended_at,
            retention_days: due.days,
        });
        let recorded = match state.executor.execute::<HelpRequest>(&ctx, &command).await {
            Ok(_) | Err(ExecError::Domain(RequestError::DataExpired)) => true,
            Err(e) => {
                tracing::warn!(error = %e, request = %request, "a request's personal data could not be ended yet");
                false
            }
        };
        if recorded {
            match state.privacy.erase(request).await {
                Ok(_) => run.expired += 1,
                Err(e) => {
                    run.failed += 1;
                    tracing::warn!(error = %e, request = %request, "the key scope of an expired request could not be destroyed yet");
                }
            }
        } else {
            run.failed += 1;
        }
    }
    if run.expired > 0 {
        tracing::info!(
            requests = run.expired,
            "personal data of ended requests passed the retention period"
        );
    }
    run
}
