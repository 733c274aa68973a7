"""Reference vocabularies of the registry (codes are stable; labels are translated)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    REGION = "region", _("region")
    CITY = "city", _("city of republican significance")


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("general school")
    NIS = "nis", _("Intellectual (NIS) school")
    KINDERGARTEN = "kindergarten", _("kindergarten")
    COLLEGE = "college", _("college")
    UNIVERSITY = "university", _("university")
    METHOD_CENTRE = "method_centre", _("methodological centre")
    EDUCATION_DEPARTMENT = "education_department", _("education department")
    BRANCH = "branch", _("centre branch")
    OTHER = "other", _("other")


# Kinds that may legitimately lack their own BIN (units of a larger legal entity).
BIN_OPTIONAL_KINDS = frozenset(
    {OrganisationKind.KINDERGARTEN, OrganisationKind.METHOD_CENTRE, OrganisationKind.OTHER}
)


class Locality(models.TextChoices):
    URBAN = "urban", _("urban")
    RURAL = "rural", _("rural")


class Language(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")
    UZBEK = "uz", _("Uzbek")
    UYGHUR = "ug", _("Uyghur")
    TAJIK = "tg", _("Tajik")


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Position(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    DEPUTY_DIRECTOR = "deputy_director", _("deputy director")
    DIRECTOR = "director", _("director")
    PSYCHOLOGIST = "psychologist", _("psychologist")
    LIBRARIAN = "librarian", _("librarian")
    METHODOLOGIST = "methodologist", _("methodologist")
    PRESCHOOL_TEACHER = "preschool_teacher", _("preschool teacher")
    LECTURER = "lecturer", _("lecturer")
    SOCIAL_PEDAGOGUE = "social_pedagogue", _("social pedagogue")
    SPEECH_THERAPIST = "speech_therapist", _("speech therapist")
    TUTOR = "tutor", _("tutor")
    TRAINER = "trainer", _("trainer")
    OTHER = "other", _("other")


class Level(models.TextChoices):
    PRESCHOOL = "preschool", _("preschool")
    PRIMARY = "primary", _("primary")
    LOWER_SECONDARY = "lower_secondary", _("lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("upper secondary")
    TVET = "tvet", _("TVET")
    HIGHER = "higher", _("higher")


class Category(models.TextChoices):
    """The five current categories (since 2020), then the legacy ones still found in data."""

    PEDAGOGUE = "pedagogue", _("pedagogue")
    MODERATOR = "moderator", _("pedagogue-moderator")
    EXPERT = "expert", _("pedagogue-expert")
    RESEARCHER = "researcher", _("pedagogue-researcher")
    MASTER = "master", _("pedagogue-master")
    NONE = "none", _("no category")
    LEGACY_SECOND = "second", _("second category (legacy)")
    LEGACY_FIRST = "first", _("first category (legacy)")
    LEGACY_HIGHEST = "highest", _("highest category (legacy)")


CURRENT_CATEGORIES = (
    Category.PEDAGOGUE,
    Category.MODERATOR,
    Category.EXPERT,
    Category.RESEARCHER,
    Category.MASTER,
)
CATEGORY_TERM_YEARS = 5


# Labels of the subject codes in `Employment.subjects` (codes stay as imported; a code not
# listed here is shown as it is).
SUBJECT_LABELS = {
    "kazakh_language": _("Kazakh language"),
    "kazakh_literature": _("Kazakh literature"),
    "russian_language": _("Russian language"),
    "russian_literature": _("Russian literature"),
    "english": _("English"),
    "mathematics": _("mathematics"),
    "physics": _("physics"),
    "chemistry": _("chemistry"),
    "biology": _("biology"),
    "geography": _("geography"),
    "history": _("history"),
    "informatics": _("informatics"),
    "physical_education": _("physical education"),
    "music": _("music"),
    "art": _("art"),
    "technology": _("technology"),
    "initial_military_training": _("initial military training"),
    "self_knowledge": _("self-knowledge"),
    "fundamentals_of_law": _("fundamentals of law"),
    "pedagogy": _("pedagogy"),
    "psychology": _("psychology"),
    "economics": _("economics"),
    "engineering": _("engineering"),
    "nursing": _("nursing"),
    "agronomy": _("agronomy"),
}


def subject_label(code: str) -> str:
    label = SUBJECT_LABELS.get(code)
    return str(label) if label is not None else code


class DocumentType(models.TextChoices):
    """Identity documents of participants who have no IIN (docs/adr/0005)."""

    PASSPORT = "passport", _("passport")
    ID_CARD = "id_card", _("national identity card")
    RESIDENCE = "residence", _("residence permit")


class Country(models.TextChoices):
    """Countries of participants registered without an IIN (ISO 3166-1 alpha-2). Kazakhstan is
    not among them: its residents are registered by IIN."""

    AM = "AM", _("Armenia")
    AZ = "AZ", _("Azerbaijan")
    BY = "BY", _("Belarus")
    CN = "CN", _("China")
    DE = "DE", _("Germany")
    FI = "FI", _("Finland")
    FR = "FR", _("France")
    GB = "GB", _("United Kingdom")
    GE = "GE", _("Georgia")
    IN = "IN", _("India")
    JP = "JP", _("Japan")
    KG = "KG", _("Kyrgyzstan")
    KR = "KR", _("South Korea")
    MN = "MN", _("Mongolia")
    NL = "NL", _("Netherlands")
    RU = "RU", _("Russia")
    SG = "SG", _("Singapore")
    TJ = "TJ", _("Tajikistan")
    TM = "TM", _("Turkmenistan")
    TR = "TR", _("Turkey")
    UA = "UA", _("Ukraine")
    US = "US", _("United States")
    UZ = "UZ", _("Uzbekistan")
