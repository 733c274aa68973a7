-- The enrolment transaction of kaskad.delivery.services.enrolment_request, statement for
-- statement, for the same teacher/cohort pairs the HTTP run sends (bench_rush_plan, taken in
-- plan order through a sequence). Run by run.py: pgbench --protocol=simple --define programme=N
--
-- "Already enrolled in this programme" is no separate look-up: the partial unique constraint
-- one_active_enrolment_per_programme decides it at the INSERT, as in the service.
--
-- The pair to enrol, and where the teacher works (the service reads it before the transaction).
SELECT p.person_id AS person, p.cohort_id AS cohort, p.user_id AS uid, r.current_organisation_id AS org, o.area_id AS area FROM bench_rush_plan p JOIN registry_person r ON r.id = p.person_id JOIN registry_organisation o ON o.id = r.current_organisation_id WHERE p.n = (SELECT nextval('bench_rush_seq')) \gset
BEGIN;
SELECT id, created_at, updated_at, code, version_id, branch_id, format, language, starts_on, ends_on, capacity, enrolled_count AS enrolled, waitlist_count AS waiting, status, created_by_id FROM delivery_cohort WHERE id = :cohort LIMIT 21 FOR UPDATE \gset
-- A seat only if one is free and nobody is waiting; otherwise the end of the waitlist.
\set seat :enrolled < :capacity and :waiting = 0
\if :seat
INSERT INTO delivery_enrolment (created_at, updated_at, cohort_id, person_id, programme_id, status, requested_at, enrolled_at, ended_at, enrolled_by_id, organisation_id, area_id, position, hours_attended, outcome_reason, outcome, assessment_passed) VALUES (now(), now(), :cohort, :person, :programme, 'enrolled', now(), now(), NULL, :uid, :org, :area, 'teacher', 0, '', '[]'::jsonb, NULL) RETURNING id AS enrolment \gset
UPDATE delivery_cohort SET enrolled_count = (enrolled_count + 1) WHERE id = :cohort;
\else
INSERT INTO delivery_enrolment (created_at, updated_at, cohort_id, person_id, programme_id, status, requested_at, enrolled_at, ended_at, enrolled_by_id, organisation_id, area_id, position, hours_attended, outcome_reason, outcome, assessment_passed) VALUES (now(), now(), :cohort, :person, :programme, 'waitlisted', now(), NULL, NULL, :uid, :org, :area, 'teacher', 0, '', '[]'::jsonb, NULL) RETURNING id AS enrolment \gset
UPDATE delivery_cohort SET waitlist_count = (waitlist_count + 1) WHERE id = :cohort;
\endif
INSERT INTO core_auditentry (at, actor_id, action, object_type, object_id, object_repr, changes, source) VALUES (now(), :uid, 'create', 'delivery.enrolment', ':enrolment', 'pgbench enrolment', jsonb_build_object('cohort', :cohort, 'person', :person), 'pgbench') RETURNING id;
COMMIT;
