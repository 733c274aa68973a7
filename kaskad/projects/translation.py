from modeltranslation.translator import TranslationOptions, register

from kaskad.projects.models import Project


@register(Project)
class ProjectTranslation(TranslationOptions):
    fields = ("name",)
