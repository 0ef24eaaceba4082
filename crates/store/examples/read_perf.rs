//! Scratch measurement of read-path variants (temporary).
#![allow(missing_docs, clippy::unwrap_used)]
use std::str::FromStr;
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use noaber_store::postgres::PgStore;
use noaber_store::{Checkpoint, EventFilter, EventStore, ExpectedVersion, Metadata, NewEvent, RecordedEvent, StreamId};
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{ConnectOptions, Row};
use uuid::Uuid;

const COLUMNS: &str = "tx_id, position, tenant_id, stream_id, stream_version, event_id, \
     event_type, schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash";

fn sample_event(n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::new_v4(),
        tenant_id: Uuid::nil(),
        event_type: "RequestPosted".to_owned(),
        schema_version: 1,
        payload: serde_json::json!({
            "n": n,
            "category": "groceries",
            "channel": "app",
            "urgency": "this_week",
            "description": {"$sealed": {"subject": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "ct": "q7bZb2l0aGVyIGJ1bmNoIG9mIGJ5dGVz"}}
        }),
        metadata: Metadata { actor_id: Some(Uuid::nil()), actor_role: Some("resident".to_owned()), ..Metadata::default() },
        occurred_at: Utc::now(),
    }
}

fn be8(b: &[u8]) -> i64 { i64::from_be_bytes(b.try_into().unwrap()) }
fn ts(b: &[u8]) -> DateTime<Utc> { DateTime::from_timestamp_micros(be8(b) + 946_684_800_000_000).unwrap() }

fn build(f: [&[u8]; 14]) -> RecordedEvent {
    let position = be8(f[1]);
    RecordedEvent {
        checkpoint: Checkpoint { tx: be8(f[0]), position },
        position,
        tenant_id: Uuid::from_slice(f[2]).unwrap(),
        stream_id: StreamId::parse(std::str::from_utf8(f[3]).unwrap()).unwrap(),
        stream_version: be8(f[4]) as u64,
        event_id: Uuid::from_slice(f[5]).unwrap(),
        event_type: std::str::from_utf8(f[6]).unwrap().to_owned(),
        schema_version: i32::from_be_bytes(f[7].try_into().unwrap()) as u32,
        payload: serde_json::from_slice(f[8]).unwrap(),
        metadata: serde_json::from_slice(f[9]).unwrap(),
        occurred_at: ts(f[10]),
        recorded_at: ts(f[11]),
        prev_hash: f[12].try_into().unwrap(),
        hash: f[13].try_into().unwrap(),
    }
}

fn from_row(row: &PgRow) -> RecordedEvent {
    let mut f: [&[u8]; 14] = [&[]; 14];
    for (i, slot) in f.iter_mut().enumerate() {
        *slot = row.try_get_raw(i).unwrap().as_bytes().unwrap();
    }
    build(f)
}

/// Parses whole tuples from `buf`; returns bytes consumed.
fn parse_tuples(buf: &[u8], out: &mut Vec<RecordedEvent>, done: &mut bool) -> usize {
    let mut at = 0;
    loop {
        if buf.len() < at + 2 { return at; }
        let n = i16::from_be_bytes([buf[at], buf[at + 1]]);
        if n == -1 { *done = true; return at + 2; }
        let mut p = at + 2;
        let mut f: [&[u8]; 14] = [&[]; 14];
        for slot in f.iter_mut() {
            if buf.len() < p + 4 { return at; }
            let len = i32::from_be_bytes(buf[p..p + 4].try_into().unwrap()) as usize;
            p += 4;
            if buf.len() < p + len { return at; }
            *slot = &buf[p..p + len];
            p += len;
        }
        out.push(build(f));
        at = p;
    }
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).map_or(200_000, |s| s.parse().unwrap());
    let page: usize = std::env::args().nth(2).map_or(1000, |s| s.parse().unwrap());
    let base = PgConnectOptions::from_str("postgres://noaber@127.0.0.1:5433/postgres").unwrap();
    let mut admin = base.connect().await.unwrap();
    let _ = sqlx::query("create database noaber_readperf").execute(&mut admin).await;
    let store = PgStore::connect_with_options(base.clone().database("noaber_readperf"), 8).await.unwrap();
    store.migrate().await.unwrap();
    let have: i64 = sqlx::query_scalar("select count(*) from events").fetch_one(store.pool()).await.unwrap();
    let mut k = have as usize / 1000;
    while k * 1000 < n {
        let s = StreamId::parse(&format!("fill-{k}")).unwrap();
        store.append(&s, ExpectedVersion::NoStream, (0..1000).map(|j| sample_event(j)).collect()).await.unwrap();
        k += 1;
    }
    let pool = store.pool().clone();
    let which = std::env::args().nth(3).unwrap_or_else(|| "all".into());
    for round in 0..2 {
        if which == "all" || which.contains("copy") {
            let mut conn = pool.acquire().await.unwrap();
            let t = Instant::now();
            let mut out = conn.copy_out_raw(&format!("copy (select * from events order by tx_id, position limit {n}) to stdout")).await.unwrap();
            let mut rows = 0;
            while let Some(c) = out.next().await { rows += c.unwrap().iter().filter(|b| **b == b'\n').count(); }
            println!("r{round} copy text ceiling: {:.0}/s", rows as f64 / t.elapsed().as_secs_f64());
        }
        if which == "all" || which.contains("store") {
            let t = Instant::now();
            let f = EventFilter::all();
            let c = store.read_all(Checkpoint::START, n, &f).try_fold(0usize, |a, _| async move { Ok(a + 1) }).await.unwrap();
            println!("r{round} store read_all: {:.0}/s", c as f64 / t.elapsed().as_secs_f64());
        }
        if which == "all" || which.contains("rows") {
            let t = Instant::now();
            let mut after = (0i64, 0i64);
            let mut c = 0;
            loop {
                let rows: Vec<PgRow> = sqlx::query(&format!("select {COLUMNS} from events where (tx_id, position) > ($1::bigint::text::xid8, $2) and tx_id < (select noaber_read_horizon()) order by events.tx_id, events.position limit $3"))
                    .bind(after.0).bind(after.1).bind(page as i64).fetch_all(&pool).await.unwrap();
                let Some(last) = rows.last() else { break };
                after = (last.try_get_unchecked(0).unwrap(), last.try_get_unchecked(1).unwrap());
                c += rows.len();
                if c >= n { break; }
            }
            println!("r{round} sqlx rows no decode page {page}: {:.0}/s", c as f64 / t.elapsed().as_secs_f64());
        }
        if which == "all" || which.contains("direct") {
            let t = Instant::now();
            let mut after = (0i64, 0i64);
            let mut c = 0;
            loop {
                let evs: Vec<RecordedEvent> = sqlx::query(&format!("select {COLUMNS} from events where (tx_id, position) > ($1::bigint::text::xid8, $2) and tx_id < (select noaber_read_horizon()) order by events.tx_id, events.position limit $3"))
                    .bind(after.0).bind(after.1).bind(page as i64).fetch(&pool).map_ok(|r| from_row(&r)).try_collect().await.unwrap();
                let Some(last) = evs.last() else { break };
                after = (last.checkpoint.tx, last.position);
                c += evs.len();
                if c >= n { break; }
            }
            println!("r{round} sqlx direct decode page {page}: {:.0}/s", c as f64 / t.elapsed().as_secs_f64());
        }
        if which == "all" || which.contains("bincopy") {
            let t = Instant::now();
            let mut after = (0i64, 0i64);
            let mut c = 0;
            let mut conn = pool.acquire().await.unwrap();
            loop {
                let sql = format!("copy (select {COLUMNS} from events where (tx_id, position) > ('{}'::xid8, {}) and tx_id < (select noaber_read_horizon()) order by events.tx_id, events.position limit {page}) to stdout with (format binary)", after.0, after.1);
                let mut out = conn.copy_out_raw(&sql).await.unwrap();
                let mut evs = Vec::with_capacity(page);
                let mut carry: Vec<u8> = Vec::new();
                let mut header = true;
                let mut done = false;
                while let Some(chunk) = out.next().await {
                    let chunk = chunk.unwrap();
                    let mut data: &[u8] = &chunk;
                    if !carry.is_empty() || header {
                        carry.extend_from_slice(data);
                        if header {
                            if carry.len() < 19 { continue; }
                            let ext = i32::from_be_bytes(carry[15..19].try_into().unwrap()) as usize;
                            if carry.len() < 19 + ext { continue; }
                            carry.drain(..19 + ext);
                            header = false;
                        }
                        let used = parse_tuples(&carry, &mut evs, &mut done);
                        carry.drain(..used);
                        continue;
                    }
                    let used = parse_tuples(data, &mut evs, &mut done);
                    data = &data[used..];
                    carry.extend_from_slice(data);
                }
                assert!(done);
                let Some(last) = evs.last() else { break };
                after = (last.checkpoint.tx, last.position);
                c += evs.len();
                if c >= n { break; }
            }
            println!("r{round} binary copy page {page}: {:.0}/s", c as f64 / t.elapsed().as_secs_f64());
        }
    }
}
