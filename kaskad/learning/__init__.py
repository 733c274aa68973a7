"""Self-paced online courses: versions, steps, quizzes, progress and completion."""
