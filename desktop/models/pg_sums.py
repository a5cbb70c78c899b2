"""PostgreSQL's counterpart of the SQLite triggers that keep `entry_sums` (migrations 0004, 0007).

SQLite keeps the month sums with statement triggers written in its own SQL (`substr` on the
date text, `min` of two values); PostgreSQL runs one PL/pgSQL function for every row written
to `entries`, with the same rules: an entry of the person scheme with a person adds its points
to (month, person, item code, component); taking one out subtracts them, works the month's
lowest cap out again from what is left, and removes a sum whose last entry is gone.
Concurrent writers are safe: the upsert takes the sum's row lock, so two clerks recording for
the same person and item at once add up instead of losing one.
"""

from __future__ import annotations

FUNCTION = "jifen_entry_sums"
TRIGGERS = ("tr_entries_sums_write", "tr_entries_sums_update")
# The columns whose change moves an entry between sums (0007 added the scheme).
WATCHED = ("occurred_on", "person_id", "item_id", "component", "veto", "points_tenths")


def _counts(row: str, with_scheme: bool) -> str:
    scheme = f"{row}.scheme = 'person' AND " if with_scheme else ""
    return f"{scheme}{row}.person_id IS NOT NULL"


# Set (transaction-local) while a bulk import inserts entries: their sums are added afterwards in
# one statement (desktop/models/bulk_sums.py), not one trigger call a row. Other sessions' rows
# and every update or delete are summed as always.
DEFERRED_SETTING = "jifen.sums_deferred"


def _function(with_scheme: bool, deferrable: bool) -> str:
    same_scheme = "AND e.scheme = 'person'" if with_scheme else ""
    deferred = f"""
    IF TG_OP = 'INSERT' AND current_setting('{DEFERRED_SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;""" if deferrable else ""
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    v_code text;
    v_cap integer;
    v_month integer;
BEGIN{deferred}
    IF TG_OP IN ('DELETE', 'UPDATE') AND {_counts('OLD', with_scheme)} THEN
        SELECT code INTO v_code FROM catalogue_items WHERE id = OLD.item_id;
        v_month := EXTRACT(YEAR FROM OLD.occurred_on)::integer * 100 + EXTRACT(MONTH FROM OLD.occurred_on)::integer;
        UPDATE entry_sums SET
            points_tenths = points_tenths - OLD.points_tenths,
            veto_tenths = veto_tenths - CASE WHEN OLD.veto THEN OLD.points_tenths ELSE 0 END,
            entries = entries - 1,
            cap_tenths = (SELECT min(c.monthly_cap_tenths) FROM entries e JOIN catalogue_items c ON c.id = e.item_id
                          WHERE e.person_id = OLD.person_id AND e.component = OLD.component {same_scheme}
                            AND e.occurred_on >= date_trunc('month', OLD.occurred_on)::date
                            AND e.occurred_on < (date_trunc('month', OLD.occurred_on) + interval '1 month')::date
                            AND c.code = v_code)
        WHERE month = v_month AND person_id = OLD.person_id AND code = v_code AND component = OLD.component;
        DELETE FROM entry_sums
        WHERE month = v_month AND person_id = OLD.person_id AND code = v_code AND component = OLD.component
          AND entries <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {_counts('NEW', with_scheme)} THEN
        SELECT code, monthly_cap_tenths INTO v_code, v_cap FROM catalogue_items WHERE id = NEW.item_id;
        v_month := EXTRACT(YEAR FROM NEW.occurred_on)::integer * 100 + EXTRACT(MONTH FROM NEW.occurred_on)::integer;
        INSERT INTO entry_sums (month, person_id, code, component, points_tenths, veto_tenths, entries, cap_tenths)
        VALUES (v_month, NEW.person_id, v_code, NEW.component, NEW.points_tenths,
                CASE WHEN NEW.veto THEN NEW.points_tenths ELSE 0 END, 1, v_cap)
        ON CONFLICT (month, person_id, code, component) DO UPDATE SET
            points_tenths = entry_sums.points_tenths + excluded.points_tenths,
            veto_tenths = entry_sums.veto_tenths + excluded.veto_tenths,
            entries = entry_sums.entries + 1,
            cap_tenths = CASE WHEN entry_sums.cap_tenths IS NULL THEN excluded.cap_tenths
                              WHEN excluded.cap_tenths IS NULL THEN entry_sums.cap_tenths
                              ELSE least(entry_sums.cap_tenths, excluded.cap_tenths) END;
    END IF;
    RETURN NULL;
END
$body$"""


def create(with_scheme: bool, deferrable: bool = False) -> list[str]:
    """The statements that (re)make the function and its triggers; `deferrable` (migration 0014
    on) lets a bulk import hold off the insert half (see DEFERRED_SETTING)."""
    watched = ", ".join(WATCHED + (("scheme",) if with_scheme else ()))
    return [
        _function(with_scheme, deferrable),
        *drop_triggers(),
        f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT OR DELETE ON entries "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        f"CREATE TRIGGER {TRIGGERS[1]} AFTER UPDATE OF {watched} ON entries "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
    ]


def drop_triggers() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name} ON entries" for name in TRIGGERS]


def drop() -> list[str]:
    return [*drop_triggers(), f"DROP FUNCTION IF EXISTS {FUNCTION}()"]


# The initial fill of 0004 in PostgreSQL's date functions.
MONTH_OF_E = "(EXTRACT(YEAR FROM e.occurred_on)::integer * 100 + EXTRACT(MONTH FROM e.occurred_on)::integer)"
