# Kazakh (kk) locale formats for Django's FORMAT_MODULE_PATH.
#
# Django ships a kk translation catalogue (month and weekday names) but no
# django/conf/locale/kk/formats.py, so without this module Kazakh pages fall
# back to the English defaults. Shape follows django/conf/locale/ru/formats.py.
#
# The *_FORMAT strings use the Django date format syntax,
# see https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date
# Cyrillic letters are not format characters; the backslashes only make the
# literal text explicit. "ж." = жыл (year): 5 March 2024 -> "2024 ж. 5 наурыз".
# Django's kk catalogue capitalises month names ("Наурыз"); inside a date they are lower
# case in Kazakh, which locale/kk gives (see kaskad/formats/months.py): "2024 ж. 5 наурыз".
DATE_FORMAT = r"Y \ж. j E"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"Y \ж. j E, H:i"
YEAR_MONTH_FORMAT = r"Y \ж. F"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The *_INPUT_FORMATS strings use the Python strftime format syntax,
# see https://docs.python.org/library/datetime.html#strftime-strptime-behavior
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '25.10.2006'
    "%Y-%m-%d",  # '2006-10-25'
    "%d.%m.%y",  # '25.10.06'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",  # '25.10.2006 14:30:59'
    "%d.%m.%Y %H:%M:%S.%f",  # '25.10.2006 14:30:59.000200'
    "%d.%m.%Y %H:%M",  # '25.10.2006 14:30'
    "%Y-%m-%d %H:%M:%S",  # '2006-10-25 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2006-10-25 14:30:59.000200'
    "%Y-%m-%d %H:%M",  # '2006-10-25 14:30'
    "%d.%m.%y %H:%M:%S",  # '25.10.06 14:30:59'
    "%d.%m.%y %H:%M:%S.%f",  # '25.10.06 14:30:59.000200'
    "%d.%m.%y %H:%M",  # '25.10.06 14:30'
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
