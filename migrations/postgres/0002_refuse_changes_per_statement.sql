-- the row triggers of 0001 fire only for rows that exist, so an update or delete that matches
-- nothing (say, on an empty log, or with a where clause that finds no row) used to answer
-- "update 0" instead of an error. refuse every update and delete statement outright, whatever
-- it matches, so that anyone trying learns at once that the log is append-only.
create trigger events_refuse_update_delete_statement
    before update or delete on events
    for each statement execute function events_refuse_change();
