from django.contrib import admin

from .models import Attendance, Participant


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["participant", "dialogue"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["display_name", "perspective", "organisation", "user"]
    list_select_related = ["organisation", "user"]
    list_filter = ["perspective", "organisation__sector"]
    search_fields = ["display_name", "organisation__name", "user__username"]
    autocomplete_fields = ["organisation", "user"]
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["participant", "dialogue", "perspective"]
    list_select_related = ["participant", "dialogue"]
    list_filter = ["perspective", "dialogue__kind"]
    search_fields = ["participant__display_name", "dialogue__title"]
    autocomplete_fields = ["participant", "dialogue"]
