from modeltranslation.translator import TranslationOptions, register

from kaskad.catalogue.models import ProgrammeArea, ProgrammeModule, ProgrammeVersion


@register(ProgrammeArea)
class ProgrammeAreaTranslation(TranslationOptions):
    fields = ("name",)


@register(ProgrammeVersion)
class ProgrammeVersionTranslation(TranslationOptions):
    fields = ("title", "description")


@register(ProgrammeModule)
class ProgrammeModuleTranslation(TranslationOptions):
    fields = ("title",)
