from django.contrib import admin

from opendvc.catalog.models import (
    Agency,
    AgencyKind,
    Fee,
    Field,
    LifeEvent,
    LifeEventProcedure,
    Procedure,
    ProcedureStep,
    RequiredDocument,
)
from opendvc.catalog.search.index import reindex


@admin.register(AgencyKind)
class AgencyKindAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_vi", "level"]
    list_filter = ["level"]
    search_fields = ["slug", "name_vi", "name_en"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "level", "kind", "parent"]
    list_filter = ["level", "kind", "province"]
    search_fields = ["code", "name_vi", "name_en", "address"]
    autocomplete_fields = ["parent", "commune"]
    list_select_related = ["kind", "parent"]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]


class StepInline(admin.TabularInline):
    model = ProcedureStep
    extra = 0


class DocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "field", "online_level", "status", "for_citizens", "for_businesses"]
    list_filter = ["status", "online_level", "for_citizens", "for_businesses", "field", "agency_kinds"]
    search_fields = ["code", "name_vi", "name_en", "keywords"]
    autocomplete_fields = ["field"]
    filter_horizontal = ["agency_kinds"]
    list_select_related = ["field"]
    readonly_fields = ["popularity", "updated_at"]
    inlines = [StepInline, DocumentInline, FeeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The search keys include documents and agency kinds, saved only now.
        reindex([form.instance.pk])


class LifeEventProcedureInline(admin.TabularInline):
    model = LifeEventProcedure
    extra = 0
    autocomplete_fields = ["procedure"]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_vi", "audience", "position"]
    list_filter = ["audience"]
    search_fields = ["slug", "name_vi", "name_en"]
    inlines = [LifeEventProcedureInline]
