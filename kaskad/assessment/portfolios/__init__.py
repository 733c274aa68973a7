"""Portfolios: the participant's files, the submission, the trainer's feedback, downloads and
the record of each transition (history)."""
