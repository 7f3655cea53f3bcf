"""parking_apply_permit() also answers the area's code and, for a waitlisted application, how many wait ahead
of it (counted under the area lock): the permit request's answer needs no further query. The return type
changes, so the function is dropped and created again (the reverse restores migration 0002's)."""
import importlib

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION parking_apply_permit(
    p_area bigint, p_resident bigint, p_household bigint, p_block text, p_plate text, p_from date, p_until date
) RETURNS TABLE (r_id bigint, r_outcome text, r_requested_at timestamptz, r_granted_at timestamptz,
                 r_facility_id bigint, r_max_per_household integer, r_area_code text, r_queue_ahead integer)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    a parking_parkingarea%ROWTYPE;
    f_status text;
    f_capacity integer;
    f_permits integer;
    f_busiest integer;
    v_cap integer;
    v_granted integer;
    v_room boolean;
    v_id bigint;
    v_blocks text[];
    v_households integer;
    v_now timestamptz;
    v_waiting integer;
BEGIN
    SELECT * INTO a FROM parking_parkingarea WHERE id = p_area FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT NULL::bigint, 'area_not_found'::text, NULL::timestamptz, NULL::timestamptz,
            NULL::bigint, NULL::integer, NULL::text, NULL::integer;
        RETURN;
    END IF;
    SELECT coalesce(array_agg(btrim(b)), '{}') INTO v_blocks
        FROM unnest(string_to_array(a.blocks, ',')) AS b WHERE btrim(b) <> '';
    IF NOT (p_block = ANY (v_blocks)) THEN
        RETURN QUERY SELECT NULL::bigint, 'not_in_area'::text, NULL::timestamptz, NULL::timestamptz,
            NULL::bigint, a.max_permits_per_household, a.code::text, NULL::integer;
        RETURN;
    END IF;
    IF a.facility_id IS NOT NULL THEN
        SELECT status INTO f_status FROM parking_facility WHERE id = a.facility_id FOR UPDATE;
    END IF;
    IF (SELECT count(*) FROM parking_permit WHERE area_id = p_area AND household_id = p_household
            AND status IN ('granted', 'waitlisted')) >= a.max_permits_per_household THEN
        RETURN QUERY SELECT NULL::bigint, 'household_limit'::text, NULL::timestamptz, NULL::timestamptz,
            NULL::bigint, a.max_permits_per_household, a.code::text, NULL::integer;
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM parking_permit WHERE area_id = p_area AND plate = p_plate
            AND status IN ('granted', 'waitlisted')) THEN
        RETURN QUERY SELECT NULL::bigint, 'plate_taken'::text, NULL::timestamptz, NULL::timestamptz,
            NULL::bigint, a.max_permits_per_household, a.code::text, NULL::integer;
        RETURN;
    END IF;
    SELECT count(*) INTO v_households FROM accounts_household WHERE block = ANY (v_blocks);
    v_cap := CASE WHEN a.cap_rule = 'absolute' THEN coalesce(a.absolute_cap, 0)
                  ELSE floor(v_households * coalesce(a.spaces_per_household, 0))::integer END;
    SELECT count(*) INTO v_granted FROM parking_permit WHERE area_id = p_area AND status = 'granted';
    SELECT count(*) INTO v_waiting FROM parking_permit WHERE area_id = p_area AND status = 'waitlisted';
    v_room := v_granted < v_cap AND v_waiting = 0;
    IF v_room AND a.facility_id IS NOT NULL THEN
        SELECT capacity INTO f_capacity FROM parking_facilitycapacity
            WHERE facility_id = a.facility_id AND capacity_type = a.capacity_type;
        SELECT count(*) INTO f_permits FROM parking_permit p JOIN parking_parkingarea pa ON pa.id = p.area_id
            WHERE p.facility_id = a.facility_id AND p.status = 'granted' AND pa.capacity_type = a.capacity_type;
        SELECT max(n) INTO f_busiest FROM (
            SELECT count(*) AS n FROM parking_parkandridereservation
            WHERE facility_id = a.facility_id AND capacity_type = a.capacity_type AND day >= p_from
              AND status = 'reserved' GROUP BY day) busiest;
        v_room := f_status = 'IN_OPERATION'
                  AND coalesce(f_capacity, 0) - f_permits - coalesce(f_busiest, 0) > 0;
    END IF;
    v_now := clock_timestamp();
    INSERT INTO parking_permit (resident_id, household_id, area_id, facility_id, plate, valid_from, valid_until,
                                status, requested_at, granted_at, ended_at)
    VALUES (p_resident, p_household, p_area, CASE WHEN v_room THEN a.facility_id END, p_plate, p_from, p_until,
            CASE WHEN v_room THEN 'granted' ELSE 'waitlisted' END, v_now,
            CASE WHEN v_room THEN v_now END, NULL)
    RETURNING id INTO v_id;
    RETURN QUERY SELECT v_id, CASE WHEN v_room THEN 'granted' ELSE 'waitlisted' END, v_now,
        CASE WHEN v_room THEN v_now END, CASE WHEN v_room THEN a.facility_id END, a.max_permits_per_household,
        a.code::text, CASE WHEN v_room THEN NULL ELSE v_waiting END;
END
$fn$;
"""
DROP = "DROP FUNCTION IF EXISTS parking_apply_permit(bigint, bigint, bigint, text, text, date, date);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(CREATE, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = importlib.import_module("maas.parking.migrations.0002_apply_permit_function")
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(previous.CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("parking", "0004_liipi_pull_schedule")]
    operations = [migrations.RunPython(create, restore)]
