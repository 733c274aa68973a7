"""Model fields kept in Kazakh, Russian and English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from kaskad.registry.models import Area, Branch, District, Organisation


@register(Branch)
class BranchTranslation(TranslationOptions):
    fields = ("name", "city")


@register(Area)
class AreaTranslation(TranslationOptions):
    fields = ("name", "centre")


@register(District)
class DistrictTranslation(TranslationOptions):
    fields = ("name",)


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name",)
