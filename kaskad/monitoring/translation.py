from modeltranslation.translator import TranslationOptions, register

from kaskad.monitoring.models import Study, TestForm


@register(Study)
class StudyTranslation(TranslationOptions):
    fields = ("name",)


@register(TestForm)
class TestFormTranslation(TranslationOptions):
    fields = ("title",)
