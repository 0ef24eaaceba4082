//! The end of a request's personal data: the tenant's retention period for an ended request.

use crate::access::require_admin;
use crate::context::CommandContext;
use crate::request::event::PersonalDataExpired;
use crate::request::state::{RequestState, RequestStatus};
use crate::request::{ExpirePersonalData, RequestError};

use super::Decision;

/// Records that an ended request's retention period is over, once it really is.
pub(super) fn expire(
    state: &RequestState,
    ctx: &CommandContext,
    c: &ExpirePersonalData,
) -> Decision {
    require_admin(ctx, "end a request's personal data")?;
    match state.status {
        RequestStatus::NotPosted => return Err(RequestError::NotPosted),
        RequestStatus::Open => return Err(RequestError::NotEnded),
        RequestStatus::Resolved | RequestStatus::Closed | RequestStatus::Voided => {}
    }
    let ends = c.ended_at + chrono::Duration::days(i64::from(c.retention_days.get()));
    if ctx.now < ends {
        return Err(RequestError::RetentionRunning);
    }
    Ok(vec![PersonalDataExpired {
        request_id: c.request_id,
        ended_at: c.ended_at,
        retention_days: c.retention_days,
    }
    .into()])
}
