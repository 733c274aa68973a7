"""Month names as they stand inside a date, overridden for Kazakh.

Django's Kazakh catalogue capitalises them ("2027 ж. 11 Қаңтар"); inside a date Kazakh writes
them in lower case ("2027 ж. 11 қаңтар"), as Russian does ("11 января 2027 г."). The project's
catalogue comes before Django's, so listing the msgids here (for makemessages) and translating
them in locale/kk is enough. Russian needs nothing: Django's Russian catalogue is right.
"""

from django.utils.translation import pgettext_lazy

ALT_MONTHS = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
