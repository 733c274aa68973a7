-- Every statement one `POST /api/cohorts/{id}/enrol` sends, in order, with the same shapes as
-- the ORM's (the enrolment transaction of transaction.pgbench.sql plus the request's reads):
-- the database's limit for the whole request, without any Python. Run by run.py:
-- pgbench --protocol=simple --define programme=N
--
-- The pair to enrol (bench only: the HTTP client reads it from its plan file).
SELECT p.person_id AS person, p.cohort_id AS cohort, p.user_id AS uid, p.key_hash AS hash FROM bench_rush_plan p WHERE p.n = (SELECT nextval('bench_rush_seq')) \gset
-- The connection health check (CONN_HEALTH_CHECKS) at the first query of a request.
SELECT 1;
-- TokenAuth: api_token_user, then last_used_at (autocommit: a transaction of its own).
SELECT t.id AS token, t.user_id, t.name, t.prefix, t.key_hash, t.created_at, t.expires_at, t.last_used_at, t.revoked_at, u.id, u.password, u.last_login, u.is_superuser, u.username, u.first_name, u.last_name, u.email, u.is_staff, u.is_active, u.date_joined, u.person_id, u.language FROM accounts_apitoken t INNER JOIN accounts_user u ON t.user_id = u.id WHERE t.key_hash = ':hash' ORDER BY t.created_at DESC LIMIT 1 \gset
UPDATE accounts_apitoken SET last_used_at = now() WHERE id = :token;
-- user_scope: the roles.
SELECT id, user_id, role, branch_id, organisation_id FROM accounts_roleassignment WHERE user_id = :uid;
-- cohort_get_for_enrolment: an open cohort is visible to a teacher, so its key decides.
SELECT c.*, v.* FROM delivery_cohort c INNER JOIN catalogue_programmeversion v ON c.version_id = v.id WHERE c.id = :cohort ORDER BY c.starts_on DESC, c.code ASC LIMIT 1;
-- The caller's person (an online cohort needs no branch check, so no organisation join).
SELECT * FROM registry_person r WHERE r.id = :person LIMIT 21;
-- current_employment, with its organisation.
SELECT e.id, e.created_at, e.updated_at, e.person_id, e.organisation_id AS org, e.position, e.subjects, e.level, e.category, e.category_awarded_on, e.category_due_on, e.experience_years, e.started_on, e.ended_on, o.*, o.area_id AS area FROM registry_employment e INNER JOIN registry_organisation o ON e.organisation_id = o.id WHERE (e.ended_on IS NULL AND e.person_id = :person) ORDER BY e.started_on DESC, e.id DESC LIMIT 1 \gset
BEGIN;
SELECT id, created_at, updated_at, code, version_id, branch_id, format, language, starts_on, ends_on, capacity, enrolled_count AS enrolled, waitlist_count AS waiting, status, created_by_id FROM delivery_cohort WHERE id = :cohort LIMIT 21 FOR UPDATE \gset
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
