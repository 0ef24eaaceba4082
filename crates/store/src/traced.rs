//! Spans for event streams: a span entered only while a fn builds a stream closes before the
//! first event is read, so a stream's reads are timed and attributed by entering its span on
//! every poll instead.

use futures::StreamExt;

use crate::EventStream;

/// `events`, polled inside `span`: everything logged while reading it (and the time spent)
/// belongs to the span, which closes when the stream is dropped.
pub(crate) fn in_span<'a>(span: tracing::Span, events: EventStream<'a>) -> EventStream<'a> {
    let mut events = events;
    futures::stream::poll_fn(move |cx| {
        let _entered = span.enter();
        events.poll_next_unpin(cx)
    })
    .boxed()
}
