-- "Open my next step" (GET /learning/steps/<id>/) as the statements the page sends, in order:
-- the database's floor for the request. Run by run.py with --define min_enrolment=…
\set eid random(:min_enrolment, :max_enrolment)
\set sid random(:min_step, :max_step)
SELECT user_id AS uid FROM learning_enrolment WHERE id = :eid \gset
-- The session and the user (the session row is read by its key: a miss costs the same).
SELECT session_data FROM django_session WHERE session_key = 'bench-' || :eid AND expire_date > now();
SELECT id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined, person_id, language FROM accounts_user WHERE id = :uid LIMIT 21;
-- user_scope (navigation): the roles.
SELECT id, user_id, role, branch_id, organisation_id FROM accounts_roleassignment WHERE user_id = :uid;
-- step_for_learner: the step with its module, lesson and version, then the enrolment.
SELECT s.*, m.*, l.*, v.* FROM learning_step s INNER JOIN learning_module m ON s.module_id = m.id INNER JOIN learning_lesson l ON s.lesson_id = l.id INNER JOIN learning_courseversion v ON s.version_id = v.id WHERE s.id = :sid LIMIT 21;
SELECT e.*, c.*, v.* FROM learning_enrolment e INNER JOIN learning_course c ON e.course_id = c.id INNER JOIN learning_courseversion v ON e.version_id = v.id WHERE e.course_id = :course AND e.user_id = :uid LIMIT 1;
-- step_open: a step opened before moves the pointer with one UPDATE and no lock; a first
-- opening locks the enrolment and creates the progress row.
SELECT count(*) AS n, max(id) AS id, max(attempts) AS attempts FROM learning_stepprogress WHERE enrolment_id = :eid AND step_id = :sid \gset p_
\if :p_n = 0
BEGIN;
SELECT e.*, v.*, c.* FROM learning_enrolment e INNER JOIN learning_courseversion v ON e.version_id = v.id INNER JOIN learning_course c ON e.course_id = c.id WHERE e.id = :eid LIMIT 21 FOR UPDATE OF e;
SELECT * FROM learning_stepprogress WHERE enrolment_id = :eid AND step_id = :sid LIMIT 1;
INSERT INTO learning_stepprogress (enrolment_id, step_id, status, variant, attempts, best_score, last_score, credited, opened_at, done_at) VALUES (:eid, :sid, 'opened', '{"order": [0, 1, 2]}'::jsonb, 0, NULL, NULL, 0, now(), NULL) ON CONFLICT (enrolment_id, step_id) DO NOTHING;
UPDATE learning_enrolment SET last_activity_at = now(), resume_step_id = :sid WHERE id = :eid;
COMMIT;
\else
UPDATE learning_enrolment SET last_activity_at = now(), resume_step_id = :sid WHERE id = :eid;
\if :p_attempts > 0
-- The page: the last attempt's feedback.
SELECT * FROM learning_attempt WHERE progress_id = :p_id ORDER BY number DESC LIMIT 1;
\endif
\endif
-- The page: the step's Q&A thread and the unread notifications.
SELECT p.*, u.first_name FROM learning_post p INNER JOIN learning_step s ON p.step_id = s.id INNER JOIN learning_courseversion v ON s.version_id = v.id INNER JOIN accounts_user u ON p.author_id = u.id WHERE v.course_id = :course AND s.key = 's1' AND NOT p.hidden ORDER BY p.created_at, p.id LIMIT 200;
SELECT count(*) FROM core_notification WHERE recipient_id = :uid AND read_at IS NULL;
