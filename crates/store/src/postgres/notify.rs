//! Wake-ups for subscribers: an append wakes this process's subscribers at once and those of
//! other processes through `NOTIFY`, and one `LISTEN` task per store turns other processes'
//! notifications into wake-ups for as long as anyone subscribes.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio::sync::mpsc;

use super::{Inner, PgStore, NOTIFY_CHANNEL};

/// How long the notifier waits after a NOTIFY before sending the next, so that a burst of
/// appends costs one notification, not one each.
const NOTIFY_COALESCE: Duration = Duration::from_millis(10);

impl PgStore {
    /// Wakes this process's subscribers and, through a NOTIFY, those of other processes.
    pub(super) fn announce(&self) {
        self.inner.wake.send_modify(|n| *n = n.wrapping_add(1));
        let sender = self.inner.notifier.get_or_init(|| {
            let (tx, mut rx) = mpsc::channel::<()>(1);
            let pool = self.pool.clone();
            tokio::spawn(async move {
                // Ends when the store (the only sender) is dropped.
                while rx.recv().await.is_some() {
                    if let Err(e) = sqlx::query("select pg_notify($1, '')")
                        .bind(NOTIFY_CHANNEL)
                        .execute(&pool)
                        .await
                    {
                        tracing::debug!(error = %e, "could not notify subscribers; they will poll");
                    }
                    tokio::time::sleep(NOTIFY_COALESCE).await;
                }
            });
            tx
        });
        // A full channel means a notification is already due: this append rides along.
        let _ = sender.try_send(());
    }

    /// Starts the task that turns NOTIFYs from other processes into wake-ups, unless it runs.
    pub(super) fn ensure_listening(&self) {
        if self.inner.listening.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = Arc::clone(&self.inner);
        let options = (*self.pool.connect_options()).clone();
        tokio::spawn(async move {
            loop {
                listen_until_unwatched(&inner, options.clone()).await;
                inner.listening.store(false, Ordering::Release);
                // A subscriber may have arrived while this task was stopping.
                if inner.wake.receiver_count() == 0 || inner.listening.swap(true, Ordering::AcqRel)
                {
                    return;
                }
            }
        });
    }
}

/// Holds a `LISTEN` connection and bumps `inner.wake` on every notification (and whenever the
/// connection is lost, since notifications may have been missed), until no subscriber is left.
async fn listen_until_unwatched(inner: &Inner, options: PgConnectOptions) {
    let bump = || inner.wake.send_modify(|n| *n = n.wrapping_add(1));
    loop {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_lazy_with(options.clone());
        let listener = async {
            let mut l = PgListener::connect_with(&pool).await?;
            l.listen(NOTIFY_CHANNEL).await?;
            Ok::<_, sqlx::Error>(l)
        };
        let mut listener = tokio::select! {
            l = listener => l,
            () = inner.wake.closed() => return,
        };
        match &mut listener {
            Ok(listener) => loop {
                tokio::select! {
                    n = listener.try_recv() => match n {
                        Ok(Some(_)) => bump(),
                        Ok(None) => bump(),
                        Err(e) => {
                            tracing::warn!(error = %e, "lost the event log's notification channel; subscribers poll until it is back");
                            bump();
                            break;
                        }
                    },
                    () = inner.wake.closed() => return,
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for new events; subscribers poll until it works");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            () = inner.wake.closed() => return,
        }
    }
}
