//! A moment given by a person asking for KPIs: a date (`YYYY-MM-DD`, meaning midnight UTC) or
//! an RFC 3339 timestamp. Parsed once at the edge, so the command line and the HTTP API accept
//! exactly the same forms and say the same thing when one is wrong.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// A period bound, an "as of" moment or a report date, as given in a KPI question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReportTime(DateTime<Utc>);

/// Why a text is not a [`ReportTime`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp")]
pub struct ReportTimeError(String);

impl ReportTime {
    /// Parses `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp (kept at its instant).
    pub fn parse(raw: &str) -> Result<Self, ReportTimeError> {
        if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            return Ok(Self(d.and_time(NaiveTime::MIN).and_utc()));
        }
        DateTime::parse_from_rfc3339(raw)
            .map(|t| Self(t.with_timezone(&Utc)))
            .map_err(|_| ReportTimeError(raw.to_owned()))
    }

    /// The instant in UTC.
    pub fn at(self) -> DateTime<Utc> {
        self.0
    }
}

impl FromStr for ReportTime {
    type Err = ReportTimeError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl From<ReportTime> for DateTime<Utc> {
    fn from(time: ReportTime) -> Self {
        time.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_means_midnight_utc_and_timestamps_keep_their_offset() {
        assert_eq!(
            ReportTime::parse("2025-01-01").expect("a date").at(),
            "2025-01-01T00:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("a timestamp")
        );
        assert_eq!(
            ReportTime::parse("2025-01-01T02:00:00+02:00")
                .expect("a timestamp")
                .at(),
            "2025-01-01T00:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("a timestamp")
        );
    }

    #[test]
    fn anything_else_is_refused_with_the_forms_it_accepts() {
        let refused = ReportTime::parse("1 January").expect_err("not a date");
        assert_eq!(
            refused.to_string(),
            "\"1 January\" is not a date (YYYY-MM-DD) or an RFC 3339 timestamp"
        );
    }
}
