//! kpi (in progress)
