"""Delivery pages, one module per entity: coordinators' cohorts, sessions, trainers and
enrolment, trainers' attendance screen, teachers' course offer and "My courses".
The URL configuration imports the modules; nothing is re-exported here.
"""
