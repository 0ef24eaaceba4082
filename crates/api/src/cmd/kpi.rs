//! cmd/kpi (in progress)
