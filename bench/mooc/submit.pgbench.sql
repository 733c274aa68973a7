-- "Submit a quiz reply" (POST /learning/steps/<id>/): the statements of reply_submit and of
-- the page that answers it, in order. Run by run.py with --define min_enrolment=…
\set eid random(:min_enrolment, :max_enrolment)
\set sid random(:min_step, :max_step)
\set key random(1, 2000000000)
SELECT user_id AS uid FROM learning_enrolment WHERE id = :eid \gset
SELECT session_data FROM django_session WHERE session_key = 'bench-' || :eid AND expire_date > now();
SELECT id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined, person_id, language FROM accounts_user WHERE id = :uid LIMIT 21;
SELECT id, user_id, role, branch_id, organisation_id FROM accounts_roleassignment WHERE user_id = :uid;
SELECT s.*, m.*, l.*, v.* FROM learning_step s INNER JOIN learning_module m ON s.module_id = m.id INNER JOIN learning_lesson l ON s.lesson_id = l.id INNER JOIN learning_courseversion v ON s.version_id = v.id WHERE s.id = :sid LIMIT 21;
SELECT e.*, c.*, v.* FROM learning_enrolment e INNER JOIN learning_course c ON e.course_id = c.id INNER JOIN learning_courseversion v ON e.version_id = v.id WHERE e.course_id = :course AND e.user_id = :uid LIMIT 1;
BEGIN;
SELECT e.*, v.*, c.* FROM learning_enrolment e INNER JOIN learning_courseversion v ON e.version_id = v.id INNER JOIN learning_course c ON e.course_id = c.id WHERE e.id = :eid LIMIT 21 FOR UPDATE OF e;
INSERT INTO learning_stepprogress (enrolment_id, step_id, status, variant, attempts, best_score, last_score, credited, opened_at, done_at) VALUES (:eid, :sid, 'opened', '{"order": [0, 1, 2]}'::jsonb, 0, NULL, NULL, 0, now(), NULL) ON CONFLICT (enrolment_id, step_id) DO NOTHING;
SELECT id, attempts, credited, status FROM learning_stepprogress WHERE enrolment_id = :eid AND step_id = :sid LIMIT 1 \gset p_
-- The idempotency key: a new one is not there.
SELECT id FROM learning_attempt WHERE progress_id = :p_id AND idempotency_key = 'k' || :key LIMIT 1;
INSERT INTO learning_attempt (progress_id, step_id, number, reply, score, credited, feedback, idempotency_key, created_at) VALUES (:p_id, :sid, :p_attempts + 1, '{"choice": 0}'::jsonb, 1, 1, '{"score": 1, "correct": true, "feedback": null, "parts": [], "needs_review": false, "credited": 1, "penalised": false}'::jsonb, 'k' || :key, now()) RETURNING id;
UPDATE learning_stepprogress SET attempts = attempts + 1, last_score = 1, best_score = 1, credited = 1, status = 'done', done_at = coalesce(done_at, now()) WHERE id = :p_id;
UPDATE learning_enrolment SET steps_done = steps_done, required_done = required_done, points = points, module_progress = module_progress, last_activity_at = now(), resume_step_id = :sid WHERE id = :eid;
COMMIT;
SELECT e.*, c.*, v.*, s.* FROM learning_enrolment e INNER JOIN learning_course c ON e.course_id = c.id INNER JOIN learning_courseversion v ON e.version_id = v.id LEFT OUTER JOIN learning_step s ON e.resume_step_id = s.id WHERE e.course_id = :course AND e.user_id = :uid LIMIT 1;
SELECT * FROM learning_stepprogress WHERE enrolment_id = :eid AND step_id = :sid LIMIT 1;
SELECT p.*, u.first_name FROM learning_post p INNER JOIN learning_step s ON p.step_id = s.id INNER JOIN learning_courseversion v ON s.version_id = v.id INNER JOIN accounts_user u ON p.author_id = u.id WHERE v.course_id = :course AND s.key = 's1' AND NOT p.hidden ORDER BY p.created_at, p.id LIMIT 200;
SELECT count(*) FROM core_notification WHERE recipient_id = :uid AND read_at IS NULL;
