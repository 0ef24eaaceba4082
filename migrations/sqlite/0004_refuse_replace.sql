-- the append-only triggers of 0001 do not stop `replace into events` (or `insert or replace`):
-- sqlite resolves the conflict by deleting the old row, and that implicit delete fires no
-- delete trigger unless `recursive_triggers` is on, which is a per-connection setting that any
-- other connection to the file leaves off. so the table itself refuses an insert that would
-- meet an existing event on any of its keys, before conflict resolution gets to run: a
-- replace then aborts instead of swapping the event.
--
-- the store never inserts such a row (it checks versions and event ids under the write lock
-- first), so its own appends never reach this trigger; it costs one probe of each key's index.

create trigger events_refuse_replace
before insert on events
when exists (
    select 1 from events
    where position = new.position
       or event_id = new.event_id
       or (stream_id = new.stream_id and stream_version = new.stream_version)
)
begin
    select raise(abort, 'the event log is append-only: a recorded event cannot be replaced; append a correcting event instead');
end;
