from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kremlib.admin import SoftDeleteAdminMixin, VersionedAdminForm, VersionedAdminMixin

from .models import District, Municipality, Organisation, Partnership, Project
from .services import delete_project
from .validators import OrgNumberField


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "county"]
    list_filter = ["county"]
    search_fields = ["name", "number"]
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_select_related = ["municipality"]
    list_filter = ["municipality"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]


class OrganisationPartnershipInline(admin.TabularInline):
    model = Partnership
    fk_name = "organisation"
    extra = 0
    autocomplete_fields = ["project"]


class ProjectPartnershipInline(admin.TabularInline):
    model = Partnership
    fk_name = "project"
    extra = 1
    autocomplete_fields = ["organisation"]


class OrganisationAdminForm(VersionedAdminForm):
    org_number = OrgNumberField(
        required=False,
        label=Organisation._meta.get_field("org_number").verbose_name,
        help_text=_("Nine digits, from the Brønnøysund Register Centre; spaces are fine (889 640 782). Optional."),
    )

    class Meta:
        model = Organisation
        fields = "__all__"


@admin.register(Organisation)
class OrganisationAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "sector", "org_number", "municipality", "is_active"]
    list_select_related = ["municipality"]
    list_filter = ["sector", "is_active", "municipality"]
    search_fields = ["name", "org_number"]
    autocomplete_fields = ["municipality", "district"]
    inlines = [OrganisationPartnershipInline]


@admin.register(Project)
class ProjectAdmin(SoftDeleteAdminMixin, VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "report_section", "status", "start_date", "end_date"]
    list_filter = ["status", "municipalities"]
    search_fields = ["title", "slug", "summary", "goals"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["municipalities", "districts", "continued_by"]
    inlines = [ProjectPartnershipInline]

    def soft_delete(self, obj):
        delete_project(project=obj)


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["project", "organisation", "role"]
    list_select_related = ["project", "organisation"]
    list_filter = ["role", "organisation__sector"]
    search_fields = ["project__title", "organisation__name"]
    autocomplete_fields = ["project", "organisation"]
